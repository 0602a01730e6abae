"""Restore objects: small named blobs a command plugin hands the core
during a backup (a save packet of type ``FT_RESTORE_FIRST`` or
``FT_PLUGIN_CONFIG`` with ``object_name``, ``object``, ``object_len`` and
``object_index``), saved as a ``STREAM_RESTORE_OBJECT`` record between the
plugin name records, kept by the Director in the catalog's RestoreObject
table, and handed back to the plugin before a restore of that job
(``bEventRestoreObject``, python3-fd's ``restore_object_data``).

The three pieces, one per daemon:

* File Daemon, backup: :func:`backup_record` builds the record (objects over
  1000 bytes are zlib-compressed when that makes them smaller, as Bareos does).
* Director, restore: :func:`send_restore_objects` sends the objects of the
  restored jobs after the plugin options and before the ``restore`` command::

      restoreobject JobId=<id> <len>,<full len>,<index>,<type>,<compression>,<FileIndex>,<plugin>
      <object name>
      <object bytes>
      ...
      restoreobject end            -> 2000 OK ObjectRestored

* File Daemon, restore: :func:`restore_object_command` reads one of those
  and sends ``bEventRestoreObject`` to the plugin the object belongs to
  (``None`` after the last one).
"""

from __future__ import annotations

import zlib

from bareos.lib import bnet, jmsg
from bareos.lib.stat import RestoreObject, encode_restore_object
from bareos.lib.streams import FT_PLUGIN_CONFIG, FT_PLUGIN_CONFIG_FILLED, FT_RESTORE_FIRST

COMPRESS_ABOVE = 1000
OK_RESTOREOBJECT = "2000 OK ObjectRestored\n"
END_COMMAND = "restoreobject end\n"
OBJECT_TYPES = (FT_RESTORE_FIRST, FT_PLUGIN_CONFIG, FT_PLUGIN_CONFIG_FILLED)


# -- File Daemon: backup -----------------------------------------------------------
def object_bytes(sp) -> bytes:
    """The object of a save packet: its first ``object_len`` bytes (all of
    it when object_len is not set)."""
    obj = sp.object
    if obj is None:
        return b""
    if isinstance(obj, str):
        obj = obj.encode("utf-8", "surrogateescape")
    data = bytes(obj)
    n = int(sp.object_len or 0)
    return data[:n] if 0 < n <= len(data) else data


def backup_record(file_index: int, ftype: int, cmd: str, object_name: str, obj: bytes,
                  object_index: int) -> bytes:
    """The STREAM_RESTORE_OBJECT record of one object."""
    data, compression = obj, 0
    if len(obj) > COMPRESS_ABOVE:
        packed = zlib.compress(obj, 9)
        if len(packed) < len(obj):
            data, compression = packed, 1
    return encode_restore_object(RestoreObject(
        file_index=file_index, type=ftype, object_index=object_index, object_len=len(data),
        object_full_len=len(obj), compression=compression, fname=cmd, object_name=object_name,
        data=data))


# -- Director: restore ---------------------------------------------------------------
def _ids(text) -> list[int]:
    return [int(x) for x in str(text or "").replace(" ", "").split(",") if x.isdigit()]


def objects_for_restore(catalog, jobids, restore_jobid: int = 0) -> list[dict]:
    """Bareos's SendGlobalRestoreObjects: FT_RESTORE_FIRST and FT_PLUGIN_CONFIG
    objects of the restored jobs, FT_PLUGIN_CONFIG_FILLED ones of the restore
    job itself."""
    ids = _ids(jobids) if not isinstance(jobids, (list, tuple)) else [int(i) for i in jobids]
    if not ids:
        return []
    rows = list(catalog.get_restore_objects(ids, FT_RESTORE_FIRST))
    rows += catalog.get_restore_objects(ids, FT_PLUGIN_CONFIG)
    if restore_jobid:
        rows += catalog.get_restore_objects(int(restore_jobid), FT_PLUGIN_CONFIG_FILLED)
    return rows


def _blob(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("latin-1", "surrogateescape")
    return bytes(value)


def send_restore_objects(jcr, fd, catalog) -> int:
    """Send the restore objects of the jobs *jcr* restores over the client
    session *fd* (a :class:`bareos.dird.client.ClientSession`), then
    ``restoreobject end`` when there was at least one.  Returns how many
    were sent; raises the session's JobFailed when the FD refuses."""
    rows = objects_for_restore(catalog, getattr(jcr, "restore_jobids", ""), getattr(jcr, "jobid", 0))
    bs = fd.bs
    for row in rows:
        obj = _blob(row.get("RestoreObject"))
        length = int(row.get("ObjectLength") or len(obj))
        plugin = bnet.bash_spaces(str(row.get("PluginName") or ""))
        bs.send(f"restoreobject JobId={int(row['JobId'])} {length},{int(row.get('ObjectFullLength') or 0)},"
                f"{int(row.get('ObjectIndex') or 0)},{int(row.get('ObjectType') or 0)},"
                f"{int(row.get('ObjectCompression') or 0)},{int(row.get('FileIndex') or 0)},{plugin}\n")
        bs.send(str(row.get("ObjectName") or "").encode("utf-8", "surrogateescape"))
        bs.send(obj[:length])
    if rows:
        fd._expect(END_COMMAND, OK_RESTOREOBJECT.strip(), "RestoreObject failed")
    return len(rows)


# -- File Daemon: restore ------------------------------------------------------------
def parse_command(line: str):
    """``restoreobject JobId=...`` -> (jobid, len, full_len, index, type,
    compression, file_index, plugin_name) or None."""
    text = line.rstrip("\n")
    prefix = "restoreobject JobId="
    if not text.startswith(prefix):
        return None
    rest = text[len(prefix):]
    jobid, _, rest = rest.partition(" ")
    parts = rest.split(",", 6)
    try:
        nums = [int(jobid)] + [int(p) for p in parts[:6]]
    except ValueError:
        return None
    if len(nums) != 7:
        return None
    plugin = bnet.unbash_spaces(parts[6]) if len(parts) > 6 else ""
    return (*nums, plugin)


def restore_object_command(jcr, msg: str, recv, send) -> bool:
    """The FD's ``restoreobject`` command (*recv* reads the next message of
    the Director's connection, *send* answers on it)."""
    from . import bareosfd as B
    from . import fd as fdplugins

    if msg == END_COMMAND:
        fdplugins.generate_event(jcr, B.bEventRestoreObject, None)
        send(OK_RESTOREOBJECT)
        return True
    parsed = parse_command(msg)
    if parsed is None:
        jcr.jmsg(jmsg.M_FATAL, f"Bad RestoreObject command: {msg}")
        return False
    jobid, length, full_len, index, otype, compression, _fi, plugin = parsed
    name = recv()
    if not isinstance(name, (bytes, bytearray)):
        return False
    data = recv()
    if not isinstance(data, (bytes, bytearray)):
        return False
    oname = bytes(name).split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
    obj = bytes(data)
    if compression == 1:
        try:
            obj = zlib.decompress(obj)
        except zlib.error as exc:
            jcr.jmsg(jmsg.M_ERROR, f"Decompression failed. Len wanted={full_len} got=0. "
                                   f"Object_name={oname} ({exc})")
            obj = b""
        if len(obj) != full_len:
            jcr.jmsg(jmsg.M_ERROR, f"Decompression failed. Len wanted={full_len} got={len(obj)}. "
                                   f"Object_name={oname}")
    rop = B.RestoreObject(object_name=oname, object=bytearray(obj), plugin_name=plugin,
                          object_type=otype, object_len=len(obj), object_full_len=full_len,
                          object_index=index, object_compression=compression, stream=0, jobid=jobid)
    if oname == "job_metadata.xml":
        jcr.got_metadata = True
    fdplugins.generate_event(jcr, B.bEventRestoreObject, rop)   # Bareos goes on whatever it answers
    return True


__all__ = ["backup_record", "object_bytes", "objects_for_restore", "send_restore_objects",
           "parse_command", "restore_object_command", "OBJECT_TYPES"]
