"""File digests as Bareos computes them (Signature = MD5/SHA1/SHA256/SHA512/XXH128).

The digest record's data is the raw binary digest; XXH128 is XXH3-128 in its
canonical (big-endian) byte order, as Bareos writes it.  hashlib and xxhash
release the GIL for large buffers.
"""

from __future__ import annotations

import hashlib

from bareos.lib.streams import (
    STREAM_MD5_DIGEST, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST, STREAM_SHA512_DIGEST,
    STREAM_XXH128_DIGEST,
)

try:
    import xxhash as _xxhash
except ImportError:  # pragma: no cover - depends on the installation
    _xxhash = None

__all__ = ["DIGEST_STREAMS", "DIGEST_NAMES", "DIGEST_SIZES", "new_digest", "digest_name",
           "is_digest_stream", "available", "DigestUnavailable"]

DIGEST_NAMES = {
    STREAM_MD5_DIGEST: "MD5",
    STREAM_SHA1_DIGEST: "SHA1",
    STREAM_SHA256_DIGEST: "SHA256",
    STREAM_SHA512_DIGEST: "SHA512",
    STREAM_XXH128_DIGEST: "XXH128",
}
DIGEST_STREAMS = frozenset(DIGEST_NAMES)
DIGEST_SIZES = {STREAM_MD5_DIGEST: 16, STREAM_SHA1_DIGEST: 20, STREAM_SHA256_DIGEST: 32,
                STREAM_SHA512_DIGEST: 64, STREAM_XXH128_DIGEST: 16}
_HASHLIB = {STREAM_MD5_DIGEST: "md5", STREAM_SHA1_DIGEST: "sha1",
            STREAM_SHA256_DIGEST: "sha256", STREAM_SHA512_DIGEST: "sha512"}


class DigestUnavailable(RuntimeError):
    """The digest algorithm cannot be computed in this installation."""


def is_digest_stream(stream: int) -> bool:
    return (stream & 0x7FF) in DIGEST_STREAMS


def digest_name(stream: int) -> str:
    return DIGEST_NAMES.get(stream & 0x7FF, "Unknown")


def available(stream: int) -> bool:
    stream &= 0x7FF
    if stream == STREAM_XXH128_DIGEST:
        return _xxhash is not None
    return stream in _HASHLIB


def new_digest(stream: int):
    """A fresh hash object (``update``/``digest``) for a digest stream id."""
    stream &= 0x7FF
    if stream == STREAM_XXH128_DIGEST:
        if _xxhash is None:
            raise DigestUnavailable("XXH128 needs the xxhash package")
        return _xxhash.xxh3_128()
    name = _HASHLIB.get(stream)
    if name is None:
        raise DigestUnavailable(f"stream {stream} is not a digest stream")
    if name == "md5":
        try:
            return hashlib.md5(usedforsecurity=False)
        except TypeError:  # pragma: no cover
            return hashlib.md5()
    return hashlib.new(name)
