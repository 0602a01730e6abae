"""``bcopy``: copy the jobs of Bareos volumes onto another volume, without
a running daemon.

    bcopy [-c sd-config] [-b bootstrap] [-i in-vol1|in-vol2] [-o out-vol]
          [-p] [-v] input-device output-device

Every record of the input volumes -- session labels included, the volume
labels and end-of-medium labels not -- is appended, with its session, to the
output volume, which must already be labelled (``label`` in bconsole).  The
copy is block for block what the Storage Daemon would have written; the
catalog is not touched (``bscan`` can add the copy).  At the end bcopy says
``<n> Jobs copied. <m> records copied.``
"""

from __future__ import annotations

import argparse
import io
import os
import sys

from bareos.lib.bsr import BsrError, BsrMatcher, load_bsr
from bareos.stored.volume.block import DamagedBlock, VolumeFormatError, read_blocks
from bareos.stored.volume.record import (
    EOM_LABEL, EOT_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL, RecordWriter,
)
from bareos.stored.volume.scan import LabelRecord
from bareos.tools.volume_access import (
    Messages, ToolError, VolumeSource, add_common_options, available_devices, load_sd_config,
    read_volumes,
    resolve_device,
)

__all__ = ["main", "build_parser", "VolumeAppender"]

#: where Bareos's bcopy prints its summary (its Pmsg names the source line)
_SUMMARY_POSITION = "stored/bcopy.cc:262"


def build_parser(prog: str = "bcopy"):
    ap = argparse.ArgumentParser(prog=prog, description="The Bareos Volume Copy tool.")
    add_common_options(ap)
    ap.add_argument("-i", "--input-volumes", metavar="<vol1|vol2|...>",
                    help="Specify input Volume names (separated by |).")
    ap.add_argument("-o", "--output-volumes", metavar="<vol1|vol2|...>",
                    help="Specify output Volume names (separated by |).")
    ap.add_argument("-p", "--ignore-errors", action="store_true",
                    help="Proceed inspite of IO errors.")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="Verbose user messages.")
    ap.add_argument("-w", "--working-directory", metavar="<directory>",
                    help="Specify working directory.")
    ap.add_argument("input", nargs="?", metavar="input-archive")
    ap.add_argument("output", nargs="?", metavar="output-archive")
    return ap


class VolumeAppender:
    """Appends records to a labelled volume file, one :class:`RecordWriter`
    per session (a block holds records of one session only)."""

    def __init__(self, fh, *, checksum: bool = True) -> None:
        self.fh = fh
        self.checksum = checksum
        self.next_block = self._last_block_number() + 1
        fh.seek(0, io.SEEK_END)
        self.writer: RecordWriter | None = None
        self.blocks = 0

    def _last_block_number(self) -> int:
        self.fh.seek(0)
        last = None
        try:
            for item in read_blocks(self.fh, checksum=self.checksum):
                if isinstance(item, DamagedBlock):
                    continue
                last = item.header.block_number
        except VolumeFormatError as exc:
            raise ToolError(f"the output volume has no label (label it first): {exc}", 1) from None
        if last is None:
            raise ToolError("the output volume has no label (label it first)", 1)
        return last

    def _emit(self, blocks) -> None:
        for b in blocks:
            self.fh.write(b)
            self.blocks += 1
            self.next_block = b.block_number + 1

    def _writer_for(self, session_id: int, session_time: int) -> RecordWriter:
        w = self.writer
        if w is not None and (w.vol_session_id, w.vol_session_time) == (session_id, session_time):
            return w
        self.flush()
        self.writer = RecordWriter(vol_session_id=session_id, vol_session_time=session_time,
                                   block_number=self.next_block, checksum=self.checksum)
        return self.writer

    def write(self, rec, label: bool = False) -> None:
        w = self._writer_for(rec.vol_session_id, rec.vol_session_time)
        if label:
            self._emit(w.write_label(rec.file_index, rec.stream, rec.data))
        else:
            self._emit(w.write(rec.file_index, rec.stream, rec.data))

    def flush(self) -> None:
        if self.writer is not None:
            last = self.writer.flush()
            if last is not None:
                self._emit([last])
            self.writer = None


def _output_source(args, cfg) -> VolumeSource:
    quiet = Messages("bcopy", out=io.StringIO())
    src = resolve_device(args.output, cfg, args.output_volumes, None, quiet, args.config)
    return src


def main(argv=None, out=None) -> int:
    ap = build_parser()
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    msgs = Messages("bcopy", out=out)
    try:
        cfg = load_sd_config(args.config)
        listing = available_devices(cfg) if cfg is not None else ""
        if not args.input:
            msgs.out.write(f"Missing input device. {listing}Nothing done.\n")
            return 1
        if not args.output:
            msgs.out.write(f"Missing output device. {listing}Nothing done.\n")
            return 1
        bsr = None
        if args.bootstrap:
            try:
                bsr = load_bsr(args.bootstrap)
            except (BsrError, OSError) as exc:
                raise ToolError(str(exc), 1) from None
        source = resolve_device(args.input, cfg, args.input_volumes, bsr, msgs, args.config)
        target = _output_source(args, cfg)
        out_vol = target.volume_names[0]
        out_path = target.path_of(out_vol)
        if os.path.realpath(out_path) in {os.path.realpath(source.path_of(v))
                                          for v in source.volume_names}:
            raise ToolError(f"Input and output volume are the same: {out_path}", 1)
        try:
            ofh = open(out_path, "r+b")
        except OSError as exc:
            raise ToolError(f"Cannot open output volume {out_path}: ERR={exc.strerror}", 1) from None
        msgs.tool_msg(f"Using device: \"{args.output}\" for writing.")
        jobs = records = 0
        matcher = BsrMatcher(bsr) if bsr is not None else None
        with ofh:
            app = VolumeAppender(ofh, checksum=target.device.checksum)
            msgs.jmsg(f"Ready to append to end of Volume \"{out_vol}\" on device "
                      f"{target.device.print_name}.", job_id=0)
            for _vol, item in read_volumes(source, msgs, matcher=matcher,
                                           forge_on=args.ignore_errors):
                if isinstance(item, DamagedBlock):
                    msgs.jmsg(item.message(_vol), "error", job_id=0)
                    continue
                if isinstance(item, LabelRecord):
                    fi = item.record.file_index
                    if fi == PRE_LABEL:
                        msgs.pmsg("Volume is prelabeled. This volume cannot be copied.")
                        return 1
                    if fi == VOL_LABEL:
                        msgs.pmsg("Volume label not copied.")
                        continue
                    if fi == EOM_LABEL:
                        msgs.pmsg("EOM label not copied.")
                        continue
                    if fi == EOT_LABEL:
                        msgs.pmsg("EOT label not copied.")
                        continue
                    if fi == SOS_LABEL:
                        jobs += 1
                    app.write(item.record, label=True)   # session labels
                    continue
                records += 1
                app.write(item)
            app.flush()
            ofh.flush()
        msgs.pmsg(f"bcopy: {_SUMMARY_POSITION} {jobs} Jobs copied. {records} records copied.")
    except ToolError as exc:
        msgs.out.flush()
        print(f"bcopy: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
