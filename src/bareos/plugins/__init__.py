"""Plugins for the three daemons (see docs/plugins.md).

A daemon enables plugins with ``Plugin Directory`` and, optionally,
``Plugin Names``: without names every plugin the daemon knows is loaded.
The plugins are Python classes; the ones built in are

* File Daemon: ``bpipe`` and ``python3`` (also reached as ``python``),
* Storage Daemon: ``autoxflate`` and ``python3``,
* Director: ``python3``.

A file ``<name>-fd.py`` / ``<name>-sd.py`` / ``<name>-dir.py`` in the Plugin
Directory that defines ``PLUGIN_CLASS`` adds a plugin of that name (written
against the same classes as the built-in ones).

Return codes, events and variables keep Bareos's numbers so that Python
plugins written for Bareos (``bareosfd``, ``bareossd``, ``bareosdir``) see the
values they expect.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass, field

log = logging.getLogger("bareos.plugins")

# bRC: plugin return codes
bRC_OK, bRC_Stop, bRC_Error, bRC_More, bRC_Term, bRC_Seen, bRC_Core, bRC_Skip, bRC_Cancel = range(9)
RC_NAMES = {0: "bRC_OK", 1: "bRC_Stop", 2: "bRC_Error", 3: "bRC_More", 4: "bRC_Term",
            5: "bRC_Seen", 6: "bRC_Core", 7: "bRC_Skip", 8: "bRC_Cancel"}

SUFFIX = {"fd": "-fd", "sd": "-sd", "dir": "-dir"}


class PluginError(Exception):
    """A plugin could not be loaded or used (the message is for the job log)."""


@dataclass
class PluginInfo:
    """One loaded plugin: its name (as used in plugin strings) and class."""

    name: str
    cls: type
    file: str = ""
    aliases: tuple = ()
    info: dict = field(default_factory=dict)

    def matches(self, name: str) -> bool:
        """Bareos's IsEventForThisPlugin: full name, or the name without its
        last character (``python`` streams restore with ``python3``)."""
        if name == self.name or name in self.aliases:
            return True
        return len(name) == len(self.name) - 1 and self.name.startswith(name)


def plugin_name_of(cmd: str) -> str:
    """The plugin name of a plugin string: everything before the first colon."""
    return cmd.split(":", 1)[0].strip()


def split_options(text: str) -> list[str]:
    """Split ``a=1:b=x\\:y`` at colons not escaped with a backslash."""
    out, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == ":" and not (cur and cur[-1] == "\\"):
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        out.append("".join(cur))
    return out


def parse_plugin_options(cmd: str) -> tuple[str, list[tuple[str, str]]]:
    """``name:k=v:k2=v2`` -> (name, [(k, v), ...]); a part without ``=`` gives
    (part, None)."""
    name, _, rest = cmd.partition(":")
    pairs = []
    for part in split_options(rest):
        if not part:
            continue
        k, eq, v = part.partition("=")
        pairs.append((k, v if eq else None))
    return name.strip(), pairs


def builtin_plugins(kind: str) -> dict[str, PluginInfo]:
    if kind == "fd":
        from .bpipe import BpipePlugin
        from .python_fd import PythonFdPlugin
        return {"bpipe": PluginInfo("bpipe", BpipePlugin, "bpipe-fd"),
                "python3": PluginInfo("python3", PythonFdPlugin, "python3-fd", aliases=("python",))}
    if kind == "sd":
        from .autoxflate import AutoxflatePlugin
        from .python_sd import PythonSdPlugin
        return {"autoxflate": PluginInfo("autoxflate", AutoxflatePlugin, "autoxflate-sd"),
                "python3": PluginInfo("python3", PythonSdPlugin, "python3-sd", aliases=("python",))}
    if kind == "dir":
        from .python_dir import PythonDirPlugin
        return {"python3": PluginInfo("python3", PythonDirPlugin, "python3-dir", aliases=("python",))}
    raise ValueError(kind)


def _directory_plugins(kind: str, plugin_dir: str) -> dict[str, PluginInfo]:
    found: dict[str, PluginInfo] = {}
    suffix = SUFFIX[kind] + ".py"
    try:
        names = sorted(os.listdir(plugin_dir))
    except OSError:
        return found
    for fn in names:
        if not fn.endswith(suffix):
            continue
        name = fn[: -len(suffix)]
        path = os.path.join(plugin_dir, fn)
        try:
            spec = importlib.util.spec_from_file_location(f"bareos_plugin_{kind}_{name}", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            cls = getattr(mod, "PLUGIN_CLASS")
        except Exception as exc:  # noqa: BLE001 - a bad plugin file is logged, not fatal
            log.warning("cannot load plugin %s: %s", path, exc)
            continue
        found[name] = PluginInfo(name, cls, fn[:-3])
    return found


def load_plugins(kind: str, plugin_dir: str | None, names) -> list[PluginInfo]:
    """The plugins a daemon loads (Bareos's LoadPlugins): none without a
    Plugin Directory; the named ones (``python`` selects ``python3``), or
    all of them when no names are given."""
    if not plugin_dir:
        return []
    avail = builtin_plugins(kind)
    avail.update(_directory_plugins(kind, plugin_dir))
    if isinstance(names, str):
        names = [names]
    wanted: list[str] = []
    for n in names or []:
        for part in str(n).split(":"):
            part = part.strip()
            if part:
                wanted.append(part)
    if not wanted:
        return list(avail.values())
    out: list[PluginInfo] = []
    for n in wanted:
        info = avail.get(n)
        if info is None:
            info = next((p for p in avail.values() if n in p.aliases), None)
        if info is None:
            log.warning("plugin %s%s not found in %s", n, SUFFIX[kind], plugin_dir)
            continue
        if info not in out:
            out.append(info)
    return out


def plugin_list_text(plugins: list[PluginInfo], kind: str) -> str:
    """The `` Plugin: a b`` part of status output."""
    if not plugins:
        return ""
    return " Plugin: " + " ".join(p.file or (p.name + SUFFIX[kind]) for p in plugins)
