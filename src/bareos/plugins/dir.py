"""The Director side of plugins (Bareos's dir_plugins): the plugins the
Director loads from its ``Plugin Directory``/``Plugin Names``, one instance
each per job (more for ``Dir Plugin Options`` naming another
``instance=``), the job events and the calls the plugins make.

The Director calls::

    load_director_plugins(director) -> list[PluginInfo]   # at start (cached)
    job_start(jcr) -> bool      # NewPlugins, Dir Plugin Options
                                # (bDirEventNewPluginOptions), bDirEventJobStart,
                                # bDirEventJobInit; False: the job got a fatal error
    job_run(jcr) -> bool        # bDirEventJobRun once the job may run
    generate_event(jcr, ev, value=None) -> bRC   # bDirEventNewVolume, ...
    volume_purged(jcr, volume_name) -> bRC       # bDirEventVolumePurged
    job_end(jcr)                # bDirEventJobEnd, instances freed

A fatal job message from a plugin (an exception in a Python plugin) fails
the job; the Director goes on.
"""

from __future__ import annotations

import logging

from bareos.lib import jobcodes

from . import bRC_Error, bRC_OK
from .instances import M_ERROR, M_FATAL, JobPlugins, PluginContext, load_daemon_plugins

log = logging.getLogger("bareos.plugins.dir")

(bDirEventJobStart, bDirEventJobEnd, bDirEventJobInit, bDirEventJobRun, bDirEventVolumePurged,
 bDirEventNewVolume, bDirEventNeedVolume, bDirEventVolumeFull, bDirEventRecyle,
 bDirEventGetScratch, bDirEventNewPluginOptions) = range(1, 12)

EVENT_NAMES = {1: "bDirEventJobStart", 2: "bDirEventJobEnd", 3: "bDirEventJobInit",
               4: "bDirEventJobRun", 5: "bDirEventVolumePurged", 6: "bDirEventNewVolume",
               7: "bDirEventNeedVolume", 8: "bDirEventVolumeFull", 9: "bDirEventRecyle",
               10: "bDirEventGetScratch", 11: "bDirEventNewPluginOptions"}


def load_director_plugins(director) -> list:
    """The Director's plugins (loaded once, Bareos's LoadDirPlugins)."""
    return load_daemon_plugins(director, "dir", "_dir_plugins", "Director")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class DirPluginContext(PluginContext):
    """One plugin instance of a job, and the calls it makes into the Director."""

    def __init__(self, jp: "DirJobPlugins", info, instance: int = 0) -> None:
        self.jcr = jp.jcr
        super().__init__(jp, info, instance)

    # -- calls from the plugin ----------------------------------------------------
    @property
    def plugin_directory(self):
        return getattr(self.jcr.director, "plugin_directory", None)

    def job_message(self, mtype: int, text: str) -> None:
        if not text.endswith("\n"):
            text += "\n"
        if mtype == M_FATAL:
            self.jcr.fatal(text)
        else:
            self.jcr.msg(mtype, text)

    def get_value(self, var: int):
        jcr = self.jcr
        if var == 24:                                          # bDirVarPluginDir
            return self.plugin_directory
        st = jcr.storage
        restore = jcr.job_type == jobcodes.JT_RESTORE
        simple = {
            1: lambda: jcr.job_res.name,                       # bDirVarJob
            2: lambda: ord(jcr.level or " "),
            3: lambda: ord(jcr.job_type or " "),
            4: lambda: jcr.jobid,
            5: lambda: jcr.client.name if jcr.client is not None else None,
            6: lambda: self._num_vols(),
            7: lambda: jcr.pool.name if jcr.pool is not None else None,
            8: lambda: st.name if st is not None else None,
            9: lambda: st.name if st is not None and not restore else None,
            10: lambda: st.name if st is not None and restore else None,
            11: lambda: jcr.catalog_res.name if jcr.catalog_res is not None else None,
            12: lambda: st.get("Media Type") if st is not None else None,
            13: lambda: jcr.job,                              # bDirVarJobName: unique Job
            14: lambda: ord(jcr.status or " "),
            15: lambda: jcr.priority,
            16: lambda: getattr(jcr, "plugin_volume_name", None) or (jcr.volumes[-1] if jcr.volumes else ""),
            18: lambda: jcr.job_errors,
            19: lambda: jcr.job_files,
            20: lambda: jcr.sd_files,
            21: lambda: jcr.sd_errors,
            22: lambda: ord(jcr.fd_status or " "),
            23: lambda: ord(jcr.sd_status or " "),
            25: lambda: int(getattr(jcr, "last_rate", 0) or 0),
            26: lambda: jcr.job_bytes,
            27: lambda: jcr.read_bytes,
        }
        fn = simple.get(var)
        if fn is None:
            return None
        try:
            return fn()
        except Exception:  # noqa: BLE001 - a value not known yet reads as None
            log.debug("GetValue %d", var, exc_info=True)
            return None

    def _num_vols(self) -> int:
        jcr = self.jcr
        if jcr.pool is None:
            return 0
        row = jcr.director.catalog.get_pool(jcr.pool.name)
        return int((row or {}).get("NumVols") or 0)

    def set_value(self, var: int, value) -> int:
        jcr = self.jcr
        if var == 2 and value:                                 # bwDirVarVolumeName
            jcr.plugin_volume_name = str(value)
        elif var == 3:
            jcr.priority = int(value)
        elif var == 4:
            jcr.level = chr(int(value))
        return bRC_OK


class DirJobPlugins(JobPlugins):
    context_class = DirPluginContext
    label = "DIR"
    new_options_event = bDirEventNewPluginOptions

    def __init__(self, jcr, plugins) -> None:
        self.jcr = jcr
        super().__init__(plugins)

    def error_message(self, text: str) -> None:
        self.jcr.msg(M_ERROR, text)

    def event_name(self, ev: int) -> str:
        return EVENT_NAMES.get(ev, str(ev))


def _failed(jcr) -> bool:
    return jcr.status in (jobcodes.JS_FATAL_ERROR, jobcodes.JS_ERROR_TERMINATED, jobcodes.JS_CANCELED)


def job_start(jcr) -> bool:
    """NewPlugins, DispatchNewPluginOptions, bDirEventJobStart and
    bDirEventJobInit; False when a plugin failed the job."""
    before = _failed(jcr)
    try:
        plugins = load_director_plugins(jcr.director)
        if not plugins or getattr(jcr, "_dir_job_plugins", None) is not None:
            return True
        jp = jcr._dir_job_plugins = DirJobPlugins(jcr, plugins)
        jp.dispatch_options(_as_list(jcr.job_res.get("Dir Plugin Options")))
        if not _failed(jcr):
            jp.event(bDirEventJobStart)
        if not _failed(jcr):
            jp.event(bDirEventJobInit)
    except Exception:  # noqa: BLE001 - never take the Director down
        log.exception("Director plugins at job start")
    return before or not _failed(jcr)


def job_run(jcr) -> bool:
    """bDirEventJobRun; False when a plugin failed the job."""
    if getattr(jcr, "_dir_job_plugins", None) is None:
        return True
    before = _failed(jcr)
    generate_event(jcr, bDirEventJobRun)
    return before or not _failed(jcr)


def generate_event(jcr, ev: int, value=None) -> int:
    jp = getattr(jcr, "_dir_job_plugins", None) if jcr is not None else None
    if jp is None:
        return bRC_OK
    try:
        return jp.event(ev, value)
    except Exception:  # noqa: BLE001
        log.exception("Director plugin event %s", ev)
        return bRC_Error


def volume_purged(jcr, volume_name: str) -> int:
    """bDirEventVolumePurged: a volume was marked Purged for *jcr* (Bareos's
    MarkMediaPurged: the job's pruning, or a console's purge, whose
    connection has no plugins).  The volume's name is what
    ``GetValue(bDirVarVolumeName)`` answers then."""
    if jcr is None or getattr(jcr, "_dir_job_plugins", None) is None:
        return bRC_OK
    jcr.plugin_volume_name = volume_name
    return generate_event(jcr, bDirEventVolumePurged)


def job_end(jcr) -> None:
    jp = getattr(jcr, "_dir_job_plugins", None)
    if jp is None:
        return
    try:
        jp.event(bDirEventJobEnd)
        jp.free()
    except Exception:  # noqa: BLE001
        log.exception("Director plugins at job end")
    jcr._dir_job_plugins = None
