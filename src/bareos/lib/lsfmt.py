"""``ls -l`` style pieces as Bareos prints them (``encode_mode``, the stat
part of ``PrintLsOutput``): used by bls/bextract, the File Daemon's estimate
listing, the restore tree's ``dir`` and bvfs, and ACL texts (user and group
names)."""

from __future__ import annotations

import functools
import grp
import pwd
import stat as _stat
import time

__all__ = ["encode_mode", "uid_name", "gid_name", "ls_time", "ls_stat_text"]


def encode_mode(mode: int) -> str:
    """Ten characters as ``ls -l`` shows them (Bareos's ``encode_mode``:
    fifos are ``f``)."""
    if _stat.S_ISDIR(mode):
        c = "d"
    elif _stat.S_ISBLK(mode):
        c = "b"
    elif _stat.S_ISCHR(mode):
        c = "c"
    elif _stat.S_ISLNK(mode):
        c = "l"
    elif _stat.S_ISFIFO(mode):
        c = "f"
    elif _stat.S_ISSOCK(mode):
        c = "s"
    else:
        c = "-"
    out = [c]
    out.append("r" if mode & _stat.S_IRUSR else "-")
    out.append("w" if mode & _stat.S_IWUSR else "-")
    if mode & _stat.S_ISUID:
        out.append("s" if mode & _stat.S_IXUSR else "S")
    else:
        out.append("x" if mode & _stat.S_IXUSR else "-")
    out.append("r" if mode & _stat.S_IRGRP else "-")
    out.append("w" if mode & _stat.S_IWGRP else "-")
    if mode & _stat.S_ISGID:
        out.append("s" if mode & _stat.S_IXGRP else "S")
    else:
        out.append("x" if mode & _stat.S_IXGRP else "-")
    out.append("r" if mode & _stat.S_IROTH else "-")
    out.append("w" if mode & _stat.S_IWOTH else "-")
    if mode & _stat.S_ISVTX:
        out.append("t" if mode & _stat.S_IXOTH else "T")
    else:
        out.append("x" if mode & _stat.S_IXOTH else "-")
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def uid_name(uid: int) -> str:
    """The user name of *uid*, or the number when there is none."""
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return str(uid)


@functools.lru_cache(maxsize=4096)
def gid_name(gid: int) -> str:
    """The group name of *gid*, or the number when there is none."""
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return str(gid)


def ls_time(t: int) -> str:
    """Bareos's ``encode_time``: local ``YYYY-MM-DD HH:MM:SS``."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def ls_stat_text(mode: int, nlink: int, uid: int, gid: int, size: int, ctime: int) -> str:
    """``<mode>  <links> <owner> <group> <size> <ctime>`` (owner and group
    cut to eight characters, the size to twelve)."""
    return (f"{encode_mode(mode)}  {nlink & 0xFFFFFFFF:2d} "
            f"{uid_name(uid)[:8]:<8s} {gid_name(gid)[:8]:<8s}{str(size)[:12]:>12s} "
            f"{ls_time(ctime)}")
