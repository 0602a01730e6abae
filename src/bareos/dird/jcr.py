"""The job control record: everything the Director knows about one running job."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bareos.lib import jmsg, jobcodes

STATUS_TEXT = {
    jobcodes.JS_CREATED: "is waiting execution",
    jobcodes.JS_RUNNING: "is running",
    jobcodes.JS_BLOCKED: "is blocked",
    jobcodes.JS_TERMINATED: "has terminated",
    jobcodes.JS_WARNINGS: "has terminated with warnings",
    jobcodes.JS_ERROR_TERMINATED: "has erred",
    jobcodes.JS_ERROR: "has errors",
    jobcodes.JS_FATAL_ERROR: "has a fatal error",
    jobcodes.JS_DIFFERENCES: "has verify differences",
    jobcodes.JS_CANCELED: "has been canceled",
    jobcodes.JS_WAIT_FD: "is waiting on Client",
    jobcodes.JS_WAIT_SD: "is waiting on Storage",
    jobcodes.JS_WAIT_MEDIA: "is waiting for an appendable Volume",
    jobcodes.JS_WAIT_MOUNT: "is waiting for a mount request",
    jobcodes.JS_WAIT_STORE_RES: "is waiting on max Storage jobs",
    jobcodes.JS_WAIT_JOB_RES: "is waiting on max Job jobs",
    jobcodes.JS_WAIT_CLIENT_RES: "is waiting on max Client jobs",
    jobcodes.JS_WAIT_MAX_JOBS: "is waiting on max total jobs",
    jobcodes.JS_WAIT_START_TIME: "is waiting for its start time",
    jobcodes.JS_WAIT_PRIORITY: "is waiting for higher priority jobs to finish",
    jobcodes.JS_DATA_COMMITTING: "is committing data",
    jobcodes.JS_DATA_DESPOOLING: "is despooling data",
    jobcodes.JS_ATTR_DESPOOLING: "is despooling attributes",
    jobcodes.JS_ATTR_INSERTING: "is inserting file attributes",
}

# Statuses that end a job; the first non-OK one wins.
FINAL_BAD = (jobcodes.JS_FATAL_ERROR, jobcodes.JS_ERROR_TERMINATED, jobcodes.JS_CANCELED,
             jobcodes.JS_INCOMPLETE, jobcodes.JS_DIFFERENCES)


class JobCanceled(Exception):
    pass


class JobFailed(Exception):
    """A job step failed; the message goes into the job log as a fatal error."""


@dataclass
class Jcr:
    director: Any
    job_res: Any
    jobid: int = 0
    job: str = ""                      # unique job name
    job_type: str = jobcodes.JT_BACKUP
    level: str = jobcodes.L_FULL
    client: Any = None
    fileset: Any = None
    pool: Any = None
    pool_source: str = ""
    storage: Any = None
    storage_source: str = ""
    catalog_res: Any = None
    catalog_source: str = ""
    messages_res: Any = None
    priority: int = 10
    sched_time: float = field(default_factory=time.time)
    start_time: float = 0.0
    end_time: float = 0.0
    status: str = jobcodes.JS_CREATED
    fd_status: str = jobcodes.JS_WAIT_FD
    sd_status: str = jobcodes.JS_WAIT_SD
    job_files: int = 0
    job_bytes: int = 0
    read_bytes: int = 0
    job_errors: int = 0
    sd_files: int = 0
    sd_bytes: int = 0
    sd_errors: int = 0
    vol_session_id: int = 0
    vol_session_time: int = 0
    sd_auth: str = ""
    fd_uname: str = ""
    since: str = ""
    since_time: float | None = None
    prev_job: str = ""
    accurate: bool = False
    comment: str = ""
    triggered_by: str = "User"
    where: str | None = None
    regexwhere: str | None = None
    replace: str | None = None
    strip_prefix: str | None = None
    add_prefix: str | None = None
    add_suffix: str | None = None
    bootstrap: str | None = None       # restore: BSR text
    restore_jobids: str = ""
    since_cmdline: str = ""            # run ... since="yyyy-mm-dd hh:mm:ss"
    plugin_options: str | None = None
    fileset_id: int = 0
    client_id: int = 0
    pool_id: int = 0
    volumes: list = field(default_factory=list)
    last_volume_bytes: int = 0
    compression: str = "None"
    upgraded_msg: str | None = None
    sink: Any = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    done_event: threading.Event = field(default_factory=threading.Event)
    sockets: list = field(default_factory=list)
    error_texts: list = field(default_factory=list)

    # -- naming --------------------------------------------------------------
    @property
    def job_name(self) -> str:
        return self.job_res.name

    @property
    def client_name(self) -> str:
        return self.client.name if self.client is not None else ""

    @property
    def type_name(self) -> str:
        return jobcodes.job_type_name(self.job_type)

    @property
    def level_name(self) -> str:
        return jobcodes.job_level_name(self.level)

    def status_text(self) -> str:
        # as Bareos's status: the SD waiting for a volume overrides the job status
        if self.sd_status in (jobcodes.JS_WAIT_MOUNT, jobcodes.JS_WAIT_MEDIA) \
                and self.status not in FINAL_BAD:
            return STATUS_TEXT[self.sd_status]
        return STATUS_TEXT.get(self.status, f"is in unknown state {self.status}")

    @property
    def job_status(self) -> str:
        return self.status

    @property
    def job_name_for_status(self) -> str:
        return self.job_name

    # -- messages ------------------------------------------------------------
    def msg(self, mtype: int, text: str, daemon: str | None = None, mtime: float | None = None) -> None:
        """A message of this job, with Bareos's prefix, through the job's Messages."""
        full = jmsg.message_text(daemon or self.director.name, self.jobid, mtype, text)
        if mtype in (jmsg.M_FATAL, jmsg.M_ERROR_TERM):
            self.error_texts.append(text)
        if mtype == jmsg.M_ERROR:
            self.job_errors += 1
        if self.sink is not None:
            self.sink.deliver(mtype, full, mtime)

    def info(self, text: str) -> None:
        self.msg(jmsg.M_INFO, text)

    def fatal(self, text: str) -> None:
        self.msg(jmsg.M_FATAL, text)
        if self.status not in (jobcodes.JS_CANCELED,):
            self.status = jobcodes.JS_FATAL_ERROR

    def check_canceled(self) -> None:
        if self.cancel_event.is_set():
            raise JobCanceled()

    def cancel(self) -> None:
        self.cancel_event.set()
        self.status = jobcodes.JS_CANCELED
        # shut the sockets down (wakes threads blocked reading them); closing a TLS
        # socket here would send close_notify while the job's thread is inside
        # SSL_read on it, which crashes the Director.  The job's thread closes them.
        for s in list(self.sockets):
            try:
                shutdown = getattr(s, "shutdown", None)
                if shutdown is not None:
                    shutdown()
                else:
                    s.close()
            except Exception:
                pass
