"""Client library for Bareos daemons, API-compatible with python-bareos 25.1.1.

>>> import bareos.bsock
>>> console = bareos.bsock.DirectorConsole(address="localhost", port=9101, password="secret")
>>> print(console.call("help").decode())

TLS-PSK is used first when available (Python >= 3.13, or the ``sslpsk3``
module before that); see :mod:`bareos.lib.tls`.
"""

from bareos.exceptions import *  # noqa: F401,F403 - python-bareos re-exports them here
from bareos.bsock.password import Password
from bareos.bsock.connectiontype import ConnectionType
from bareos.bsock.constants import Constants
from bareos.bsock.protocolmessageids import ProtocolMessageIds
from bareos.bsock.protocolmessages import ProtocolMessages
from bareos.bsock.protocolversions import ProtocolVersions
from bareos.bsock.tlsversionparser import TlsVersionParser
from bareos.bsock.lowlevel import LowLevel
from bareos.bsock.filedaemon import FileDaemon
from bareos.bsock.directorconsole import DirectorConsole
from bareos.bsock.directorconsolejson import DirectorConsoleJson

# deprecated aliases
from bareos.bsock.bsock import BSock
from bareos.bsock.bsockjson import BSockJson
