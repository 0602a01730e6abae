"""The exception tree of the python-bareos client library (``bareos.exceptions``).

Same class names, bases and messages as python-bareos 25.1.1, so code written
against it catches the same things.
"""

from bareos.lib.bnet import signal_description

__all__ = [
    "Error",
    "ConnectionError",
    "ConnectionLostError",
    "SocketEmptyHeader",
    "AuthenticationError",
    "PamAuthenticationError",
    "SignalReceivedException",
    "JsonRpcErrorReceivedException",
    "JsonRpcInvalidJsonReceivedException",
]


class Error(Exception):
    """Base of every Bareos client error."""


class ConnectionError(Error):  # noqa: A001 - the name is part of the public API
    """The connection could not be set up or broke."""


class ConnectionLostError(Error):
    """The connection to the daemon was lost."""


class SocketEmptyHeader(Error):
    """An empty packet header arrived (connection lost?)."""


class AuthenticationError(ConnectionError):
    """The daemon did not accept our credentials (or we did not accept it)."""


class PamAuthenticationError(AuthenticationError):
    """PAM login was required and failed, or was offered where not wanted."""


class SignalReceivedException(Error):
    """A Bareos signal arrived where a message was expected.

    ``str(exc)`` is ``"<description> (<signal>)"``; ``exc.signal`` the number.
    """

    def __init__(self, signal):
        super().__init__(f"{signal_description(signal)} ({signal})")
        self.signal = signal


def _error_message(jsondata) -> str:
    try:
        return jsondata["error"]["message"]
    except (KeyError, TypeError):
        return ""


class JsonRpcErrorReceivedException(Error):
    """The Director answered a command with a JSON-RPC error object.

    The text is ``error.message`` + ``": "`` + the joined error messages
    (``error.data.messages.error``), or the whole object when those are absent.
    ``exc.jsondata`` keeps the decoded document.
    """

    def __init__(self, jsondata):
        message = _error_message(jsondata)
        try:
            detail = "".join(jsondata["error"]["data"]["messages"]["error"])
        except (KeyError, TypeError):
            detail = str(jsondata)
        super().__init__(f"{message}: {detail}")
        self.jsondata = jsondata


class JsonRpcInvalidJsonReceivedException(JsonRpcErrorReceivedException):
    """The Director's answer was not a usable JSON-RPC document.

    ``exc.jsondata`` is a synthetic error object whose ``data`` holds the raw answer.
    """

    def __init__(self, jsondata):
        message = _error_message(jsondata)
        try:
            detail = str(jsondata["error"]["data"])
        except (KeyError, TypeError):
            detail = ""
        Error.__init__(self, f"{message}: {detail}")
        self.jsondata = jsondata
