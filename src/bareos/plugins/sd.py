"""The Storage Daemon side of plugins (Bareos's sd_plugins): the loaded
plugins of the daemon, one instance each per job (more for plugin options
naming another ``instance=``), the job events and the record translation
autoxflate does on the write and read paths.

The SD calls::

    job_start(job)                    # after the Director's JobId= command:
                                      # NewPlugins, the job's pluginoptions
                                      # (bsdEventNewPluginOptions), bsdEventJobStart
    generate_event(job, ev, dcr=None) # bsdEvent* where it happens -> bRC
    sd_event(job, "ReadError", dcr)   # the same by name (bSdEvent<name>)
    device_reserved(job, got) -> got  # bsdEventDeviceReserve after a reservation
    translate(job, dev, stream, data, outgoing) -> (stream, data)
    job_end(job)                      # bsdEventJobEnd, instances freed
"""

from __future__ import annotations

import logging

from . import bRC_Error, bRC_OK
from .instances import JobPlugins, PluginContext, load_daemon_plugins

log = logging.getLogger("bareos.plugins.sd")

(bSdEventJobStart, bSdEventJobEnd, bSdEventDeviceInit, bSdEventDeviceMount, bSdEventVolumeLoad,
 bSdEventDeviceReserve, bSdEventDeviceOpen, bSdEventLabelRead, bSdEventLabelVerified,
 bSdEventLabelWrite, bSdEventDeviceClose, bSdEventVolumeUnload, bSdEventDeviceUnmount,
 bSdEventReadError, bSdEventWriteError, bSdEventDriveStatus, bSdEventVolumeStatus,
 bSdEventSetupRecordTranslation, bSdEventReadRecordTranslation, bSdEventWriteRecordTranslation,
 bSdEventDeviceRelease, bSdEventNewPluginOptions, bSdEventChangerLock,
 bSdEventChangerUnlock) = range(1, 25)


EVENT_NAMES = {v: k for k, v in globals().items() if k.startswith("bSdEvent")}
_EVENT_BY_NAME = {k[len("bSdEvent"):]: v for k, v in globals().items() if k.startswith("bSdEvent")}


def daemon_plugins(sd) -> list:
    return load_daemon_plugins(sd, "sd", "_sd_plugins", "SD")


class SdPluginContext(PluginContext):
    """One plugin instance of a job, and the calls it makes into the SD."""

    def __init__(self, jp: "SdJobPlugins", info, instance: int = 0) -> None:
        self.job = jp.job
        super().__init__(jp, info, instance)

    # -- calls from the plugin ----------------------------------------------------
    @property
    def plugin_directory(self):
        return getattr(self.job.sd, "plugin_directory", None)

    def job_message(self, mtype: int, text: str) -> None:
        self.job.jmsg(mtype, text)

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


class SdJobPlugins(JobPlugins):
    context_class = SdPluginContext
    label = "SD"
    new_options_event = bSdEventNewPluginOptions

    def __init__(self, job, plugins) -> None:
        self.job = job
        self.xflaters: dict[str, object] = {}
        self.started = False
        self.setup_done: set = set()        # (device, direction) with SetupRecordTranslation sent
        super().__init__(plugins)

    @property
    def any_events(self) -> bool:
        return any(ctx.events for ctx in self.contexts)

    def error_message(self, text: str) -> None:
        self.job.jmsg(4, text)

    def event_name(self, ev: int) -> str:
        return EVENT_NAMES.get(ev, str(ev))

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


def sd_event(job, name: str, value=None) -> int:
    """``bsdEvent<name>`` (e.g. ``sd_event(job, "DeviceReserve", dcr)``) to
    the job's plugins; bRC_OK when the job has none.  The one-line hook the
    SD's modules call where Bareos's SD generates the event."""
    return generate_event(job, _EVENT_BY_NAME[name], value)


def device_reserved(job, got):
    """bsdEventDeviceReserve once the SD reserved a device for *job*
    (*got*: ``(device, store)`` or None); a plugin answering other than
    bRC_OK undoes the reservation, as in Bareos.  Returns what the
    reservation gives the job."""
    if got is None or getattr(job, "_sd_job_plugins", None) is None:
        return got
    if generate_event(job, bSdEventDeviceReserve, got[0]) == bRC_OK:
        return got
    try:
        job.sd.devices.release(got[0], job.job_id)
    except Exception:  # noqa: BLE001
        log.exception("releasing a device a plugin refused")
    return None


def _record_events(job, jp, dev, outgoing: bool) -> int:
    """bsdEventSetupRecordTranslation once per device and direction of the
    job (Bareos sends it once the device is acquired, before the first
    record), then bsdEventWriteRecordTranslation (each record to the
    device) or bsdEventReadRecordTranslation (each record read, plugins in
    reverse order)."""
    ev = bSdEventWriteRecordTranslation if outgoing else bSdEventReadRecordTranslation
    key = (id(dev), outgoing)
    rc = bRC_OK
    try:
        if key not in jp.setup_done:
            jp.setup_done.add(key)
            if jp.wants(bSdEventSetupRecordTranslation):
                rc = jp.event(bSdEventSetupRecordTranslation, dev)
        if jp.wants(ev):
            rc = jp.event(ev, dev, reverse=not outgoing)
    except Exception:  # noqa: BLE001 - never take the SD down
        log.exception("SD plugin record translation event")
        rc = bRC_Error
    return rc


def translate(job, dev, stream: int, data, outgoing: bool):
    """Record translation of the write (outgoing) or read path: the record
    translation events for the job's plugins, then the built-in xflater."""
    if getattr(job, "no_xflate", False):     # replication without Auto XFlate On Replication
        return stream, data
    jp = job_plugins(job)
    if jp is None:
        return stream, data
    if not jp.started:
        job_start(job)
    if jp.any_events:
        _record_events(job, jp, dev, outgoing)
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
