"""``bscan``: rebuild catalog records from Bareos volumes.

    bscan [-c sd-config] [-b bootstrap] [-n dbname] [-u user] [-P password]
          [-o host] [-t port] [-s] [-m] [-r] [-v] [-w workdir] [-V vol1|vol2]
          [-B sqlite3|postgresql] [--db-file file] [--dir-config dir [--catalog name]]
          device

From the volume label it makes the Pool (when missing) and Media rows, from
each session's labels the Client, Job and FileSet rows and a JobMedia row,
and from the attribute and digest records the File and Path rows.  Without
``-s`` nothing is written; bscan reports what it would add.

Catalog selection: Bareos's ``-n/-u/-P/-o/-t`` (PostgreSQL) as in Bareos
25; our extensions ``-B sqlite3`` with ``--db-file`` (or
``<working directory>/<dbname>.db``), or ``--dir-config`` to use the
Director configuration's ``Catalog`` resource (overridable by the other
options).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field

from bareos.dird.catreq import storable_name
from bareos.lib.base64 import bin_to_base64
from bareos.lib.bsr import BsrError, BsrMatcher, load_bsr
from bareos.lib.stat import AttributeFormatError, decode_attributes, decode_restore_object
from bareos.lib.streams import (
    FT_DELETED, FT_RESTORE_FIRST, STREAM_MD5_DIGEST, STREAM_RESTORE_OBJECT,
    STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST, STREAM_SHA512_DIGEST, STREAM_SPARSE_DATA,
    STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_GZIP_DATA, STREAM_UNIX_ATTRIBUTES,
    STREAM_UNIX_ATTRIBUTES_EX, STREAM_XXH128_DIGEST,
)
from bareos.stored.volume.block import DamagedBlock
from bareos.stored.volume.label import SessionLabel, VolumeLabel, btime_to_unix
from bareos.stored.volume.record import EOS_LABEL, EOT_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL
from bareos.stored.volume.scan import LabelRecord
from bareos.tools.volume_access import (
    Messages, ToolError, available_devices, load_sd_config, ls_line, read_volumes,
    resolve_device,
)

__all__ = ["main", "build_parser", "Scanner", "catalog_params"]

_DIGESTS = (STREAM_MD5_DIGEST, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST,
            STREAM_SHA512_DIGEST, STREAM_XXH128_DIGEST)
_SPARSE = (STREAM_SPARSE_DATA, STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_GZIP_DATA)
_RECHDR = 12


def build_parser(prog: str = "bscan") -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=prog, description="The Bareos volume scanner tool.")
    ap.add_argument("-b", "--parse-bootstrap", dest="bootstrap", metavar="<bootstrap>",
                    help="Specify a bootstrap file")
    ap.add_argument("-c", "--config", metavar="<path>",
                    help="Use <path> as configuration file or directory")
    ap.add_argument("-D", "--director", metavar="<director>",
                    help="Specify a director name specified in the storage configuration.")
    ap.add_argument("-d", "--debug-level", dest="debug", metavar="<level>", default="0")
    ap.add_argument("--dt", "--debug-timestamps", dest="debug_timestamps", action="store_true")
    ap.add_argument("-n", "--dbname", default=None, metavar="<name>",
                    help="Specify database name. (default: bareos)")
    ap.add_argument("-o", "--dbhost", default=None, metavar="<host>",
                    help="Specify database host.")
    ap.add_argument("-P", "--dbpassword", default=None, metavar="<password>",
                    help="Specify database password.")
    ap.add_argument("-t", "--dbport", type=int, default=None, metavar="<port>",
                    help="Specify database port.")
    ap.add_argument("-u", "--dbuser", default=None, metavar="<user>",
                    help="Specify database user name. (default: bareos)")
    ap.add_argument("-m", "--update-volume-info", action="store_true",
                    help="Update media info in database.")
    ap.add_argument("-p", "--proceed-io", action="store_true",
                    help="Proceed inspite of IO errors")
    ap.add_argument("-r", "--list-records", action="store_true", help="List records.")
    ap.add_argument("-S", "--show-progress", action="store_true",
                    help="Show scan progress periodically.")
    ap.add_argument("-s", "--update-db", action="store_true",
                    help="Synchronize or store in database.")
    ap.add_argument("-V", "--volumes", metavar="<vol1|vol2|...>",
                    help="Specify volume names (separated by |).")
    ap.add_argument("-v", "--verbose", action="count", default=0,
                    help="Verbose user messages.")
    ap.add_argument("-w", "--working-directory", metavar="<directory>",
                    help="Specify working directory.")
    # our extensions: the embedded catalog and the Director's configuration
    ap.add_argument("-B", "--db-driver", choices=("sqlite3", "postgresql"), default=None,
                    help="Catalog backend (extension; Bareos 25 has only postgresql).")
    ap.add_argument("--db-file", metavar="<file>",
                    help="SQLite catalog file (extension; default <working dir>/<dbname>.db).")
    ap.add_argument("--dir-config", metavar="<path>",
                    help="Take the catalog from this Director configuration (extension).")
    ap.add_argument("--catalog", metavar="<name>",
                    help="Catalog resource of --dir-config (default: the first).")
    ap.add_argument("device", nargs="?", metavar="device_name",
                    help="Device resource name or Archive Device, or a volume file.")
    return ap


def catalog_params(args, working_directory: str | None):
    """CatalogParams from the options (and --dir-config)."""
    from bareos.cats.params import CatalogParams
    if args.dir_config:
        from bareos.dird.config import SCHEMA as DIR_SCHEMA
        from bareos.lib.config import load_config
        try:
            cfg = load_config(args.dir_config, DIR_SCHEMA)
        except Exception as exc:
            raise ToolError(f"Configuration error: {exc}", 1) from None
        cats = cfg.resources("Catalog")
        if args.catalog:
            cats = [c for c in cats if c.name == args.catalog]
        if not cats:
            raise ToolError(f"No Catalog resource{' named ' + args.catalog if args.catalog else ''}"
                            f" in {args.dir_config}", 1)
        director = cfg.first("Director")
        wd = director.get("Working Directory") if director is not None else None
        p = CatalogParams.from_resource(cats[0], working_directory=wd)
    else:
        p = CatalogParams(driver="postgresql", name="bareos", user="bareos",
                          working_directory=working_directory)
    for key, value in (("driver", args.db_driver), ("name", args.dbname),
                       ("address", args.dbhost), ("port", args.dbport),
                       ("user", args.dbuser), ("password", args.dbpassword),
                       ("path", args.db_file)):
        if value is not None:
            setattr(p, key, value)
    if args.working_directory and not p.working_directory:
        p.working_directory = args.working_directory
    if p.path and not args.db_driver and not args.dir_config:
        p.driver = "sqlite3"
    return p


@dataclass
class _Session:
    label: SessionLabel
    job_id: int                       # catalog JobId (0 when not stored)
    sid: int = 0
    stime: int = 0
    client_id: int = 0
    exists: bool = False              # Job row was already there
    insert_jobmedia: bool = True
    first_index: int = 0
    last_index: int = 0
    job_files: int = 0
    job_bytes: int = 0
    start_addr: int = 0
    end_addr: int = 0
    pending: list | None = None       # [fname, lstat, md5, fi, delta_seq]
    rows: list = field(default_factory=list)


class Scanner:
    """The record callback of bscan (sans output device: messages go
    through ``msgs``, rows through ``cat``; ``cat`` may be None only when
    nothing is stored)."""

    def __init__(self, cat, msgs: Messages, *, store: bool, update_vol_info: bool = False,
                 verbose: int = 0, list_records: bool = False, pool_type_check: bool = True):
        self.cat = cat
        self.msgs = msgs
        self.store = store
        self.update_vol_info = update_vol_info
        self.verbose = verbose
        self.list_records = list_records
        self.num_media = self.num_pools = self.num_jobs = self.num_files = 0
        self.num_restoreobjects = 0
        self.pool: dict | None = None
        self.pool_id = 0
        self.media_id = 0
        self.media_vals: dict = {}
        self.volume_name = ""
        self.sessions: dict[tuple[int, int], _Session] = {}
        self.ignored_msgs = 0
        self.prev_end = -1
        self.blocks = 0
        self.lasttime = 0
        self.finished_jobs: list[int] = []

    def p(self, text: str) -> None:
        self.msgs.pmsg(text)

    # -- positions --------------------------------------------------------

    def _note_block(self, rec) -> int:
        """Start offset of the block holding ``rec`` (blocks are contiguous)."""
        if rec.address != self.prev_end:
            self.blocks += 1
            start = self.prev_end + 1
            self.prev_end = rec.address
            self._block_start = start
        return self._block_start

    _block_start = 0

    # -- labels -----------------------------------------------------------

    def volume_label(self, lab: VolumeLabel, rec) -> None:
        cat = self.cat
        self.num_pools += 1
        self.volume_name = lab.volume_name
        pool = cat.get_pool(lab.pool_name) if cat is not None else None
        if pool is not None:
            if self.verbose:
                self.p(f"Pool record for {lab.pool_name} found in DB.")
        else:
            if not self.store:
                self.p(f"VOL_LABEL: Pool record not found for Pool: {lab.pool_name}")
            if self.store:
                pid = cat.create_pool(lab.pool_name, PoolType=lab.pool_type or "Backup",
                                      UseCatalog=1, NumVols=1, VolRetention=355 * 86400)
                pool = cat.get_pool(pool_id=pid)
                if self.verbose:
                    self.p(f"Created Pool record for Pool: {lab.pool_name}")
        self.pool = pool
        self.pool_id = int(pool["PoolId"]) if pool else 0
        ptype = pool["PoolType"] if pool else lab.pool_type
        if ptype != lab.pool_type:
            self.p(f"VOL_LABEL: PoolType mismatch. DB={ptype} Vol={lab.pool_type}")
            return
        if self.verbose:
            self.p(f"Pool type \"{ptype}\" is OK.")
        self.num_media += 1
        media = cat.get_media(lab.volume_name) if cat is not None else None
        first_written = btime_to_unix(lab.write_btime)
        label_date = btime_to_unix(lab.label_btime)
        self.lasttime = label_date
        self.media_vals = {"VolJobs": 0, "VolFiles": 0, "VolBlocks": 0,
                           "VolBytes": len(rec.data) + 20, "VolMounts": 1}
        if media is not None:
            if self.verbose:
                self.p(f"Media record for {lab.volume_name} found in DB.")
            self.media_id = int(media["MediaId"])
            mtype = media["MediaType"]
        else:
            if not self.store:
                self.p(f"VOL_LABEL: Media record not found for Volume: {lab.volume_name}")
            mtype = lab.media_type
            if self.store:
                self.media_id = cat.create_media(
                    lab.volume_name, self.pool_id, lab.media_type, VolStatus="Archive",
                    VolRetention=365 * 86400, Enabled=1, FirstWritten=first_written,
                    LabelDate=label_date, VolJobs=1, VolMounts=1)
                if self.verbose:
                    self.p(f"Created Media record for Volume: {lab.volume_name}")
        if mtype != lab.media_type:
            self.p(f"VOL_LABEL: MediaType mismatch. DB={mtype} Vol={lab.media_type}")
            return
        if self.verbose:
            self.p(f"Media type \"{mtype}\" is OK.")
        self.p(f"VOL_LABEL: OK for Volume: {lab.volume_name}")

    def sos_label(self, lab: SessionLabel, rec) -> None:
        cat = self.cat
        key = (rec.vol_session_id, rec.vol_session_time)
        self.media_vals["VolJobs"] = self.media_vals.get("VolJobs", 0) + 1
        self.num_jobs += 1
        if self.ignored_msgs:
            self.p(f"{self.ignored_msgs} \"errors\" ignored before first Start of Session record.")
            self.ignored_msgs = 0
        job = cat.get_job(job=lab.job) if cat is not None else None
        sess = _Session(lab, 0, key[0], key[1], start_addr=self._block_start)
        if job is not None:
            sess.exists = True
            sess.job_id = int(job["JobId"])
            if self.verbose:
                self.p(f"SOS_LABEL: Found Job record for JobId: {sess.job_id}")
        elif not self.store:
            self.p(f"SOS_LABEL: Job record not found for JobId: {lab.job_id}")
        if self.store:
            sess.client_id = cat.get_or_create_client(lab.client_name)
            if self.verbose:
                self.p(f"Created Client record for Client: {lab.client_name}")
        elif cat is not None:
            c = cat.get_client(lab.client_name)
            sess.client_id = int(c["ClientId"]) if c else 0
        sched = btime_to_unix(lab.write_btime)
        if self.store and not sess.exists:
            jid = cat.create_job(lab.job, lab.job_name, lab.job_type_letter,
                                 lab.job_level_letter, JobStatus="C", SchedTime=sched,
                                 JobTDate=sched)
            cat.start_job(jid, start_time=sched, JobTDate=sched, ClientId=sess.client_id,
                          PoolId=self.pool_id, VolSessionId=rec.vol_session_id,
                          VolSessionTime=rec.vol_session_time)
            sess.job_id = jid
            self.p(f"Created new JobId={jid} record for original JobId={lab.job_id}")
        if sess.job_id and cat is not None:
            n = len(cat.get_jobmedia(sess.job_id))
            sess.insert_jobmedia = n == 0
        if job is not None:
            if int(job.get("VolSessionId") or 0) != rec.vol_session_id:
                self.p(f"SOS_LABEL: VolSessId mismatch for JobId={sess.job_id}. "
                       f"DB={job.get('VolSessionId')} Vol={rec.vol_session_id}")
            elif int(job.get("VolSessionTime") or 0) != rec.vol_session_time:
                self.p(f"SOS_LABEL: VolSessTime mismatch for JobId={sess.job_id}. "
                       f"DB={job.get('VolSessionTime')} Vol={rec.vol_session_time}")
        self.sessions[key] = sess

    def _flush_pending(self, sess: _Session) -> None:
        if sess.pending is not None:
            sess.rows.append(tuple(sess.pending))
            sess.pending = None
        if self.store and sess.job_id and not sess.exists and len(sess.rows) >= 20000:
            self.cat.insert_attributes(sess.job_id, sess.rows)
            sess.rows = []

    def _finish_session(self, sess: _Session, status: str, end_time: int,
                        elabel: SessionLabel | None) -> None:
        cat = self.cat
        self._flush_pending(sess)
        lab = sess.label
        md5 = lab.fileset_md5 or " "
        if self.store:
            fsid = cat.get_or_create_fileset(lab.fileset_name, md5)
            if self.verbose:
                self.p(f"Created FileSet record \"{lab.fileset_name}\"")
        if self.store and sess.job_id and not sess.exists:
            if sess.rows:
                cat.insert_attributes(sess.job_id, sess.rows)
            sess.rows = []
            files = elabel.job_files if elabel is not None else sess.job_files
            jbytes = elabel.job_bytes if elabel is not None else sess.job_bytes
            jobtdate = btime_to_unix(lab.write_btime)
            cat.end_job(sess.job_id, status, end_time, JobFiles=files, JobBytes=jbytes,
                        FileSetId=fsid, PurgedFiles=0, JobTDate=jobtdate,
                        ClientId=sess.client_id, JobErrors=elabel.job_errors if elabel else 0,
                        VolSessionId=sess.sid, VolSessionTime=sess.stime)
            if self.verbose:
                self.p(f"Updated Job termination record for JobId={sess.job_id} "
                       f"Level={_level_name(lab.job_level_letter)} TermStat={status}")
        self.lasttime = end_time
        if sess.insert_jobmedia and self.store and sess.job_id and self.media_id:
            cat.create_jobmedia(sess.job_id, self.media_id, sess.first_index, sess.last_index,
                                sess.start_addr >> 32, sess.end_addr >> 32,
                                sess.start_addr & 0xFFFFFFFF, sess.end_addr & 0xFFFFFFFF,
                                job_bytes=0)
            if self.verbose:
                self.p(f"Created JobMedia record JobId {sess.job_id}, MediaId {self.media_id}")
        self.finished_jobs.append(sess.job_id)

    def eos_label(self, lab: SessionLabel, rec) -> None:
        key = (rec.vol_session_id, rec.vol_session_time)
        sess = self.sessions.get(key)
        if sess is None:
            self.p(f"Could not find SessId={rec.vol_session_id} SessTime={rec.vol_session_time} "
                   "for EOS record.")
            return
        sess.end_addr = rec.address
        self._finish_session(sess, lab.job_status_letter, btime_to_unix(lab.write_btime), lab)
        del self.sessions[key]

    # -- records ----------------------------------------------------------

    def label(self, item: LabelRecord) -> bool:
        rec = item.record
        self._note_block(rec)
        self.media_vals["VolBytes"] = self.media_vals.get("VolBytes", 0) + len(rec.data) + _RECHDR
        if self.list_records:
            self._list(rec)
        fi = rec.file_index
        if fi == PRE_LABEL:
            self.p("Volume is prelabeled. This tape cannot be scanned.")
            return False
        if fi == VOL_LABEL and isinstance(item.label, VolumeLabel):
            self.volume_label(item.label, rec)
        elif fi == SOS_LABEL and isinstance(item.label, SessionLabel):
            self.sos_label(item.label, rec)
        elif fi == EOS_LABEL and isinstance(item.label, SessionLabel):
            self.eos_label(item.label, rec)
        elif fi == EOT_LABEL:
            self.end_of_volumes(0)
        return True

    def _list(self, rec) -> None:
        self.p(f"Record: SessId={rec.vol_session_id} SessTim={rec.vol_session_time} "
               f"FileIndex={rec.file_index} Stream={rec.stream} len={len(rec.data)}")

    def record(self, rec) -> None:
        self._note_block(rec)
        if rec.data:
            self.media_vals["VolBytes"] = self.media_vals.get("VolBytes", 0) + len(rec.data) + _RECHDR
        if self.list_records:
            self._list(rec)
        key = (rec.vol_session_id, rec.vol_session_time)
        sess = self.sessions.get(key)
        if sess is None:
            if self.media_vals.get("VolJobs", 0) > 0:
                self.p(f"Could not find Job for SessId={rec.vol_session_id} "
                       f"SessTime={rec.vol_session_time} record.")
            else:
                self.ignored_msgs += 1
            return
        sess.end_addr = rec.address
        ms = rec.masked_stream
        if ms in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
            self._flush_pending(sess)
            try:
                attrs = decode_attributes(rec.data)
            except (AttributeFormatError, ValueError) as exc:
                raise ToolError(f"Cannot continue: bad attribute record ({exc}).", 1) from None
            if self.verbose > 1:
                self.msgs.jmsg(ls_line(attrs), timestamp=False, job_id=sess.job_id)
            self.num_files += 1
            sess.job_files += 1
            fi = 0 if attrs.type == FT_DELETED else rec.file_index
            if sess.first_index == 0:
                sess.first_index = rec.file_index
            sess.last_index = rec.file_index
            if attrs.type == FT_RESTORE_FIRST:
                return
            # a name that is not UTF-8 is stored as the Director stores it
            sess.pending = [storable_name(attrs.fname), attrs.lstat, "0", fi, attrs.delta_seq]
            if self.verbose > 1 and self.store:
                self.p(f"Created File record: {attrs.fname}")
        elif ms in _DIGESTS:
            digest = bin_to_base64(bytes(rec.data), True)
            if self.verbose > 1:
                name = {STREAM_MD5_DIGEST: "MD5", STREAM_SHA1_DIGEST: "SHA1",
                        STREAM_SHA256_DIGEST: "SHA256", STREAM_SHA512_DIGEST: "SHA512",
                        STREAM_XXH128_DIGEST: "XXH128"}[ms]
                self.p(f"Got {name} record: {digest}")
            if sess.pending is not None and sess.pending[3] == rec.file_index:
                sess.pending[2] = digest
        elif ms == STREAM_RESTORE_OBJECT:
            self.num_restoreobjects += 1
            if self.store and sess.job_id and not sess.exists:
                try:
                    ro = decode_restore_object(rec.data)
                except (AttributeFormatError, ValueError) as exc:
                    raise ToolError(f"Cannot continue: bad restore object ({exc}).", 1) from None
                self.cat.create_restore_object(
                    sess.job_id, ro.object_name, ro.data, ro.fname,
                    file_index=rec.file_index, object_index=ro.object_index,
                    object_type=FT_RESTORE_FIRST, object_length=ro.object_len,
                    object_full_length=ro.object_full_len, compression=ro.compression)
        elif ms < 1000 and ms not in (8, 9, 14, 26, 27, 999) and ms > 1:
            n = len(rec.data)
            if ms in _SPARSE:
                n -= 8
            sess.job_bytes += n

    def end_of_volume(self, path: str) -> None:
        """Close the bookkeeping of one volume file (Media counters)."""
        try:
            size = os.path.getsize(path)
        except OSError:
            size = self.media_vals.get("VolBytes", 0)
        self.media_vals["VolBytes"] = size
        self.media_vals["VolBlocks"] = self.blocks
        self.media_vals["VolFiles"] = size >> 32
        if (self.store or self.update_vol_info) and self.media_id and self.cat is not None:
            vals = dict(self.media_vals)
            vals["LastWritten"] = self.lasttime
            self.cat.update_media(self.media_id, **vals)
            if self.verbose:
                self.p(f"Updated Media record at end of Volume: {self.volume_name}")
        self.prev_end = -1
        self.blocks = 0

    def end_of_volumes(self, _n) -> None:
        """Sessions never ended on the volumes: mark their jobs failed."""
        for key, sess in list(self.sessions.items()):
            self._finish_session(sess, "E", self.lasttime, None)
            del self.sessions[key]


def _level_name(letter: str) -> str:
    return {"F": "Full", "I": "Incremental", "D": "Differential", "f": "VirtualFull",
            "B": "Base", "S": "Since"}.get(letter, letter)


def main(argv=None, out=None) -> int:
    ap = build_parser()
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    msgs = Messages("bscan", out=out)
    cat = None
    try:
        cfg = load_sd_config(args.config)
        if not args.device:
            msgs.out.write("Missing input device. " + (available_devices(cfg) if cfg else "")
                           + "Nothing done.\n")
            return 106
        wd = args.working_directory
        if not wd and cfg is not None:
            st = cfg.first("Storage")
            if st is not None:
                wd = st.get("Working Directory")
                from bareos.lib.config.paths import expand_path_default
                wd = expand_path_default(wd) if wd else wd
        if wd and not os.path.isdir(wd):
            if args.working_directory:
                raise ToolError(f"Working Directory: {wd} not found. Cannot continue.", 1)
            wd = None
        bsr = None
        if args.bootstrap:
            try:
                bsr = load_bsr(args.bootstrap)
            except (BsrError, OSError) as exc:
                raise ToolError(str(exc), 1) from None
        source = resolve_device(args.device, cfg, args.volumes, bsr, msgs, args.config)
        params = catalog_params(args, wd)
        from bareos.cats import open_catalog
        from bareos.cats.params import CatalogError
        missing = params.is_sqlite and not os.path.exists(params.sqlite_path)
        try:
            if missing and not args.update_db:
                cat = None      # nothing to look up, nothing will be written
            else:
                cat = open_catalog(params, create=args.update_db)
        except CatalogError as exc:
            if args.update_db or "empty" not in str(exc):
                raise ToolError(f"Could not open Catalog: {exc}", 1) from None
            cat = None
        except Exception as exc:   # driver errors (connection refused ...)
            raise ToolError(f"Could not open Catalog: {exc}", 1) from None
        if args.verbose:
            where = params.sqlite_path if params.is_sqlite else params.name
            msgs.pmsg(f"Using Database: {where}, User: {params.user or ''}")
        sc = Scanner(cat, msgs, store=args.update_db, update_vol_info=args.update_volume_info,
                     verbose=args.verbose, list_records=args.list_records)
        matcher = BsrMatcher(bsr) if bsr is not None else None
        current = None
        stop = False
        for vol, item in read_volumes(source, msgs, matcher=matcher,
                                      forge_on=args.proceed_io):
            if vol != current:
                if current is not None:
                    sc.end_of_volume(source.path_of(current))
                current = vol
            if stop:
                continue
            if isinstance(item, DamagedBlock):
                msgs.jmsg(item.message(vol), "error", job_id=0)
                continue
            if isinstance(item, LabelRecord):
                if not sc.label(item):
                    stop = True
                continue
            sc.record(item)
        if current is not None:
            sc.end_of_volume(source.path_of(current))
        sc.end_of_volumes(0)
        what = ("Records added or updated in the catalog:" if args.update_db
                else "Records would have been added or updated in the catalog:")
        msgs.pmsg(f"{what}\n{sc.num_media:7d} Media\n{sc.num_pools:7d} Pool\n"
                  f"{sc.num_jobs:7d} Job\n{sc.num_files:7d} File\n"
                  f"{sc.num_restoreobjects:7d} RestoreObject")
    except ToolError as exc:
        msgs.out.flush()
        print(f"bscan: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        if cat is not None:
            cat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
