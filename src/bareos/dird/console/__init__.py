"""The Director's console commands: one registration table, one module per command.

``COMMANDS`` lists every command in Bareos's table order (the order decides
prefix matching: ``h`` is ``help``).  Each entry names the module and function
that implement it; a command whose implementation has not been written yet is
answered with a clear "not implemented" error instead of being hidden, so that
``help`` still lists what Bareos has.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from .cmdinfo import COMMAND_INFO

# command name -> "module:function" inside this package
HANDLERS: dict[str, str] = {
    ".": "noop:run",
    ".api": "api:run",
    ".help": "help:dot_help",
    ".quit": "quit:run",
    "exit": "quit:run",
    "quit": "quit:run",
    "help": "help:run",
    "version": "version:run",
    "whoami": "whoami:run",
    "time": "time:run",
    "autodisplay": "autodisplay:run",
    "gui": "autodisplay:gui",
    "messages": "messages:run",
    ".messages": "messages:dot_messages",
    "show": "show:run",
    "configure": "configure:run",
    "reload": "reload:run",
    "status": "status:run",
    ".status": "status:dot_status",
    ".jobs": "dotlists:jobs",
    ".jobdefs": "dotlists:jobdefs",
    ".clients": "dotlists:clients",
    ".filesets": "dotlists:filesets",
    ".pools": "dotlists:pools",
    ".storages": "dotlists:storages",
    ".msgs": "dotlists:msgs",
    ".consoles": "dotlists:consoles",
    ".users": "dotlists:users",
    ".profiles": "dotlists:profiles",
    ".schedule": "dotlists:schedules",
    ".catalogs": "dotlists:catalogs",
    ".levels": "dotlists:levels",
    ".types": "dotlists:types",
    ".jobstatus": "dotlists:jobstatus",
    ".volstatus": "dotlists:volstatus",
    ".actiononpurge": "dotlists:actiononpurge",
    ".authorized": "dotlists:authorized",
    ".defaults": "dotlists:defaults",
    "run": "run:run",
    "wait": "wait:run",
    "cancel": "cancel:run",
    # catalog listings and changes (listcmd.py, sql.py, delete.py, update.py)
    "list": "listcmd:list_cmd",
    "llist": "listcmd:llist_cmd",
    ".sql": "sql:dot_sql",
    "sqlquery": "sql:sqlquery",
    "query": "sql:query",
    "delete": "delete:run",
    "update": "update:run",
    ".media": "sql:dot_media",
    ".mediatypes": "sql:dot_mediatypes",
    ".locations": "sql:dot_locations",
    # restore and the bvfs API (restore.py, bvfs.py)
    "restore": "restore:run",
    ".bvfs_lsdirs": "bvfs:lsdirs",
    ".bvfs_lsfiles": "bvfs:lsfiles",
    ".bvfs_update": "bvfs:update",
    ".bvfs_get_jobids": "bvfs:get_jobids",
    ".bvfs_versions": "bvfs:versions",
    ".bvfs_restore": "bvfs:restore",
    ".bvfs_cleanup": "bvfs:cleanup",
    ".bvfs_clear_cache": "bvfs:clear_cache",
    # commands that reach a Storage Daemon (sdcmds.py)
    "label": "sdcmds:label",
    "relabel": "sdcmds:relabel",
    "mount": "sdcmds:mount",
    "unmount": "sdcmds:unmount",
    "umount": "sdcmds:unmount",
    "release": "sdcmds:release",
    # autochangers (changer.py; label barcodes, update slots, status slots live there too)
    "move": "changer:move",
    "import": "changer:import_cmd",
    "export": "changer:export_cmd",
    # estimate (estimate.py)
    "estimate": "estimate:run",
    # enable/disable (enable.py)
    "enable": "enable:enable",
    "disable": "enable:disable",
    # retention (prune.py, purge.py, truncate.py) and reruns (rerun.py)
    "prune": "prune:run",
    "purge": "purge:run",
    "truncate": "truncate:run",
    "rerun": "rerun:run",
    # debug settings and name resolution (setdebug.py, resolve.py)
    "setdebug": "setdebug:setdebug",
    "setbandwidth": "setdebug:setbandwidth",
    "trace": "setdebug:trace",
    "resolve": "resolve:run",
    # use/var/add/create/memory (misc.py)
    "use": "misc:use",
    "var": "misc:var",
    "add": "misc:add",
    "create": "misc:create",
    "memory": "misc:memory",
}


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    usage_text: str | None
    handler_ref: str | None

    @property
    def usage(self) -> str:
        if self.usage_text is None:
            from .configure import usage as configure_usage

            return configure_usage()
        return self.usage_text

    def run(self, ua) -> bool:
        return self.handler()(ua)

    def handler(self) -> Callable:
        if self.handler_ref is None:
            return _not_implemented
        mod, func = self.handler_ref.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{mod}":
                raise
            return _not_implemented
        return getattr(module, func, _not_implemented)


def _not_implemented(ua) -> bool:
    ua.error_msg(f"{ua.command.name}: this command is not implemented yet by this Director.\n")
    return False


COMMANDS: tuple[Command, ...] = tuple(
    Command(name, desc, usage, HANDLERS.get(name)) for name, desc, usage in COMMAND_INFO
)


def lookup(word: str) -> Command | None:
    """The first command of the table of which ``word`` is a case-insensitive prefix."""
    w = word.lower()
    for cmd in COMMANDS:
        if cmd.name.startswith(w):
            return cmd
    return None


def is_dot_command(name: str) -> bool:
    return name.startswith(".")
