"""Deprecated alias: use :class:`bareos.bsock.DirectorConsoleJson`."""

from bareos.bsock.directorconsolejson import DirectorConsoleJson


class BSockJson(DirectorConsoleJson):
    """Deprecated since 15.2.0; same as :class:`DirectorConsoleJson`."""
