"""The Storage Daemon side of plugins (Bareos's sd_plugins): the loaded
plugins of the daemon, one instance each per job (more for plugin options
naming another ``instance=``), the job events and the record translation
autoxflate does on the write and read paths.

The SD calls::

    job_start(job)                    # after the Director's JobId= command:
                                      # NewPlugins, the job's pluginoptions
                                      # (bsdEventNewPluginOptions), bsdEventJobStart
    generate_event(job, ev, dcr=None) # bsdEvent* where it happens -> bRC
    translate(job, dev, stream, data, outgoing) -> (stream, data)
    job_end(job)                      # bsdEventJobEnd, instances freed
"""

from __future__ import annotations

import logging
import threading

from . import bRC_Error, bRC_OK, bRC_Skip, bRC_Stop, load_plugins, plugin_name_of

log = logging.getLogger("bareos.plugins.sd")

(bSdEventJobStart, bSdEventJobEnd, bSdEventDeviceInit, bSdEventDeviceMount, bSdEventVolumeLoad,
 bSdEventDeviceReserve, bSdEventDeviceOpen, bSdEventLabelRead, bSdEventLabelVerified,
 bSdEventLabelWrite, bSdEventDeviceClose, bSdEventVolumeUnload, bSdEventDeviceUnmount,
 bSdEventReadError, bSdEventWriteError, bSdEventDriveStatus, bSdEventVolumeStatus,
 bSdEventSetupRecordTranslation, bSdEventReadRecordTranslation, bSdEventWriteRecordTranslation,
 bSdEventDeviceRelease, bSdEventNewPluginOptions, bSdEventChangerLock,
 bSdEventChangerUnlock) = range(1, 25)

HIGHEST_PLUGIN_INSTANCE = 127
_lock = threading.Lock()
_active: set = set()          # SdJobPlugins of running jobs (GetInstanceCount)


def daemon_plugins(sd) -> list:
    with _lock:
        plugins = getattr(sd, "_sd_plugins", None)
        if plugins is None:
            res = getattr(sd, "resource", None)
            pdir = res.get("Plugin Directory") if res is not None else None
            names = res.get("Plugin Names") if res is not None else None
            try:
                plugins = load_plugins("sd", pdir, names)
            except Exception:  # noqa: BLE001 - a broken plugin set must not stop the SD
                log.exception("loading SD plugins")
                plugins = []
            sd._sd_plugins = plugins
            sd.plugin_directory = pdir
    return plugins


class SdPluginContext:
    """One plugin instance of a job, and the calls it makes into the SD."""

    def __init__(self, jp: "SdJobPlugins", info, instance: int = 0) -> None:
        self.jp = jp
        self.info = info
        self.instance = instance
        self.job = jp.job
        self.events: set[int] = set()
        self.disabled = False
        self.plugin = None
        try:
            self.plugin = info.cls(self)
        except Exception as exc:  # noqa: BLE001
            self.disabled = True
            self.job_message(3, f"{info.file}: newPlugin failed: {type(exc).__name__}: {exc}")

    # -- calls from the plugin ----------------------------------------------------
    @property
    def plugin_directory(self):
        return getattr(self.job.sd, "plugin_directory", None)

    def job_message(self, mtype: int, text: str) -> None:
        self.job.jmsg(mtype, text)

    def debug_message(self, level: int, text: str) -> None:
        log.debug("%s: %s", self.info.file, str(text).rstrip())

    def register_events(self, events, on: bool = True) -> int:
        for e in events:
            (self.events.add if on else self.events.discard)(int(e))
        return bRC_OK

    def instance_count(self) -> int:
        with _lock:
            return sum(1 for jp in _active for c in jp.contexts if c.info is self.info)

    def _dcr_device(self):
        dcr = getattr(self.job, "write_dcr", None)
        if dcr is not None:
            return dcr.dev, getattr(dcr, "store", None)
        return getattr(self.job, "read_device", None), getattr(self.job, "read_store", None)

    def get_value(self, var: int):
        job = self.job
        if var == 16:                                          # bsdVarPluginDir
            return self.plugin_directory
        if var == 1:                                           # bsdVarJob: the job's name
            return job.job_name
        if var == 2:
            return ord(job.job_level) if isinstance(job.job_level, str) else int(job.job_level)
        if var == 3:
            return ord(job.job_type) if isinstance(job.job_type, str) else int(job.job_type)
        if var == 4:
            return job.job_id
        if var == 5:
            return job.client_name
        if var == 10:                                          # bsdVarJobName: unique Job
            return job.job
        if var == 11:
            return ord(job.status)
        if var == 13:
            return job.errors
        if var == 14:
            return job.files
        if var == 15:
            return job.bytes
        dev, store = self._dcr_device()
        if var == 6:
            return getattr(store, "pool_name", None) if store is not None else None
        if var == 7:
            return getattr(store, "pool_type", None) if store is not None else None
        if var == 8:
            return dev.name if dev is not None else None
        if var == 9:
            return dev.media_type if dev is not None else None
        if var == 12:
            return (getattr(dev, "volume_name", None) if dev is not None else None) or None
        return None

    def set_value(self, var: int, value) -> int:
        job = self.job
        if var == 2 and value:                                 # bsdwVarVolumeName
            job.plugin_volume_name = str(value)
        elif var == 3:
            job.priority = int(value)
        elif var == 4:
            job.job_level = chr(int(value))
        return bRC_OK


class SdJobPlugins:
    def __init__(self, job, plugins) -> None:
        self.job = job
        self.plugins = plugins
        self.contexts = [SdPluginContext(self, p) for p in plugins]
        self.xflaters: dict[str, object] = {}
        self.started = False
        with _lock:
            _active.add(self)

    def _trigger(self, ctx, ev: int, value) -> tuple[int, bool]:
        """Bareos's trigger_plugin_event: (rc, stop)."""
        handler = getattr(ctx.plugin, "handle_event", None)
        if handler is None or ctx.disabled or ev not in ctx.events:
            return bRC_OK, False
        try:
            rc = handler(ev, value)
        except Exception as exc:  # noqa: BLE001 - the job fails, the SD goes on
            ctx.job_message(3, f"{ctx.info.file}: event {ev} failed: {type(exc).__name__}: {exc}")
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
        """Bareos's DispatchNewPluginOptions: each ``name:...:instance=n:...``
        goes to that plugin's instance n (created when new)."""
        for opt in options or []:
            if ":" not in opt:
                self.job.jmsg(4, f"Illegal SD plugin options encountered, {opt} skipping\n")
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
                self.job.jmsg(4, f"Illegal SD plugin options encountered, {opt} instance "
                                 f"{instance} skipping\n")
                continue
            ctx = next((c for c in self.contexts
                        if c.instance == instance and c.info.matches(name)), None)
            if ctx is None:
                info = next((p for p in self.plugins if p.matches(name)), None)
                if info is None:
                    continue
                ctx = SdPluginContext(self, info, instance)
                self.contexts.append(ctx)
            self._trigger(ctx, bSdEventNewPluginOptions, opt)

    def xflater(self, dev):
        name = dev.settings.name
        if name in self.xflaters:
            return self.xflaters[name]
        fl = None
        for ctx in self.contexts:
            setup = getattr(ctx.plugin, "setup", None)
            if setup is not None:
                res = self.job.sd.config.get("Device", name)
                fl = setup(name, res)
                break
        self.xflaters[name] = fl
        return fl

    def job_end(self) -> None:
        for ctx in self.contexts:
            end = getattr(ctx.plugin, "job_end", None)
            if end is not None:
                try:
                    end()
                except Exception:  # noqa: BLE001
                    log.exception("plugin job end")

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


def job_plugins(job):
    """The job's plugin instances (Bareos's NewPlugins), or None without plugins."""
    jp = getattr(job, "_sd_job_plugins", None)
    if jp is None:
        plugins = daemon_plugins(job.sd)
        if not plugins:
            return None
        jp = job._sd_job_plugins = SdJobPlugins(job, plugins)
    return jp


def job_start(job) -> None:
    """Instantiate the plugins, hand them the job's plugin options and send
    bsdEventJobStart (once per job)."""
    try:
        jp = job_plugins(job)
        if jp is None or jp.started:
            return
        jp.started = True
        jp.dispatch_options(getattr(job, "plugin_options", None))
        jp.event(bSdEventJobStart, "JobStart")
    except Exception:  # noqa: BLE001 - never take the SD down
        log.exception("SD plugin job start")


def generate_event(job, ev: int, value=None) -> int:
    """Send event *ev* to the job's plugins that registered it (bRC)."""
    jp = getattr(job, "_sd_job_plugins", None) if job is not None else None
    if jp is None:
        return bRC_OK
    try:
        return jp.event(ev, value)
    except Exception:  # noqa: BLE001
        log.exception("SD plugin event %s", ev)
        return bRC_Error


def translate(job, dev, stream: int, data, outgoing: bool):
    """Record translation of the write (outgoing) or read path."""
    if getattr(job, "no_xflate", False):     # replication without Auto XFlate On Replication
        return stream, data
    jp = job_plugins(job)
    if jp is None:
        return stream, data
    if not jp.started:
        job_start(job)
    fl = jp.xflater(dev)
    if fl is None:
        return stream, data
    return fl.translate(stream, data, outgoing)


def job_end(job) -> None:
    jp = getattr(job, "_sd_job_plugins", None)
    if jp is not None:
        jp.job_end()
        jp.event(bSdEventJobEnd)
        jp.free()
        job._sd_job_plugins = None
