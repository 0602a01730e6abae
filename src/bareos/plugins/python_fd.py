"""python3-fd: the File Daemon's host for Python plugins (``bareosfd``).

``Plugin = "python:module_path=<dir>:module_name=<module>:<key>=<value>..."``
(``python3:`` too).  ``module_path`` and ``module_name`` are taken here; the
other pairs reach the module's ``parse_plugin_definition``.  The module is
imported with ``module_path``, the Plugin Directory and the project's own
base classes (``bareos/plugins/pyfiles``) on its search path, and the
module's functions (``load_bareos_plugin``, ``handle_plugin_event``,
``start_backup_file`` ... as ``BareosFdWrapper`` defines them) are called
like Bareos calls them.  Plugin options given at run/restore time
(``pluginoptions``) are remembered and put first, so ``python:key=value``
overrides one key of the FileSet's plugin string.
"""

from __future__ import annotations

from . import bRC_Error, bRC_OK, bRC_Skip
from . import bareosfd as B
from . import pyhost
from .fd import FdPlugin

_CONSUMED = ("module_path", "module_name")
_PREFIX = "python3-fd-mod"


class PythonFdPlugin(FdPlugin):
    host_module = B
    host_name = "bareosfd"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.module_path: str | None = None
        self.module_name: str | None = None
        self.plugin_options: str | None = None
        self.loaded = False
        self.module = None
        self.level = 0
        self.since = 0
        ctx.register_events((B.bEventLevel, B.bEventSince, B.bEventNewPluginOptions,
                             B.bEventPluginCommand, B.bEventJobStart, B.bEventRestoreCommand,
                             B.bEventEstimateCommand, B.bEventBackupCommand, B.bEventRestoreObject))

    # -- Bareos's parse_plugin_definition ------------------------------------
    def _parse(self, value: str) -> tuple[int, str]:
        if value == "*all*":
            return bRC_Skip, ""
        keep_existing = self.plugin_options is not None
        if not self.loaded and self.plugin_options:
            if ":" not in value:
                self.ctx.job_message(B.M_FATAL, f"python3-fd: Illegal plugin definition {value}\n")
                return bRC_Error, ""
            rest = value[value.index(":"):]
            definition = self.plugin_options
            definition += rest if not definition.endswith(":") else rest[1:]
        else:
            definition = value
        if ":" not in definition:
            self.ctx.job_message(B.M_FATAL, f"python3-fd: Illegal plugin definition {definition}\n")
            return bRC_Error, ""
        body = definition.split(":", 1)[1]
        out: list[str] = []
        try:
            for key, val in pyhost.definition_items(body):
                k = key.strip().lower()
                if k in _CONSUMED:
                    if not keep_existing or getattr(self, k) is None:
                        setattr(self, k, val)
                    continue
                out.append(f"{key}={val}")
        except pyhost.DefinitionError as exc:
            self.ctx.job_message(B.M_FATAL, f"python3-fd: Illegal argument {exc} without value\n")
            return bRC_Error, ""
        options = ":".join(out) + (":" if out else "")
        return bRC_OK, options

    # -- module calls -------------------------------------------------------
    def _pycall(self, func: str, *args, missing=bRC_OK):
        mod = self.module
        fn = getattr(mod, func, None) if mod is not None else None
        if fn is None or not callable(fn):
            return missing
        prev = pyhost.set_current(self.ctx)
        try:
            return pyhost.to_rc(fn(*args))
        except Exception as exc:  # noqa: BLE001 - Bareos's PyErrorHandler: a fatal job message
            self.ctx.job_message(B.M_FATAL, pyhost.format_exception(_PREFIX, exc))
            return bRC_Error
        finally:
            pyhost.set_current(prev)

    def _load(self, options: str) -> int:
        if not self.module_name:
            return bRC_Error
        daemon = self.ctx.jcr.daemon
        plugin_dir = getattr(daemon, "plugin_directory", None)
        dirs = [d for d in (self.module_path, plugin_dir, pyhost.PYFILES) if d]
        prev = pyhost.set_current(self.ctx)
        try:
            self.module = pyhost.isolated_import(self.module_name, dirs, {self.host_name: self.host_module})
        except Exception as exc:  # noqa: BLE001
            self.ctx.job_message(B.M_FATAL, pyhost.format_exception(_PREFIX, exc))
            return bRC_Error
        finally:
            pyhost.set_current(prev)
        if not callable(getattr(self.module, "load_bareos_plugin", None)):
            self.ctx.job_message(B.M_FATAL, f"{_PREFIX}: module {self.module_name} has no "
                                            "load_bareos_plugin()\n")
            return bRC_Error
        rc = self._pycall("load_bareos_plugin", options, missing=bRC_Error)
        self.loaded = True
        return rc

    # -- plugin functions -----------------------------------------------------
    def handle_event(self, event, value):
        rc = bRC_Error
        options = ""
        dispatched = False
        if event == B.bEventLevel:
            self.level = value
        elif event == B.bEventSince:
            self.since = value
        elif event in (B.bEventBackupCommand, B.bEventRestoreCommand, B.bEventEstimateCommand,
                       B.bEventPluginCommand):
            dispatched = True
            rc, options = self._parse(value or "")
        elif event == B.bEventNewPluginOptions:
            self.plugin_options = None
            dispatched = True
            rc, options = self._parse(value or "")
            self.plugin_options = value
        elif event == B.bEventRestoreObject:
            if not self.loaded and value is not None and getattr(value, "plugin_name", ""):
                dispatched = True
                rc, options = self._parse(value.plugin_name)
        if dispatched and rc != bRC_OK:
            return rc
        if event in (B.bEventBackupCommand, B.bEventRestoreCommand, B.bEventEstimateCommand,
                     B.bEventPluginCommand, B.bEventNewPluginOptions):
            if not self.loaded:
                rc = self._load(options)
                if event == B.bEventNewPluginOptions and not self.module_name:
                    return bRC_OK          # remembered for the command that follows
            else:
                rc = bRC_OK
            if rc == bRC_OK:
                rc = self._pycall("parse_plugin_definition", options)
            return rc
        if event == B.bEventRestoreObject:
            if value is None:
                return bRC_OK
            if not self.loaded:
                rc = self._load(options)
                if rc == bRC_OK:
                    rc = self._pycall("parse_plugin_definition", options)
                if rc != bRC_OK:
                    return rc
            return self._pycall("restore_object_data", value)
        if event == B.bEventHandleBackupFile:
            return self._pycall("handle_backup_file", value)
        if not self.loaded:
            return bRC_OK
        return self._pycall("handle_plugin_event", event)

    def start_backup_file(self, sp):
        return self._pycall("start_backup_file", sp, missing=bRC_Error)

    def end_backup_file(self):
        return self._pycall("end_backup_file", missing=bRC_Error)

    def start_restore_file(self, cmd):
        return self._pycall("start_restore_file", cmd)

    def end_restore_file(self):
        return self._pycall("end_restore_file")

    def plugin_io(self, iop):
        return self._pycall("plugin_io", iop, missing=bRC_Error)

    def create_file(self, rp):
        return self._pycall("create_file", rp, missing=bRC_Error)

    def set_file_attributes(self, rp):
        return self._pycall("set_file_attributes", rp)

    def check_file(self, fname):
        return self._pycall("check_file", fname)

    # -- ACL and xattr packets (Bareos's PyGetAcl/PySetAcl/PyGetXattr/PySetXattr):
    # a module without the function answers bRC_Error; what get_acl leaves in
    # ``content`` must be a bytearray (anything else fails the job); get_xattr's
    # ``name``/``value`` count only as bytearrays.
    def get_acl(self, ap):
        rc = self._pycall("get_acl", ap, missing=bRC_Error)
        content = ap.content
        if content is None:
            return rc
        if not isinstance(content, bytearray):
            self.ctx.job_message(B.M_FATAL, f"{_PREFIX}: TypeError: acl packet content needs to be of "
                                            "bytearray type\n")
            ap.content = None
            return bRC_Error
        ap.content = bytes(content)
        return rc

    def set_acl(self, ap):
        return self._pycall("set_acl", ap, missing=bRC_Error)

    def get_xattr(self, xp):
        rc = self._pycall("get_xattr", xp, missing=bRC_Error)
        name, value = xp.name, xp.value
        xp.name = bytes(name) if isinstance(name, bytearray) and name else None
        xp.value = bytes(value) if xp.name is not None and isinstance(value, bytearray) else None
        return rc

    def set_xattr(self, xp):
        return self._pycall("set_xattr", xp, missing=bRC_Error)

    def free(self):
        self.module = None
