"""bconsole's resource/directive table (``bconsole.conf``, ``bconsole.d``).

Directive names, types and defaults follow Bareos 25; the table order is the
order ``show``/``--xc`` print in.
"""

from __future__ import annotations

from bareos.lib.config.common import tls_cert, tls_common
from bareos.lib.config.schema import Directive as D
from bareos.lib.config.schema import ResourceType, Schema

_CONSOLE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("RcFile", "dir"),
    D("HistoryFile", "dir"),
    D("HistoryLength", "pint32", default='100'),
    D("Password", "md5password", required=True),
    D("Director", "str"),
    D("HeartbeatInterval", "time", default='0'),
    *tls_common(),
    *tls_cert(),
]

_DIRECTOR = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Port", "pint32", default='9101', aliases=('DirPort',)),
    D("Address", "str", required=True, aliases=('DirAddress',)),
    D("Password", "md5password"),
    D("HeartbeatInterval", "time", default='0'),
    *tls_common(),
    *tls_cert(),
]

CONSOLE = ResourceType("Console", "Consoles", _CONSOLE)
DIRECTOR = ResourceType("Director", "Directors", _DIRECTOR)

SCHEMA = Schema(
    daemon="bconsole",
    config_dir_name="bconsole.d",
    config_file_name="bconsole.conf",
    resources=[CONSOLE, DIRECTOR],
)
