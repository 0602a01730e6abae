"""``bls``: list the contents of Bareos volumes without a running daemon.

    bls [-c sd-config] [-d level] [-b bootstrap] [-j] [-k] [-L] [-p] [-v]
        [-V vol1|vol2] [-e exclude-list] [-i include-list] device ...

Without ``-j``/``-k`` the files are listed ``ls -l`` style (as Bareos's
``bls``), ``-j`` lists the session labels (jobs), ``-k`` the blocks, ``-L``
dumps the volume label, ``-v`` shows every record.  The device is a Device
resource of the Storage Daemon configuration (by name or Archive Device) or
simply the path of a volume file.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys

from bareos.lib.base64 import bin_to_base64
from bareos.lib.bsr import BsrError, BsrMatcher, load_bsr
from bareos.lib.edit import edit_uint64_with_commas
from bareos.lib.stat import AttributeFormatError, decode_attributes
from bareos.lib.streams import (
    STREAM_COMPRESSED_DATA, STREAM_ENCRYPTED_FILE_COMPRESSED_DATA,
    STREAM_ENCRYPTED_WIN32_COMPRESSED_DATA, STREAM_GZIP_DATA, STREAM_MD5_DIGEST,
    STREAM_PLUGIN_NAME, STREAM_RESTORE_OBJECT, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST,
    STREAM_SHA512_DIGEST, STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_GZIP_DATA,
    STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX, STREAM_WIN32_COMPRESSED_DATA,
    STREAM_XXH128_DIGEST, stream_name,
)
from bareos.stored.volume import NotABareosVolume, read_blocks
from bareos.stored.volume.block import DamagedBlock
from bareos.stored.volume.label import SessionLabel, VolumeLabel, btime_to_unix
from bareos.stored.volume.record import (
    EOM_LABEL, EOS_LABEL, EOT_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL, file_index_name,
)
from bareos.stored.volume.scan import LabelRecord
from bareos.tools.volume_access import (
    FileFilter, Messages, ToolError, add_common_options, attr_stat_text, available_devices,
    format_local_time,
    load_sd_config, ls_line, read_volumes, resolve_device,
)

__all__ = ["main", "build_parser", "record_to_str", "dump_volume_label",
           "dump_label_record"]

_DIGEST_STREAMS = (STREAM_MD5_DIGEST, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST,
                   STREAM_SHA512_DIGEST, STREAM_XXH128_DIGEST)
_COMPRESSED_STREAMS = (STREAM_COMPRESSED_DATA, STREAM_SPARSE_COMPRESSED_DATA,
                       STREAM_WIN32_COMPRESSED_DATA, STREAM_ENCRYPTED_FILE_COMPRESSED_DATA,
                       STREAM_ENCRYPTED_WIN32_COMPRESSED_DATA)
_COMP_NAMES = {b"GZIP": "GZIP", b"LZOX": "LZO1X", b"FZFZ": "FZFZ", b"FZ4L": "FZ4L",
               b"FZ4H": "FZ4H"}


def build_parser(prog: str = "bls") -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=prog, description="The Bareos ls tool.")
    add_common_options(ap, "Specify a director name found in the storage configuration.")
    ap.add_argument("-e", "--exclude", metavar="<file>", help="Exclude list.")
    ap.add_argument("-i", "--include-list", metavar="<file>", help="Include list.")
    ap.add_argument("-j", "--list-jobs", action="store_true", help="List jobs.")
    ap.add_argument("-k", "--list-blocks", action="store_true",
                    help="List blocks. If neither -j or -k specified, list saved files.")
    ap.add_argument("-L", "--dump-labels", action="store_true", help="Dump labels.")
    ap.add_argument("-p", "--ignore-errors", action="store_true",
                    help="Proceed inspite of IO errors.")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="Verbose user messages.")
    ap.add_argument("-V", "--volumes", metavar="<vol1|vol2|...>",
                    help="Volume names (separated by |)")
    ap.add_argument("devices", nargs="*", metavar="device-names",
                    help="Device resource name or Archive Device, or a volume file.")
    return ap


# --------------------------------------------------------------------------
# formatting (pure)

def _bstrftimes(bt: int) -> str:
    return format_local_time(btime_to_unix(bt), "%d-%b-%Y %H:%M:%S")


def _bstrftime(bt: int) -> str:
    return format_local_time(btime_to_unix(bt), "%d-%b-%Y %H:%M")


def dump_volume_label(label: VolumeLabel, label_size: int = 0, vol_file: int = 0) -> str:
    lt = {PRE_LABEL: "PRE_LABEL", VOL_LABEL: "VOL_LABEL"}.get(label.label_type,
                                                             f"Unknown {label.label_type}")
    return ("\nVolume Label:\n"
            f"Id                : {label.id}"
            f"VerNo             : {label.ver_num}\n"
            f"VolName           : {label.volume_name}\n"
            f"PrevVolName       : {label.prev_volume_name}\n"
            f"VolFile           : {vol_file}\n"
            f"LabelType         : {lt}\n"
            f"LabelSize         : {label_size}\n"
            f"PoolName          : {label.pool_name}\n"
            f"MediaType         : {label.media_type}\n"
            f"PoolType          : {label.pool_type}\n"
            f"HostName          : {label.host_name}\n"
            f"Date label written: {_bstrftime(label.label_btime)}\n")


def _dump_session_label(label: SessionLabel, kind: str) -> str:
    out = (f"\n{kind} Record:\n"
           f"JobId             : {label.job_id}\n"
           f"VerNum            : {label.ver_num}\n"
           f"PoolName          : {label.pool_name}\n"
           f"PoolType          : {label.pool_type}\n"
           f"JobName           : {label.job_name}\n"
           f"ClientName        : {label.client_name}\n")
    if label.ver_num >= 10:
        out += (f"Job (unique name) : {label.job}\n"
                f"FileSet           : {label.fileset_name}\n"
                f"JobType           : {label.job_type_letter}\n"
                f"JobLevel          : {label.job_level_letter}\n")
    if label.label_type == EOS_LABEL:
        c = edit_uint64_with_commas
        out += (f"JobFiles          : {c(label.job_files)}\n"
                f"JobBytes          : {c(label.job_bytes)}\n"
                f"StartBlock        : {c(label.start_block)}\n"
                f"EndBlock          : {c(label.end_block)}\n"
                f"StartFile         : {c(label.start_file)}\n"
                f"EndFile           : {c(label.end_file)}\n"
                f"JobErrors         : {c(label.job_errors)}\n"
                f"JobStatus         : {label.job_status_letter}\n")
    out += f"Date written      : {_bstrftime(label.write_btime)}\n"
    return out


_LABEL_KIND = {PRE_LABEL: "Fresh Volume", VOL_LABEL: "Volume", SOS_LABEL: "Begin Job Session",
               EOS_LABEL: "End Job Session", EOM_LABEL: "End of Media", EOT_LABEL: "End of Tape"}


def dump_label_record(lr: LabelRecord, verbose: int) -> str:
    """What ``bls -j`` prints for one label record (``DumpLabelRecord``)."""
    rec = lr.record
    fi = rec.file_index
    kind = _LABEL_KIND.get(fi, "Unknown")
    pos = rec.address + 1           # device position after the block
    fb = f"File:blk={pos >> 32}:{pos & 0xFFFFFFFF}"
    if verbose:
        if fi in (PRE_LABEL, VOL_LABEL) and isinstance(lr.label, VolumeLabel):
            return dump_volume_label(lr.label, len(rec.data))
        if fi in (SOS_LABEL, EOS_LABEL) and isinstance(lr.label, SessionLabel):
            return _dump_session_label(lr.label, kind)
        if fi == EOT_LABEL:
            return "End of physical tape.\n"
        return (f"{kind} Record: {fb} SessId={rec.vol_session_id} "
                f"SessTime={rec.vol_session_time} JobId={rec.stream} "
                f"DataLen={len(rec.data)}\n")
    lab = lr.label
    if fi == SOS_LABEL and isinstance(lab, SessionLabel):
        return (f"{kind} Record: {fb} SessId={rec.vol_session_id} "
                f"SessTime={rec.vol_session_time} JobId={lab.job_id}\n"
                f"   Job={lab.job} Date={_bstrftimes(lab.write_btime)} "
                f"Level={lab.job_level_letter} Type={lab.job_type_letter}\n")
    if fi == EOS_LABEL and isinstance(lab, SessionLabel):
        return (f"{kind} Record: {fb} SessId={rec.vol_session_id} "
                f"SessTime={rec.vol_session_time} JobId={lab.job_id}\n"
                f"   Job={lab.job} Date={_bstrftimes(lab.write_btime)} "
                f"Level={lab.job_level_letter} Type={lab.job_type_letter} "
                f"Files={edit_uint64_with_commas(lab.job_files)} "
                f"Bytes={edit_uint64_with_commas(lab.job_bytes)} Errors={lab.job_errors} "
                f"Status={lab.job_status_letter}\n")
    if fi == EOT_LABEL:
        return ""
    return (f"{kind} Record: {fb} SessId={rec.vol_session_id} "
            f"SessTime={rec.vol_session_time} JobId={rec.stream} DataLen={len(rec.data)}\n")


def _short_info(rec) -> str:
    ms = rec.masked_stream
    if ms in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
        try:
            a = decode_attributes(rec.data)
            text = attr_stat_text(a) + "\n" + a.fname
            if a.type == 4:
                text += " -> " + a.link
            return text
        except (AttributeFormatError, ValueError):
            return "ERROR"
    if ms in _DIGEST_STREAMS:
        return bin_to_base64(bytes(rec.data), True) + " (base64)"
    if ms == STREAM_PLUGIN_NAME:
        return "data: " + bytes(rec.data[:99]).split(b"\0", 1)[0].decode("utf-8", "replace") + "\n"
    if ms == STREAM_RESTORE_OBJECT:
        return "Restore Object record"
    out = ""
    data = bytes(rec.data[:20])
    if ms in (STREAM_SPARSE_GZIP_DATA, STREAM_SPARSE_COMPRESSED_DATA) and len(data) >= 8:
        out += f"Sparse: StartAddress={struct.unpack('>Q', data[:8])[0]}. "
        data = data[8:]
    if ms in _COMPRESSED_STREAMS and len(data) >= 12:
        magic, clen, level, version = struct.unpack(">4sIHH", data[:12])
        name = _COMP_NAMES.get(magic)
        if name:
            out += f"{name}, level={level}, version={version}, length={clen}"
        else:
            out += (f"Compression algorithm 0x{int.from_bytes(magic, 'big'):x} found, "
                    "but not supported!\n")
    elif ms in (STREAM_GZIP_DATA, STREAM_SPARSE_GZIP_DATA):
        out += "GZIP, level=0, version=0, length=0"
    return out


def record_to_str(rec) -> str:
    """One record as ``bls -v`` prints it (``record_to_str``)."""
    head = (f"FileIndex={rec.file_index:<5d} Stream={rec.stream:<2d} "
            f"{stream_name(rec.stream, rec.file_index):<25s} DataLen={len(rec.data):<5d}")
    info = _short_info(rec)
    indent = " " * len(head) + " | "
    lines = info.split("\n")
    out = head + " | " + lines[0]
    for ln in lines[1:]:
        out += "\n" + indent + ln
    return out


# --------------------------------------------------------------------------
# the three listings

_SESSION_KIND = {PRE_LABEL: "Fresh Volume Label", VOL_LABEL: "Volume Label",
                 SOS_LABEL: "Begin Job Session", EOS_LABEL: "End Job Session",
                 0: "End of Medium", EOM_LABEL: "End of Medium",
                 EOT_LABEL: "End of Physical Medium", -7: "Start of object",
                 -8: "End of object"}


def _report_damage(msgs: Messages, item: DamagedBlock, vol: str) -> None:
    msgs.jmsg(item.message(vol), "error", job_id=0)


def do_ls(source, msgs: Messages, args, filt: FileFilter, matcher) -> int:
    num_files = 0
    for vol, item in read_volumes(source, msgs, matcher=matcher, forge_on=args.ignore_errors):
        if isinstance(item, DamagedBlock):
            _report_damage(msgs, item, vol)
            continue
        if isinstance(item, LabelRecord):
            rec = item.record
            msgs.job_id = 0
            if rec.file_index == SOS_LABEL and isinstance(item.label, SessionLabel):
                msgs.job_id = item.label.job_id
            if args.verbose:
                kind = _SESSION_KIND.get(rec.file_index, "Unknown")
                msgs.pmsg(f"{kind} Record: VolSessionId={rec.vol_session_id} "
                          f"VolSessionTime={rec.vol_session_time} JobId={rec.stream} "
                          f"DataLen={len(rec.data)}")
            continue
        rec = item
        if rec.masked_stream in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
            try:
                attrs = decode_attributes(rec.data)
                attrs.stat()
            except (AttributeFormatError, ValueError) as exc:
                if not args.ignore_errors:
                    raise ToolError(f"Attrib unpack error: {exc}. Cannot continue.", 1)
                msgs.jmsg("Attrib unpack error!", "error")
                num_files += 1
                continue
            if filt.selects(attrs.fname):
                if not args.verbose:
                    msgs.jmsg(ls_line(attrs), timestamp=False)
                else:
                    msgs.pmsg(record_to_str(rec))
                num_files += 1
        elif args.verbose:
            msgs.pmsg(record_to_str(rec))
    msgs.pmsg(f"{num_files} files and directories found.")
    return num_files


def do_jobs(source, msgs: Messages, args, matcher) -> None:
    for vol, item in read_volumes(source, msgs, matcher=matcher, forge_on=args.ignore_errors):
        if isinstance(item, DamagedBlock):
            _report_damage(msgs, item, vol)
        elif isinstance(item, LabelRecord):
            text = dump_label_record(item, args.verbose)
            if text:
                msgs.out.write(text)


def do_label(source, msgs: Messages, args) -> None:
    for vol, item in read_volumes(source, msgs, forge_on=args.ignore_errors, announce=True):
        if isinstance(item, LabelRecord) and isinstance(item.label, VolumeLabel):
            msgs.out.write(dump_volume_label(item.label, len(item.record.data)))
            return


def do_blocks(source, msgs: Messages, args, matcher) -> None:
    for vol in source.volume_names:
        path = source.path_of(vol)
        try:
            fh = open(path, "rb")
        except OSError as exc:
            raise ToolError(f"Cannot open volume {path}: ERR={exc.strerror}", 1) from None
        with fh:
            msgs.jmsg(f"Ready to read from volume \"{vol}\" on device "
                      f"{source.device.print_name}.", job_id=0)
            try:
                for blk in read_blocks(fh, checksum=source.device.checksum, name=path):
                    if isinstance(blk, DamagedBlock):
                        _report_damage(msgs, blk, vol)
                        continue
                    if (matcher is not None and blk.block_number != 0
                            and not matcher.match_block(blk.vol_session_id,
                                                        blk.vol_session_time)):
                        continue
                    if args.verbose:
                        pos = blk.offset + blk.block_len
                        hl = blk.header.header_length
                        fi = st = dl = 0
                        if blk.block_len >= hl + 12 and blk.version == 2:
                            fi, st, dl = struct.unpack_from(">iiI", blk.data, hl)
                        msgs.pmsg(f"File:blk={pos >> 32}:{pos & 0xFFFFFFFF} "
                                  f"blk_num={blk.block_number} blen={blk.block_len} "
                                  f"First rec FI={file_index_name(fi)} "
                                  f"SessId={blk.vol_session_id} SessTim={blk.vol_session_time} "
                                  f"Strm={stream_name(st, fi)} rlen={dl}")
                    else:
                        msgs.pmsg(f"Block: {blk.block_number} size={blk.block_len}")
            except NotABareosVolume as exc:
                raise ToolError(str(exc), 1) from None
        msgs.jmsg(f"End of Volume at file 0 on device {source.device.print_name}, "
                  f"Volume \"{vol}\"", job_id=0)
    msgs.jmsg("End of all volumes.", job_id=0)


def main(argv=None, out=None) -> int:
    ap = build_parser()
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    msgs = Messages("bls", out=out)
    try:
        cfg = load_sd_config(args.config)
        if not args.devices:
            msgs.out.write("Missing input device. " + (available_devices(cfg) if cfg else "")
                           + "Nothing done.\n")
            return 106
        filt = FileFilter()
        if args.include_list:
            filt.load_include_file(args.include_list)
        if args.exclude:
            filt.load_exclude_file(args.exclude)
        for device in args.devices:
            bsr = None
            if args.bootstrap:
                try:
                    bsr = load_bsr(args.bootstrap)
                except (BsrError, OSError) as exc:
                    raise ToolError(str(exc), 1) from None
            matcher = BsrMatcher(bsr) if bsr is not None else None
            source = resolve_device(device, cfg, args.volumes, bsr, msgs,
                                    args.config)
            if args.list_blocks:
                do_blocks(source, msgs, args, matcher)
            elif args.list_jobs:
                do_jobs(source, msgs, args, matcher)
            elif args.dump_labels:
                do_label(source, msgs, args)
            else:
                do_ls(source, msgs, args, filt, matcher)
    except ToolError as exc:
        msgs.out.flush()
        print(f"bls: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:   # pragma: no cover - bls | head
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
