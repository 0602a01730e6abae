"""``bareos.bsock.FileDaemon``: talk to a File Daemon as its Director would."""

import shlex

import bareos.exceptions
from bareos.lib.bnet import bash_spaces
from bareos.bsock.connectiontype import ConnectionType
from bareos.bsock.lowlevel import LowLevel
from bareos.bsock.protocolmessageids import ProtocolMessageIds
from bareos.bsock.tlsversionparser import TlsVersionParser


class FileDaemon(LowLevel):
    """Connects with identity ``R_DIRECTOR`` RS *name*; expects ``2000 OK Hello``."""

    @staticmethod
    def argparser_add_default_command_line_arguments(argparser):
        argparser.add_argument(
            "--name", required=True, help="Name of the Director resource in the File Daemon.", dest="BAREOS_name"
        )
        argparser.add_argument(
            "-p", "--password", required=True,
            help="Password to authenticate to a Bareos File Daemon.", dest="BAREOS_password",
        )
        argparser.add_argument("--port", default=9102, help="Bareos File Daemon network port.", dest="BAREOS_port")
        argparser.add_argument(
            "--address", default="localhost", help="Bareos File Daemon network address.", dest="BAREOS_address"
        )
        argparser.add_argument(
            "--tls-psk-require", action="store_true",
            help="Allow only encrypted connections. Default: False.", dest="BAREOS_tls_psk_require",
        )
        TlsVersionParser().add_argument(argparser)

    def __init__(
        self,
        address="localhost",
        port=9102,
        dirname=None,
        name=None,
        password=None,
        tls_psk_enable=True,
        tls_psk_require=False,
        tls_version=None,
    ):
        super().__init__()
        self.tls_psk_enable = tls_psk_enable
        self.tls_psk_require = tls_psk_require
        if tls_version is not None:
            self.tls_version = tls_version
        self.identity_prefix = "R_DIRECTOR"
        self.connect(address, port, dirname, ConnectionType.FILEDAEMON, name, password)
        self._init_connection()

    def _finalize_authentication(self):
        code, text = self.receive_and_evaluate_response_message()
        if code != ProtocolMessageIds.FdOk:
            raise bareos.exceptions.AuthenticationError(
                f"Received unexcepted message: {code} {text} (expecting auth ok)"
            )
        self.logger.info("Authentication: %s", text)
        self.auth_credentials_valid = True

    def call(self, command):
        """Run an FD command; arguments are split shell-like and their spaces bashed."""
        args = command if isinstance(command, list) else shlex.split(command)
        return super().call([bash_spaces(a) for a in args])
