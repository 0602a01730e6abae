"""Build-time paths used in directive defaults.

Bareos compiles paths such as the working directory into its defaults
(``WorkingDirectory`` defaults to ``PATH_BAREOS_WORKINGDIR``).  Our defaults
name them as ``@working_dir@``-style placeholders resolved here from the
installation prefix (``BAREOS_PREFIX``, default ``/``) or from ``set_paths``,
so that ``show`` hides exactly the values Bareos would hide for the same
installation layout.

A compiled-in default does not follow the environment: Bareos's systemtests
export ``BAREOS_WORKING_DIR`` (and their configurations set
``WorkingDirectory`` to it), and ``show all verbose`` still prints that
directive as set, because it differs from the built-in path.  Only the
configuration directory (``BAREOS_CONFIG_DIR``, the default of ``-c``) is
taken from the environment.
"""

from __future__ import annotations

import os

_LAYOUT = {
    # name: (environment variable, path below the prefix)
    "working_dir": ("BAREOS_WORKING_DIR", "var/lib/bareos"),
    "scriptdir": ("BAREOS_SCRIPT_DIR", "usr/lib/bareos/scripts"),
    "backenddir": ("BAREOS_BACKEND_DIR", "usr/lib/bareos/backends"),
    "plugindir": ("BAREOS_PLUGIN_DIR", "usr/lib/bareos/plugins"),
    "confdir": ("BAREOS_CONFIG_DIR", "etc/bareos"),
    "logdir": ("BAREOS_LOG_DIR", "var/log/bareos"),
    "piddir": ("BAREOS_PID_DIR", "var/lib/bareos"),
    "bindir": ("BAREOS_BIN_DIR", "usr/bin"),
    "sbindir": ("BAREOS_SBIN_DIR", "usr/sbin"),
}

#: layout entries an environment variable may override (not directive defaults)
_FROM_ENVIRONMENT = {"confdir"}

_override: dict[str, str] = {}


def set_paths(prefix: str | None = None, **paths: str) -> None:
    """Set the layout for this process (tests; a relocated installation).

    ``set_paths(prefix="/srv/bareos-demo")`` gives
    ``/srv/bareos-demo/var/lib/bareos`` as working directory, etc.
    Use ``set_paths()`` to go back to the environment and ``/``.
    """
    _override.clear()
    if prefix is not None:
        _override["__prefix__"] = prefix
    _override.update(paths)


def path(name: str) -> str:
    if name in _override:
        return _override[name]
    env, rel = _LAYOUT[name]
    if name in _FROM_ENVIRONMENT and env in os.environ:
        return os.environ[env]
    prefix = _override.get("__prefix__", os.environ.get("BAREOS_PREFIX", "/"))
    if name == "scriptdir" and prefix not in ("/", ""):
        rel = "lib/bareos/scripts"
    if name == "backenddir" and prefix not in ("/", ""):
        rel = "lib/bareos/backends"
    if name == "plugindir" and prefix not in ("/", ""):
        rel = "lib/bareos/plugins"
    if name in ("bindir",) and prefix not in ("/", ""):
        rel = "bin"
    if name in ("sbindir",) and prefix not in ("/", ""):
        rel = "sbin"
    return os.path.join(prefix, rel)


def default_config_dir() -> str:
    return path("confdir")


def expand_path_default(text: str) -> str:
    """Replace ``@name@`` placeholders in a default by the layout's paths."""
    if "@" not in text:
        return text
    out = text
    for name in _LAYOUT:
        token = "@%s@" % name
        if token in out:
            out = out.replace(token, path(name))
    return out
