"""The catalog service the Director gives a Storage Daemon during a job.

Parses ``CatReq``/``Catreq``/``UpdCat`` messages from the SD and answers them
(bareos/bareos: core/src/dird/catreq.cc semantics).  Volume info replies carry
exactly the 24 fields the SD expects.
"""

from __future__ import annotations

import logging
import re
import struct
import threading
import time

from bareos.cats.catalog import split_filename
from bareos.lib import bnet, streams
from bareos.lib import stat as statmod
from bareos.lib.base64 import bin_to_base64

log = logging.getLogger("bareos.dird.catreq")

_KV = re.compile(r"(\w+)=(\S*)")
#: one volume search at a time (Bareos holds the catalog lock): two jobs must
#: not both create the next "Full-0002" of a Label Format
FIND_MEDIA_LOCK = threading.Lock()
_UPDCAT_HDR = struct.Struct(">IIiiI").unpack_from
STREAMMASK_TYPE = streams.STREAMMASK_TYPE
FT_DELETED = streams.FT_DELETED
FT_MASK = streams.FT_MASK
FT_RESTORE_FIRST = streams.FT_RESTORE_FIRST

DIGEST_STREAMS = {streams.STREAM_MD5_DIGEST, streams.STREAM_SHA1_DIGEST,
                  streams.STREAM_SHA256_DIGEST, streams.STREAM_SHA512_DIGEST,
                  streams.STREAM_XXH128_DIGEST}
ATTR_STREAMS = {streams.STREAM_UNIX_ATTRIBUTES, streams.STREAM_UNIX_ATTRIBUTES_EX}


def kv(text: str) -> dict[str, str]:
    return {k: bnet.unbash_spaces(v) for k, v in _KV.findall(text)}


def new_volume_name(catalog, pool: dict) -> str | None:
    """A volume name from the pool's Label Format (see bareos.dird.retention)."""
    from .retention import new_volume_name as _new

    return _new(catalog, pool)


def volume_info_reply(media: dict) -> str:
    def i(key, default=0):
        value = media.get(key)
        return int(value) if value not in (None, "") else default

    return ("1000 OK VolName={vol} VolJobs={jobs} VolFiles={files} VolBlocks={blocks} VolBytes={bytes} "
            "VolMounts={mounts} VolErrors={errors} VolWrites={writes} MaxVolBytes={maxbytes} "
            "VolCapacityBytes={cap} VolStatus={status} Slot={slot} MaxVolJobs={maxjobs} "
            "MaxVolFiles={maxfiles} InChanger={inchanger} VolReadTime={rtime} VolWriteTime={wtime} "
            "EndFile={endfile} EndBlock={endblock} LabelType={ltype} MediaId={mid} EncryptionKey={key} "
            "MinBlocksize={minbs} MaxBlocksize={maxbs}\n").format(
        vol=bnet.bash_spaces(media["VolumeName"]), jobs=i("VolJobs"), files=i("VolFiles"),
        blocks=i("VolBlocks"), bytes=i("VolBytes"), mounts=i("VolMounts"), errors=i("VolErrors"),
        writes=i("VolWrites"), maxbytes=i("MaxVolBytes"), cap=i("VolCapacityBytes"),
        status=media.get("VolStatus") or "Append", slot=i("Slot"), maxjobs=i("MaxVolJobs"),
        maxfiles=i("MaxVolFiles"), inchanger=i("InChanger"), rtime=i("VolReadTime"),
        wtime=i("VolWriteTime"), endfile=i("EndFile"), endblock=i("EndBlock"),
        ltype=i("LabelType"), mid=i("MediaId"), key=media.get("EncryptionKey") or "",
        minbs=i("MinBlockSize"), maxbs=i("MaxBlockSize"))


def _attribute_fields(data: bytes) -> tuple[int, str, str, int] | None:
    """(FT type, file name, LStat, DeltaSeq) of a plain attribute record
    (``"<FileIndex> <Type> <fname>\\0<lstat>\\0<link>\\0<attr_ex>\\0<delta_seq>\\0"``)
    without building a :class:`bareos.lib.stat.Attributes`; None for anything
    unusual (type flags, restore objects, odd numbers), which then goes
    through :func:`bareos.lib.stat.decode_attributes`."""
    parts = data.split(b"\0", 5)
    if len(parts) < 4:
        return None
    head = parts[0]
    sp1 = head.find(b" ")
    sp2 = head.find(b" ", sp1 + 1)
    if sp1 <= 0 or sp2 < 0:
        return None
    fi = head[:sp1]
    ftype = head[sp1 + 1:sp2]
    if not ftype.isdigit() or not (fi.isdigit() or (fi[:1] == b"-" and fi[1:].isdigit())):
        return None
    ftype = int(ftype)
    if ftype > FT_MASK or ftype == FT_RESTORE_FIRST:
        return None
    delta = 0
    if len(parts) > 4:
        tail = parts[4]
        if tail:
            if not tail.isdigit():
                return None
            delta = int(tail)
    return (ftype, head[sp2 + 1:].decode("utf-8", "surrogateescape"),
            parts[1].decode("ascii", "replace"), delta)


def storable_name(name: str) -> str:
    """A file name the catalog can store.

    Names arrive as UTF-8 decoded with ``surrogateescape``; bytes that are
    not UTF-8 (``\\udc80``-``\\udcff``) cannot be written to SQLite or a
    UTF-8 PostgreSQL database, so they become the Latin-1 character of the
    byte.  The catalog name is for selection and display; the File Daemon
    restores the exact name from the volume's attribute record.
    """
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    return "".join(chr(ord(ch) - 0xDC00) if "\udc80" <= ch <= "\udcff" else ch for ch in name)


class CatalogService:
    """Answers one job's catalog requests and files its attributes."""

    def __init__(self, jcr, catalog):
        self.jcr = jcr
        self.cat = catalog
        self.batch = catalog.attribute_batch(jcr.jobid) if jcr.jobid else None
        self.job_id = jcr.jobid
        # the batch row of the last file, waiting for its digest:
        # [FileIndex, JobId, Path, Name, LStat, Md5, DeltaSeq, Fhinfo, Fhnode]
        self._pending: list | None = None
        self.files = 0

    # -- attribute records ---------------------------------------------------
    def upd_cat(self, payload: bytes) -> None:
        """``UpdCat Job=<job> FileAttributes <binary>``."""
        pos = payload.find(b" FileAttributes ")
        if pos < 0:
            log.warning("malformed UpdCat message: %r", payload[:80])
            return
        pos += 16
        if len(payload) - pos < 20:
            return
        sid, stime, findex, stream, dlen = _UPDCAT_HDR(payload, pos)
        data = payload[pos + 20:pos + 20 + dlen]
        base = stream & STREAMMASK_TYPE
        if base in ATTR_STREAMS:
            if self._pending is not None:
                self._flush_pending()
            fields = _attribute_fields(data)
            if fields is None:
                try:
                    attr = statmod.decode_attributes(data)
                except Exception as exc:
                    log.warning("undecodable attribute record (FileIndex %d): %s", findex, exc)
                    return
                fields = (attr.type, attr.fname, attr.lstat, int(attr.delta_seq or 0))
            ftype, fname, lstat, delta = fields
            path, name = split_filename(storable_name(fname))
            self._pending = [0 if ftype == FT_DELETED else findex, self.job_id, path, name,
                             lstat, "0", delta, 0, 0]
        elif base in DIGEST_STREAMS:
            if self._pending is not None:
                self._pending[5] = bin_to_base64(data, compatible=True)
        elif base == streams.STREAM_RESTORE_OBJECT:
            try:
                obj = statmod.decode_restore_object(data)
                self.cat.create_restore_object(
                    self.jcr.jobid, obj.object_name, obj.data, obj.fname, file_index=findex,
                    object_index=obj.object_index, object_type=obj.type,
                    object_length=obj.object_len, object_full_length=obj.object_full_len,
                    compression=obj.compression)
            except Exception as exc:
                log.warning("cannot store restore object: %s", exc)

    def _flush_pending(self) -> None:
        row = self._pending
        self._pending = None
        if row is None or self.batch is None:
            return
        self.batch.add_row(row)
        self.files += 1

    def finish(self) -> None:
        self._flush_pending()
        if self.batch is not None:
            self.batch.flush()

    # -- CatReq ----------------------------------------------------------------
    def cat_req(self, text: str) -> str | None:
        """Answer one CatReq line (None: no answer expected)."""
        args = kv(text)
        try:
            if " FindMedia=" in text:
                return self._find_media(args)
            if " GetVolInfo " in text:
                return self._get_vol_info(args)
            if " UpdateMedia " in text:
                return self._update_media(args)
            if " CreateJobMedia " in text:
                return self._create_jobmedia(args)
            if " DeleteNullJobmediaRecords" in text:
                self.cat.delete_null_jobmedia(self.jcr.jobid)
                return "1000 OK DeleteNullJobmediaRecords\n"
            if " UpdateJobRecord " in text:
                self.jcr.sd_files = int(args.get("JobFiles", self.jcr.sd_files) or 0)
                self.jcr.sd_bytes = int(args.get("JobBytes", self.jcr.sd_bytes) or 0)
                return None
            if " UpdateFileList" in text:
                self.finish()
                return None
        except Exception as exc:  # the SD gets an error answer, the job log the reason
            log.exception("catalog request failed: %s", text)
            self.jcr.msg(4, f"Catalog request failed: {exc}\n")
            return "1992 Catalog request error\n"
        log.warning("unknown catalog request: %s", text.strip())
        return "1990 Invalid Catalog Request\n"

    def _pool_row(self, name: str) -> dict | None:
        return self.cat.get_pool(name=name)

    def _reporter(self):
        from .retention import JobReporter

        return JobReporter(self.jcr)

    def _find_media(self, args) -> str:
        """FindMedia: Bareos's FindNextVolumeForAppend (appendable, recycled,
        pruned, Scratch, new, oldest) in bareos.dird.retention."""
        from .retention import VolumeRequest, find_next_volume_for_append, running_jobids

        index = int(args.get("FindMedia") or 1)
        pool = self._pool_row(args.get("pool_name", ""))
        if pool is None:
            return "1901 No Media.\n"
        director = getattr(self.jcr, "director", None)
        pool_res = director.get("Pool", pool["Name"]) if director is not None else None
        storage = getattr(self.jcr, "storage", None)
        storage_id = 0
        if storage is not None:
            try:
                storage_id = self.cat.get_or_create_storage(storage.name)
            except Exception:  # the StorageId is a detail; the volume is what matters
                storage_id = 0
        req = VolumeRequest(
            pool=pool, media_type=args.get("media_type", ""), pool_res=pool_res,
            job_res=getattr(self.jcr, "job_res", None), storage_id=storage_id, index=index,
            unwanted=[v for v in (args.get("unwanted_volumes") or "").split(",") if v],
            own_jobid=self.jcr.jobid or 0, exclude_jobids=running_jobids(director))
        media = None
        with FIND_MEDIA_LOCK:
            if storage is not None and storage.get("Auto Changer"):
                media = self._in_changer_volume(req)
            if media is None:
                media = find_next_volume_for_append(self.cat, self._reporter(), req)
        if media is None:
            return "1901 No Media.\n"
        return volume_info_reply(media)

    def _in_changer_volume(self, req) -> dict | None:
        """An autochanger storage first takes an appendable volume that is in
        the changer (InChanger=1), as Bareos's FindNextVolumeForAppend."""
        from .retention import has_volume_expired

        for _ in range(50):
            media = self.cat.find_next_volume(int(req.pool["PoolId"]), req.media_type, "Append",
                                              index=req.index, exclude=req.unwanted,
                                              in_changer=True)
            if media is None or int(media.get("Slot") or 0) <= 0:
                return None
            if not has_volume_expired(self.cat, self._reporter(), media):
                return media
        return None

    def _get_vol_info(self, args) -> str:
        from .retention import check_volume_for_writing, running_jobids

        name = args.get("VolName", "")
        media = self.cat.get_media(volume_name=name)
        if media is None:
            return f'1997 Volume "{name}" not in catalog.\n'
        write = args.get("write", "0") == "1"
        reason = None
        if write:
            director = getattr(self.jcr, "director", None)
            if self.jcr.pool_id and int(media.get("PoolId") or 0) != int(self.jcr.pool_id):
                reason = "not in Pool"
            else:
                pool_res = None
                pool = self.cat.get_pool(pool_id=int(media.get("PoolId") or 0))
                if director is not None and pool is not None:
                    pool_res = director.get("Pool", pool["Name"])
                reason = check_volume_for_writing(
                    self.cat, self._reporter(), media, pool_res,
                    exclude=running_jobids(director), own_jobid=self.jcr.jobid or 0)
        if reason is None and int(media.get("Enabled") if media.get("Enabled") is not None else 1) != 1:
            reason = "is not Enabled"
        if reason is not None:
            return f'1998 Volume "{name}" catalog status is {media.get("VolStatus")}, {reason}.\n'
        return volume_info_reply(media)

    def _update_media(self, args) -> str:
        name = args.get("VolName", "")
        media = self.cat.get_media(volume_name=name)
        if media is None:
            return f'1991 Update Media error: Volume "{name}" not in catalog.\n'
        fields: dict = {}
        for key in ("VolJobs", "VolFiles", "VolBlocks", "VolBytes", "VolMounts", "VolErrors",
                    "VolWrites", "MaxVolBytes", "Slot", "InChanger", "VolReadTime", "VolWriteTime"):
            if key in args:
                fields[key] = int(args[key] or 0)
        if "VolStatus" in args:
            fields["VolStatus"] = args["VolStatus"]
        end = int(args.get("EndTime") or 0)
        if end:
            fields["LastWritten"] = end
        first = int(args.get("VolFirstWritten") or 0)
        if first and not media.get("FirstWritten"):
            fields["FirstWritten"] = first
        if args.get("relabel") == "1" or not media.get("LabelDate"):
            fields["LabelDate"] = end or int(time.time())
        self.cat.update_media(media["MediaId"], **fields)
        media = self.cat.get_media(media_id=media["MediaId"])
        if name not in self.jcr.volumes:
            self.jcr.volumes.append(name)
        self.jcr.last_volume_bytes = int(media.get("VolBytes") or 0)
        return volume_info_reply(media)

    def _create_jobmedia(self, args) -> str:
        self.cat.create_jobmedia(
            self.jcr.jobid, int(args.get("MediaId") or 0),
            int(args.get("FirstIndex") or 0), int(args.get("LastIndex") or 0),
            int(args.get("StartFile") or 0), int(args.get("EndFile") or 0),
            int(args.get("StartBlock") or 0), int(args.get("EndBlock") or 0))
        return "1000 OK CreateJobMedia\n"
