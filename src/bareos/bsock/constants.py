"""``bareos.bsock.Constants``: separators and ``BNET_*`` signal numbers."""

from bareos.lib import bnet


class Constants:
    """Separators and signal numbers (values from :mod:`bareos.lib.bnet`)."""

    unit_separator = chr(0x1F)
    record_separator = chr(0x1E)
    record_separator_compat_regex = "[ " + chr(0x1E) + "]"
    group_separator = chr(0x1D)

    _description = dict(bnet.SIGNAL_DESCRIPTIONS)

    @staticmethod
    def get_description(code):
        """Description of a ``BNET_*`` signal, or None if the number is unknown."""
        return Constants._description.get(code)


for _value, _name in bnet.SIGNAL_NAMES.items():
    setattr(Constants, _name, _value)
del _value, _name
