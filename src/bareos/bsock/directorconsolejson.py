"""``bareos.bsock.DirectorConsoleJson``: console in API mode 2, results as dicts."""

import json
from pprint import pprint

import bareos.exceptions
from bareos.bsock.directorconsole import DirectorConsole


class DirectorConsoleJson(DirectorConsole):
    """Like :class:`DirectorConsole`, but ``call()`` returns the JSON-RPC ``result``.

    An ``error`` answer raises :class:`bareos.exceptions.JsonRpcErrorReceivedException`,
    a non-JSON answer :class:`bareos.exceptions.JsonRpcInvalidJsonReceivedException`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def _init_connection(self):
        self.logger.debug(self.call(".api json"))
        self.logger.debug(self.call(".api json compact=yes"))

    def call(self, command):
        data = self.call_fullresult(command)
        if data is None:
            return None
        if "result" in data:
            return data["result"]
        if "error" in data:
            raise bareos.exceptions.JsonRpcErrorReceivedException(data)
        raise bareos.exceptions.JsonRpcInvalidJsonReceivedException(data)

    def call_fullresult(self, command):
        """The whole decoded JSON-RPC document (None for an empty answer)."""
        raw = DirectorConsole.call(self, command)
        if not raw:
            return None
        try:
            return json.loads(bytes(raw).decode("utf-8"))
        except ValueError as exc:
            raise bareos.exceptions.JsonRpcInvalidJsonReceivedException(
                {"error": {"code": 2, "message": str(exc), "data": raw}}
            ) from None

    def _show_result(self, msg):
        pprint(msg)
