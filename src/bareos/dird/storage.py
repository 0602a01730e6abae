"""The Director's side of a job's Storage Daemon session (bareos/bareos:
core/src/dird/msgchan.cc semantics): job command, reservation, bootstrap,
`run`, and the message thread that serves the SD's catalog requests until the
SD reports the end of the job.
"""

from __future__ import annotations

import logging
import re
import threading

from bareos.lib import bnet, jmsg, jobcodes
from bareos.lib.bnet import BnetError, bash_spaces

from .catreq import CatalogService
from . import consolidate
from .daemonconn import Connected, DaemonConnectError, connect_daemon, recv_text
from .jcr import JobFailed

log = logging.getLogger("bareos.dird.storage")

_OK_JOB = re.compile(r"3000 OK Job SDid=(\d+) SDtime=(\d+) Authorization=(\S+)")
_JOB_END = re.compile(r"3099 Job (\S+) end JobStatus=(\d+) JobFiles=(\d+) JobBytes=(\d+) JobErrors=(\d+)")
_STATUS = re.compile(r"Status Job=(\S+) JobStatus=(\d+)")


def _md5_or_dummy(fileset_md5: str | None) -> str:
    return fileset_md5 or "**Dummy**"


class StorageSession:
    def __init__(self, jcr, storage_res, catalog):
        self.jcr = jcr
        self.res = storage_res
        self.catalog = catalog
        self.conn: Connected | None = None
        self.thread: threading.Thread | None = None
        self.ended = threading.Event()
        self.end_status: str | None = None
        self.service = CatalogService(jcr, catalog)
        self._lock = threading.Lock()
        self._closing = False

    #: seconds close() gives the SD to end its side of a job that failed early
    CLOSE_GRACE = 2.0

    @property
    def bs(self):
        return self.conn.bsock

    # -- setup -------------------------------------------------------------------
    def connect(self) -> None:
        jcr = self.jcr
        try:
            self.conn = connect_daemon(jcr.director, self.res, "storage", cancel_event=jcr.cancel_event)
        except DaemonConnectError as exc:
            raise JobFailed(str(exc)) from None
        jcr.sockets.append(self.bs)
        enc = self.conn.cipher_text()
        jcr.info(f"Connected Storage daemon at {self.conn.address}:{self.conn.port}, encryption: {enc}\n")
        jcr.info(f" Encryption: {enc}\n")

    def _reply(self) -> str:
        """The next answer line; catalog requests arriving meanwhile are served."""
        while True:
            msg = recv_text(self.bs, timeout=600)
            if isinstance(msg, int):
                raise JobFailed(f"Storage daemon sent signal {bnet.signal_name(msg)} instead of an answer")
            if self._handle_async(msg):
                continue
            return msg

    def start_job(self, fileset_md5: str | None, write: bool = True) -> None:
        jcr = self.jcr
        self.send_plugin_options()
        pool = jcr.pool
        no_attr = 0 if (pool is None or pool.get("Catalog Files", True)) else 1
        spool_attr = 1 if jcr.job_res.get("Spool Attributes", False) else 0
        spool_data = 1 if consolidate.spool_data(jcr) else 0
        prefer = 1 if jcr.job_res.get("Prefer Mounted Volumes", True) else 0
        spool_size = int(jcr.job_res.get("Spool Size") or 0)
        client = bash_spaces(jcr.client.name) if jcr.client is not None else "**None**"
        fileset = bash_spaces(jcr.fileset.name) if jcr.fileset is not None else "**None**"
        fmt = jcr.job_res.get("Backup Format") or "Native"
        line = (f"JobId={jcr.jobid} job={jcr.job} job_name={bash_spaces(jcr.job_name)} "
                f"client_name={client} type={ord(jcr.job_type)} level={ord(jcr.level)} "
                f"FileSet={fileset} NoAttr={no_attr} SpoolAttr={spool_attr} "
                f"FileSetMD5={_md5_or_dummy(fileset_md5)} SpoolData={spool_data} "
                f"PreferMountedVols={prefer} SpoolSize={spool_size} rerunning=0 "
                f"VolSessionId=0 VolSessionTime=0 Quota=0 Protocol=0 BackupFormat={fmt}\n")
        self.bs.send(line)
        reply = self._reply()
        m = _OK_JOB.match(reply)
        if m is None:
            raise JobFailed(f"Storage daemon refused the job: {reply.strip()}")
        jcr.vol_session_id = int(m.group(1))
        jcr.vol_session_time = int(m.group(2))
        jcr.sd_auth = m.group(3)
        self.bs.send("getSecureEraseCmd\n")
        self._reply()

    def send_plugin_options(self) -> None:
        """The Job's `Sd Plugin Options`, each as `pluginoptions` before the
        job command (Bareos's SendStoragePluginOptions)."""
        opts = self.jcr.job_res.get("Sd Plugin Options") or []
        for opt in [opts] if isinstance(opts, str) else opts:
            self.bs.send(f"pluginoptions {bash_spaces(str(opt))}\n")
            reply = self._reply()
            if not reply.startswith("2000 OK"):
                raise JobFailed(f"Storage daemon rejected Plugin Options command: {reply.strip()}")

    def reserve(self, write: bool) -> str:
        """`use storage=` / `use device=` reservation; returns the device name."""
        jcr = self.jcr
        res = self.res
        media_type = res.get("Media Type") or ""
        pool = jcr.pool
        pool_name = pool.name if pool is not None else "*None*"
        pool_type = (pool.get("Pool Type") if pool is not None else None) or "Backup"
        self.bs.send(f"use storage={bash_spaces(res.name)} media_type={bash_spaces(media_type)} "
                     f"pool_name={bash_spaces(pool_name)} pool_type={bash_spaces(pool_type)} "
                     f"append={1 if write else 0} copy=0 stripe=0\n")
        devices = res.get("Device") or []
        if isinstance(devices, str):
            devices = [devices]
        for dev in devices:
            self.bs.send(f"use device={bash_spaces(dev)}\n")
        self.bs.signal(bnet.BNET_EOD)
        self.bs.signal(bnet.BNET_EOD)
        reply = self._reply()
        if not reply.startswith("3000 OK use device device="):
            raise JobFailed(f"Storage daemon could not reserve a device: {reply.strip()}")
        device = bnet.unbash_spaces(reply.split("device=", 1)[1].strip())
        jcr.info(f'Using Device "{device}" to {"write" if write else "read"}.\n')
        return device

    def send_bootstrap(self, bsr_text: str) -> None:
        self.bs.send("bootstrap\n")
        for line in bsr_text.splitlines(keepends=True):
            self.bs.send(line)
        self.bs.signal(bnet.BNET_EOD)
        reply = self._reply()
        if not reply.startswith("3000 OK bootstrap"):
            raise JobFailed(f"Storage daemon refused the bootstrap: {reply.strip()}")

    def passive_client(self, address: str, port: int, tls_policy: int) -> None:
        """Passive client: the SD is told to connect to the FD (connection 7)."""
        self.bs.send(f"passive client address={address} port={port} ssl={tls_policy}\n")
        reply = self._reply()
        if not reply.startswith("2000 OK passive client"):
            raise JobFailed(f"Storage daemon could not connect to the passive client: {reply.strip()}")

    def run(self) -> None:
        self.bs.send("run")
        self.thread = threading.Thread(target=self._message_loop, name=f"sd-msgs-{self.jcr.jobid}",
                                       daemon=True)
        self.thread.start()

    # -- the message thread ----------------------------------------------------------
    def _handle_async(self, msg: str) -> bool:
        """Messages that may come at any time; True if handled."""
        jcr = self.jcr
        if msg.startswith("Jmsg "):
            m = jmsg.parse_jmsg(msg)
            if m is not None:
                if m.mtype == jmsg.M_ERROR:
                    jcr.sd_errors += 1
                if jcr.sink is not None:
                    jcr.sink.deliver(m.mtype, m.text, m.mtime or None)
            return True
        if msg.startswith("CatReq ") or msg.startswith("Catreq "):
            with self._lock:
                answer = self.service.cat_req(msg)
            if answer is not None:
                self.bs.send(answer)
            return True
        if msg.startswith("UpdCat "):
            with self._lock:
                self.service.upd_cat(msg.encode("utf-8", "surrogateescape"))
            return True
        if msg.startswith("Status Job="):
            m = _STATUS.match(msg)
            if m:
                old, jcr.sd_status = jcr.sd_status, chr(int(m.group(2)))
                from . import maxwait
                maxwait.sd_status_changed(jcr, old, jcr.sd_status)   # Max Wait Time
            return True
        if msg.startswith("3010 Job"):
            return True
        return False

    def _message_loop(self) -> None:
        jcr = self.jcr
        recv = self.bs.recv
        upd_cat = self.service.upd_cat
        lock = self._lock
        try:
            while True:
                raw = recv(timeout=None)
                if raw.__class__ is int:
                    if raw == bnet.BNET_TERMINATE:
                        break
                    if raw == bnet.BNET_HEARTBEAT:
                        log.debug("job %s: heartbeat from the Storage daemon", jcr.job)
                    continue
                if raw.startswith(b"UpdCat "):          # most messages: file attributes
                    with lock:
                        upd_cat(raw)
                    continue
                msg = raw.decode("utf-8", "replace")
                if self._handle_async(msg):
                    continue
                m = _JOB_END.match(msg)
                if m:
                    self.end_status = chr(int(m.group(2)))
                    jcr.sd_status = self.end_status
                    jcr.sd_files = int(m.group(3))
                    jcr.sd_bytes = int(m.group(4))
                    jcr.sd_errors += int(m.group(5))
                    continue
                log.debug("SD message ignored: %s", msg.strip())
        except (BnetError, OSError, TimeoutError) as exc:
            if self.end_status is None and not jcr.cancel_event.is_set() and not self._closing:
                jcr.msg(jmsg.M_ERROR, f"Storage daemon connection lost: {exc}\n")
        finally:
            with self._lock:
                try:
                    self.service.finish()
                except Exception as exc:
                    jcr.msg(jmsg.M_ERROR, f"Inserting file attributes failed: {exc}\n")
            if self.end_status is None:
                jcr.sd_status = jobcodes.JS_ERROR_TERMINATED if not jcr.cancel_event.is_set() \
                    else jobcodes.JS_CANCELED
            self.ended.set()

    def wait_end(self, timeout: float | None = None) -> bool:
        return self.ended.wait(timeout)

    def cancel(self) -> None:
        """Cancel the SD's side of the job.

        The SD does not read the job's connection while it waits for the File
        Daemon, so when the job does not end soon the cancel also goes over a
        connection of its own, as Bareos's cancel does.
        """
        try:
            self.bs.send(f"cancel Job={self.jcr.job}\n")
        except (BnetError, OSError):
            pass
        if self.thread is None or self.ended.wait(2.0):
            return
        try:
            conn = connect_daemon(self.jcr.director, self.res, "storage", timeout=10)
        except (DaemonConnectError, OSError) as exc:
            log.warning("cannot connect to the Storage daemon to cancel %s: %s", self.jcr.job, exc)
            return
        try:
            conn.bsock.send(f"cancel Job={self.jcr.job}\n")
            recv_text(conn.bsock, timeout=15)
        except (BnetError, OSError, TimeoutError):
            pass
        finally:
            conn.bsock.terminate()

    def close(self) -> None:
        if self.conn is None:
            return
        thread = self.thread
        if thread is None or not thread.is_alive() or thread is threading.current_thread():
            self.bs.terminate()
            return
        # The message thread is still reading (the job failed before the SD
        # ended): closing TLS from here would run OpenSSL on the connection in
        # two threads at once (close_notify against SSL_read), which corrupts
        # the Director's heap.  Say goodbye, give the SD a moment to end its
        # side (its last status arrives on the message thread), then wake the
        # reader by shutting the socket down, and close once it is done.
        self._closing = True
        try:
            self.bs.signal(bnet.BNET_TERMINATE)
        except (BnetError, OSError):
            pass
        if not self.ended.wait(self.CLOSE_GRACE):
            self.bs.shutdown()
            thread.join(10)
        self.bs.close()
