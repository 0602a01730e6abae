"""The Bareos volume format without I/O: blocks, records, labels.

Public interface (see docs/volume-format.md):

* :mod:`.block` -- ``BlockReader``, ``Block``, ``DamagedBlock``,
  ``check_volume_start``, ``read_blocks``, ``NotABareosVolume``
* :mod:`.record` -- ``RecordWriter``, ``RecordReader``, ``Record``, label
  FileIndex constants
* :mod:`.label` -- ``VolumeLabel``, ``SessionLabel``

and the helpers below, which tie them together.
"""

from __future__ import annotations

from bareos.stored.volume.block import (
    DEFAULT_BLOCK_SIZE, Block, BlockReader, DamagedBlock, NotABareosVolume,
    VolumeFormatError, check_volume_start, read_blocks,
)
from bareos.stored.volume.label import LabelError, SessionLabel, VolumeLabel
from bareos.stored.volume.record import (
    EOS_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL, Record, RecordReader, RecordWriter,
)

__all__ = [
    "DEFAULT_BLOCK_SIZE", "Block", "BlockReader", "DamagedBlock", "NotABareosVolume",
    "VolumeFormatError", "check_volume_start", "read_blocks", "LabelError",
    "SessionLabel", "VolumeLabel", "Record", "RecordReader", "RecordWriter",
    "label_volume_block", "decode_label", "iter_records",
]


def label_volume_block(label: VolumeLabel, *, vol_session_id: int = 0,
                       vol_session_time: int = 0, block_size: int = DEFAULT_BLOCK_SIZE,
                       checksum: bool = True, stream: int = 0) -> bytes:
    """The first block of a freshly labeled volume (block number 0)."""
    w = RecordWriter(block_size, vol_session_id=vol_session_id,
                     vol_session_time=vol_session_time, checksum=checksum)
    blocks = w.write_label(label.label_type, stream, label.encode())
    last = w.flush()
    assert not blocks and last is not None
    return bytes(last)


def decode_label(record: Record, *, check: bool = True):
    """VolumeLabel / SessionLabel for a label record, None for other records."""
    fi = record.file_index
    if fi in (VOL_LABEL, PRE_LABEL):
        return VolumeLabel.decode(record.data, fi, check=check)
    if fi in (SOS_LABEL, EOS_LABEL):
        return SessionLabel.decode(record.data, fi)
    return None


def iter_records(fileobj, *, name: str = "volume", checksum: bool = True,
                 chunk_size: int = 1 << 20, reader: RecordReader | None = None):
    """Yield the Records and DamagedBlocks of a volume file, in order.

    Raises NotABareosVolume if the file does not start with a Bareos block.
    Pass a ``reader`` to carry split records over to the next volume.
    """
    rr = reader if reader is not None else RecordReader()
    for item in read_blocks(fileobj, chunk_size=chunk_size, checksum=checksum, name=name):
        if isinstance(item, DamagedBlock):
            yield item
            continue
        yield from rr.read_block(item)
