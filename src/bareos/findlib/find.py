"""Walk the files of a FileSet the way Bareos's findlib does (``FindFiles``,
``FindOneFile``) and hand each one to a callback.

The callback gets an :class:`FFPkt` and returns 1 (go on), 0 (stop the whole
walk: error or cancel) or -1 (ignore this entry; for a directory: do not
descend).  Directories are reported twice: first as ``FT_DIRBEGIN`` (or
``FT_DIRNOCHG``) so the callback may refuse them, then, after their
contents, as ``FT_DIREND`` (the record that is saved).  Hard links (unless
the options say ``H``) are reported once as data and afterwards as
``FT_LNKSAVED`` pointing to the first name.
"""

from __future__ import annotations

import os
import stat as S
import sys
from dataclasses import dataclass
from typing import Callable

from bareos.lib.streams import (
    FT_DIRBEGIN, FT_DIREND, FT_DIRNOCHG, FT_FIFO, FT_INVALIDFS, FT_LNK, FT_LNKSAVED, FT_NOCHG,
    FT_NOFOLLOW, FT_NOFSCHG, FT_NOOPEN, FT_NORECURSE, FT_NOSTAT, FT_RAW, FT_REG, FT_REGE, FT_SPEC,
)

from . import fstype as _fstype
from .fileset import (
    FO_EXCLUDE, FO_MTIMEONLY, FO_MULTIFS, FO_NO_HARDLINK, FO_NO_RECURSION, FO_READFIFO, FileSet, FindOptions,
    IncludeExclude,
)
from .match import accept_file, default_options

__all__ = ["FFPkt", "CurLink", "FindFiles", "since_time_check"]

_MODE_RALL = S.S_IRUSR | S.S_IRGRP | S.S_IROTH


@dataclass(slots=True)
class CurLink:
    """A hard-linked inode seen during the walk."""

    name: str
    file_index: int = 0
    digest_stream: int = 0
    digest: bytes = b""


@dataclass(slots=True)
class FFPkt:
    """One file as the walk reports it."""

    fname: str
    statp: os.stat_result | None
    type: int
    opts: FindOptions
    top_fname: str
    incexe: IncludeExclude | None = None
    link: str = ""              # symlink target, hard-link partner, or dir path with "/"
    link_fi: int = 0
    linked: CurLink | None = None
    file_index: int = 0
    errno: int = 0
    error: str = ""
    delta_seq: int = 0
    accurate_found: bool = False
    digest_stream: int = 0      # FT_LNKSAVED: digest of the first link
    digest: bytes = b""
    extra: dict | None = None   # FT_INVALIDFS at the top: {"fstype": ..., "top_level": True}


def since_time_check(since: int, incremental: bool) -> Callable[[FFPkt], bool]:
    """Bareos's CheckChanges for non-accurate Incremental/Differential: a file
    is unchanged when mtime < since and (ctime < since or mtimeonly).

    Times are compared as whole seconds (the floor of the nanoseconds, as C's
    ``st_mtime``).  The returned function carries ``since_ns`` (None for a
    Full) so that the walk can make the same test before building a packet.
    """
    since_ns = int(since) * 1_000_000_000

    def changed(ff: FFPkt) -> bool:
        if not incremental:
            return True
        st = ff.statp
        if st.st_mtime_ns < since_ns and (FO_MTIMEONLY in ff.opts.flags or st.st_ctime_ns < since_ns):
            return False
        return True

    changed.since_ns = since_ns if incremental else None  # type: ignore[attr-defined]
    return changed


class FindFiles:
    """One walk over a FileSet.

    *handle(ff)* is called for every file; *check_changes(ff)* decides whether
    a file changed (default: always); *cancelled()* is polled between files.
    """

    def __init__(self, fileset: FileSet, handle: Callable[[FFPkt], int], *,
                 check_changes: Callable[[FFPkt], bool] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 fstype_of: Callable[[str, os.stat_result], str] | None = None,
                 on_unchanged: Callable[[str, os.stat_result, FindOptions], int] | None = None) -> None:
        self.fileset = fileset
        self.handle = handle
        self.check_changes = check_changes or (lambda ff: True)
        # the since-time test of since_time_check, made by the walk itself
        self._since_ns = getattr(check_changes, "since_ns", None)
        # called instead of handle(FT_NOCHG packet) for an unchanged regular file
        self.on_unchanged = on_unchanged
        self.cancelled = cancelled or (lambda: False)
        self.fstype_of = fstype_of or _fstype.fstype
        self.linkhash: dict[tuple[int, int], CurLink] = {}
        self.top_fname = ""
        self.incexe: IncludeExclude | None = None
        self._opts = FindOptions()
        self._trivial: dict[int, bool] = {}

    # -- entry -------------------------------------------------------------
    def run(self) -> bool:
        """Walk every Include; False when a callback asked to stop."""
        old = sys.getrecursionlimit()
        if old < 20000:
            sys.setrecursionlimit(20000)
        try:
            for incexe in self.fileset.include_list:
                self.incexe = incexe
                self._trivial[id(incexe)] = self._trivial_accept(incexe)
                if incexe.opts_list:
                    self._opts = default_options(incexe)
                for name in incexe.name_list:
                    self.top_fname = name
                    if self.find_one(name, None, True, self._opts) == 0:
                        return False
                    if self.cancelled():
                        return False
            return True
        finally:
            if old < 20000:
                sys.setrecursionlimit(old)

    # -- helpers -----------------------------------------------------------
    def _pkt(self, fname, st, ftype, opts) -> FFPkt:
        return FFPkt(fname, st, ftype, opts, self.top_fname, self.incexe)

    def _accept(self, fname: str, st, opts: FindOptions, top: bool):
        if top:
            return True, opts
        incexe = self.incexe
        if incexe is not None and self._trivial.get(id(incexe)):
            return True, (incexe.opts_list[-1] if incexe.opts_list else self._opts)
        return accept_file(self.fileset, incexe, fname, st.st_mode, self._opts)

    def _trivial_accept(self, incexe: IncludeExclude) -> bool:
        """True when accept_file can only say yes with the last Options block:
        no block has patterns or excludes, and the FileSet excludes nothing."""
        if any(fo.has_patterns or FO_EXCLUDE in fo.flags for fo in incexe.opts_list):
            return False
        return not any(exc.opts_list or exc.name_list for exc in self.fileset.exclude_list)

    def _fstype_ok(self, fname: str, st, opts: FindOptions) -> bool:
        if not opts.fstype:
            return True
        try:
            return self.fstype_of(fname, st) in opts.fstype
        except OSError:
            return False

    def _ignoredir(self, fname: str) -> bool:
        for name in (self.incexe.ignoredir if self.incexe else ()):
            if os.path.exists(f"{fname.rstrip('/')}/{name}"):
                return True
        return False

    # -- FindOneFile -------------------------------------------------------
    def find_one(self, fname: str, parent_dev: int | None, top: bool, opts: FindOptions,
                 st: os.stat_result | None = None) -> int:
        if st is None:
            try:
                st = os.lstat(fname)
            except OSError as exc:
                ff = self._pkt(fname, None, FT_NOSTAT, opts)
                ff.errno, ff.error = exc.errno or 0, exc.strerror or str(exc)
                return self.handle(ff)
        accepted, opts = self._accept(fname, st, opts, top)
        if not accepted:
            return -1
        if top and not self._fstype_ok(fname, st, opts):
            ff = self._pkt(fname, st, FT_INVALIDFS, opts)
            ff.extra = {"fstype": self._safe_fstype(fname, st), "top_level": True}
            return self.handle(ff) and 1
        mode = st.st_mode
        fmt = S.S_IFMT(mode)
        if fmt == S.S_IFREG and opts.size_match is not None and not opts.size_match.matches(st.st_size):
            return 1
        ff = None
        if fmt != S.S_IFDIR:
            # the same packet goes on to the callback, with what the change
            # check found (accurate: delta_seq, accurate_found), as in Bareos
            ff = FFPkt(fname, st, FT_REG if fmt == S.S_IFREG else FT_SPEC, opts, self.top_fname,
                       self.incexe)
            if not self.check_changes(ff):
                ff.type = FT_NOCHG
                return self.handle(ff)
        linked = None
        if (FO_NO_HARDLINK not in opts.flags and st.st_nlink > 1
                and fmt in (S.S_IFREG, S.S_IFCHR, S.S_IFBLK, S.S_IFIFO, S.S_IFSOCK)):
            key = (st.st_dev, st.st_ino)
            hl = self.linkhash.get(key)
            if hl is None:
                hl = self.linkhash[key] = CurLink(fname)
            if hl.file_index == 0:
                hl.name = fname
                linked = hl
            elif hl.name == fname:
                return 1
            else:
                ff.type = FT_LNKSAVED
                ff.link = hl.name
                ff.link_fi = hl.file_index
                ff.digest_stream = hl.digest_stream
                ff.digest = hl.digest
                return self.handle(ff)
        if fmt == S.S_IFREG:
            ff.type = FT_REGE if (st.st_size == 0 and (mode & _MODE_RALL) == _MODE_RALL) else FT_REG
            ff.linked = linked
            rc = self.handle(ff)
            if linked is not None and ff.file_index:
                linked.file_index = ff.file_index
            return rc
        if fmt == S.S_IFLNK:
            ff.type = FT_LNK
            ff.linked = linked
            try:
                ff.link = os.readlink(fname)
            except OSError as exc:
                ff.type = FT_NOFOLLOW
                ff.errno, ff.error = exc.errno or 0, exc.strerror or str(exc)
            return self.handle(ff)
        if fmt == S.S_IFDIR:
            return self._process_directory(fname, st, parent_dev, top, opts)
        if top and fmt == S.S_IFBLK:
            ftype = FT_RAW
        elif top and fmt == S.S_IFIFO and FO_READFIFO in opts.flags:
            ftype = FT_FIFO
        else:
            ftype = FT_SPEC
        ff.type = ftype
        ff.linked = linked
        rc = self.handle(ff)
        if linked is not None and ff.file_index:
            linked.file_index = ff.file_index
        return rc

    def _safe_fstype(self, fname, st) -> str:
        try:
            return self.fstype_of(fname, st)
        except OSError:
            return "unknown"

    def _process_directory(self, fname: str, st, parent_dev, top: bool, opts: FindOptions) -> int:
        if self._ignoredir(fname):
            return 1
        stripped = fname.rstrip("/")
        link = stripped + "/"
        ff = self._pkt(fname, st, FT_DIREND, opts)
        ff.link = link
        ff.type = FT_DIRNOCHG if not self.check_changes(ff) else FT_DIRBEGIN
        rc = self.handle(ff)
        if rc < 1:
            return rc
        dir_ff = self._pkt(fname, st, FT_DIREND if ff.type == FT_DIRBEGIN else ff.type, opts)
        dir_ff.link = link
        dir_ff.delta_seq = ff.delta_seq
        dir_ff.accurate_found = ff.accurate_found
        recurse = True
        if not top and FO_NO_RECURSION in opts.flags:
            dir_ff.type = FT_NORECURSE
            recurse = False
        elif not top and parent_dev is not None and parent_dev != st.st_dev:
            if FO_MULTIFS not in opts.flags:
                dir_ff.type = FT_NOFSCHG
                recurse = False
            elif not self._fstype_ok(fname, st, opts):
                dir_ff.type = FT_INVALIDFS
                recurse = False
        if not recurse:
            return self.handle(dir_ff)
        try:
            it = os.scandir(fname)
        except OSError as exc:
            dir_ff.type = FT_NOOPEN
            dir_ff.errno, dir_ff.error = exc.errno or 0, exc.strerror or str(exc)
            return self.handle(dir_ff)
        rc = 1
        prefix = link if stripped else "/"
        with it:
            rc = self._walk_entries(it, prefix, st.st_dev, opts)
            if rc == 0:
                return 0
        self.handle(dir_ff)
        return rc

    def _walk_entries(self, it, prefix: str, dev: int, opts: FindOptions) -> int:
        """The entries of one directory.  Regular files that the Options
        take as they are (no patterns, no size match, no hard-link partner)
        go the short way: one lstat, the since test on integers, and for an
        unchanged file no packet at all when *on_unchanged* is given;
        everything else goes through :meth:`find_one`."""
        incexe = self.incexe
        fast_opts = None
        if incexe is not None and self._trivial.get(id(incexe)):
            fast_opts = incexe.opts_list[-1] if incexe.opts_list else self._opts
            if fast_opts.size_match is not None:
                fast_opts = None
        find_one = self.find_one
        cancelled = self.cancelled
        rc = 1
        if fast_opts is None:
            for entry in it:
                if cancelled():
                    return 0
                rc = find_one(prefix + entry.name, dev, False, opts)
                if rc == 0:
                    return 0
            return rc
        handle = self.handle
        check = self.check_changes
        unchanged = self.on_unchanged
        top_fname = self.top_fname
        since_ns = self._since_ns
        mtime_only = FO_MTIMEONLY in fast_opts.flags
        any_nlink = FO_NO_HARDLINK in fast_opts.flags
        lstat = os.lstat
        n = 0
        for entry in it:
            n += 1
            if not n & 15 and cancelled():
                return 0
            child = prefix + entry.name
            try:
                est = lstat(child)
            except OSError:
                rc = find_one(child, dev, False, opts)
                if rc == 0:
                    return 0
                continue
            mode = est.st_mode
            if (mode & 0o170000) != 0o100000 or (est.st_nlink != 1 and not any_nlink):
                rc = find_one(child, dev, False, opts, est)
                if rc == 0:
                    return 0
                continue
            if since_ns is not None and est.st_mtime_ns < since_ns and (
                    mtime_only or est.st_ctime_ns < since_ns):
                if unchanged is not None:
                    rc = unchanged(child, est, fast_opts)
                else:
                    rc = handle(FFPkt(child, est, FT_NOCHG, fast_opts, top_fname, incexe))
                if rc == 0:
                    return 0
                continue
            ff = FFPkt(child, est, FT_REG, fast_opts, top_fname, incexe)
            if not check(ff):
                ff.type = FT_NOCHG
            elif est.st_size == 0 and (mode & _MODE_RALL) == _MODE_RALL:
                ff.type = FT_REGE
            rc = handle(ff)
            if rc == 0:
                return 0
        if cancelled():
            return 0
        return rc
