"""Console ACLs as the Director checks them.

A named console (or a PAM user) carries ACL lists per kind, and a list of
profiles with their own lists.  An item is looked up in the console's own list
first; if nothing there decides, in each profile in order.  Within a list the
entries are tried in order: ``!entry`` denies on a match, ``entry`` allows on a
match, ``*all*`` matches everything, and an entry containing regular
expression characters matches when the (case-insensitive, POSIX-extended style)
expression covers the whole item.  Nothing found means denied.  The default
console (no ACL object) may do everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# ACL kinds, with the directive name that fills each.
JOB = "Job"
CLIENT = "Client"
STORAGE = "Storage"
SCHEDULE = "Schedule"
POOL = "Pool"
COMMAND = "Command"
FILESET = "FileSet"
CATALOG = "Catalog"
WHERE = "Where"
PLUGIN_OPTIONS = "Plugin Options"

ACL_DIRECTIVES = {
    JOB: "Job ACL",
    CLIENT: "Client ACL",
    STORAGE: "Storage ACL",
    SCHEDULE: "Schedule ACL",
    POOL: "Pool ACL",
    COMMAND: "Command ACL",
    FILESET: "FileSet ACL",
    CATALOG: "Catalog ACL",
    WHERE: "Where ACL",
    PLUGIN_OPTIONS: "Plugin Options ACL",
}

# Resource type name -> ACL kind guarding it.
RESOURCE_ACL = {
    "client": CLIENT,
    "job": JOB,
    "jobdefs": JOB,
    "storage": STORAGE,
    "catalog": CATALOG,
    "schedule": SCHEDULE,
    "fileset": FILESET,
    "pool": POOL,
}

_REGEX_CHARS = set(".()[]|^$+?*")
_NAME_ACCEPT = set(":.-_/ ")


def is_name_valid(name: str | None) -> tuple[bool, str]:
    """Bareos's resource-name check; returns (ok, message)."""
    if not name:
        return False, "Name must be at least one character long.\n"
    if name[0] == " ":
        return False, "Name cannot start with space.\n"
    for c in name:
        if not (c.isascii() and (c.isalnum() or c in _NAME_ACCEPT)):
            return False, f'Illegal character "{c}" in name.\n'
    if len(name) >= 128:
        return False, "Name too long.\n"
    if name[-1] == " ":
        return False, "Name cannot end with space.\n"
    return True, ""


@lru_cache(maxsize=1024)
def _compile(pattern: str):
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


def _entry_matches(entry: str, item: str) -> bool:
    if entry.lower() == "*all*":
        return True
    if entry.lower() == item.lower():
        return True
    if _REGEX_CHARS.intersection(entry):
        rx = _compile(entry)
        if rx is not None and rx.fullmatch(item):
            return True
    return False


def find_in_list(entries, item: str) -> bool | None:
    """True/False when an entry of the list decides, None when none does."""
    for entry in entries or ():
        if entry.startswith("!"):
            if _entry_matches(entry[1:], item):
                return False
        elif _entry_matches(entry, item):
            return True
    return None


@dataclass
class UserAcl:
    """The ACLs of a named console or user, and of its profiles."""

    name: str
    lists: dict[str, list[str]] = field(default_factory=dict)
    profiles: list["UserAcl"] = field(default_factory=list)

    @classmethod
    def from_resource(cls, res, config) -> "UserAcl":
        acl = cls(res.name, _lists_of(res))
        for pname in _as_list(res.get("Profile")):
            prof = config.get("Profile", pname)
            if prof is not None:
                acl.profiles.append(cls(prof.name, _lists_of(prof)))
        return acl

    def check(self, kind: str, item: str) -> bool:
        if kind not in (WHERE, PLUGIN_OPTIONS) and not is_name_valid(item)[0]:
            return False
        found = find_in_list(self.lists.get(kind), item)
        if found is None:
            for prof in self.profiles:
                found = find_in_list(prof.lists.get(kind), item)
                if found is not None:
                    break
        return bool(found)

    def no_restrictions(self, kind: str) -> bool:
        for lst in [self.lists.get(kind)] + [p.lists.get(kind) for p in self.profiles]:
            for entry in lst or ():
                if entry.startswith("!"):
                    return False
                if entry.lower() == "*all*":
                    return True
        return False


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for v in value:
            out.extend(_as_list(v))
        return out
    return [str(value)]


def _lists_of(res) -> dict[str, list[str]]:
    lists = {}
    for kind, directive in ACL_DIRECTIVES.items():
        value = res.get(directive)
        if value:
            lists[kind] = _as_list(value)
    return lists


def acl_access_ok(user_acl: UserAcl | None, kind: str, item: str) -> bool:
    if kind not in (WHERE, PLUGIN_OPTIONS) and not is_name_valid(item)[0]:
        return False
    if user_acl is None:
        return True
    return user_acl.check(kind, item)
