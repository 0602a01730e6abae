"""What the three Python plugin hosts share.

Bareos runs every Python plugin instance in its own sub-interpreter; here
each instance imports its module (and the modules next to it, such as the
base classes and ``Bareos*Wrapper``) afresh, so module-level state like the
wrapper's ``bareos_fd_plugin_object`` belongs to one instance.  The
``bareosfd``/``bareossd``/``bareosdir`` modules are shared: their calls act
on the plugin instance the current thread is running (Bareos's
``thread_local plugin_context``).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import traceback

_local = threading.local()
_import_lock = threading.RLock()
_last_context = None

PYFILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyfiles")


class NoContext(RuntimeError):
    pass


class DefinitionError(ValueError):
    """An argument of a plugin definition without ``=value`` (the rest of
    the definition is the message)."""


def definition_items(body: str):
    """Yield the ``key=value`` pairs of a plugin definition after its name
    (Bareos's parse_plugin_definition): a value ends at a colon that no
    backslash escapes.  Raises DefinitionError, at the point it is met, for
    an argument without a value."""
    i = 0
    while i < len(body):
        eq = body.find("=", i)
        if eq < 0:
            raise DefinitionError(body[i:])
        j = eq + 1
        while True:                       # the value ends at a colon not escaped
            c = body.find(":", j)
            if c < 0:
                end = nxt = len(body)
                break
            if body[c - 1] != "\\":
                end, nxt = c, c + 1
                break
            j = c + 1
        key, val = body[i:eq], body[eq + 1:end]
        i = nxt
        yield key, val


def set_current(ctx) -> object:
    """Make *ctx* the context of the calling thread; returns the previous one."""
    global _last_context
    prev = getattr(_local, "ctx", None)
    _local.ctx = ctx
    if ctx is not None:
        _last_context = ctx
    return prev


def current():
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _last_context            # a thread the plugin started itself
    if ctx is None:
        raise NoContext("no Bareos plugin context in this thread")
    return ctx


def _within(path: str | None, dirs: list[str]) -> bool:
    if not path:
        return False
    p = os.path.realpath(path)
    return any(p.startswith(d.rstrip("/") + "/") for d in dirs)


def isolated_import(module_name: str, search_dirs: list[str], host_modules: dict):
    """Import *module_name* with a private copy of every module that lives in
    *search_dirs*; *host_modules* (``{"bareosfd": module}``) are visible as
    they are.  Returns the module."""
    dirs = [os.path.realpath(d) for d in search_dirs if d]
    with _import_lock:
        saved_path = list(sys.path)
        saved = {}
        for name, mod in list(sys.modules.items()):
            if _within(getattr(mod, "__file__", None), dirs):
                saved[name] = sys.modules.pop(name)
        for name, mod in host_modules.items():
            if name in sys.modules and sys.modules[name] is not mod:
                saved.setdefault(name, sys.modules[name])
            sys.modules[name] = mod
        sys.path[:0] = [d for d in search_dirs if d]
        try:
            importlib.invalidate_caches()
            return importlib.import_module(module_name)
        finally:
            sys.path[:] = saved_path
            for name, mod in list(sys.modules.items()):
                if _within(getattr(mod, "__file__", None), dirs):
                    del sys.modules[name]
            for name, mod in saved.items():
                if name not in host_modules:
                    sys.modules[name] = mod


def format_exception(prefix: str, exc: BaseException) -> str:
    """The job message a failing Python plugin gives (Bareos's PyErrorHandler)."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{prefix}: {text}"


def to_rc(value) -> int:
    """A Python plugin's return value as a bRC (None is an error, as in Bareos)."""
    if isinstance(value, int):            # bool too: False is 0 as in C
        return value
    return 2
