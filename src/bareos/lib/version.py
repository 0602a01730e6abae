"""Version strings every daemon reports (they follow the Bareos release we are compatible with)."""

VERSION = "25.1.1"
BDATE = "05 December 2025"
# Bareos's FD protocol version as announced in "2000 OK Hello 54".
FD_PROTOCOL_VERSION = 54
BINARY_INFO = "bareos-py"


def distname():
    """Return (operatingsystem, distname, distversion) like Bareos's version command."""
    pretty = "Linux"
    ident = "linux"
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            values = {}
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    values[k] = v.strip('"')
        pretty = values.get("PRETTY_NAME", pretty)
        ident = values.get("ID", ident)
    except OSError:
        pass
    return pretty, ident, pretty
