"""Extended attributes and POSIX ACLs in Bareos's Linux stream formats.

* ``STREAM_XATTR_LINUX`` (1998): for every attribute, big-endian
  ``u32 magic (0x5C5884)``, ``u32 name length``, the name (no NUL),
  ``u32 value length``, the value.  The POSIX ACL attributes are left out
  (they travel in the ACL streams).
* ``STREAM_ACL_LINUX_ACCESS_ACL`` (1008) / ``..._DEFAULT_ACL`` (1007): the
  ACL in libacl's long text form (``user::rw-\\nuser:bob:r--\\n...``) plus a
  NUL.  Access ACLs that only mirror the mode bits are not sent.

Built on ``os.listxattr``/``os.getxattr`` of ``system.posix_acl_*``, so no
libacl is needed.  The encoders/decoders are pure functions.
"""

from __future__ import annotations

import grp
import os
import pwd
import struct

from bareos.lib.lsfmt import gid_name, uid_name
from bareos.lib.streams import (
    STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL, STREAM_XATTR_LINUX,
)

XATTR_MAGIC = 0x5C5884
ACL_ACCESS = "system.posix_acl_access"
ACL_DEFAULT = "system.posix_acl_default"
_SKIP = {ACL_ACCESS, ACL_DEFAULT, "ceph.dir.entries", "ceph.dir.files", "ceph.dir.rbytes",
         "ceph.dir.rctime", "ceph.dir.rentries", "ceph.dir.rfiles", "ceph.dir.rsubdirs",
         "ceph.dir.subdirs"}
_U32 = struct.Struct(">I")

HAVE_XATTR = hasattr(os, "listxattr")


class XattrFormatError(ValueError):
    pass


# --------------------------------------------------------------------------
# xattr stream
# --------------------------------------------------------------------------


def encode_xattrs(items: list[tuple[str, bytes]]) -> bytes:
    out = bytearray()
    for name, value in items:
        bname = name.encode("utf-8", "surrogateescape")
        out += _U32.pack(XATTR_MAGIC) + _U32.pack(len(bname)) + bname
        out += _U32.pack(len(value)) + value
    return bytes(out)


def parse_xattr_stream(data) -> list[tuple[bytes, bytes]]:
    """The (name, value) pairs of an xattr stream as bytes; trailing NULs of
    a name are dropped.  Raises XattrFormatError (a ValueError)."""
    items = []
    pos = 0
    n = len(data)
    while pos < n:
        if n - pos < 8:
            raise XattrFormatError("Illegal xattr stream, truncated")
        magic, = _U32.unpack_from(data, pos)
        if magic != XATTR_MAGIC:
            raise XattrFormatError("Illegal xattr stream, no XATTR_MAGIC")
        nlen, = _U32.unpack_from(data, pos + 4)
        pos += 8
        name = data[pos:pos + nlen]
        pos += nlen
        if n - pos < 4:
            raise XattrFormatError("Illegal xattr stream, truncated")
        vlen, = _U32.unpack_from(data, pos)
        pos += 4
        value = data[pos:pos + vlen]
        pos += vlen
        if len(name) != nlen or len(value) != vlen:
            raise XattrFormatError("Illegal xattr stream, truncated")
        items.append((bytes(name).rstrip(b"\0"), bytes(value)))
    return items


def decode_xattrs(data: bytes) -> list[tuple[str, bytes]]:
    return [(name.decode("utf-8", "surrogateescape"), value)
            for name, value in parse_xattr_stream(data)]


def read_xattrs(path: str, names: list[str] | None = None) -> list[tuple[str, bytes]]:
    """The attributes of *path* (not followed), ACL attributes excluded.

    *names* is what ``os.listxattr`` said for the path, when the caller
    already asked (then only the values are read)."""
    if not HAVE_XATTR:
        return []
    if names is None:
        names = os.listxattr(path, follow_symlinks=False)
    items = []
    for name in names:
        if name in _SKIP or not name:
            continue
        try:
            items.append((name, os.getxattr(path, name, follow_symlinks=False)))
        except OSError:
            continue
    return items


def build_xattr_stream(path: str, names: list[str] | None = None) -> tuple[int, bytes] | None:
    items = read_xattrs(path, names)
    if not items:
        return None
    return STREAM_XATTR_LINUX, encode_xattrs(items)


def restore_xattr_stream(path: str, data: bytes) -> None:
    for name, value in decode_xattrs(data):
        os.setxattr(path, name, value, follow_symlinks=False)


# --------------------------------------------------------------------------
# POSIX ACLs
# --------------------------------------------------------------------------

ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER = 1, 2, 4, 8, 0x10, 0x20
_ACL_HEADER = struct.Struct("<I")
_ACL_ENTRY = struct.Struct("<HHI")
_ACL_VERSION = 2
_UNDEFINED_ID = 0xFFFFFFFF
_TAG_NAMES = {ACL_USER_OBJ: "user", ACL_USER: "user", ACL_GROUP_OBJ: "group", ACL_GROUP: "group",
              ACL_MASK: "mask", ACL_OTHER: "other"}


def _perm_text(p: int) -> str:
    return ("r" if p & 4 else "-") + ("w" if p & 2 else "-") + ("x" if p & 1 else "-")


def decode_acl_xattr(data: bytes) -> list[tuple[int, int, int]]:
    """Kernel ``system.posix_acl_*`` value -> [(tag, perm, id)]."""
    if len(data) < 4 or _ACL_HEADER.unpack_from(data, 0)[0] != _ACL_VERSION:
        raise XattrFormatError("not a POSIX ACL attribute")
    return [_ACL_ENTRY.unpack_from(data, off) for off in range(4, len(data) - 7, 8)]


def encode_acl_xattr(entries: list[tuple[int, int, int]]) -> bytes:
    order = {ACL_USER_OBJ: 0, ACL_USER: 1, ACL_GROUP_OBJ: 2, ACL_GROUP: 3, ACL_MASK: 4, ACL_OTHER: 5}
    entries = sorted(entries, key=lambda e: (order.get(e[0], 9), e[2] if e[0] in (ACL_USER, ACL_GROUP) else 0))
    return _ACL_HEADER.pack(_ACL_VERSION) + b"".join(_ACL_ENTRY.pack(*e) for e in entries)


def acl_is_trivial(entries) -> bool:
    return all(tag in (ACL_USER_OBJ, ACL_GROUP_OBJ, ACL_OTHER) for tag, _, _ in entries)


def acl_to_text(entries) -> str:
    """libacl's ``acl_to_text`` long form, with ``#effective:`` where a mask cuts rights."""
    mask = None
    for tag, perm, _ in entries:
        if tag == ACL_MASK:
            mask = perm
    lines = []
    for tag, perm, ident in entries:
        name = _TAG_NAMES.get(tag, "?")
        if tag == ACL_USER:
            qual = uid_name(ident)
        elif tag == ACL_GROUP:
            qual = gid_name(ident)
        else:
            qual = ""
        line = f"{name}:{qual}:{_perm_text(perm)}"
        if mask is not None and tag in (ACL_USER, ACL_GROUP_OBJ, ACL_GROUP) and perm & ~mask & 7:
            line += f"\t#effective:{_perm_text(perm & mask)}"
        lines.append(line)
    return "".join(line + "\n" for line in lines)


def acl_from_text(text: str) -> list[tuple[int, int, int]]:
    """Parse the long (or comma separated short) text form back into entries."""
    entries = []
    for raw in text.replace(",", "\n").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(":")
        if len(parts) != 3:
            raise XattrFormatError(f"bad ACL entry {raw!r}")
        kind, qual, perms = parts
        perm = 0
        for ch in perms:
            perm |= {"r": 4, "w": 2, "x": 1, "-": 0}.get(ch, 0)
        kind = {"u": "user", "g": "group", "m": "mask", "o": "other"}.get(kind, kind)
        if kind == "user":
            if qual:
                try:
                    ident = int(qual) if qual.isdigit() else pwd.getpwnam(qual).pw_uid
                except KeyError:
                    raise XattrFormatError(f"unknown user {qual!r}") from None
                entries.append((ACL_USER, perm, ident))
            else:
                entries.append((ACL_USER_OBJ, perm, _UNDEFINED_ID))
        elif kind == "group":
            if qual:
                try:
                    ident = int(qual) if qual.isdigit() else grp.getgrnam(qual).gr_gid
                except KeyError:
                    raise XattrFormatError(f"unknown group {qual!r}") from None
                entries.append((ACL_GROUP, perm, ident))
            else:
                entries.append((ACL_GROUP_OBJ, perm, _UNDEFINED_ID))
        elif kind == "mask":
            entries.append((ACL_MASK, perm, _UNDEFINED_ID))
        elif kind == "other":
            entries.append((ACL_OTHER, perm, _UNDEFINED_ID))
        else:
            raise XattrFormatError(f"bad ACL entry {raw!r}")
    return entries


def build_acl_streams(path: str, is_dir: bool, names: list[str] | None = None) -> list[tuple[int, bytes]]:
    """[(stream, data)] for the ACLs of *path* (empty when trivial or unsupported).

    *names*, when given, is the path's ``os.listxattr`` list: the kernel lists
    ``system.posix_acl_*`` for a file that has such an ACL, so an ACL that is
    not listed is not read (no ``getxattr`` per file on a tree without ACLs).
    """
    if not HAVE_XATTR:
        return []
    out = []
    for name, stream, only_dir in ((ACL_ACCESS, STREAM_ACL_LINUX_ACCESS_ACL, False),
                                   (ACL_DEFAULT, STREAM_ACL_LINUX_DEFAULT_ACL, True)):
        if only_dir and not is_dir:
            continue
        if names is not None and name not in names:
            continue
        try:
            value = os.getxattr(path, name, follow_symlinks=False)
        except OSError:
            continue
        try:
            entries = decode_acl_xattr(value)
        except XattrFormatError:
            continue
        if not entries:
            continue
        if name == ACL_ACCESS and acl_is_trivial(entries):
            continue
        out.append((stream, acl_to_text(entries).encode("utf-8") + b"\0"))
    return out


def restore_acl_stream(path: str, stream: int, data: bytes) -> None:
    text = data.split(b"\0", 1)[0].decode("utf-8", "replace")
    name = ACL_DEFAULT if stream == STREAM_ACL_LINUX_DEFAULT_ACL else ACL_ACCESS
    if not text.strip():
        if name == ACL_DEFAULT:
            try:
                os.removexattr(path, name, follow_symlinks=False)
            except OSError:
                pass
        return
    os.setxattr(path, name, encode_acl_xattr(acl_from_text(text)), follow_symlinks=False)
