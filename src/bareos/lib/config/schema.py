"""Declarations: directives, resource types and daemon schemas.

A daemon's table is a :class:`Schema` holding :class:`ResourceType` objects,
each a list of :class:`Directive` in Bareos's table order (that order is the
order ``show`` prints in).  Nested blocks (FileSet ``Include``/``Options``,
``RunScript``) are ResourceTypes too, referenced from a directive's
``block``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def norm(name: str) -> str:
    """Directive/resource names match ignoring case and blanks."""
    return "".join(name.split()).lower()


@dataclass
class Directive:
    name: str
    type: str
    default: str | None = None      # as Bareos spells it (a string) or None
    required: bool = False
    aliases: tuple[str, ...] = ()
    deprecated: str | None = None   # version since which it is deprecated
    ref: str | None = None          # referenced resource type (res, alist_res)
    code: object = None             # extra info for the type (ACL kind, ...)
    no_equals: bool = False
    description: str = ""
    always_print: bool = False      # print even if not given (Director Addresses)
    block: "ResourceType | None" = None  # nested block type
    platform_specific: bool = False
    extension: bool = False         # ours, not Bareos's (left out of Bareos's usage texts)

    @property
    def key(self) -> str:
        return norm(self.name)


@dataclass
class ResourceType:
    name: str                    # "Director"
    group: str                   # "Directors": the JSON key of `show`
    directives: list[Directive]
    aliases: tuple[str, ...] = ()
    printer: str | None = None   # special printer: "fileset", "messages"
    named: bool = True           # False for nested blocks
    description: str = ""
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {}
        for d in self.directives:
            self._index.setdefault(d.key, d)
        for d in self.directives:
            for a in d.aliases:
                self._index.setdefault(norm(a), d)

    def directive(self, name: str) -> Directive | None:
        return self._index.get(norm(name))

    def matches(self, name: str) -> bool:
        n = norm(name)
        return n == norm(self.name) or any(n == norm(a) for a in self.aliases)


@dataclass
class Schema:
    daemon: str                   # "bareos-dir"
    config_dir_name: str          # "bareos-dir.d"
    config_file_name: str         # "bareos-dir.conf"
    resources: list[ResourceType]
    validators: list = field(default_factory=list)  # callables(config)
    jobdefs_type: str | None = None  # resource type that inherits ("Job")
    jobdefs_source: str | None = None  # its source type ("JobDefs")
    #: callable(config) -> [Resource]: resources the daemon makes itself (the
    #: Director's "*UserAgent*" console); not in the configuration, printed
    #: only by ``show ... verbose`` / ``--xc -v``, every line commented
    internal_resources: object = None

    def resource_type(self, name: str) -> ResourceType | None:
        for r in self.resources:
            if r.matches(name):
                return r
        return None
