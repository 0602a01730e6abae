"""Deprecated alias: use :class:`bareos.bsock.DirectorConsole`."""

from bareos.bsock.directorconsole import DirectorConsole


class BSock(DirectorConsole):
    """Deprecated since 15.2.0; same as :class:`DirectorConsole`."""
