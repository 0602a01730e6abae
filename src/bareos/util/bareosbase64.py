"""``BareosBase64``: the two base64 variants and the integer form used in stat packets."""

from bareos.lib import base64 as _b64


class BareosBase64:
    base64_digits = list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    def __init__(self):
        self.base64_map = {c: i for i, c in enumerate(self.base64_digits)}

    @staticmethod
    def twos_comp(val, bits):
        if val & (1 << (bits - 1)):
            val -= 1 << bits
        return val

    def base64_to_int(self, base64):
        return _b64.base64_to_int(base64)

    def int_to_base64(self, value):
        return _b64.int_to_base64(value)

    def string_to_base64(self, string, compatible=False):
        """Encode bytes; ``compatible=True`` gives the standard (unpadded) variant."""
        return bytearray(_b64.bin_to_base64(bytes(string), compatible=compatible), "utf-8")
