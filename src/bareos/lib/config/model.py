"""Loaded configuration objects: Config, Resource, Block, Password, Address."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .schema import ResourceType, Schema, norm


class Password:
    """A password as Bareos keeps it: MD5 hex (``.md5``), plain text if known.

    ``Password = secret`` stores md5("secret"); ``Password = "[md5]<hex>"``
    keeps the hex and ``.plain`` is None.  ``clear`` passwords (console and
    tray monitor, catalog DB password) keep the plain text for printing.
    """

    __slots__ = ("md5", "plain", "encoding")

    def __init__(self, text: str, encoding: str = "md5"):
        self.encoding = encoding
        if encoding == "md5" and text.startswith("[md5]"):
            self.md5 = text[5:].lower()
            self.plain = None
        else:
            self.plain = text
            self.md5 = hashlib.md5(text.encode("utf-8", "surrogateescape")).hexdigest()

    def config_text(self) -> str:
        """What ``show`` prints inside the quotes."""
        if self.encoding == "clear":
            return self.plain or ""
        return "[md5]" + self.md5

    @property
    def key(self) -> bytes:
        """The secret used for CRAM-MD5 and TLS-PSK (the MD5 hex or clear text)."""
        if self.encoding == "clear":
            return (self.plain or "").encode()
        return self.md5.encode()

    def __eq__(self, other):
        if isinstance(other, Password):
            return self.md5 == other.md5
        return NotImplemented

    def __hash__(self):
        return hash(self.md5)

    def __repr__(self):
        return "Password([md5]%s)" % self.md5


@dataclass
class Address:
    family: str  # "ipv4" or "ipv6"
    addr: str
    port: int
    default: bool = False  # one of the built-in "any address" entries


class _Values:
    """Shared by Resource and Block: directive values with defaults."""

    rtype: ResourceType

    def __init__(self, rtype: ResourceType, source_file: str | None = None,
                 source_line: int | None = None):
        self.rtype = rtype
        self.values: dict[str, object] = {}      # directive key -> value
        self.present: set[str] = set()           # given in the configuration
        self.inherited: set[str] = set()         # copied from JobDefs
        self.order: list[str] = []               # keys in the order given
        self.source_file = source_file
        self.source_line = source_line

    def _directive(self, name: str):
        d = self.rtype.directive(name)
        if d is None:
            raise KeyError("%s has no directive %r" % (self.rtype.name, name))
        return d

    def __getitem__(self, name: str):
        d = self._directive(name)
        if d.key in self.values:
            return self.values[d.key]
        from .types import default_value
        return default_value(d)

    def get(self, name: str, default=None):
        d = self.rtype.directive(name)
        if d is None:
            return default
        if d.key in self.values:
            return self.values[d.key]
        from .types import default_value
        v = default_value(d)
        return default if v is None else v

    def is_set(self, name: str) -> bool:
        d = self.rtype.directive(name)
        return d is not None and d.key in self.present

    def __contains__(self, name: str) -> bool:
        return self.is_set(name)

    def set(self, name: str, value, present: bool = True) -> None:
        d = self._directive(name)
        self.values[d.key] = value
        if present:
            self.present.add(d.key)
            self.inherited.discard(d.key)
            if d.key not in self.order:
                self.order.append(d.key)


class Resource(_Values):
    """One resource (``Client { ... }``)."""

    def __init__(self, rtype: ResourceType, name: str | None = None,
                 source_file: str | None = None, source_line: int | None = None):
        super().__init__(rtype, source_file, source_line)
        self.extra: dict[str, object] = {}  # type-specific data (messages chain)
        if name is not None:
            self.set("Name", name)

    @property
    def name(self) -> str:
        return self.values.get("name")  # type: ignore[return-value]

    @property
    def description(self):
        return self.get("Description")

    def __repr__(self):
        return "<%s %r>" % (self.rtype.name, self.name)


class Block(_Values):
    """A nested block (Include, Exclude, Options, RunScript): no name."""

    def __init__(self, rtype: ResourceType, source_file=None, source_line=None):
        super().__init__(rtype, source_file, source_line)
        self.extra: dict[str, object] = {}

    @property
    def name(self):
        return None

    def __repr__(self):
        return "<%s block %r>" % (self.rtype.name, {k: self.values[k] for k in self.order})


@dataclass
class Config:
    """A loaded configuration."""

    schema: Schema
    path: str | None = None                 # the file or directory that was loaded
    config_dir: str | None = None           # the <daemon>.d directory (None for a file)
    base_dir: str | None = None             # directory holding <daemon>.d or the file
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _resources: list[Resource] = field(default_factory=list)

    def resources(self, rtype: str | None = None) -> list[Resource]:
        if rtype is None:
            return list(self._resources)
        return [r for r in self._resources if r.rtype.matches(rtype)]

    def get(self, rtype: str, name: str) -> Resource | None:
        for r in self._resources:
            if r.rtype.matches(rtype) and r.name == name:
                return r
        return None

    def first(self, rtype: str) -> Resource | None:
        for r in self._resources:
            if r.rtype.matches(rtype):
                return r
        return None

    def names(self, rtype: str) -> list[str]:
        return [r.name for r in self.resources(rtype)]

    def add(self, res: Resource) -> None:
        """Append a resource; a duplicate name of the same type is an error."""
        from .errors import ConfigError
        if self.get(res.rtype.name, res.name) is not None:
            raise ConfigError(
                res.source_file, res.source_line, None,
                'Resource "%s" with name "%s" already exists.'
                % (res.rtype.name, res.name))
        self._resources.append(res)

    def remove(self, res: Resource) -> None:
        self._resources.remove(res)

    def resource_type(self, name: str) -> ResourceType | None:
        return self.schema.resource_type(name)

    def __iter__(self):
        return iter(self._resources)


__all__ = ["Address", "Block", "Config", "Password", "Resource", "norm"]
