"""The Python plugin host the Storage Daemon (``python3-sd``) and the
Director (``python3-dir``) share, after Bareos's python-sd.cc/python-dir.cc.

A plugin instance does nothing until its plugin options arrive
(``Sd Plugin Options`` / ``Dir Plugin Options`` on the Job):
``python3:module_path=<dir>:module_name=<module>:instance=<n>:key=value...``.
``module_path``, ``module_name`` and ``instance`` are taken here, the other
pairs reach the module's ``load_bareos_plugin`` and
``parse_plugin_definition`` as ``key=value:...:``.  The module is imported
privately for this instance (see :mod:`bareos.plugins.pyhost`) with
``module_path``, the Plugin Directory and our own base classes
(``pyfiles/``) on its search path; afterwards every event the module
registered calls its ``handle_plugin_event(event)``.  An exception in the
module is a fatal job message (with the traceback) and the event's result
is ``bRC_Error``.
"""

from __future__ import annotations

from . import bRC_Error, bRC_OK
from . import pyhost

M_FATAL = 3


class PythonPluginHost:
    daemon = "sd"                  # "sd" | "dir"
    host_name = "bareossd"         # the module the plugin imports
    host_module = None
    new_options_event = 22

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.module_path: str | None = None
        self.module_name: str | None = None
        self.instance = 0
        self.loaded = False
        self.module = None
        ctx.register_events([self.new_options_event])

    @property
    def logprefix(self) -> str:
        return f"python3-{self.daemon}: "

    # -- Bareos's parse_plugin_definition -----------------------------------------
    def parse_definition(self, value) -> tuple[int, str]:
        """(rc, the options left for the module)."""
        if not value:
            return bRC_Error, ""
        definition = str(value)
        if ":" not in definition:
            self.ctx.job_message(M_FATAL, f"{self.logprefix}Illegal plugin definition {definition}\n")
            return bRC_Error, ""
        body = definition.split(":", 1)[1]
        out: list[str] = []
        try:
            for key, val in pyhost.definition_items(body):
                k = key.lower()
                if k == "instance":
                    self.instance = _parse_int(val)
                elif k == "module_path":
                    self.module_path = val
                elif k == "module_name":
                    self.module_name = val
                else:
                    out.append(f"{key}={val}")
        except pyhost.DefinitionError as exc:
            self.ctx.job_message(M_FATAL, f"{self.logprefix}Illegal argument {exc} without value\n")
            return bRC_Error, ""
        return bRC_OK, (":".join(out) + ":") if out else ""

    # -- calling the module ---------------------------------------------------------
    def _pycall(self, func: str, *args, missing=bRC_Error):
        fn = getattr(self.module, func, None) if self.module is not None else None
        if fn is None or not callable(fn):
            return missing
        prev = pyhost.set_current(self.ctx)
        try:
            return pyhost.to_rc(fn(*args))
        except Exception as exc:  # noqa: BLE001 - Bareos's PyErrorHandler: a fatal job message
            self.ctx.job_message(M_FATAL, pyhost.format_exception(self.host_name, exc))
            return bRC_Error
        finally:
            pyhost.set_current(prev)

    def _load(self, options: str) -> int:
        if not self.module_name:
            return bRC_Error
        dirs = [d for d in (self.module_path, self.ctx.plugin_directory, pyhost.PYFILES) if d]
        prev = pyhost.set_current(self.ctx)
        try:
            self.module = pyhost.isolated_import(self.module_name, dirs,
                                                 {self.host_name: self.host_module})
        except Exception as exc:  # noqa: BLE001
            self.ctx.job_message(M_FATAL, pyhost.format_exception(self.host_name, exc))
            return bRC_Error
        finally:
            pyhost.set_current(prev)
        if not callable(getattr(self.module, "load_bareos_plugin", None)):
            self.ctx.job_message(M_FATAL, f"{self.logprefix}module {self.module_name} has no "
                                          "load_bareos_plugin()\n")
            return bRC_Error
        rc = self._pycall("load_bareos_plugin", options)
        self.loaded = True
        return rc

    # -- the plugin entry point ------------------------------------------------------
    def handle_event(self, event: int, value=None) -> int:
        if event == self.new_options_event:
            rc, options = self.parse_definition(value)
            if rc != bRC_OK:
                return rc
            if not self.loaded:
                rc = self._load(options)
            if rc == bRC_OK:
                rc = self._pycall("parse_plugin_definition", options)
            return rc
        if not self.loaded:
            return bRC_OK
        return self._pycall("handle_plugin_event", event)

    def free(self) -> None:
        self.module = None


def _parse_int(text: str) -> int:
    try:
        return int(str(text).strip() or 0)
    except ValueError:
        return 0
