"""ACLs and extended attributes of files a File Daemon plugin supplies.

When the FileSet's Options ask for ACL (``aclsupport = yes``) or xattr
(``xattrsupport = yes``) support, a file saved through a plugin gets its
ACL and xattrs from the plugin, not from the filesystem:

* ``STREAM_ACL_PLUGIN`` (1020): what the plugin put into an
  :class:`~bareos.plugins.bareosfd.AclPacket`'s ``content`` in its
  ``get_acl``, followed by one NUL byte.  Left out when the content is
  empty, and for symbolic links.  On restore the whole record (NUL
  included) is handed back as the ``content`` of the plugin's ``set_acl``.
* ``STREAM_XATTR_PLUGIN`` (1988): ``get_xattr`` is called with a fresh
  :class:`~bareos.plugins.bareosfd.XattrPacket` as long as it returns
  bRC_More (once more after the last bRC_More, the bRC_OK call may add one
  more pair); every packet with a ``name`` adds, big-endian, ``u32 magic
  0x5C5884``, ``u32 name length``, the name as given, ``u32 value length``,
  the value.  The record is the concatenation, sent when at least one pair
  was given.  On restore ``set_xattr`` is called once per pair, ``value``
  None for an empty value.

Both records follow the file's data and come before its digest, and both
count in JobBytes, as in Bareos's FD.  On restore they are applied after
the plugin's ``set_file_attributes``, only for files the plugin extracts
(CF_EXTRACT or left to the core) and for directories, as Bareos does.

The encoder and decoder are pure functions; :func:`send_streams` and
:func:`restore_stream` do the calls and the writing.
"""

from __future__ import annotations

import struct

from bareos.lib import bnet, jmsg
from bareos.lib.streams import FT_DIREND, FT_LNK, STREAM_ACL_PLUGIN, STREAM_XATTR_PLUGIN

from . import bareosfd as B
from . import bRC_More, bRC_OK

XATTR_MAGIC = 0x5C5884
#: Bareos's MAX_XATTR_STREAM: a plugin's xattr record may not reach this size.
MAX_XATTR_STREAM = 1024 * 1024
#: Like Bareos's ACL_REPORT_ERR_MAX_PER_JOB: restore warnings shown per job.
REPORT_MAX_PER_JOB = 25
PLUGIN_STREAMS = (STREAM_ACL_PLUGIN, STREAM_XATTR_PLUGIN)

_U32 = struct.Struct(">I")


class PluginXattrError(ValueError):
    pass


# --------------------------------------------------------------------------
# the record formats (pure)
# --------------------------------------------------------------------------


def acl_record(content) -> bytes:
    """The STREAM_ACL_PLUGIN record of an ACL packet's content."""
    return bytes(content) + b"\0"


def xattr_pair_size(name: bytes, value: bytes) -> int:
    return 12 + len(name) + len(value)


def encode_xattr_record(pairs) -> bytes:
    """The STREAM_XATTR_PLUGIN record of (name, value) byte pairs."""
    out = bytearray()
    for name, value in pairs:
        out += _U32.pack(XATTR_MAGIC) + _U32.pack(len(name)) + name
        out += _U32.pack(len(value)) + value
    return bytes(out)


def decode_xattr_record(data) -> list[tuple[bytes, bytes]]:
    """The (name, value) pairs of a STREAM_XATTR_PLUGIN record, names
    exactly as stored.  Raises PluginXattrError on a damaged record."""
    mv = memoryview(data)
    n = len(mv)
    pos = 0
    pairs = []
    while pos < n:
        if n - pos < 8:
            raise PluginXattrError("truncated")
        magic, = _U32.unpack_from(mv, pos)
        if magic != XATTR_MAGIC:
            raise PluginXattrError("no XATTR_MAGIC")
        nlen, = _U32.unpack_from(mv, pos + 4)
        pos += 8
        if nlen == 0:
            raise PluginXattrError("xattr name length <= 0")
        if n - pos < nlen + 4:
            raise PluginXattrError("truncated")
        name = bytes(mv[pos:pos + nlen])
        pos += nlen
        vlen, = _U32.unpack_from(mv, pos)
        pos += 4
        if n - pos < vlen:
            raise PluginXattrError("truncated")
        pairs.append((name, bytes(mv[pos:pos + vlen])))
        pos += vlen
    return pairs


def _as_bytes(obj) -> bytes | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj.encode("utf-8", "surrogateescape")
    try:
        return bytes(obj)
    except TypeError:
        return None


# --------------------------------------------------------------------------
# backup
# --------------------------------------------------------------------------


def send_streams(backup, ctx, fname: str, ftype: int, flags, fi: int) -> None:
    """After a plugin file's data: its ACL record (Options ``A``, not for
    symlinks), then its xattr record (Options ``X``).  A plugin's error
    is an M_ERROR job message counted in the backup's acl/xattr errors."""
    from bareos.findlib.fileset import FO_ACL, FO_XATTR
    plugin = ctx.plugin
    if plugin is None:
        return
    if FO_ACL in flags and ftype != FT_LNK and getattr(plugin, "get_acl", None) is not None:
        _send_acl(backup, ctx, fname, fi)
    if FO_XATTR in flags and getattr(plugin, "get_xattr", None) is not None:
        _send_xattr(backup, ctx, fname, fi)


def _record(backup, fi: int, stream: int, payload: bytes) -> None:
    w = backup.w
    w.packet(b"%d %d 0" % (fi, stream))
    w.packet(payload)
    w.signal(bnet.BNET_EOD)
    backup.jcr.job_bytes += len(payload)


def _count(backup, attr: str) -> None:
    if hasattr(backup, attr):
        setattr(backup, attr, getattr(backup, attr) + 1)


def _send_acl(backup, ctx, fname: str, fi: int) -> None:
    jcr = backup.jcr
    ap = B.AclPacket(fname=fname)
    rc = ctx.call("getAcl", ctx.plugin.get_acl, ap)
    if rc != bRC_OK:
        if not jcr.is_canceled:
            jcr.jmsg(jmsg.M_ERROR, f'Plugin getAcl failed on file "{fname}" (rc={rc})')
            _count(backup, "acl_errors")
        return
    content = _as_bytes(ap.content)
    if content:
        _record(backup, fi, STREAM_ACL_PLUGIN, acl_record(content))


def _send_xattr(backup, ctx, fname: str, fi: int) -> None:
    jcr = backup.jcr
    pairs = []
    size = 0
    while not jcr.is_canceled:
        xp = B.XattrPacket(fname=fname)
        rc = ctx.call("getXattr", ctx.plugin.get_xattr, xp)
        if rc not in (bRC_OK, bRC_More):
            if not jcr.is_canceled:
                jcr.jmsg(jmsg.M_ERROR, f'Plugin getXattr failed on file "{fname}" (rc={rc})')
                _count(backup, "xattr_errors")
            return
        name = _as_bytes(xp.name)
        if name:
            value = _as_bytes(xp.value) or b""
            pairs.append((name, value))
            size += xattr_pair_size(name, value)
            if size >= MAX_XATTR_STREAM:
                jcr.jmsg(jmsg.M_ERROR, f'Xattr stream on file "{fname}" exceeds maximum size of '
                                       f'{MAX_XATTR_STREAM} bytes')
                _count(backup, "xattr_errors")
                return
        if rc == bRC_OK:
            break
    if pairs and not jcr.is_canceled:
        _record(backup, fi, STREAM_XATTR_PLUGIN, encode_xattr_record(pairs))


# --------------------------------------------------------------------------
# restore
# --------------------------------------------------------------------------


def wanted_on_restore(rp, ftype: int) -> bool:
    """Whether a restored plugin file gets its ACL/xattr records: files the
    plugin extracts (or leaves to the core: *rp* None) and directories."""
    return rp is None or ftype == FT_DIREND or rp.create_status == B.CF_EXTRACT


class RestoreErrors:
    """ACL/xattr errors of one restore job (for the closing warnings)."""

    def __init__(self) -> None:
        self.acl = 0
        self.xattr = 0

    def summary(self, jcr) -> None:
        if self.acl:
            jcr.jmsg(jmsg.M_WARNING, f"Encountered {self.acl} acl errors while doing restore")
        if self.xattr:
            jcr.jmsg(jmsg.M_WARNING, f"Encountered {self.xattr} xattr errors while doing restore")
        self.acl = self.xattr = 0


def restore_stream(ctx, errors: RestoreErrors, stream: int, data, path: str) -> None:
    """Hand one ACL/xattr record of a plugin file back to its plugin."""
    jcr = ctx.jcr
    plugin = ctx.plugin
    if plugin is None:
        return
    if stream == STREAM_ACL_PLUGIN:
        fn = getattr(plugin, "set_acl", None)
        rc = None
        if fn is not None:
            rc = ctx.call("setAcl", fn, B.AclPacket(fname=path, content=bytearray(data)))
        if rc != bRC_OK:
            if errors.acl < REPORT_MAX_PER_JOB:
                jcr.jmsg(jmsg.M_WARNING, f'Plugin setAcl failed on file "{path}"'
                                         + ("" if fn is not None else ": the plugin has no setAcl"))
            errors.acl += 1
        return
    fn = getattr(plugin, "set_xattr", None)
    if fn is None:
        jcr.jmsg(jmsg.M_ERROR, f'Plugin has no setXattr: xattrs of "{path}" not restored')
        errors.xattr += 1
        return
    try:
        pairs = decode_xattr_record(data)
    except PluginXattrError as exc:
        jcr.jmsg(jmsg.M_ERROR, f'Illegal xattr stream, {exc} on file "{path}"')
        errors.xattr += 1
        return
    for name, value in pairs:
        xp = B.XattrPacket(fname=path, name=bytearray(name), value=bytearray(value) if value else None)
        rc = ctx.call("setXattr", fn, xp)
        if rc != bRC_OK:
            jcr.jmsg(jmsg.M_ERROR, f'Plugin setXattr failed on file "{path}" for '
                                   f'{name.decode("utf-8", "backslashreplace")}')
            errors.xattr += 1
            return
