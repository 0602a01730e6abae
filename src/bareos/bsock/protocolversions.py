"""``bareos.bsock.ProtocolVersions``: console protocol generations."""

from enum import IntEnum


class ProtocolVersions(IntEnum):
    bareos_12_4 = 1  # "Hello <name> calling", one-line 1000 OK banner
    bareos_18_2 = 2  # "Hello <name> calling version <v>", 1000/1001/1002 messages
    last = 2
