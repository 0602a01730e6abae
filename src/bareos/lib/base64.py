"""Bareos's base64 codings.

Two different things carry the name in Bareos:

* **byte base64** (CRAM-MD5 answers, digests): the usual alphabet, never
  padded, in two variants.  The *standard* ("compatible") one equals RFC 4648
  without ``=``.  The *Bareos* one (inherited from Bacula and still the
  default) keeps a 32-bit accumulator into which bytes are shifted as signed
  chars, so a byte >= 0x80 sets all higher bits; its last partial group is
  emitted right-aligned instead of left-aligned.
* **integer base64** (the stat packet ``LStat``): an integer written in base
  64 with the same alphabet, most significant digit first, ``-`` for negatives.
"""

from __future__ import annotations

from binascii import b2a_base64 as _b2a_base64

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_MASK32 = 0xFFFFFFFF


def bin_to_base64(data: bytes | bytearray, compatible: bool = False) -> str:
    """Encode *data*; ``compatible=True`` gives the standard variant."""
    if compatible:
        return _b2a_base64(data, newline=False).rstrip(b"=").decode("ascii")
    data = bytes(data)
    if data.isascii():
        # Without bytes >= 0x80 the Bareos variant is RFC 4648 without
        # padding, except for its right-aligned last partial group.
        text = _b2a_base64(data, newline=False).rstrip(b"=").decode("ascii")
        rem = (len(data) * 8) % 6
        if rem:
            text = text[:-1] + ALPHABET[_VALUE[text[-1]] >> (6 - rem)]
        return text
    return _bin_to_base64_bareos(data)


def _bin_to_base64_bareos(data: bytes) -> str:
    """The Bareos variant bit by bit (bytes >= 0x80 are sign-extended)."""
    out = []
    reg = 0
    rem = 0
    i = 0
    n = len(data)
    while i < n:
        if rem < 6:
            reg = (reg << 8) & _MASK32
            byte = data[i]
            if byte >= 0x80:
                reg |= 0xFFFFFF00 | byte
            else:
                reg |= byte
            i += 1
            rem += 8
        out.append(ALPHABET[(reg >> (rem - 6)) & 0x3F])
        rem -= 6
    if rem > 0:
        out.append(ALPHABET[reg & ((1 << rem) - 1)])
    return "".join(out)


def base64_to_bin(text: str | bytes, compatible: bool = True) -> bytes:
    """Decode an unpadded base64 string.

    ``compatible=True`` reads the standard variant (last partial group
    left-aligned).  ``compatible=False`` reads the Bareos variant's
    right-aligned last group; that variant loses information for bytes >= 0x80
    (sign extension), so only data below 0x80 round-trips through it.
    Trailing ``=`` and NUL are ignored.  Raises ValueError on foreign characters.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("ascii", "replace")
    text = text.rstrip("\0").rstrip("=")
    values = []
    for ch in text:
        try:
            values.append(_VALUE[ch])
        except KeyError:
            raise ValueError(f"invalid base64 character {ch!r}") from None
    nbits = len(values) * 6
    nbytes = nbits // 8
    extra = nbits - nbytes * 8  # 0, 2 or 4 bits beyond the last full byte
    acc = 0
    if compatible or not values or extra == 0:
        for v in values:
            acc = (acc << 6) | v
        acc >>= extra
    else:
        # the last character carries only the 6-extra low bits, right-aligned
        for v in values[:-1]:
            acc = (acc << 6) | v
        keep = 6 - extra
        acc = (acc << keep) | (values[-1] & ((1 << keep) - 1))
    return acc.to_bytes(nbytes, "big") if nbytes else b""


def int_to_base64(value: int) -> str:
    """Stat-packet integer base64: 0 -> ``A``, 64 -> ``BA``, -1 -> ``-B``."""
    if value < 0:
        return "-" + int_to_base64(-value)
    if value == 0:
        return "A"
    digits = []
    while value:
        digits.append(ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(reversed(digits))


def base64_to_int(text: str) -> int:
    """Inverse of :func:`int_to_base64`; reads as many digits as there are."""
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    if not text:
        raise ValueError("empty base64 integer")
    value = 0
    for ch in text:
        try:
            value = (value << 6) | _VALUE[ch]
        except KeyError:
            raise ValueError(f"invalid base64 digit {ch!r}") from None
    return -value if neg else value
