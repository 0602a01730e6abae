"""The tray monitor's resource/directive table (``tray-monitor.d``).

Directive names, types and defaults follow Bareos 25; the table order is the
order ``show``/``--xc`` print in.
"""

from __future__ import annotations

from bareos.lib.config.common import tls_cert, tls_common
from bareos.lib.config.schema import Directive as D
from bareos.lib.config.schema import ResourceType, Schema

_MONITOR = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Password", "md5password", required=True),
    D("RefreshInterval", "time", default='60'),
    D("FdConnectTimeout", "time", default='10'),
    D("SdConnectTimeout", "time", default='10'),
    D("DirConnectTimeout", "time", default='10'),
    *tls_common(),
    *tls_cert(),
]

_DIRECTOR = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Port", "pint32", default='9101', aliases=('DirPort',)),
    D("Address", "str", required=True),
    *tls_common(),
    *tls_cert(),
]

_CLIENT = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Address", "str", required=True),
    D("Port", "pint32", default='9102', aliases=('FdPort',)),
    D("Password", "md5password", required=True),
    *tls_common(),
    *tls_cert(),
]

_STORAGE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Port", "pint32", default='9103', aliases=('SdPort',)),
    D("Address", "str", required=True, aliases=('SdAddress',)),
    D("Password", "md5password", required=True, aliases=('SdPassword',)),
    *tls_common(),
    *tls_cert(),
]

_CONSOLE_FONT = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Font", "str"),
]

MONITOR = ResourceType("Monitor", "Monitors", _MONITOR)
DIRECTOR = ResourceType("Director", "Directors", _DIRECTOR)
CLIENT = ResourceType("Client", "Clients", _CLIENT)
STORAGE = ResourceType("Storage", "Storages", _STORAGE)
CONSOLE_FONT = ResourceType("ConsoleFont", "ConsoleFonts", _CONSOLE_FONT)

SCHEMA = Schema(
    daemon="tray-monitor",
    config_dir_name="tray-monitor.d",
    config_file_name="tray-monitor.conf",
    resources=[MONITOR, DIRECTOR, CLIENT, STORAGE, CONSOLE_FONT],
)
