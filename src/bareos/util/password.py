"""``bareos.util.password.Password`` (the same class as ``bareos.bsock.Password``)."""

from bareos.bsock.password import Password

__all__ = ["Password"]
