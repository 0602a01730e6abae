"""autoxflate-sd: compress (deflate) and decompress (inflate) data records in
the Storage Daemon, per Device (``Auto Deflate``, ``Auto Deflate
Algorithm``, ``Auto Deflate Level``, ``Auto Inflate``; ``in``, ``out`` or
``both``).

Records going to the device (OUT) and coming from it (IN) pass first the
inflate block, then the deflate block.  Deflated records are exactly what
a File Daemon with ``Compression = <algorithm>`` sends: stream 29
(``STREAM_COMPRESSED_DATA``) or 30 for sparse data (offset first), a
12-byte header (magic, size, level, version) and the compressed body; so
every reader, ours or Bareos's, restores them.  Inflate turns streams 29/30
back into 2/26... (``STREAM_FILE_DATA``/``STREAM_SPARSE_DATA``).
The job log gets the three lines Bareos's documentation shows: the
compressor, the configured blocks and the overall ratio.
"""

from __future__ import annotations

from bareos.lib import compression
from bareos.lib.streams import (
    STREAM_COMPRESSED_DATA, STREAM_FILE_DATA, STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_DATA,
    STREAMMASK_TYPE,
)

from . import bRC_OK

ALGORITHMS = {"GZIP": compression.COMPRESS_GZIP, "LZO": compression.COMPRESS_LZO1X,
              "LZFAST": compression.COMPRESS_FZFZ, "LZ4": compression.COMPRESS_FZ4L,
              "LZ4HC": compression.COMPRESS_FZ4H}
_IN = {"in", "read", "readonly"}
_OUT = {"out", "write", "writeonly"}
_BOTH = {"both", "readwrite"}

_UNCOMPRESSED = {STREAM_FILE_DATA: STREAM_COMPRESSED_DATA, STREAM_SPARSE_DATA: STREAM_SPARSE_COMPRESSED_DATA}
_COMPRESSED = {v: k for k, v in _UNCOMPRESSED.items()}


def direction(value) -> tuple[bool, bool]:
    """(IN, OUT) of an iodirection value."""
    v = str(value or "").strip().lower()
    if v in _BOTH:
        return True, True
    return v in _IN, v in _OUT


def magic_text(magic: int) -> str:
    return magic.to_bytes(4, "big").decode("ascii", "replace")


class AutoxflatePlugin:
    """The SD plugin object: one per job, one Xflater per device used."""

    name = "autoxflate"

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.flaters: dict[str, "Xflater"] = {}

    def setup(self, dev_name: str, res) -> "Xflater | None":
        fl = self.flaters.get(dev_name)
        if fl is None:
            fl = Xflater(dev_name, res, self.ctx.job_message)
            self.flaters[dev_name] = fl
        return fl if fl.active else None

    def job_end(self) -> int:
        for fl in self.flaters.values():
            fl.report()
        return bRC_OK


class Xflater:
    def __init__(self, dev_name: str, res, message) -> None:
        self.dev_name = dev_name
        self.message = message
        self.inflate_in, self.inflate_out = direction(res.get("Auto Inflate") if res is not None else None)
        self.deflate_in, self.deflate_out = direction(res.get("Auto Deflate") if res is not None else None)
        algo = str((res.get("Auto Deflate Algorithm") if res is not None else None) or "").upper()
        self.magic = ALGORITHMS.get(algo, 0)
        self.level = int((res.get("Auto Deflate Level") if res is not None else None) or 6)
        self.deflate_bytes_in = self.deflate_bytes_out = 0
        self.inflate_bytes_in = self.inflate_bytes_out = 0
        if (self.deflate_in or self.deflate_out) and not self.magic:
            self.deflate_in = self.deflate_out = False
            message(4, f"autoxflate-sd.c: no Auto Deflate Algorithm set on device {dev_name}\n")
        if (self.deflate_in or self.deflate_out) and not compression.available(self.magic):
            self.deflate_in = self.deflate_out = False
            message(4, f"autoxflate-sd.c: compressor {algo} not available on device {dev_name}\n")
        self.active = self.inflate_in or self.inflate_out or self.deflate_in or self.deflate_out
        if not self.active:
            return
        if self.deflate_in or self.deflate_out:
            message(6, f"autodeflation: compressor on device {dev_name} is {magic_text(self.magic)}\n")
        yn = {True: "yes", False: "no"}
        message(6, f"autoxflate-sd.c: {dev_name} OUT:[SD->inflate={yn[self.inflate_out]}->deflate="
                   f"{yn[self.deflate_out]}->DEV] IN:[DEV->inflate={yn[self.inflate_in]}->deflate="
                   f"{yn[self.deflate_in]}->SD]\n")

    def translate(self, stream: int, data, outgoing: bool):
        """One record on its way to the device (*outgoing*) or from it."""
        inflate = self.inflate_out if outgoing else self.inflate_in
        deflate = self.deflate_out if outgoing else self.deflate_in
        kind = stream & STREAMMASK_TYPE
        if inflate and kind in _COMPRESSED:
            return self.inflate(stream, data)
        if deflate and kind in _UNCOMPRESSED:
            return self.deflate(stream, data)
        return stream, data

    def deflate(self, stream: int, data):
        kind = stream & STREAMMASK_TYPE
        prefix = b""
        body = data
        if kind == STREAM_SPARSE_DATA:
            prefix, body = bytes(data[:8]), memoryview(data)[8:]
        out = prefix + compression.compress_record(self.magic, self.level, body)
        self.deflate_bytes_in += len(data)
        self.deflate_bytes_out += len(out)
        return (stream & ~STREAMMASK_TYPE) | _UNCOMPRESSED[kind], out

    def inflate(self, stream: int, data):
        kind = stream & STREAMMASK_TYPE
        prefix = b""
        body = data
        if kind == STREAM_SPARSE_COMPRESSED_DATA:
            prefix, body = bytes(data[:8]), memoryview(data)[8:]
        try:
            out = prefix + compression.decompress_record(bytes(body))
        except compression.CompressionError as exc:
            self.message(4, f"autoxflate-sd.c: inflate failed: {exc}\n")
            return stream, data
        self.inflate_bytes_in += len(data)
        self.inflate_bytes_out += len(out)
        return (stream & ~STREAMMASK_TYPE) | _COMPRESSED[kind], out

    def report(self) -> None:
        if self.inflate_bytes_in:
            self.message(6, f"autoxflate-sd.c: inflate ratio: "
                            f"{self.inflate_bytes_out * 100.0 / self.inflate_bytes_in:0.2f}%\n")
        if self.deflate_bytes_in:
            self.message(6, f"autoxflate-sd.c: deflate ratio: "
                            f"{self.deflate_bytes_out * 100.0 / self.deflate_bytes_in:0.2f}%\n")
        self.deflate_bytes_in = self.deflate_bytes_out = 0
        self.inflate_bytes_in = self.inflate_bytes_out = 0
