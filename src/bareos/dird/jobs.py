"""Director job control: creating jobs, the job queue with Bareos's
concurrency limits and priorities, running Backup and Restore jobs against
the Storage and File Daemons, and the job report.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque

from bareos.lib import jmsg, jobcodes
from bareos.lib import version as v
from bareos.lib.bregexp import build_regexwhere
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix
from bareos.plugins import dir as dirplugins

from . import bootstrap as bsrmod
from . import runscript
from .consolidate import allow_mixed_priority
from .client import ClientSession, fileset_wire_items, storage_uses_tls
from .jcr import FINAL_BAD, Jcr, JobCanceled, JobFailed
from .msgs import MessageSink
from .storage import StorageSession

log = logging.getLogger("bareos.dird.jobs")

MAX_RECENT = 10


class RecentJob:
    __slots__ = ("jobid", "job", "job_type", "level", "job_status", "job_files", "job_bytes",
                 "end_time", "start_time")

    def __init__(self, jcr: Jcr):
        self.jobid = jcr.jobid
        self.job = jcr.job
        self.job_type = jcr.job_type
        self.level = jcr.level
        self.job_status = jcr.status
        self.job_files = jcr.job_files
        self.job_bytes = jcr.job_bytes
        self.end_time = jcr.end_time
        self.start_time = jcr.start_time


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def fileset_md5(fileset) -> str:
    """A stable digest of what the FileSet selects (changes force a Full)."""
    text = "\n".join(fileset_wire_items(fileset))
    return hashlib.md5(text.encode("utf-8", "surrogateescape")).hexdigest()


class JobEngine:
    """Runs the Director's jobs, one thread each."""

    def __init__(self, director):
        self.director = director
        self._lock = threading.Condition()
        self.running: dict[int, Jcr] = {}
        self.recent: deque[RecentJob] = deque(maxlen=MAX_RECENT)
        self.num_jobs_run = 0
        self._seq = 0
        self._last_stamp = ""

    # -- naming -----------------------------------------------------------------
    def unique_job_name(self, name: str, when: float) -> str:
        with self._lock:
            stamp = time.strftime("%Y-%m-%d_%H.%M.%S", time.localtime(when))
            self._seq = (self._seq + 1) % 60
            # as Bareos: the name is cut so that the Job (with an "R_JOB^"
            # prefix of a TLS-PSK identity) fits MAX_NAME_LENGTH (128)
            base = name[:MAX_NAME_LENGTH - (len(stamp) + 5 + 6)]
            return f"{base}.{stamp}_{self._seq:02d}".replace(" ", "_")

    # -- creating jobs ------------------------------------------------------------
    def new_jcr(self, job_res, **over) -> Jcr:
        d = self.director
        jcr = Jcr(director=d, job_res=job_res)
        jtype = str(over.get("type") or job_res.get("Type") or "Backup")
        jcr.job_type = dict((n.lower(), c) for n, c in jobcodes.JOB_TYPES).get(jtype.lower(), jtype[:1])
        level = over.get("level") or job_res.get("Level")
        if jcr.job_type in (jobcodes.JT_RESTORE, jobcodes.JT_ADMIN, jobcodes.JT_ARCHIVE,
                            jobcodes.JT_CONSOLIDATE):
            jcr.level = jobcodes.L_NONE
        else:
            jcr.level = level_code(level) if level else jobcodes.L_FULL
        jcr.client = d.get("Client", over.get("client") or job_res.get("Client"))
        jcr.fileset = d.get("FileSet", over.get("fileset") or job_res.get("FileSet"))
        jcr.messages_res = d.get("Messages", job_res.get("Messages"))
        storage_name = over.get("storage")
        if storage_name:
            jcr.storage, jcr.storage_source = d.get("Storage", storage_name), "From command input"
        self._choose_pool(jcr, over.get("pool"))
        if jcr.storage is None:
            stores = _as_list(job_res.get("Storage"))
            if stores:
                jcr.storage, jcr.storage_source = d.get("Storage", stores[0]), "From Job resource"
            elif jcr.pool is not None and _as_list(jcr.pool.get("Storage")):
                jcr.storage = d.get("Storage", _as_list(jcr.pool.get("Storage"))[0])
                jcr.storage_source = "From Pool resource"
        cat_name = (jcr.client.get("Catalog") if jcr.client is not None else None) or job_res.get("Catalog")
        jcr.catalog_res = d.get("Catalog", cat_name) if cat_name else d.config.first("Catalog")
        jcr.catalog_source = "From Client resource" if cat_name else "From Default catalog"
        jcr.priority = int(over.get("priority") or job_res.get("Priority") or 10)
        jcr.accurate = bool(over["accurate"]) if over.get("accurate") is not None else \
            bool(job_res.get("Accurate", False))
        jcr.comment = over.get("comment") or ""
        jcr.where = over.get("where") if over.get("where") is not None else job_res.get("Where")
        jcr.regexwhere = over.get("regexwhere") or job_res.get("Regex Where")
        jcr.replace = over.get("replace") or job_res.get("Replace") or "Always"
        jcr.strip_prefix = over.get("strip_prefix") or job_res.get("Strip Prefix")
        jcr.add_prefix = over.get("add_prefix") or job_res.get("Add Prefix")
        jcr.add_suffix = over.get("add_suffix") or job_res.get("Add Suffix")
        if not jcr.regexwhere and (jcr.strip_prefix or jcr.add_prefix or jcr.add_suffix):
            jcr.regexwhere = build_regexwhere(jcr.strip_prefix, jcr.add_prefix, jcr.add_suffix)
        jcr.bootstrap = over.get("bootstrap_text")
        jcr.restore_jobids = over.get("jobids") or ""
        jcr.mac_jobid = int(over["jobid"]) if str(over.get("jobid") or "").isdigit() else None
        jcr.since_cmdline = str(over.get("since") or "")
        jcr.next_pool_name = over.get("nextpool")
        if over.get("spooldata") is not None:
            jcr.spool_data = over["spooldata"]
        if jcr.level == jobcodes.L_VIRTUAL_FULL and over.get("jobid"):   # consolidate.py
            from .consolidate import parse_jobid_list
            jcr.vf_jobids = parse_jobid_list(over["jobid"])
        jcr.verify_job_name = over.get("verifyjob")     # Verify jobs (verify.py)
        jcr.plugin_options = over.get("pluginoptions")
        jcr.sched_time = float(over.get("when") or time.time())
        jcr.triggered_by = over.get("triggered_by") or "User"
        if over.get("messages"):
            jcr.messages_res = d.get("Messages", over["messages"]) or jcr.messages_res
        jcr.run_pools = {k: over[k] for k in ("full_pool", "incremental_pool", "differential_pool")
                         if over.get(k)}
        if jcr.run_pools:
            self.apply_level_pool(jcr)
        jcr.sink = MessageSink(d, jcr.messages_res, jcr)
        return jcr

    def _choose_pool(self, jcr: Jcr, pool_name: str | None) -> None:
        d = self.director
        res = jcr.job_res
        if pool_name:
            jcr.pool, jcr.pool_source = d.get("Pool", pool_name), "From command input"
            return
        jcr.pool, jcr.pool_source = d.get("Pool", res.get("Pool")), "From Job resource"
        self.apply_level_pool(jcr)

    def apply_level_pool(self, jcr: Jcr) -> None:
        d = self.director
        res = jcr.job_res
        run_pools = getattr(jcr, "run_pools", None) or {}
        for level, key, src in ((jobcodes.L_FULL, "full_pool", "Run FullPool override"),
                                (jobcodes.L_INCREMENTAL, "incremental_pool", "Run IncPool override"),
                                (jobcodes.L_DIFFERENTIAL, "differential_pool", "Run DiffPool override")):
            if jcr.level == level and run_pools.get(key):
                jcr.pool, jcr.pool_source = d.get("Pool", run_pools[key]), f"From {src}"
                return
        for level, directive, src in ((jobcodes.L_FULL, "Full Backup Pool", "Job FullPool override"),
                                      (jobcodes.L_INCREMENTAL, "Incremental Backup Pool", "Job IncPool override"),
                                      (jobcodes.L_DIFFERENTIAL, "Differential Backup Pool",
                                       "Job DiffPool override")):
            if jcr.level == level and res.get(directive) and jcr.pool_source != "From command input":
                jcr.pool, jcr.pool_source = d.get("Pool", res.get(directive)), f"From {src}"
                return

    def submit(self, jcr: Jcr) -> int:
        """Create the catalog row (so the JobId is known) and start the job thread."""
        d = self.director
        now = time.time()
        jcr.job = self.unique_job_name(jcr.job_name, jcr.sched_time or now)
        cat = d.catalog
        jcr.jobid = cat.create_job(jcr.job, jcr.job_name, jcr.job_type, jcr.level,
                                   SchedTime=jcr.sched_time, JobStatus=jobcodes.JS_CREATED,
                                   Comment=jcr.comment)
        if jcr.job_type in (jobcodes.JT_COPY, jobcodes.JT_MIGRATE) and \
                getattr(jcr, "mac_jobid", None):
            from .migrate import reserve_new_job
            try:
                reserve_new_job(self, jcr)
            except Exception:  # the worker finds the problem again and reports it
                log.exception("cannot reserve the new job of %s", jcr.job)
        with self._lock:
            self.running[jcr.jobid] = jcr
        t = threading.Thread(target=self._job_thread, args=(jcr,), name=f"job-{jcr.jobid}", daemon=True)
        t.start()
        return jcr.jobid

    # -- concurrency ----------------------------------------------------------------
    def _can_start(self, jcr: Jcr) -> bool:
        d = self.director
        active = [j for j in self.running.values() if j is not jcr and j.status == jobcodes.JS_RUNNING]
        if len(active) >= int(d.resource.get("Maximum Concurrent Jobs") or 1):
            return False
        if sum(1 for j in active if j.job_res.name == jcr.job_res.name) >= \
                int(jcr.job_res.get("Maximum Concurrent Jobs") or 1):
            return False
        if jcr.client is not None and sum(1 for j in active if j.client is not None and
                                          j.client.name == jcr.client.name) >= \
                int(jcr.client.get("Maximum Concurrent Jobs") or 1):
            return False
        if jcr.storage is not None and sum(1 for j in active if j.storage is not None and
                                           j.storage.name == jcr.storage.name) >= \
                int(jcr.storage.get("Maximum Concurrent Jobs") or 1):
            return False
        # priorities: a job waits while a more important one is waiting or running,
        # unless both allow mixed priorities
        for j in self.running.values():
            if j is jcr or j.status not in (jobcodes.JS_RUNNING, jobcodes.JS_CREATED):
                continue
            if j.priority < jcr.priority:
                mixed = allow_mixed_priority(jcr) and allow_mixed_priority(j)
                if not (mixed and j.status == jobcodes.JS_RUNNING):
                    return False
            if j.status == jobcodes.JS_CREATED and j.priority == jcr.priority and j.jobid < jcr.jobid:
                return False
        return True

    def _wait_turn(self, jcr: Jcr) -> None:
        delay = jcr.sched_time - time.time()
        if delay > 0:
            if jcr.cancel_event.wait(delay):
                raise JobCanceled()
        with self._lock:
            while not self._can_start(jcr):
                if jcr.cancel_event.is_set():
                    raise JobCanceled()
                self._lock.wait(1.0)
            jcr.status = jobcodes.JS_RUNNING

    # -- the job thread ------------------------------------------------------------
    def _job_thread(self, jcr: Jcr) -> None:
        d = self.director
        try:
            if not dirplugins.job_start(jcr):      # Director plugins: JobStart, JobInit
                raise JobFailed("Director plugin failed the job")
            if jcr.level == jobcodes.L_VIRTUAL_FULL and jcr.job_type == jobcodes.JT_BACKUP:
                from .consolidate import check_duplicate
                check_duplicate(self, jcr)         # one consolidation per Client/FileSet
            self._wait_turn(jcr)
            jcr.start_time = time.time()
            # Bareos's UpdateJobStartRecord: the catalog shows the job running
            # (JobStatus R) before its Run Before Job scripts
            d.catalog.start_job(jcr.jobid, jcr.start_time)
            if not dirplugins.job_run(jcr):        # bDirEventJobRun
                raise JobFailed("Director plugin failed the job")
            osinfo = v.distname()[0]
            jcr.info(f"Version: {v.VERSION} ({v.BDATE}) {osinfo}\n")
            try:
                runscript.run_director_scripts(jcr, runscript.WHEN_BEFORE)
            except runscript.ScriptFailed as exc:
                raise JobFailed(str(exc)) from None
            if jcr.job_type == jobcodes.JT_BACKUP and jcr.level == jobcodes.L_VIRTUAL_FULL:
                from .migrate import run_virtual_full
                run_virtual_full(self, jcr)
            elif jcr.job_type == jobcodes.JT_BACKUP:
                self._run_backup(jcr)
            elif jcr.job_type in (jobcodes.JT_COPY, jobcodes.JT_MIGRATE):
                from .migrate import run_mac
                run_mac(self, jcr)
            elif jcr.job_type == jobcodes.JT_RESTORE:
                self._run_restore(jcr)
            elif jcr.job_type == jobcodes.JT_VERIFY:
                from .verify import run_verify
                run_verify(self, jcr)
            elif jcr.job_type == jobcodes.JT_CONSOLIDATE:
                from .consolidate import run_consolidate
                run_consolidate(self, jcr)
            elif jcr.job_type == jobcodes.JT_ADMIN:
                jcr.info(f"Start Admin JobId {jcr.jobid}, Job={jcr.job}\n")
                jcr.status = jobcodes.JS_TERMINATED
            else:
                raise JobFailed(f"Job type {jcr.type_name} is not implemented yet by this Director")
        except JobCanceled:
            jcr.status = jobcodes.JS_CANCELED
        except JobFailed as exc:
            jcr.fatal(f"{exc}\n")
        except Exception as exc:  # never let a job bug take the Director down
            log.exception("job %s failed", jcr.job)
            jcr.fatal(f"Director error in job {jcr.job}: {exc}\n")
        finally:
            self._finish(jcr)

    def _finish(self, jcr: Jcr) -> None:
        d = self.director
        jcr.end_time = time.time()
        if jcr.cancel_event.is_set():
            jcr.status = jobcodes.JS_CANCELED
        if jcr.start_time:
            try:
                runscript.run_director_scripts(
                    jcr, runscript.WHEN_AFTER,
                    ok=jcr.status in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS))
            except Exception:
                log.exception("after-job scripts of %s failed", jcr.job)
        try:
            d.catalog.end_job(jcr.jobid, jcr.status, end_time=jcr.end_time,
                              JobFiles=jcr.job_files, JobBytes=jcr.job_bytes, ReadBytes=jcr.read_bytes,
                              JobErrors=jcr.job_errors, VolSessionId=jcr.vol_session_id,
                              VolSessionTime=jcr.vol_session_time, Level=jcr.level,
                              **({"StartTime": _fmt(jcr.start_time)} if jcr.start_time else {}))
        except Exception as exc:
            log.exception("cannot update Job %d in the catalog", jcr.jobid)
            jcr.msg(jmsg.M_ERROR, f"Catalog update of the job record failed: {exc}\n")
        hook = getattr(jcr, "finish_hook", None)      # Copy/Migrate/Virtual Full (migrate.py)
        if hook is not None:
            try:
                hook(jcr)
            except Exception as exc:
                log.exception("end of job %s failed", jcr.job)
                jcr.msg(jmsg.M_ERROR, f"Catalog update at the end of the job failed: {exc}\n")
        if getattr(jcr, "mac_new_job", None) is not None:  # a worker that stopped early
            from .migrate import release_new_job
            release_new_job(jcr)
        try:
            if jcr.job_type == jobcodes.JT_BACKUP:
                self._write_bootstrap(jcr)
            self._report(jcr)
        except Exception:
            log.exception("job report of %s failed", jcr.job)
        ok = jcr.status in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS)
        if ok and jcr.job_type == jobcodes.JT_BACKUP:
            try:  # Bareos's DoAutoprune after a good backup (Client AutoPrune, Job Prune*)
                from .retention import do_autoprune
                do_autoprune(jcr)
            except Exception as exc:
                log.exception("auto prune after %s failed", jcr.job)
                jcr.msg(jmsg.M_ERROR, f"Auto prune failed: {exc}\n")
        dirplugins.job_end(jcr)                    # bDirEventJobEnd (after the report, as Bareos)
        if jcr.sink is not None:
            jcr.sink.job_finished(ok, _term_text(jcr))
        with self._lock:
            self.running.pop(jcr.jobid, None)
            self.recent.append(RecentJob(jcr))
            self.num_jobs_run += 1
            self._lock.notify_all()
        for s in jcr.sockets:
            try:
                s.close()
            except Exception:
                pass
        jcr.done_event.set()

    # -- backup --------------------------------------------------------------------
    def _catalog_ids(self, jcr: Jcr) -> None:
        cat = self.director.catalog
        if jcr.client is not None:
            jcr.client_id = cat.get_or_create_client(
                jcr.client.name, auto_prune=int(bool(jcr.client.get("Auto Prune", False))),
                file_retention=int(jcr.client.get("File Retention") or 0),
                job_retention=int(jcr.client.get("Job Retention") or 0))
        if jcr.fileset is not None:
            jcr.fileset_id = cat.get_or_create_fileset(jcr.fileset.name, fileset_md5(jcr.fileset),
                                                       fileset_text(jcr.fileset))
        if jcr.pool is not None:
            pool = cat.get_pool(name=jcr.pool.name)
            if pool is None:
                cat.sync_pools(self.director.resources("Pool"))
                pool = cat.get_pool(name=jcr.pool.name)
            jcr.pool_id = int(pool["PoolId"]) if pool else 0

    def _determine_level(self, jcr: Jcr) -> None:
        cat = self.director.catalog
        if jcr.since_cmdline:  # run ... since=: that time, whatever the catalog says
            from bareos.cats import parse_time

            jcr.since = jcr.since_cmdline
            jcr.since_time = parse_time(jcr.since_cmdline)
            jcr.info(f"Using since time from command line {jcr.since} (, since={jcr.since})\n")
            return
        if jcr.level not in (jobcodes.L_INCREMENTAL, jobcodes.L_DIFFERENTIAL):
            return
        found = cat.find_job_start_time(jcr.job_name, jcr.client_id, jcr.fileset_id, jcr.level)
        if found is None:
            jcr.info("No prior Full backup Job record found.\n")
            jcr.info("No prior or suitable Full backup found in catalog. Doing FULL backup.\n")
            jcr.level = jobcodes.L_FULL
            jcr.since = ""
            self.apply_level_pool(jcr)
            return
        start, prev_job = found
        jcr.since = start
        jcr.prev_job = prev_job
        from bareos.cats import parse_time

        jcr.since_time = parse_time(start)

    def _run_backup(self, jcr: Jcr) -> None:
        d = self.director
        if jcr.client is None or jcr.fileset is None or jcr.storage is None or jcr.pool is None:
            raise JobFailed("Backup job needs a Client, FileSet, Storage and Pool")
        self._catalog_ids(jcr)
        self._determine_level(jcr)
        if jcr.since:
            jcr.info(f"Start Backup JobId {jcr.jobid}, Job={jcr.job}\n")
        else:
            jcr.info(f"Start Backup JobId {jcr.jobid}, Job={jcr.job}\n")
        d.catalog.start_job(jcr.jobid, jcr.start_time, ClientId=jcr.client_id, FileSetId=jcr.fileset_id,
                            PoolId=jcr.pool_id, Level=jcr.level)
        sd = StorageSession(jcr, jcr.storage, d.catalog)
        fd = ClientSession(jcr, jcr.client)
        try:
            jcr.check_canceled()
            sd.connect()
            sd.start_job(fileset_md5(jcr.fileset), write=True)
            jcr.check_canceled()
            fd.connect()
            fd.send_job_info(storage_uses_tls(jcr.storage))
            d.catalog.update_client(jcr.client_id, Uname=jcr.fd_uname)
            fd.send_level()
            fd.send_fileset()
            opts = [o for o in _as_list(jcr.job_res.get("Fd Plugin Options"))]
            if jcr.plugin_options:
                opts.append(jcr.plugin_options)
            fd.send_plugin_options(opts)
            fd.secure_erase()
            limit = job_bandwidth(jcr)
            if limit > 0:
                fd.send_bandwidth(limit)
            fd.send_client_scripts(*runscript.client_script_lines(jcr))
            if jcr.accurate and jcr.level != jobcodes.L_FULL:
                fd.send_accurate(self._accurate_entries(jcr))
            sd.reserve(write=True)
            if fd.passive:
                _check_passive(fd, jcr)
                address, port = client_address_for(jcr.client, jcr.storage)
                sd.passive_client(address, port, fd.tls_policy_for_passive())
            else:
                address, port = storage_address_for(jcr.client, jcr.storage)
                fd.send_storage(address, port, storage_uses_tls(jcr.storage))
            sd.run()
            fd.start_backup()
            fd.wait_end()
            if jcr.fd_status != jobcodes.JS_TERMINATED and not sd.ended.is_set():
                sd.cancel()
            sd.wait_end()
        except JobCanceled:
            sd.cancel()
            raise
        finally:
            fd.close()
            sd.close()
            sd.wait_end(5)
        jcr.status = final_status(jcr)

    def _accurate_entries(self, jcr: Jcr) -> list[bytes]:
        cat = self.director.catalog
        level = jcr.level
        jobids = cat.accurate_jobids(jcr.client_id, jcr.fileset_id, level)
        entries = []
        for row in cat.select_recent_files(jobids):
            if int(row.get("FileIndex") or 0) == 0:
                continue
            name = (row.get("Path") or "") + (row.get("Name") or "")
            md5 = row.get("Md5") or ""
            if md5 == "0":
                md5 = ""
            entries.append(name.encode("utf-8", "surrogateescape") + b"\0" +
                           (row.get("LStat") or "").encode() + b"\0" + md5.encode() + b"\0" +
                           str(row.get("DeltaSeq") or 0).encode())
        return entries

    def _write_bootstrap(self, jcr: Jcr) -> None:
        path = jcr.job_res.get("Write Bootstrap")
        if not path or jcr.status not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
            return
        text = bsrmod.bootstrap_for_jobs(self.director.catalog, [jcr.jobid], self.director)
        path = path.replace("%c", jcr.client_name).replace("%n", jcr.job_name).replace(
            "%j", jcr.job).replace("%i", str(jcr.jobid))
        try:
            if path.startswith("|"):
                import subprocess

                subprocess.run(path[1:], shell=True, input=text, text=True, timeout=120)
            else:
                mode = "w" if jcr.level == jobcodes.L_FULL else "a"
                with open(path, mode, encoding="utf-8") as f:
                    f.write(text)
        except (OSError, Exception) as exc:
            jcr.msg(jmsg.M_ERROR, f'Could not write bootstrap file "{path}": {exc}\n')

    # -- restore -----------------------------------------------------------------
    def _run_restore(self, jcr: Jcr) -> None:
        d = self.director
        if jcr.client is None:
            raise JobFailed("Restore job needs a Client")
        if not jcr.bootstrap:
            if jcr.job_res.get("Bootstrap"):
                try:
                    with open(jcr.job_res.get("Bootstrap"), encoding="utf-8") as f:
                        jcr.bootstrap = f.read()
                except OSError as exc:
                    raise JobFailed(f"Cannot read the bootstrap file: {exc}") from None
            else:
                raise JobFailed("Restore job has no bootstrap (nothing selected)")
        self._catalog_ids(jcr)
        d.catalog.start_job(jcr.jobid, jcr.start_time, ClientId=jcr.client_id)
        jcr.info(f"Start Restore Job {jcr.job}\n")
        parts = bsrmod.split_by_storage(jcr.bootstrap)
        fd = ClientSession(jcr, jcr.client)
        first = True
        try:
            for storage_name, bsr_text in parts:
                store = d.get("Storage", storage_name) if storage_name else None
                store = store or jcr.storage
                if store is None:
                    raise JobFailed(f'Storage "{storage_name}" of the bootstrap is not defined')
                jcr.storage = store
                sd = StorageSession(jcr, store, d.catalog)
                try:
                    sd.connect()
                    sd.start_job(None, write=False)
                    sd.reserve(write=False)
                    if first:
                        fd.connect()
                        fd.send_job_info(storage_uses_tls(store))
                        fd.secure_erase()
                    sd.send_bootstrap(bsr_text)
                    connect_for_reading(jcr, fd, sd, store)
                    if first:
                        opts = []
                        if jcr.plugin_options:
                            opts.append(jcr.plugin_options)
                        fd.send_plugin_options(opts)
                        from bareos.plugins.restore_objects import send_restore_objects
                        send_restore_objects(jcr, fd, d.catalog)
                        first = False
                    # as Bareos: the restore command for every storage part;
                    # the FD reads that part's session, answers "storage end"
                    # and waits for the next storage and restore commands
                    fd.start_restore()
                    self._wait_storage_end(fd, jcr)
                    sd.wait_end()
                finally:
                    sd.close()
                    sd.wait_end(5)
            fd.end_restore()
            fd.wait_end()
        finally:
            fd.close()
        jcr.status = final_status(jcr, restore=True)

    def _wait_storage_end(self, fd: ClientSession, jcr: Jcr) -> None:
        """Wait for the FD's `2000 OK storage end` after one storage part."""
        while True:
            msg = fd._reply(timeout=None)
            if msg.startswith("2000 OK storage end"):
                return
            if msg.startswith("2800 End Job"):
                raise JobFailed(f"File daemon ended the restore early: {msg.strip()}")
            log.debug("FD message during restore: %s", msg.strip())

    # -- cancel and wait --------------------------------------------------------------
    def cancel(self, jobid: int) -> Jcr | None:
        with self._lock:
            jcr = self.running.get(jobid)
        if jcr is not None:
            jcr.cancel()
            with self._lock:
                self._lock.notify_all()
        return jcr

    def wait(self, jobid: int | None = None, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.time() + timeout
        while True:
            with self._lock:
                if jobid is None:
                    pending = list(self.running.values())
                else:
                    pending = [self.running[jobid]] if jobid in self.running else []
            if not pending:
                return True
            for jcr in pending:
                left = None if deadline is None else max(0.0, deadline - time.time())
                if not jcr.done_event.wait(left):
                    return False

    # -- the report ----------------------------------------------------------------
    def _report(self, jcr: Jcr) -> None:
        if getattr(jcr, "report_hook", None) is not None:
            text = jcr.report_hook(jcr)
        elif jcr.job_type == jobcodes.JT_BACKUP:
            text = backup_report(jcr)
        elif jcr.job_type == jobcodes.JT_RESTORE:
            text = restore_report(jcr)
        elif jcr.job_type == jobcodes.JT_ADMIN:
            text = admin_report(jcr)
        else:
            text = f"Bareos {self.director.name} {v.VERSION}: {jcr.type_name} job {jcr.job} " \
                   f"{_term_text(jcr)}\n"
        mtype = jmsg.M_TERM if jcr.status in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS) else jmsg.M_ERROR_TERM
        # the report is one message; the term type is what Messages resources route on
        full = jmsg.message_text(self.director.name, jcr.jobid, jmsg.M_INFO, text)
        if jcr.sink is not None:
            jcr.sink.deliver(mtype, full)


def _fmt(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def level_code(level) -> str:
    text = str(level).strip().lower()
    for name, code, _t in jobcodes.JOB_LEVELS:
        if name.lower() == text:
            return code
    if len(text) == 1:
        return str(level)
    return jobcodes.L_FULL


def job_bandwidth(jcr) -> int:
    """The job's bandwidth limit for the client: the Job's Maximum
    Bandwidth, else the Client's Maximum Bandwidth Per Job (0 = none)."""
    limit = int(jcr.job_res.get("Maximum Bandwidth") or 0)
    if limit <= 0 and jcr.client is not None:
        limit = int(jcr.client.get("Maximum Bandwidth Per Job") or 0)
    return max(0, limit)


def storage_address_for(client_res, storage_res) -> tuple[str, int]:
    """The SD address the FD is told to use (Lan Address only when both have one)."""
    lan_client = client_res.get("Lan Address") if client_res is not None else None
    lan_store = storage_res.get("Lan Address")
    address = lan_store if (lan_client and lan_store) else storage_res.get("Address")
    return address, int(storage_res.get("Port") or 9103)


def client_address_for(client_res, storage_res) -> tuple[str, int]:
    """The FD address the SD is told to call for a passive client (Lan Address
    only when both the Client and the Storage have one)."""
    lan_client = client_res.get("Lan Address")
    lan_store = storage_res.get("Lan Address") if storage_res is not None else None
    address = lan_client if (lan_client and lan_store) else client_res.get("Address")
    return address, int(client_res.get("Port") or 9102)


def connect_for_reading(jcr, fd, sd, store) -> None:
    """Start the SD's read job and bring the FD and the SD together: the
    SD dials a passive client, else the FD is told the SD's address."""
    if fd.passive:
        _check_passive(fd, jcr)
        fd.send_authorization()
        address, port = client_address_for(jcr.client, store)
        sd.passive_client(address, port, fd.tls_policy_for_passive())
        sd.run()
    else:
        sd.run()
        address, port = storage_address_for(jcr.client, store)
        fd.send_storage_restore(address, port, storage_uses_tls(store))


def _check_passive(fd, jcr) -> None:
    if fd.fd_version and fd.fd_version < 51:
        raise JobFailed(f'Client "{jcr.client.name}" doesn\'t support passive client mode. '
                        "Please upgrade your client or disable compat mode.")


def final_status(jcr: Jcr, restore: bool = False) -> str:
    if jcr.cancel_event.is_set():
        return jobcodes.JS_CANCELED
    for s in (jcr.status, jcr.fd_status, jcr.sd_status):
        if s in FINAL_BAD:
            return jobcodes.JS_ERROR_TERMINATED if s != jobcodes.JS_CANCELED else s
    if jcr.fd_status not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
        return jobcodes.JS_ERROR_TERMINATED
    if jcr.sd_status not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
        return jobcodes.JS_ERROR_TERMINATED
    if jcr.job_errors or jcr.sd_errors or jcr.fd_status == jobcodes.JS_WARNINGS:
        return jobcodes.JS_WARNINGS
    return jobcodes.JS_TERMINATED


_TERM = {
    jobcodes.JS_TERMINATED: "OK", jobcodes.JS_WARNINGS: "OK -- with warnings",
    jobcodes.JS_FATAL_ERROR: "*** {t} Error ***", jobcodes.JS_ERROR_TERMINATED: "*** {t} Error ***",
    jobcodes.JS_CANCELED: "{t} Canceled",
}


def _term_text(jcr: Jcr) -> str:
    t = jcr.type_name
    if jcr.job_type == jobcodes.JT_VERIFY:
        from .verify import verify_term_text
        return verify_term_text(jcr.status)
    if jcr.status in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
        return f"{t} {_TERM[jcr.status]}"
    return _TERM.get(jcr.status, "Inappropriate {t} term code").format(t=t)


def _daemon_status_text(code: str) -> str:
    return {jobcodes.JS_TERMINATED: "OK", jobcodes.JS_WARNINGS: "OK -- with warnings",
            jobcodes.JS_CANCELED: "Canceled", jobcodes.JS_FATAL_ERROR: "Fatal Error",
            jobcodes.JS_ERROR_TERMINATED: "Error", jobcodes.JS_WAIT_FD: "Waiting on FD",
            jobcodes.JS_WAIT_SD: "Waiting on SD", jobcodes.JS_RUNNING: "Running",
            jobcodes.JS_CREATED: "Created"}.get(code, f"Unknown term code ({code})")


def _size(n: int) -> str:
    return f"{edit_uint64_with_commas(n)} ({edit_uint64_with_suffix(n)}B)"


def _when(t: float) -> str:
    return time.strftime("%d-%b-%Y %H:%M:%S", time.localtime(t)) if t else ""


def _elapsed(jcr: Jcr) -> tuple[int, str]:
    secs = max(0, int(round(jcr.end_time - jcr.start_time))) if jcr.start_time else 0
    if secs < 60:
        text = f"{secs} sec{'s' if secs != 1 else ''}"
    else:
        m, s = divmod(secs, 60)
        h, m = divmod(m, 60)
        text = (f"{h} hour{'s' if h != 1 else ''} " if h else "") + \
            f"{m} min{'s' if m != 1 else ''} {s} sec{'s' if s != 1 else ''}"
    return secs, text


def _header(jcr: Jcr) -> str:
    d = jcr.director
    osinfo = v.distname()[0]
    bd = time.strftime("%d%b%y", time.strptime(v.BDATE, "%d %B %Y"))
    return f"Bareos {d.name} {v.VERSION} ({bd}):\n  OS Information:         {osinfo}\n"


# Bareos's compression option codes in its table order (the first match names the
# algorithm: "Z6" is "gzip", not "gzip6")
_COMPRESSION_CODES = (("Z6", "gzip"),) + tuple((f"Z{i}", f"gzip{i}") for i in range(1, 10)) + (
    ("Zo", "lzo"), ("Zff", "lzfast"), ("Zf4", "lz4"), ("Zfh", "lz4hc"))


def used_compression_algos(fileset) -> str:
    """" (gzip,lz4)" for the compressions a FileSet's Options ask for, "" for none."""
    names = []
    try:
        items = fileset_wire_items(fileset) if fileset is not None else []
    except Exception:  # noqa: BLE001 - the report must not fail on it
        items = []
    for item in items:
        if not item.startswith("O "):
            continue
        letters = item[2:].rstrip("\n")
        k = 0
        while k < len(letters):
            if letters[k] == "Z":
                for code, name in _COMPRESSION_CODES:
                    if letters.startswith(code, k):
                        names.append(name)
                        k += len(code) - 1
                        break
            k += 1
    return f" ({','.join(names)})" if names else ""


def backup_report(jcr: Jcr) -> str:
    d = jcr.director
    secs, elapsed = _elapsed(jcr)
    rate = (jcr.job_bytes / secs / 1000) if secs else 0.0
    # as Bareos: "None" unless the FileSet compresses, then the saving and the algorithms
    algos = used_compression_algos(jcr.fileset)
    ratio = "None"
    if jcr.read_bytes and algos:
        ratio = f"{100.0 - 100.0 * (jcr.job_bytes / jcr.read_bytes):.1f} %{algos}"
    fs_time = ""
    try:
        row = d.catalog.get_fileset(jcr.fileset_id) if jcr.fileset_id else None
        fs_time = str(row.get("CreateTime") or "") if row else ""
    except Exception:
        pass
    client_line = f'"{jcr.client_name}" {jcr.fd_uname}'.rstrip()
    lines = [
        _header(jcr).rstrip("\n"),
        f"  JobId:                  {jcr.jobid}",
        f"  Job:                    {jcr.job}",
        f"  Backup Level:           {jcr.level_name}{' (upgraded from ' + jcr.upgraded_msg + ')' if jcr.upgraded_msg else ''}"
        + (f", since={jcr.since}" if jcr.since else ""),
        f"  Client:                 {client_line}",
        f'  FileSet:                "{jcr.fileset.name if jcr.fileset else ""}" {fs_time}'.rstrip(),
        f'  Pool:                   "{jcr.pool.name if jcr.pool else ""}" ({jcr.pool_source})',
        f'  Catalog:                "{jcr.catalog_res.name if jcr.catalog_res else ""}" ({jcr.catalog_source})',
        f'  Storage:                "{jcr.storage.name if jcr.storage else ""}" ({jcr.storage_source})',
        f"  Scheduled time:         {_when(jcr.sched_time)}",
        f"  Start time:             {_when(jcr.start_time)}",
        f"  End time:               {_when(jcr.end_time)}",
        f"  Elapsed time:           {elapsed}",
        f"  Priority:               {jcr.priority}",
        f"  Allow Mixed Priority:   {'yes' if allow_mixed_priority(jcr) else 'no'}",
        f"  FD Files Written:       {edit_uint64_with_commas(jcr.job_files)}",
        f"  SD Files Written:       {edit_uint64_with_commas(jcr.sd_files)}",
        f"  FD Bytes Read:          {_size(jcr.read_bytes)}",
        f"  FD Bytes Written:       {_size(jcr.job_bytes)}",
        f"  SD Bytes Written:       {_size(jcr.sd_bytes)}",
        f"  Rate:                   {rate:.1f} KB/s",
        f"  Software Compression:   {ratio}",
        "  VSS:                    no",
        "  Encryption:             no",
        f"  Accurate:               {'yes' if jcr.accurate else 'no'}",
        f"  Volume name(s):         {'|'.join(jcr.volumes)}",
        f"  Volume Session Id:      {jcr.vol_session_id}",
        f"  Volume Session Time:    {jcr.vol_session_time}",
        f"  Last Volume Bytes:      {_size(jcr.last_volume_bytes)}",
        f"  Non-fatal FD errors:    {jcr.job_errors}",
        f"  SD Errors:              {jcr.sd_errors}",
        f"  FD termination status:  {_daemon_status_text(jcr.fd_status)}",
        f"  SD termination status:  {_daemon_status_text(jcr.sd_status)}",
        f"  Bareos binary info:     {v.BINARY_INFO}",
        f"  Job triggered by:       {jcr.triggered_by}",
        f"  Termination:            {_term_text(jcr)}",
    ]
    return "\n".join(lines) + "\n\n"


#: Bareos's MAX_NAME_LENGTH (name buffers of 128 bytes with the final NUL)
MAX_NAME_LENGTH = 128


def fileset_text(fileset) -> str:
    """FileSet.FileSetText: the resource as `show fileset` prints it (Bareos's
    PrintConfig, not verbose, nothing hidden)."""
    from bareos.lib.config import format_resource

    try:
        return format_resource(fileset, False)
    except Exception:  # the text is informational; the MD5 identifies the FileSet
        log.exception("cannot print FileSet %s", fileset.name)
        return "\n".join(fileset_wire_items(fileset))


def admin_report(jcr: Jcr) -> str:
    """Bareos's AdminCleanup report."""
    bd = time.strftime("%d%b%y", time.strptime(v.BDATE, "%d %B %Y"))
    lines = [
        f"BAREOS {v.VERSION} ({bd}): {_when(jcr.end_time)}",
        f"  JobId:                  {jcr.jobid}",
        f"  Job:                    {jcr.job}",
        f"  Scheduled time:         {_when(jcr.sched_time)}",
        f"  Start time:             {_when(jcr.start_time)}",
        f"  End time:               {_when(jcr.end_time)}",
        f"  Bareos binary info:     {v.BINARY_INFO}",
        f"  Job triggered by:       {jcr.triggered_by}",
        f"  Termination:            {_term_text(jcr)}",
    ]
    return "\n".join(lines) + "\n\n"


def restore_report(jcr: Jcr) -> str:
    secs, elapsed = _elapsed(jcr)
    rate = (jcr.job_bytes / secs / 1000) if secs else 0.0
    lines = [
        _header(jcr).rstrip("\n"),
        f"  JobId:                  {jcr.jobid}",
        f"  Job:                    {jcr.job}",
        f"  Restore Client:         \"{jcr.client_name}\" {jcr.fd_uname}".rstrip(),
        f"  Start time:             {_when(jcr.start_time)}",
        f"  End time:               {_when(jcr.end_time)}",
        f"  Elapsed time:           {elapsed}",
        f"  Files Expected:         {edit_uint64_with_commas(jcr.sd_files or jcr.job_files)}",
        f"  Files Restored:         {edit_uint64_with_commas(jcr.job_files)}",
        f"  Bytes Restored:         {_size(jcr.job_bytes)}",
        f"  Rate:                   {rate:.1f} KB/s",
        f"  FD Errors:              {jcr.job_errors}",
        f"  FD termination status:  {_daemon_status_text(jcr.fd_status)}",
        f"  SD termination status:  {_daemon_status_text(jcr.sd_status)}",
        f"  Bareos binary info:     {v.BINARY_INFO}",
        f"  Job triggered by:       {jcr.triggered_by}",
        f"  Termination:            {_term_text(jcr)}",
    ]
    return "\n".join(lines) + "\n\n"
