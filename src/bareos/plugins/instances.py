"""Plugin instances of a job, shared by the Director and the Storage Daemon
(Bareos's dir_plugins and sd_plugins work alike): loading a daemon's plugins
once, one instance of every plugin per job plus the ones plugin options name
with ``instance=<n>``, delivering events to the instances that registered
them, and freeing them at the end of the job.

A daemon subclasses :class:`PluginContext` (what a plugin may ask of the
daemon) and :class:`JobPlugins` (the job's instances); the subclasses say how
job messages are sent and how events are named.
"""

from __future__ import annotations

import logging
import threading

from . import bRC_Error, bRC_OK, bRC_Skip, bRC_Stop, load_plugins, plugin_name_of

log = logging.getLogger("bareos.plugins")

HIGHEST_PLUGIN_INSTANCE = 127
M_FATAL, M_ERROR = 3, 4

_lock = threading.RLock()
_active: set = set()            # JobPlugins of running jobs (GetInstanceCount)


def load_daemon_plugins(daemon, kind: str, cache_attr: str, what: str) -> list:
    """The plugins of *daemon* (``Plugin Directory``/``Plugin Names`` of its
    resource), loaded once and kept in ``daemon.<cache_attr>``; a broken
    plugin set is logged and leaves the daemon without plugins."""
    with _lock:
        plugins = getattr(daemon, cache_attr, None)
        if plugins is None:
            res = getattr(daemon, "resource", None)
            pdir = res.get("Plugin Directory") if res is not None else None
            names = res.get("Plugin Names") if res is not None else None
            try:
                plugins = load_plugins(kind, pdir, names)
            except Exception:  # noqa: BLE001 - a broken plugin set must not stop the daemon
                log.exception("loading %s plugins", what)
                plugins = []
            setattr(daemon, cache_attr, plugins)
            daemon.plugin_directory = pdir
    return plugins


class PluginContext:
    """One plugin instance of a job.  Subclasses set what they need (the job)
    before calling this constructor, which creates the plugin, and implement
    :meth:`job_message`."""

    def __init__(self, jp: "JobPlugins", info, instance: int = 0) -> None:
        self.jp = jp
        self.info = info
        self.instance = instance
        self.events: set[int] = set()
        self.disabled = False
        self.plugin = None
        try:
            self.plugin = info.cls(self)
        except Exception as exc:  # noqa: BLE001
            self.disabled = True
            self.job_message(M_FATAL, f"{info.file}: newPlugin failed: {type(exc).__name__}: {exc}")

    def job_message(self, mtype: int, text: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def debug_message(self, level: int, text: str) -> None:
        log.debug("%s: %s", self.info.file, str(text).rstrip())

    def register_events(self, events, on: bool = True) -> int:
        for e in events:
            (self.events.add if on else self.events.discard)(int(e))
        return bRC_OK

    def instance_count(self) -> int:
        with _lock:
            return sum(1 for jp in _active for c in jp.contexts if c.info is self.info)


class JobPlugins:
    """The plugin instances of one job."""

    context_class: type = PluginContext
    label = ""                  # "DIR" / "SD" in the messages about plugin options
    new_options_event = 0       # the daemon's bXxxEventNewPluginOptions

    def __init__(self, plugins) -> None:
        self.plugins = plugins
        self.contexts = [self.context_class(self, p) for p in plugins]
        with _lock:
            _active.add(self)

    # -- daemon specific -----------------------------------------------------
    def error_message(self, text: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def event_name(self, ev: int) -> str:
        return f"event {ev}"

    # -- events --------------------------------------------------------------
    def _trigger(self, ctx, ev: int, value) -> tuple[int, bool]:
        """Bareos's trigger_plugin_event: (rc, stop)."""
        handler = getattr(ctx.plugin, "handle_event", None)
        if handler is None or ctx.disabled or ev not in ctx.events:
            return bRC_OK, False
        try:
            rc = handler(ev, value)
        except Exception as exc:  # noqa: BLE001 - the job fails, the daemon goes on
            ctx.job_message(M_FATAL, f"{ctx.info.file}: {self.event_name(ev)} failed: "
                                     f"{type(exc).__name__}: {exc}")
            rc = bRC_Error
        rc = bRC_OK if rc is None else int(rc)
        return rc, rc in (bRC_Stop, bRC_Error, bRC_Skip)

    def wants(self, ev: int) -> bool:
        """True when an instance registered *ev* (a cheap test before events
        sent once per record)."""
        return any(ev in ctx.events and not ctx.disabled for ctx in self.contexts)

    def event(self, ev: int, value=None, reverse: bool = False) -> int:
        """Bareos's GeneratePluginEvent: *ev* to the instances that registered
        it, in load order (the reverse order with *reverse*), until one
        answers bRC_Stop, bRC_Error or bRC_Skip."""
        rc = bRC_OK
        contexts = list(self.contexts)
        if reverse:
            contexts.reverse()
        for ctx in contexts:
            rc, stop = self._trigger(ctx, ev, value)
            if stop:
                break
        return rc

    def dispatch_options(self, options) -> None:
        """Bareos's DispatchNewPluginOptions: each ``name:...:instance=n:...``
        goes to that plugin's instance n (created when new)."""
        for opt in options or []:
            if ":" not in opt:
                self.error_message(f"Illegal {self.label} plugin options encountered, {opt} skipping\n")
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
                self.error_message(f"Illegal {self.label} plugin options encountered, {opt} "
                                   f"instance {instance} skipping\n")
                continue
            ctx = next((c for c in self.contexts
                        if c.instance == instance and c.info.matches(name)), None)
            if ctx is None:
                info = next((p for p in self.plugins if p.matches(name)), None)
                if info is None:
                    continue
                ctx = self.context_class(self, info, instance)
                self.contexts.append(ctx)
            self._trigger(ctx, self.new_options_event, opt)

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
