"""The Storage Daemon side of plugins: the loaded plugins of the daemon,
one instance each per job, the job events and the record translation
autoxflate does on the write and read paths."""

from __future__ import annotations

import logging
import threading

from . import load_plugins

log = logging.getLogger("bareos.plugins.sd")

bSdEventJobStart, bSdEventJobEnd = 1, 2
_lock = threading.Lock()


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
    def __init__(self, jp: "SdJobPlugins", info) -> None:
        self.jp = jp
        self.info = info
        self.job = jp.job
        self.events: set[int] = set()
        self.plugin = None
        try:
            self.plugin = info.cls(self)
        except Exception as exc:  # noqa: BLE001
            self.job_message(3, f"{info.file}: newPlugin failed: {type(exc).__name__}: {exc}")

    def job_message(self, mtype: int, text: str) -> None:
        self.job.jmsg(mtype, text)

    def register_events(self, events, on: bool = True) -> int:
        for e in events:
            (self.events.add if on else self.events.discard)(int(e))
        return 0


class SdJobPlugins:
    def __init__(self, job, plugins) -> None:
        self.job = job
        self.contexts = [SdPluginContext(self, p) for p in plugins]
        self.xflaters: dict[str, object] = {}

    def event(self, ev: int, value=None) -> None:
        for ctx in self.contexts:
            handler = getattr(ctx.plugin, "handle_event", None)
            if handler is None or ev not in ctx.events:
                continue
            try:
                handler(ev, value)
            except Exception as exc:  # noqa: BLE001 - the job fails, the SD goes on
                ctx.job_message(3, f"{ctx.info.file}: event {ev} failed: {type(exc).__name__}: {exc}")

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
                    log.exception("autoxflate job end")


def job_plugins(job):
    jp = getattr(job, "_sd_job_plugins", None)
    if jp is None:
        plugins = daemon_plugins(job.sd)
        if not plugins:
            return None
        jp = job._sd_job_plugins = SdJobPlugins(job, plugins)
        jp.event(bSdEventJobStart)
    return jp


def translate(job, dev, stream: int, data, outgoing: bool):
    """Record translation of the write (outgoing) or read path."""
    jp = job_plugins(job)
    if jp is None:
        return stream, data
    fl = jp.xflater(dev)
    if fl is None:
        return stream, data
    return fl.translate(stream, data, outgoing)


def job_end(job) -> None:
    jp = getattr(job, "_sd_job_plugins", None)
    if jp is not None:
        jp.job_end()
        jp.event(bSdEventJobEnd)
        job._sd_job_plugins = None
