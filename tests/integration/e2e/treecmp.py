"""A strict comparer for a backed-up tree and its restored copy.

Compares, for every entry below the source: file type, content (sparse files
by their data extents, so a 3 GiB hole is not read), permission bits
including setuid/setgid/sticky, owner and group, mtime (whole seconds: the
attribute stream carries seconds), symlink targets, device numbers,
hard-link groups and extended attributes.  Names are handled as bytes, so
non-UTF-8 names and names with newlines compare as they are.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict

_CHUNK = 1 << 20


def _data_extents(fd: int, size: int) -> list[tuple[int, int]]:
    """(start, end) of the data regions of an open file (SEEK_DATA/SEEK_HOLE)."""
    extents = []
    pos = 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after pos
            break
        end = os.lseek(fd, start, os.SEEK_HOLE)
        extents.append((start, end))
        pos = end
    return extents


def _same_content(a: bytes, b: bytes) -> bool:
    fa, fb = os.open(a, os.O_RDONLY), os.open(b, os.O_RDONLY)
    try:
        size_a, size_b = os.fstat(fa).st_size, os.fstat(fb).st_size
        if size_a != size_b:
            return False
        # regions where either file has data; elsewhere both read as zeros
        for start, end in sorted(_data_extents(fa, size_a) + _data_extents(fb, size_b)):
            pos = start
            while pos < end:
                n = min(_CHUNK, end - pos)
                if os.pread(fa, n, pos) != os.pread(fb, n, pos):
                    return False
                pos += n
        return True
    finally:
        os.close(fa)
        os.close(fb)


def _xattrs(path: bytes) -> dict:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for n in names:
        if n.startswith("system.posix_acl"):
            continue  # ACLs are compared apart (they are no xattr stream in Bareos)
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            pass
    return out


def walk(root: bytes):
    """Relative paths (bytes) of every entry below root, root excluded."""
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            yield os.path.relpath(os.path.join(dirpath, name), root)


def compare_strict(src, dst, *, owners: bool = True, xattrs: bool = True,
                   dir_mtimes: bool = True, extra_ok: bool = False) -> list[str]:
    """Every difference between src and dst, as readable lines ([] = identical)."""
    src, dst = os.fsencode(src), os.fsencode(dst)
    if not os.listdir(src):
        raise ValueError(f"nothing to compare: {src!r} is empty")
    if not os.path.isdir(dst):
        return [f"not restored: {dst!r}"]
    problems: list[str] = []
    src_groups: dict[tuple, list] = defaultdict(list)
    dst_groups: dict[tuple, list] = defaultdict(list)
    seen = set()
    for rel in walk(src):
        seen.add(rel)
        a, b = os.path.join(src, rel), os.path.join(dst, rel)
        name = rel.decode("utf-8", "backslashreplace")
        if not os.path.lexists(b):
            problems.append(f"missing: {name!r}")
            continue
        sa, sb = os.lstat(a), os.lstat(b)
        if stat.S_IFMT(sa.st_mode) != stat.S_IFMT(sb.st_mode):
            problems.append(f"type differs: {name!r} {stat.filemode(sa.st_mode)} {stat.filemode(sb.st_mode)}")
            continue
        if stat.S_ISLNK(sa.st_mode):
            if os.readlink(a) != os.readlink(b):
                problems.append(f"link target differs: {name!r} {os.readlink(a)!r} {os.readlink(b)!r}")
        else:
            if stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode):
                problems.append(f"mode differs: {name!r} {oct(sa.st_mode)} {oct(sb.st_mode)}")
            if (not stat.S_ISDIR(sa.st_mode) or dir_mtimes) and int(sa.st_mtime) != int(sb.st_mtime):
                problems.append(f"mtime differs: {name!r} {int(sa.st_mtime)} {int(sb.st_mtime)}")
        if stat.S_ISREG(sa.st_mode):
            if not _same_content(a, b):
                problems.append(f"content differs: {name!r}")
            if sa.st_nlink > 1:
                src_groups[(sa.st_dev, sa.st_ino)].append(rel)
                dst_groups[(sb.st_dev, sb.st_ino)].append(rel)
        if (stat.S_ISCHR(sa.st_mode) or stat.S_ISBLK(sa.st_mode)) and sa.st_rdev != sb.st_rdev:
            problems.append(f"device number differs: {name!r}")
        if owners and (sa.st_uid, sa.st_gid) != (sb.st_uid, sb.st_gid):
            problems.append(f"owner differs: {name!r} {sa.st_uid}:{sa.st_gid} {sb.st_uid}:{sb.st_gid}")
        if xattrs and _xattrs(a) != _xattrs(b):
            problems.append(f"xattrs differ: {name!r} {_xattrs(a)} {_xattrs(b)}")
    # hard-link groups: the same partition of names into inodes
    want = sorted(sorted(g) for g in src_groups.values())
    got = sorted(sorted(g) for g in dst_groups.values())
    if want != got:
        problems.append(f"hard-link groups differ: {want} {got}")
    if not extra_ok:
        for rel in walk(dst):
            if rel not in seen:
                problems.append(f"extra: {rel.decode('utf-8', 'backslashreplace')!r}")
    return problems
