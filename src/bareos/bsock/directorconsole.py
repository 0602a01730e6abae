"""``bareos.bsock.DirectorConsole``: a console session with a Bareos Director."""

import bareos.exceptions
from bareos.bsock.connectiontype import ConnectionType
from bareos.bsock.lowlevel import LowLevel
from bareos.bsock.protocolmessageids import ProtocolMessageIds
from bareos.bsock.protocolmessages import ProtocolMessages
from bareos.bsock.protocolversions import ProtocolVersions
from bareos.bsock.tlsversionparser import TlsVersionParser


class DirectorConsole(LowLevel):
    """Text-mode (API 0) console: ``call(command) -> bytes``.

    >>> console = DirectorConsole(address="localhost", port=9101, name="user1", password="secret")
    >>> print(console.call("help").decode())
    """

    @staticmethod
    def argparser_add_default_command_line_arguments(argparser):
        """Add the connection options (dests ``BAREOS_*``) to an ArgumentParser."""
        group = argparser.add_argument_group(title="Bareos Director connection options")
        group.add_argument(
            "--name",
            default="*UserAgent*",
            help="use this to access a specific Bareos director named console. "
            'Otherwise it connects to the default console ("%(default)s").',
            dest="BAREOS_name",
        )
        group.add_argument(
            "-p", "--password", required=True,
            help="Password to authenticate to a Bareos Director console.",
            dest="BAREOS_password",
        )
        group.add_argument(
            "--port", default=9101, help="Bareos Director network port. Default: %(default)s.", dest="BAREOS_port"
        )
        group.add_argument(
            "--address", default="localhost",
            help="Bareos Director network address. Default: %(default)s.", dest="BAREOS_address",
        )
        group.add_argument(
            "--timeout", type=int,
            help="Timeout (in seconds) for the connection to the Bareos Director.", dest="BAREOS_timeout",
        )
        group.add_argument(
            "--protocolversion", type=int,
            choices={v.value for v in ProtocolVersions} | {0},
            default=ProtocolVersions.last.value,
            help="Specify the Bareos console protocol version (0: auto-detect, %(default)s: latest). "
            "Default: %(default)s.",
            dest="BAREOS_protocolversion",
        )
        group.add_argument(
            "--pam-username",
            help="Username to authenticate against PAM on top off the normal authentication.",
            dest="BAREOS_pam_username",
        )
        group.add_argument(
            "--pam-password",
            help="Password to authenticate against PAM on top off the normal authentication.",
            dest="BAREOS_pam_password",
        )
        group.add_argument(
            "--tls-psk-require", action="store_true",
            help="Allow only encrypted connections. Default: %(default)s.", dest="BAREOS_tls_psk_require",
        )
        TlsVersionParser().add_argument(group)

    def __init__(
        self,
        address="localhost",
        port=9101,
        timeout=None,
        dirname=None,
        name="*UserAgent*",
        password=None,
        protocolversion=None,
        pam_username=None,
        pam_password=None,
        tls_psk_enable=True,
        tls_psk_require=False,
        tls_version=None,
    ):
        super().__init__()
        self.pam_username = pam_username
        self.pam_password = pam_password
        self.tls_psk_enable = tls_psk_enable
        self.tls_psk_require = tls_psk_require
        self.timeout = timeout
        if tls_version is not None:
            self.tls_version = tls_version
        self.identity_prefix = "R_CONSOLE"
        if protocolversion is not None and int(protocolversion) > 0:
            self.requested_protocol_version = int(protocolversion)
            self.protocol_messages.set_version(self.requested_protocol_version)
        self.connect(address, port, dirname, ConnectionType.DIRECTOR, name, password, timeout)
        self._init_connection()
        self.max_reconnects = 1

    def _finalize_authentication(self):
        code, text = self.receive_and_evaluate_response_message()
        self.logger.debug("code: %s", code)
        if code == ProtocolMessageIds.PamRequired:
            if not self.pam_username or not self.pam_password:
                raise bareos.exceptions.PamAuthenticationError(
                    "PAM authentication is requested, but no PAM credentials given. Giving up.\n"
                )
            self.send(ProtocolMessages.pam_user_credentials(self.pam_username, self.pam_password))
            try:
                code, text = self.receive_and_evaluate_response_message()
            except bareos.exceptions.ConnectionLostError:
                raise bareos.exceptions.PamAuthenticationError("PAM authentication failed.") from None
        elif self.pam_username or self.pam_password:
            raise bareos.exceptions.PamAuthenticationError(
                "PAM credentials provided, but this Director console does not offer PAM login. Giving up.\n"
            )

        if code != ProtocolMessageIds.Ok:
            raise bareos.exceptions.AuthenticationError(
                f"Received unexcepted message: {code} {text} (expecting auth ok)"
            )
        self.logger.info("Authentication: %s", text)
        self.auth_credentials_valid = True

        if self.get_protocol_version() >= ProtocolVersions.bareos_18_2:
            code, text = self.receive_and_evaluate_response_message()
            if code != ProtocolMessageIds.InfoMessage:
                raise bareos.exceptions.AuthenticationError(
                    f"Received unexcepted message: {code} {text} (expecting info message)"
                )
            self.logger.debug("Info: %s", text)

    def _init_connection(self):
        self.call("autodisplay off")

    def _get_to_prompt(self):
        self.send(b".")
        return super()._get_to_prompt()
