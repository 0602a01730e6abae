"""``bextract``: restore files from Bareos volumes without a running daemon.

    bextract [-c sd-config] [-b bootstrap] [-i include-list] [-e exclude-list]
             [-V vol1|vol2] [-p] [-v] device output-directory

Files are selected by the bootstrap (``-b``) and/or the include/exclude
lists, and written below the output directory (which must exist) with
their data, owner, mode, times, extended attributes and ACLs by the File
Daemon's :class:`bareos.filed.restore.Restorer`.
"""

from __future__ import annotations

import os
import sys

from bareos.filed.restore import DATA_STREAMS, Restorer
from bareos.lib import jmsg as _jmsg
from bareos.lib.bsr import BsrError, BsrMatcher, load_bsr
from bareos.lib.stat import AttributeFormatError, decode_attributes
from bareos.lib.streams import (
    FT_DELETED, FT_LNKSAVED, STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL,
    STREAM_ENCRYPTED_FILE_COMPRESSED_DATA, STREAM_ENCRYPTED_FILE_DATA,
    STREAM_ENCRYPTED_FILE_GZIP_DATA, STREAM_ENCRYPTED_MACOS_FORK_DATA,
    STREAM_ENCRYPTED_SESSION_DATA, STREAM_ENCRYPTED_WIN32_COMPRESSED_DATA,
    STREAM_ENCRYPTED_WIN32_DATA, STREAM_ENCRYPTED_WIN32_GZIP_DATA, STREAM_HFSPLUS_ATTRIBUTES,
    STREAM_MACOS_FORK_DATA, STREAM_MD5_DIGEST, STREAM_NDMP_SEPARATOR, STREAM_PLUGIN_DATA,
    STREAM_PLUGIN_NAME, STREAM_PROGRAM_DATA, STREAM_PROGRAM_NAMES, STREAM_RESTORE_OBJECT,
    STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST, STREAM_SHA512_DIGEST, STREAM_SIGNED_DIGEST,
    STREAM_UNIX_ACCESS_ACL, STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX,
    STREAM_UNIX_DEFAULT_ACL, STREAM_WIN32_COMPRESSED_DATA, STREAM_WIN32_DATA,
    STREAM_WIN32_GZIP_DATA, STREAM_XATTR_LINUX, STREAM_XXH128_DIGEST, stream_name,
)
from bareos.stored.volume.block import DamagedBlock
from bareos.stored.volume.scan import LabelRecord
from bareos.tools.volume_access import (
    FileFilter, Messages, ToolError, add_common_options, available_devices, load_sd_config, ls_line,
    read_volumes, resolve_device,
)

__all__ = ["main", "build_parser", "Extractor"]

_DIGESTS = (STREAM_MD5_DIGEST, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST,
            STREAM_SHA512_DIGEST, STREAM_XXH128_DIGEST, STREAM_SIGNED_DIGEST,
            STREAM_ENCRYPTED_SESSION_DATA)
_ENCRYPTED = (STREAM_ENCRYPTED_FILE_DATA, STREAM_ENCRYPTED_WIN32_DATA,
              STREAM_ENCRYPTED_FILE_GZIP_DATA, STREAM_ENCRYPTED_WIN32_GZIP_DATA,
              STREAM_ENCRYPTED_FILE_COMPRESSED_DATA, STREAM_ENCRYPTED_WIN32_COMPRESSED_DATA,
              STREAM_ENCRYPTED_MACOS_FORK_DATA)
_LINUX_ACL = (STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL)
_ACL = (STREAM_UNIX_ACCESS_ACL, STREAM_UNIX_DEFAULT_ACL) + tuple(range(1000, 1021))
_XATTR = tuple(range(1988, 2000))
_WIN32 = (STREAM_WIN32_DATA, STREAM_WIN32_GZIP_DATA, STREAM_WIN32_COMPRESSED_DATA)
_IGNORED = (STREAM_RESTORE_OBJECT, STREAM_NDMP_SEPARATOR, STREAM_PLUGIN_NAME,
            STREAM_PLUGIN_DATA, STREAM_HFSPLUS_ATTRIBUTES, STREAM_MACOS_FORK_DATA)


def build_parser(prog: str = "bextract"):
    import argparse
    ap = argparse.ArgumentParser(prog=prog, description="The Bareos Extraction tool.")
    add_common_options(ap)
    ap.add_argument("-e", "--exclude", metavar="<file>", help="Exclude list.")
    ap.add_argument("-i", "--include-list", metavar="<file>", help="Include list.")
    ap.add_argument("-p", "--ignore-errors", action="store_true",
                    help="Proceed inspite of IO errors.")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="Verbose user messages.")
    ap.add_argument("-V", "--volumes", metavar="<vol1|vol2|...>",
                    help="Volume names (separated by |).")
    ap.add_argument("device", nargs="?", metavar="bareos-archive-device-name",
                    help="Device resource name or Archive Device, or a volume file.")
    ap.add_argument("target", nargs="?", metavar="target-directory",
                    help="Specify directory where to store files.")
    return ap


class _ToolJcr:
    """What :class:`Restorer` needs of a job: its messages go to bextract's
    output (``bextract JobId 0: Error: ...``)."""

    _KINDS = {_jmsg.M_FATAL: "fatal", _jmsg.M_ERROR: "error", _jmsg.M_WARNING: "warning"}

    def __init__(self, msgs: Messages):
        self.msgs = msgs
        self.job_files = 0
        self.job_bytes = 0
        self.last_fname = ""

    def jmsg(self, mtype: int, text: str) -> None:
        self.msgs.jmsg(text, self._KINDS.get(mtype, "info"))


class Extractor:
    """The record callback of bextract: turns the records of a volume into
    files through the File Daemon's :class:`Restorer` (xattrs and ACLs are
    set before owner, mode and times, as Bareos's bextract does)."""

    def __init__(self, where: str, msgs: Messages, filt: FileFilter):
        self.msgs = msgs
        self.filt = filt
        self.restorer = Restorer(_ToolJcr(msgs), where=where, xattrs_first=True)
        self.num_files = 0
        self.cur_key: tuple[int, int, int] | None = None   # (sid, stime, FileIndex)
        self.extract = False
        self.prog_name_msg = 0
        self.win32_msg = 0
        self.acl_msg = 0
        self.unsupported = 0
        self.damaged = 0

    def _close_previous(self) -> None:
        self.restorer.close_file()
        self.extract = False
        self.cur_key = None

    def record(self, rec) -> None:
        if rec.file_index < 0:
            return
        ms = rec.masked_stream
        if ms in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
            self._close_previous()
            try:
                attrs = decode_attributes(rec.data)
                st = attrs.stat()
            except (AttributeFormatError, ValueError) as exc:
                raise ToolError(f"Cannot continue: bad attribute record ({exc}).", 1) from None
            if not self.filt.selects(attrs.fname):
                return
            if st.data_stream and (st.data_stream & 0x7FF) in _ENCRYPTED:
                if not self.unsupported:
                    self.msgs.jmsg(f"{stream_name(st.data_stream)} stream not supported on "
                                   "this Client.", "error")
                self.unsupported += 1
                return
            if attrs.type == FT_DELETED:
                self.msgs.jmsg(f"{attrs.fname} was deleted.")
                return
            if self.restorer.start_file(rec.file_index, rec.data):
                out = self.restorer.output_name
                olname = out(attrs.link) if attrs.type == FT_LNKSAVED else attrs.link
                self.msgs.jmsg(ls_line(attrs, out(attrs.fname), olname), timestamp=False)
                self.num_files += 1
                self.extract = True
                self.cur_key = (rec.vol_session_id, rec.vol_session_time, rec.file_index)
            return
        key = (rec.vol_session_id, rec.vol_session_time, rec.file_index)
        mine = self.extract and key == self.cur_key
        cur = self.restorer.cur
        if ms in _WIN32:
            self.win32_msg += 1     # BackupRead format: not decoded here
        elif ms in DATA_STREAMS:
            if mine and cur.extract:
                self.restorer.write_data(cur, ms, rec.data)
        elif ms in _XATTR or ms in _LINUX_ACL:
            if mine:
                # every xattr stream is read in the Linux layout
                cur.delayed.append((STREAM_XATTR_LINUX if ms in _XATTR else ms, bytes(rec.data)))
        elif ms in _ACL:
            if mine:
                if not self.acl_msg:
                    self.msgs.jmsg(f"ACL stream {ms} of {cur.path}"
                                   " not restored (ACLs are not supported by this bextract)",
                                   "warning")
                self.acl_msg += 1
        elif ms in _DIGESTS or ms in _IGNORED:
            pass
        elif ms in _ENCRYPTED:
            if mine:
                self.unsupported += 1
        elif ms in (STREAM_PROGRAM_NAMES, STREAM_PROGRAM_DATA):
            if not self.prog_name_msg:
                self.msgs.tool_msg("Got Program Name or Data Stream. Ignored.")
            self.prog_name_msg += 1
        else:
            if self.extract:
                self._close_previous()
            self.msgs.jmsg(f"Unknown stream={rec.stream} ignored. This shouldn't happen!",
                           "error")

    def finish(self) -> None:
        self._close_previous()
        self.restorer.finish()


def main(argv=None, out=None) -> int:
    ap = build_parser()
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    msgs = Messages("bextract", out=out)
    try:
        cfg = load_sd_config(args.config)
        if not args.device:
            msgs.out.write("Missing device. " + (available_devices(cfg) if cfg else "")
                           + "Nothing done.\n")
            return 106
        if not args.target:
            msgs.out.write("Missing target directory. Nothing done.\n")
            return 106
        filt = FileFilter()
        if args.include_list:
            filt.load_include_file(args.include_list)
        if args.exclude:
            filt.load_exclude_file(args.exclude)
        bsr = None
        if args.bootstrap:
            try:
                bsr = load_bsr(args.bootstrap)
            except (BsrError, OSError) as exc:
                raise ToolError(str(exc), 1) from None
        where = args.target
        try:
            st = os.stat(where)
        except OSError as exc:
            raise ToolError(f"Cannot stat {where}. It must exist. ERR={exc.strerror}", 1) from None
        if not os.path.isdir(where):
            raise ToolError(f"{where} must be a directory.", 1)
        del st
        source = resolve_device(args.device, cfg, args.volumes, bsr, msgs, args.config)
        matcher = BsrMatcher(bsr) if bsr is not None else None
        ex = Extractor(where, msgs, filt)
        try:
            for vol, item in read_volumes(source, msgs, matcher=matcher,
                                          forge_on=args.ignore_errors):
                if isinstance(item, DamagedBlock):
                    ex.damaged += 1
                    msgs.jmsg(item.message(vol), "error", job_id=0)
                    continue
                if isinstance(item, LabelRecord):
                    continue
                ex.record(item)
        finally:
            ex.finish()
        if ex.prog_name_msg:
            msgs.tool_msg(f"{ex.prog_name_msg} Program Name and/or Program Data Stream "
                          "records ignored.")
        if ex.win32_msg:
            msgs.tool_msg(f"{ex.win32_msg} Win32 data or Win32 gzip data stream records. "
                          "Ignored.")
        msgs.pmsg(f"{ex.num_files} files restored.")
    except ToolError as exc:
        msgs.out.flush()
        print(f"bextract: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
