"""Changing a loaded configuration at run time (``configure add``)."""

from __future__ import annotations

import os

from . import lexer as L
from .errors import ConfigError
from .model import Config, Resource
from .parser import _check_references, parse_stream
from .printer import format_resource_for_file


def resource_exists(cfg: Config, rtype: str, name: str) -> bool:
    return cfg.get(rtype, name) is not None


def parse_resource_text(cfg: Config, text: str, fname: str = "<configure>") -> Resource:
    """Parse one resource's text against the config's schema (not added)."""
    tmp = Config(schema=cfg.schema)
    lx = L.Lexer.from_text(text, fname)
    lx.allow_includes = False
    parse_stream(lx, cfg.schema, tmp)
    if len(tmp.resources()) != 1:
        raise ConfigError(fname, 0, None, "expected exactly one resource")
    return tmp.resources()[0]


def add_resource(cfg: Config, rtype: str, directives: list[tuple[str, str]],
                 write: bool = True) -> tuple[Resource, str | None, str]:
    """Add a resource as ``configure add`` does.

    Builds the file text, parses it (so every value is checked as if it had
    been in the configuration), refuses a duplicate name
    (``Resource "Console" with name "x" already exists.``) or an unknown
    reference, writes ``<config_dir>/<type>/<name>.conf`` (mode 0640) when
    ``write`` and the configuration is a directory tree, and appends the
    resource.  Returns (resource, path written or None, file text).
    """
    rt = cfg.schema.resource_type(rtype)
    if rt is None:
        raise ConfigError(None, 0, None, 'invalid resource type "%s"' % rtype)
    name = None
    for k, v in directives:
        if "".join(k.split()).lower() == "name":
            name = v
    if not name:
        raise ConfigError(None, 0, "Name", "missing name")
    if resource_exists(cfg, rt.name, name):
        raise ConfigError(None, 0, None,
                          'Resource "%s" with name "%s" already exists.' % (rt.name, name))
    text = format_resource_for_file(rt.name, directives)
    path = None
    if cfg.config_dir:
        path = os.path.join(cfg.config_dir, rt.name.lower(), "%s.conf" % name)
    res = parse_resource_text(cfg, text, path or "<configure>")
    # check references against the live configuration
    probe = Config(schema=cfg.schema, _resources=cfg.resources() + [res])
    _check_references(probe)
    if write and path:
        if os.path.exists(path):
            raise ConfigError(path, 0, None, 'file "%s" already exists' % path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(path, 0o640)
    res.source_file = path or res.source_file
    cfg.add(res)
    return res, path, text
