"""Reading a whole volume: labels, sessions, BSR selection.

:func:`scan_volume` is what ``bls``, ``bextract``, ``bscan`` and the SD's
read session share: it reads the blocks of one volume file, checks that the
first record is a Bareos volume label, keeps the session label of every
running session, applies a BSR (fast rejection of blocks from other
sessions, then record matching, and stops when nothing more can match), and
yields

* :class:`LabelRecord` for every label record (with the decoded label),
* :class:`~bareos.stored.volume.record.Record` for selected file records,
* :class:`~bareos.stored.volume.block.DamagedBlock` for damaged stretches.
"""

from __future__ import annotations

from dataclasses import dataclass

from bareos.lib.bsr import ALL_DONE, NO_MATCH, BsrMatcher
from bareos.stored.volume.block import DamagedBlock, NotABareosVolume, read_blocks
from bareos.stored.volume.label import SessionLabel, VolumeLabel
from bareos.stored.volume.record import (
    EOS_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL, Record, RecordReader, file_index_name,
)

__all__ = ["LabelRecord", "scan_volume"]


@dataclass(slots=True)
class LabelRecord:
    record: Record
    label: VolumeLabel | SessionLabel | None   # None for EOM/EOT and unknown labels


def scan_volume(fileobj, *, name: str = "volume", checksum: bool = True,
                matcher: BsrMatcher | None = None, chunk_size: int = 1 << 20,
                reader: RecordReader | None = None, check_label: bool = True):
    """Yield LabelRecord / Record / DamagedBlock values of one volume file.

    Raises NotABareosVolume when the file is not a Bareos volume or does not
    begin with a volume label, LabelError when the label is not usable
    (wrong Id or version, unless ``check_label`` is false).
    """
    rr = reader if reader is not None else RecordReader()
    volume: VolumeLabel | None = None
    sessions: dict[tuple[int, int], SessionLabel] = {}
    for item in read_blocks(fileobj, chunk_size=chunk_size, checksum=checksum, name=name):
        if isinstance(item, DamagedBlock):
            yield item
            continue
        if (matcher is not None and volume is not None
                and not matcher.match_block(item.vol_session_id, item.vol_session_time)):
            continue
        here = item.offset + item.header.block_len - 1
        for rec in rr.read_block(item):
            fi = rec.file_index
            if volume is None:
                if fi not in (VOL_LABEL, PRE_LABEL):
                    raise NotABareosVolume(
                        f"{name}: not a Bareos volume (first record is "
                        f"{file_index_name(fi)}, not a volume label)")
                volume = VolumeLabel.decode(rec.data, fi, check=check_label)
                yield LabelRecord(rec, volume)
                continue
            if fi < 0:
                key = (rec.vol_session_id, rec.vol_session_time)
                label = None
                if fi in (SOS_LABEL, EOS_LABEL):
                    label = SessionLabel.decode(rec.data, fi)
                    if fi == SOS_LABEL:
                        sessions[key] = label
                    else:
                        sessions.pop(key, None)
                elif fi in (VOL_LABEL, PRE_LABEL):
                    label = VolumeLabel.decode(rec.data, fi, check=False)
                yield LabelRecord(rec, label)
                continue
            if matcher is not None:
                key = (rec.vol_session_id, rec.vol_session_time)
                r = matcher.match(volume.volume_name, rec, sessions.get(key), here)
                if r == ALL_DONE:
                    return
                if r == NO_MATCH:
                    continue
            yield rec
    if volume is None:
        raise NotABareosVolume(f"{name}: not a Bareos volume (no volume label)")
