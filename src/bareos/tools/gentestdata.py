"""gentestdata: a stream of pseudo-random test data on standard output.

    python -m bareos.tools.gentestdata [-s|--size SIZE]

Like Bareos's ``gentestdata`` (used by the systemtests' ``generate_testdata``):
SIZE bytes (default 1024; suffixes k, M, G, T ... as powers of 1024, also
``kb``/``KiB`` forms) taken from the 64-bit Mersenne Twister (mt19937_64)
with its default seed, each 64-bit value written little-endian.  The same
size therefore always gives the same bytes, as with the C++ program on a
little-endian machine.
"""

from __future__ import annotations

import argparse
import re
import struct
import sys
from collections.abc import Iterator

_N = 312
_M = 156
_MATRIX_A = 0xB5026F5AA96619E9
_UPPER = 0xFFFFFFFF80000000
_LOWER = 0x7FFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
DEFAULT_SEED = 5489


def mt19937_64(seed: int = DEFAULT_SEED) -> Iterator[list[int]]:
    """Yield the generator's output in blocks of 312 64-bit values."""
    mt = [0] * _N
    mt[0] = seed & _MASK64
    for i in range(1, _N):
        prev = mt[i - 1]
        mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & _MASK64
    while True:
        for i in range(_N):
            y = (mt[i] & _UPPER) | (mt[(i + 1) % _N] & _LOWER)
            v = mt[(i + _M) % _N] ^ (y >> 1)
            if y & 1:
                v ^= _MATRIX_A
            mt[i] = v
        out = []
        for y in mt:
            y ^= (y >> 29) & 0x5555555555555555
            y ^= (y << 17) & 0x71D67FFFEDA60000
            y ^= (y << 37) & 0xFFF7EEE000000000
            y ^= y >> 43
            out.append(y)
        yield out


_UNITS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([kmgtpe]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """'1M' -> 1048576; a positive number of bytes, suffixes in powers of 1024."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"invalid size {text!r}")
    value = float(m.group(1)) * (1024 ** _UNITS[m.group(2).lower()])
    size = int(value)
    if size <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return size


def generate(size: int) -> Iterator[bytes]:
    """The first ``size`` bytes of the stream, in chunks."""
    remaining = size
    for block in mt19937_64():
        chunk = struct.pack(f"<{_N}Q", *block)
        if remaining <= len(chunk):
            yield chunk[:remaining]
            return
        yield chunk
        remaining -= len(chunk)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="gentestdata",
                                 description="Generate a stream of pseudo-random testdata")
    ap.add_argument("-s", "--size", default="1024", help="number of bytes to create")
    a = ap.parse_args(argv)
    try:
        size = parse_size(a.size)
    except ValueError as e:
        print(f"--size: {e}", file=sys.stderr)
        return 105  # CLI11's ValidationError exit code
    out = sys.stdout.buffer
    for chunk in generate(size):
        out.write(chunk)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
