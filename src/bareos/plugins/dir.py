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
    job_end(jcr)                # bDirEventJobEnd, instances freed

A fatal job message from a plugin (an exception in a Python plugin) fails
the job; the Director goes on.
"""

from __future__ import annotations

import logging
import threading

from bareos.lib import jobcodes

from . import bRC_Error, bRC_OK, bRC_Skip, bRC_Stop, load_plugins, plugin_name_of

log = logging.getLogger("bareos.plugins.dir")

(bDirEventJobStart, bDirEventJobEnd, bDirEventJobInit, bDirEventJobRun, bDirEventVolumePurged,
 bDirEventNewVolume, bDirEventNeedVolume, bDirEventVolumeFull, bDirEventRecyle,
 bDirEventGetScratch, bDirEventNewPluginOptions) = range(1, 12)

EVENT_NAMES = {1: "bDirEventJobStart", 2: "bDirEventJobEnd", 3: "bDirEventJobInit",
               4: "bDirEventJobRun", 5: "bDirEventVolumePurged", 6: "bDirEventNewVolume",
               7: "bDirEventNeedVolume", 8: "bDirEventVolumeFull", 9: "bDirEventRecyle",
               10: "bDirEventGetScratch", 11: "bDirEventNewPluginOptions"}

HIGHEST_PLUGIN_INSTANCE = 127
M_FATAL, M_ERROR = 3, 4
_lock = threading.RLock()
_active: set = set()


def load_director_plugins(director) -> list:
    """The Director's plugins (loaded once, Bareos's LoadDirPlugins)."""
    with _lock:
        plugins = getattr(director, "_dir_plugins", None)
        if plugins is None:
            res = getattr(director, "resource", None)
            pdir = res.get("Plugin Directory") if res is not None else None
            names = res.get("Plugin Names") if res is not None else None
            try:
                plugins = load_plugins("dir", pdir, names)
            except Exception:  # noqa: BLE001 - a broken plugin set must not stop the Director
                log.exception("loading Director plugins")
                plugins = []
            director._dir_plugins = plugins
            director.plugin_directory = pdir
    return plugins


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class DirPluginContext:
    """One plugin instance of a job, and the calls it makes into the Director."""

    def __init__(self, jp: "DirJobPlugins", info, instance: int = 0) -> None:
        self.jp = jp
        self.info = info
        self.instance = instance
        self.jcr = jp.jcr
        self.events: set[int] = set()
        self.disabled = False
        self.plugin = None
        try:
            self.plugin = info.cls(self)
        except Exception as exc:  # noqa: BLE001
            self.disabled = True
            self.job_message(M_FATAL, f"{info.file}: newPlugin failed: {type(exc).__name__}: {exc}\n")

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

    def debug_message(self, level: int, text: str) -> None:
        log.debug("%s: %s", self.info.file, str(text).rstrip())

    def register_events(self, events, on: bool = True) -> int:
        for e in events:
            (self.events.add if on else self.events.discard)(int(e))
        return bRC_OK

    def instance_count(self) -> int:
        with _lock:
            return sum(1 for jp in _active for c in jp.contexts if c.info is self.info)

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


class DirJobPlugins:
    def __init__(self, jcr, plugins) -> None:
        self.jcr = jcr
        self.plugins = plugins
        self.contexts = [DirPluginContext(self, p) for p in plugins]
        with _lock:
            _active.add(self)

    def _trigger(self, ctx, ev: int, value) -> tuple[int, bool]:
        handler = getattr(ctx.plugin, "handle_event", None)
        if handler is None or ctx.disabled or ev not in ctx.events:
            return bRC_OK, False
        try:
            rc = handler(ev, value)
        except Exception as exc:  # noqa: BLE001 - the job fails, the Director goes on
            ctx.job_message(M_FATAL, f"{ctx.info.file}: {EVENT_NAMES.get(ev, ev)} failed: "
                                     f"{type(exc).__name__}: {exc}\n")
            rc = bRC_Error
        rc = bRC_OK if rc is None else int(rc)
        return rc, rc in (bRC_Stop, bRC_Error, bRC_Skip)

    def event(self, ev: int, value=None) -> int:
        rc = bRC_OK
        for ctx in list(self.contexts):
            rc, stop = self._trigger(ctx, ev, value)
            if stop:
                break
        return rc

    def dispatch_options(self, options) -> None:
        for opt in options:
            if ":" not in opt:
                self.jcr.msg(M_ERROR, f"Illegal DIR plugin options encountered, {opt} skipping\n")
                continue
            name = plugin_name_of(opt)
            instance = 0
            for part in opt.split(":")[1:]:
                if part[:9].lower() == "instance=":
                    try:
                        instance = int(part[9:])
                    except ValueError:
                        instance = 0
                    break
            if instance > HIGHEST_PLUGIN_INSTANCE:
                self.jcr.msg(M_ERROR, f"Illegal DIR plugin options encountered, {opt} instance "
                                      f"{instance} skipping\n")
                continue
            ctx = next((c for c in self.contexts
                        if c.instance == instance and c.info.matches(name)), None)
            if ctx is None:
                info = next((p for p in self.plugins if p.matches(name)), None)
                if info is None:
                    continue
                ctx = DirPluginContext(self, info, instance)
                self.contexts.append(ctx)
            self._trigger(ctx, bDirEventNewPluginOptions, opt)

    def free(self) -> None:
        for ctx in self.contexts:
            free = getattr(ctx.plugin, "free", None)
            if free is not None:
                try:
                    free()
                except Exception:  # noqa: BLE001
                    log.exception("plugin free")
        with _lock:
            _active.discard(self)


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
