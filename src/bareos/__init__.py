"""Bareos, the network backup system, rebuilt in Python.

The top level mirrors python-bareos (``bareos.__version__``, ``bareos.Password``,
the exception classes) so that scripts written for python-bareos run unchanged.
"""

from bareos.lib.version import VERSION as __version__  # noqa: F401
from bareos.exceptions import *  # noqa: F401,F403
from bareos.util.password import Password  # noqa: F401

__all__ = ["bsock", "exceptions", "util", "Password"]
