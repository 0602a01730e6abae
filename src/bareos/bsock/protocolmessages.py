"""``bareos.bsock.ProtocolMessages``: the fixed strings of the login dialogue."""

from bareos.lib import bnet, cram
from bareos.lib.version import VERSION
from bareos.bsock.connectiontype import ConnectionType
from bareos.bsock.protocolmessageids import ProtocolMessageIds
from bareos.bsock.protocolversions import ProtocolVersions


class ProtocolMessages:
    """Builds and recognises login messages for one protocol version."""

    def __init__(self, protocolversion=ProtocolVersions.last):
        self.set_version(protocolversion)

    def set_version(self, protocolversion):
        self.protocolversion = protocolversion

    def get_version(self):
        return self.protocolversion

    def hello(self, name, type=ConnectionType.DIRECTOR):  # noqa: A002 - public signature
        """The Hello line as a bytearray (names are sent as given, like python-bareos 25.1.1)."""
        if type == ConnectionType.FILEDAEMON:
            text = f"Hello Director {name} calling\n"
        elif self.protocolversion < ProtocolVersions.bareos_18_2:
            text = f"Hello {name} calling\n"
        else:
            text = f"Hello {name} calling version {VERSION}\n"
        return bytearray(text, "utf-8")

    @staticmethod
    def auth_ok():
        return cram.AUTH_OK

    @staticmethod
    def auth_failed():
        return cram.AUTH_FAILED

    @staticmethod
    def not_authorized():
        return cram.NOT_AUTHORIZED

    @staticmethod
    def is_auth_ok(msg):
        return bytes(msg) == cram.AUTH_OK

    @staticmethod
    def is_not_authorized(msg):
        return bytes(msg) == cram.NOT_AUTHORIZED

    @staticmethod
    def pam_user_credentials(pam_username, pam_password):
        """``4002`` RS user RS password."""
        return bytearray(
            bnet.format_response_message(ProtocolMessageIds.PamUserCredentials, pam_username, pam_password)
        )
