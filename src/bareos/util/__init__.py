"""python-bareos's utility classes (``bareos.util``), for scripts written for it."""

from bareos.util.argparse import ArgumentParser
from bareos.util.bareosbase64 import BareosBase64
from bareos.util.password import Password
from bareos.util.path import Path
from bareos.util.version import Version

__all__ = ["ArgumentParser", "BareosBase64", "Password", "Path", "Version"]
