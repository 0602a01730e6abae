"""``LowLevel``: connection, login and message reading shared by the client classes.

Behaves like python-bareos 25.1.1 (TLS-PSK first with fallback to cleartext,
protocol 2 with fallback to protocol 1, end of a response at EOD, TERMINATE,
MAIN_PROMPT, SUB_PROMPT or a line matching ``^\\d\\d\\d\\d OK``), but the wire
work is done by :mod:`bareos.lib`.
"""

import logging
import random
import re
import select
import socket
import ssl
import sys
import time

import bareos.exceptions
from bareos.lib import bnet, cram, tls
from bareos.lib.bsock import BSock
from bareos.bsock.connectiontype import ConnectionType
from bareos.bsock.constants import Constants
from bareos.bsock.password import Password
from bareos.bsock.protocolmessages import ProtocolMessages
from bareos.bsock.protocolversions import ProtocolVersions

#: seconds python-bareos waits for one packet header
HEADER_TIMEOUT = 10

_END_SIGNALS = (bnet.BNET_EOD, bnet.BNET_TERMINATE, bnet.BNET_MAIN_PROMPT, bnet.BNET_SUB_PROMPT)


class LowLevel:
    """Base of :class:`DirectorConsole` and :class:`FileDaemon`; not used directly."""

    @staticmethod
    def argparser_get_bareos_parameter(args):
        """Connection keyword arguments from parsed options (the ``BAREOS_*`` dests)."""
        result = {}
        for key, value in vars(args).items():
            if value is not None and key.startswith("BAREOS_"):
                result[key[len("BAREOS_"):]] = value
        return result

    def __init__(self):
        self.logger = logging.getLogger()
        self.status = None
        self.address = None
        self.timeout = 30
        self.password = None
        self.pam_username = None
        self.pam_password = None
        self.port = None
        self.dirname = None
        self.name = None
        self.socket = None
        self._bsock = None
        self.auth_credentials_valid = False
        self.max_reconnects = 0
        self.tls_psk_enable = True
        self.tls_psk_require = False
        self.tls_version = getattr(ssl, "PROTOCOL_TLS", None)
        self.connection_type = None
        self.requested_protocol_version = None
        self.protocol_messages = ProtocolMessages()
        self.identity_prefix = "R_NONE"
        self.receive_buffer = b""

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- connecting --------------------------------------------------------

    def connect(self, address, port, dirname, connection_type, name=None, password=None, timeout=None):
        """Connect and log in.  Returns True; failures raise (see the exceptions module)."""
        self.address = address
        self.port = int(port)
        self.dirname = dirname if dirname else address
        if timeout:
            self.timeout = timeout
        self.connection_type = connection_type
        self.name = name
        if password is None:
            raise bareos.exceptions.ConnectionError("Parameter 'password' is required.")
        self.password = password if isinstance(password, Password) else Password(password)
        return self.__connect()

    def __connect(self):
        if self.tls_psk_require:
            if not self.is_tls_psk_available():
                raise bareos.exceptions.ConnectionError("TLS-PSK is required, but not available.")
            if not self.tls_psk_enable:
                raise bareos.exceptions.ConnectionError("TLS-PSK is required, but not enabled.")

        connected = False
        if self.tls_psk_enable and self.is_tls_psk_available():
            try:
                self.__connect_tls_psk()
            except (bareos.exceptions.ConnectionError, ssl.SSLError) as exc:
                self._handleSocketError(exc)
                if self.tls_psk_require:
                    raise
                self.logger.warning("Failed to connect via TLS-PSK. Trying plain connection.")
            else:
                connected = True
                self.logger.debug("Encryption: %s", self.socket.cipher())
        if not connected:
            self.__connect_plain()
            self.logger.debug("Encryption: None")

        try:
            return self.auth()
        except bareos.exceptions.PamAuthenticationError:
            raise
        except bareos.exceptions.AuthenticationError:
            if (
                self.connection_type == ConnectionType.DIRECTOR
                and self.requested_protocol_version is None
                and self.get_protocol_version() > ProtocolVersions.bareos_12_4
            ):
                self.logger.warning(
                    "Failed to connect using protocol version %d. Trying protocol version %d.",
                    self.get_protocol_version(),
                    ProtocolVersions.bareos_12_4,
                )
                self.close()
                self.__connect_plain()
                self.protocol_messages.set_version(ProtocolVersions.bareos_12_4)
                return self.auth()
            raise

    def __tcp_connect(self):
        try:
            return socket.create_connection((self.address, self.port), timeout=self.timeout)
        except OSError as exc:
            self._handleSocketError(exc)
            raise bareos.exceptions.ConnectionError(
                f"Failed to connect to host {self.address}, port {self.port}: {exc}"
            ) from exc

    def _attach(self, sock):
        self.socket = sock
        self._bsock = BSock(sock, peer=f"{self.address}:{self.port}", timeout=self.timeout)
        self.receive_buffer = b""
        self.status = None

    def __connect_plain(self):
        self._attach(self.__tcp_connect())
        self.logger.debug("connected to %s:%s", self.address, self.port)
        return True

    def _tls_settings(self):
        settings = tls.TlsSettings(enable=True, require=True)
        fixed = {
            getattr(ssl, "PROTOCOL_TLSv1", object()): "TLSv1",
            getattr(ssl, "PROTOCOL_TLSv1_1", object()): "TLSv1.1",
            getattr(ssl, "PROTOCOL_TLSv1_2", object()): "TLSv1.2",
        }
        version = fixed.get(self.tls_version)
        if version:
            settings.protocol = f"-ALL,{version}"
        return settings

    def __connect_tls_psk(self):
        sock = self.__tcp_connect()
        if not isinstance(self.password, Password):
            sock.close()
            raise bareos.exceptions.ConnectionError("No password provided.")
        identity = self.get_tls_psk_identity()
        try:
            sslsock = tls.client_wrap(sock, self._tls_settings(), identity, self.password.md5())
        except tls.TlsError as exc:
            sock.close()
            raise bareos.exceptions.ConnectionError(str(exc)) from exc
        except BaseException:
            sock.close()
            raise
        self._attach(sslsock)
        return True

    def get_tls_psk_identity(self):
        """``<identity_prefix>`` RS ``<name>`` as bytes."""
        name = self.name.decode("utf-8") if isinstance(self.name, bytes) else str(self.name)
        return f"{self.identity_prefix}{Constants.record_separator}{name}".encode("utf-8")

    @staticmethod
    def is_tls_psk_available():
        return tls.psk_available()

    def get_protocol_version(self):
        return self.protocol_messages.get_version()

    def get_cipher(self):
        """``ssl.SSLSocket.cipher()`` of the connection, None in cleartext."""
        if isinstance(self.socket, ssl.SSLSocket):
            return self.socket.cipher()
        return None

    # -- login -------------------------------------------------------------

    def auth(self):
        """Send the Hello, run mutual CRAM-MD5 and the daemon-specific finish."""
        self.send(self.protocol_messages.hello(self.name, type=self.connection_type))
        key = self.password.md5()
        try:
            answered = self._cram_md5_respond(key)
        except bareos.exceptions.SignalReceivedException as exc:
            self._handleSocketError(exc)
            raise bareos.exceptions.AuthenticationError(f"Received unexcepted signal: {exc}") from None
        if not answered:
            raise bareos.exceptions.AuthenticationError("failed (in response)")
        if not self._cram_md5_challenge(self.name, key):
            raise bareos.exceptions.AuthenticationError("failed (in challenge)")
        self._finalize_authentication()
        return self.auth_credentials_valid

    def _finalize_authentication(self):  # pragma: no cover - overridden
        self.auth_credentials_valid = True

    def _cram_md5_respond(self, password, tls_remote_need=0, compatible=True):
        """Answer the daemon's challenge; True if it accepted our answer."""
        msg = bytes(self.recv())
        if ProtocolMessages.is_not_authorized(msg):
            self.logger.error("failed: %r", msg)
            return False
        try:
            challenge = cram.parse_challenge_line(msg)
        except cram.AuthenticationFailed as exc:
            self.logger.error("%s", exc)
            return False
        self.remote_tls_policy = challenge.tls_policy
        self.send(bytearray(cram.response(password, challenge.token, challenge.compatible), "ascii"))
        received = self.recv()
        if ProtocolMessages.is_auth_ok(received):
            return True
        self.logger.error("failed: %r", bytes(received))
        return False

    def _cram_md5_challenge(self, clientname, password, tls_local_need=0, compatible=True):
        """Challenge the daemon; True if its answer is right (either base64 variant)."""
        token = cram.challenge(str(clientname), rand=random.randint(1000000000, 9999999999))
        self.send(bytearray(cram.challenge_line(token, tls_local_need)))
        answer = self.recv()
        if cram.verify(password, token, bytes(answer)):
            self.send(ProtocolMessages.auth_ok())
            return True
        self.logger.error("wrong answer to our challenge: %r", bytes(answer))
        self.send(ProtocolMessages.auth_failed())
        return False

    def receive_and_evaluate_response_message(self):
        """Read one login message ``dddd[ RS]text`` -> (code, text bytes)."""
        regex = rb"^(\d\d\d\d)[ \x1e](.*)$"
        incoming = self.recv_msg(regex)
        match = re.search(regex, incoming or b"", re.DOTALL)
        if match is None:
            if not self.is_connected():
                raise bareos.exceptions.AuthenticationError(
                    "Received unexcepted signal: {} ({})".format(
                        Constants.get_description(self.status), self.status
                    )
                )
            raise bareos.exceptions.ConnectionLostError("no response message received")
        return int(match.group(1)), match.group(2)

    def _init_connection(self):
        pass

    # -- commands ----------------------------------------------------------

    def close(self):
        """Close the connection (TLS close_notify first)."""
        if self._bsock is not None:
            self._bsock.close()
        elif self.socket is not None:
            self.socket.close()
        self._bsock = None
        self.socket = None

    def reconnect(self):
        """One more login after a lost connection (at most ``max_reconnects``)."""
        result = False
        if self.max_reconnects > 0:
            try:
                self.max_reconnects -= 1
                if self.__connect() and self._init_connection():
                    result = True
            except (OSError, bareos.exceptions.ConnectionLostError):
                self.logger.warning("failed to reconnect")
        return result

    def call(self, command):
        """Run a command; ``bytes`` result.  A list is joined with spaces."""
        if isinstance(command, list):
            command = " ".join(command)
        return self._send_a_command_and_receive_result(command)

    def _send_a_command_and_receive_result(self, command):
        try:
            self.send(bytearray(command, "utf-8"))
            return self.recv_msg()
        except (bareos.exceptions.SocketEmptyHeader, bareos.exceptions.ConnectionLostError) as exc:
            self.logger.error("connection problem (%s): %s", type(exc).__name__, exc)
            if self.reconnect():
                return self._send_a_command_and_receive_result(command)
            raise

    def send_command(self, command):
        """Deprecated alias of :meth:`call`."""
        return self.call(command)

    def send(self, msg=None):
        """Send one message (bytes-like or str)."""
        self.__check_socket_connection()
        if isinstance(msg, str):
            msg = msg.encode("utf-8")
        try:
            self._bsock.send(bytes(msg))
        except (OSError, bnet.BnetError) as exc:
            self._handleSocketError(exc)

    def recv_bytes(self, length, timeout=HEADER_TIMEOUT):
        """Read exactly *length* raw bytes (``ConnectionLostError`` at EOF)."""
        self.__check_socket_connection()
        self.socket.settimeout(timeout)
        chunks = []
        while length > 0:
            part = self.socket.recv(length)
            if not part:
                msg = "Failed to retrieve data. Assuming the connection is lost."
                self._handleSocketError(msg)
                raise bareos.exceptions.ConnectionLostError(msg)
            chunks.append(part)
            length -= len(part)
        return b"".join(chunks)

    def _next_packet(self, timeout=HEADER_TIMEOUT):
        """One packet (bytearray) or signal (int <= 0; an empty packet counts as 0)."""
        try:
            item = self._bsock.recv(timeout)
        except bnet.ConnectionClosed:
            msg = "Failed to retrieve data. Assuming the connection is lost."
            self._handleSocketError(msg)
            raise bareos.exceptions.ConnectionLostError(msg) from None
        except bnet.ProtocolError as exc:
            self._handleSocketError(exc)
            raise bareos.exceptions.ConnectionLostError(str(exc)) from None
        if isinstance(item, int):
            return item
        if not item:
            return 0
        return bytearray(item)

    def recv(self):
        """One message; a signal (or empty packet) raises SignalReceivedException."""
        self.__check_socket_connection()
        item = self._next_packet()
        if isinstance(item, int):
            self.__set_status(item)
            raise bareos.exceptions.SignalReceivedException(item)
        return item

    def recv_msg(self, regex=rb"^\d\d\d\d OK.*$"):
        """Read a whole response: up to an end signal or a line matching *regex*."""
        self.__check_socket_connection()
        try:
            while True:
                try:
                    item = self._next_packet()
                except TimeoutError:
                    self.logger.debug("timeout on receiving header")
                    continue
                if isinstance(item, int):
                    self.__set_status(item)
                    if self.is_end_of_message(item):
                        result = self.receive_buffer
                        self.receive_buffer = b""
                        return result
                    continue
                lastline = self.receive_buffer.rfind(b"\n") + 1
                self.receive_buffer = bytes(self.receive_buffer) + bytes(item)
                match = re.search(regex, self.receive_buffer[lastline:], re.DOTALL)
                if match:
                    end = lastline + match.end()
                    result = self.receive_buffer[:end]
                    self.receive_buffer = self.receive_buffer[end + 1:]
                    return result
        except OSError as exc:
            self._handleSocketError(exc)
            return None

    def recv_submsg(self, length):
        return bytearray(self.recv_bytes(length))

    # -- interactive -------------------------------------------------------

    def interactive(self):
        """Read commands with the prompt ``>>`` until exit/quit/EOF."""
        command = ""
        while command not in ("exit", "quit") and self.is_connected():
            try:
                command = self._get_input()
            except EOFError:
                return False
            if command in ("exit", "quit"):
                return True
            try:
                self._show_result(self.call(command))
            except bareos.exceptions.JsonRpcErrorReceivedException as exc:
                print(str(exc))
        return True

    def _get_input(self):
        return input(">>")

    def _show_result(self, msg):
        if msg is None:
            return
        sys.stdout.write(bytes(msg).decode("utf-8", "replace"))
        if len(msg) >= 2 and msg[-2] != ord("\n"):
            sys.stdout.write("\n")

    # -- state -------------------------------------------------------------

    def is_end_of_message(self, data):
        return (not self.is_connected()) or data in _END_SIGNALS

    def is_connected(self):
        return self.status != bnet.BNET_TERMINATE

    def __set_status(self, status):
        self.status = status
        self.logger.debug("%s (%s)", Constants.get_description(status), status)

    def has_data(self):
        """True if data can be read without blocking (checks for 0.1 s)."""
        self.__check_socket_connection()
        if isinstance(self.socket, ssl.SSLSocket) and self.socket.pending():
            return True
        readable, _, _ = select.select([self.socket], [], [], 0.1)
        return bool(readable)

    def _get_to_prompt(self):
        time.sleep(0.1)
        if self.has_data():
            self.logger.debug("received message: %r", self.recv_msg())
        return True

    def __check_socket_connection(self):
        if self.socket is None:
            if self.auth_credentials_valid:
                raise bareos.exceptions.ConnectionLostError("currently no network connection")
            raise RuntimeError("should connect to director first before send data")
        return True

    def _handleSocketError(self, exception):
        self.logger.warning("socket error: %s", exception)
        self.close()
