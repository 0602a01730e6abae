"""Loading a configuration: path resolution, resources, JobDefs, validation."""

from __future__ import annotations

import copy
import os

from . import lexer as L
from .errors import ConfigError
from .model import Config, Resource
from .schema import ResourceType, Schema
from .types import STORE, _Ctx


def store_directive(lx: L.Lexer, res, rtype: ResourceType, schema=None) -> None:
    """The current token is an identifier inside ``rtype``: read its value."""
    word = lx.str
    d = rtype.directive(word)
    if d is None:
        desc = ('%s "%s"' % (rtype.name, res.name)) if getattr(res, "name", None) else rtype.name
        raise ConfigError(
            lx.fname, lx.line_no, word,
            'Keyword "%s" not permitted in this resource (%s).\n'
            "Perhaps you left the trailing brace off of the previous resource."
            % (word, rtype.name), resource=desc)
    if not d.no_equals:
        if lx.get_token(L.SKIP_EOL) != L.T_EQUALS:
            raise ConfigError(lx.fname, lx.line_no, d.name,
                              "expected an equals, got: %s" % lx.str)
    store = STORE.get(d.type)
    if store is None:  # pragma: no cover - table error
        raise ConfigError(lx.fname, lx.line_no, d.name, "unsupported type %s" % d.type)
    store(_Ctx(lx, res, d, schema))


def parse_stream(lx: L.Lexer, schema: Schema, cfg: Config) -> None:
    while True:
        tok = lx.get_token(L.ALL)
        if tok == L.T_EOF:
            return
        if tok in (L.T_EOL, L.T_UTF8_BOM):
            continue
        if tok != L.T_IDENTIFIER:
            raise ConfigError(lx.fname, lx.line_no, None,
                              "Expected a Resource name identifier, got: %s" % lx.str)
        rtype = schema.resource_type(lx.str)
        if rtype is None:
            raise ConfigError(lx.fname, lx.line_no, None,
                              "Expected a Resource name identifier, got: %s" % lx.str)
        res = Resource(rtype, None, lx.fname, lx.line_no)
        level = 0
        while True:
            tok = lx.get_token(L.ALL)
            if tok == L.T_EOF:
                raise ConfigError(lx.fname, lx.line_no, None,
                                  "End of conf file reached with unclosed resource.")
            if tok == L.T_BOB:
                level += 1
                continue
            if tok == L.T_EOL:
                continue
            if tok == L.T_IDENTIFIER:
                if level != 1:
                    raise ConfigError(lx.fname, lx.line_no, lx.str,
                                      "not in resource definition: %s" % lx.str)
                store_directive(lx, res, rtype, schema)
                continue
            if tok == L.T_EOB:
                level -= 1
                if level > 0:
                    continue
                break
            raise ConfigError(lx.fname, lx.line_no, None,
                              "unexpected token %s %s in resource definition"
                              % (tok, lx.str))
        if res.name is None:
            raise ConfigError(res.source_file, res.source_line, "Name",
                              "Name not specified for resource %s" % rtype.name)
        if cfg.get(rtype.name, res.name) is not None:
            raise ConfigError(res.source_file, res.source_line, "Name",
                              'Attempt to define second %s resource named "%s" is '
                              "not permitted." % (rtype.name, res.name))
        cfg._resources.append(res)


# -- locating the configuration ----------------------------------------------------

def find_config(path: str | None, schema: Schema) -> tuple[str, str | None, str]:
    """Resolve ``-c`` like Bareos: returns (what to read, config_dir, base_dir).

    * a file: read it (``config_dir`` None);
    * a directory holding ``<daemon>.conf``: read that file;
    * a directory holding ``<daemon>.d/``: read ``<daemon>.d/*/*.conf``;
    * a directory that *is* ``<daemon>.d``: read ``*/*.conf`` in it.
    """
    from .paths import default_config_dir
    if not path:
        path = default_config_dir()
    if os.path.isdir(path):
        f = os.path.join(path, schema.config_file_name)
        if os.path.exists(f):
            return f, None, path
        d = os.path.join(path, schema.config_dir_name)
        if os.path.isdir(d):
            return os.path.join(d, "*", "*.conf"), d, path
        if os.path.basename(os.path.normpath(path)) == schema.config_dir_name:
            parent = os.path.dirname(os.path.normpath(path))
            return os.path.join(path, "*", "*.conf"), os.path.normpath(path), parent
        raise ConfigError(
            path, 0, None,
            'Failed to find configuration files under directory "%s". Did look '
            'for "%s" (config file path) and "%s" (config include directory).'
            % (path, f, d))
    if os.path.exists(path):
        return path, None, os.path.dirname(os.path.abspath(path))
    raise ConfigError(path, 0, None, 'Failed to read config file "%s"' % path)


def load_config(path: str | None, schema: Schema) -> Config:
    """Load and check a configuration (file or directory) against ``schema``."""
    target, config_dir, base_dir = find_config(path, schema)
    cfg = Config(schema=schema, path=path, config_dir=config_dir, base_dir=base_dir)
    lx = L.Lexer()
    if not lx._open(target, None, None):
        raise ConfigError(target, 0, None, 'Cannot open config file "%s"' % target)
    if not lx.sources:
        raise ConfigError(target, 0, None,
                          "no configuration files found at %s" % target)
    parse_stream(lx, schema, cfg)
    cfg.files = list(dict.fromkeys(lx.files_read))
    finish_config(cfg)
    return cfg


def load_config_text(text: str, schema: Schema, fname: str = "<string>") -> Config:
    """Parse configuration text (tests, ``configure add``)."""
    cfg = Config(schema=schema, path=None)
    lx = L.Lexer.from_text(text, fname)
    parse_stream(lx, schema, cfg)
    finish_config(cfg)
    return cfg


# -- after loading --------------------------------------------------------------------

def _apply_jobdefs(cfg: Config) -> None:
    schema = cfg.schema
    if not schema.jobdefs_type:
        return
    src_type = schema.jobdefs_source

    def resolve(res: Resource, seen: tuple) -> None:
        if "jobdefs" not in res.present:
            return
        jd_name = res.values["jobdefs"]
        jd = cfg.get(src_type, jd_name)
        if jd is None:
            raise ConfigError(res.source_file, res.source_line, "JobDefs",
                              'Missing config Resource "%s" referenced in %s "%s"'
                              % (jd_name, res.rtype.name, res.name))
        if jd.name in seen:
            raise ConfigError(jd.source_file, jd.source_line, "JobDefs",
                              'JobDefs "%s" refers to itself' % jd.name)
        resolve(jd, seen + (jd.name,))
        for d in res.rtype.directives:
            k = d.key
            if k in ("name", "description", "jobdefs"):
                if k == "jobdefs" or k in res.present:
                    continue
            if k in ("name",):
                continue
            if k in res.present or k not in jd.present:
                continue
            if d.type in ("runscript", "shrtrunscript") or k not in jd.values:
                continue
            res.values[k] = jd.values[k]
            res.present.add(k)
            res.inherited.add(k)
        # RunScripts: the Job's own plus those of the JobDefs
        rs = res.rtype.directive("RunScript")
        if rs is not None and jd.values.get(rs.key):
            own = list(res.values.get(rs.key, [])) if rs.key not in res.inherited else []
            inherited = []
            for b in jd.values[rs.key]:
                b2 = copy.copy(b)
                b2.extra = dict(b.extra, from_jobdef=True)
                inherited.append(b2)
            if own:
                res.values[rs.key] = own + inherited
            else:
                res.values[rs.key] = inherited
                res.present.add(rs.key)
                res.inherited.add(rs.key)

    for res in cfg.resources(schema.jobdefs_source) + cfg.resources(schema.jobdefs_type):
        resolve(res, (res.name,))
        if res.rtype.matches(schema.jobdefs_source):
            continue


def _check_required(cfg: Config) -> None:
    for res in cfg:
        if cfg.schema.jobdefs_source and res.rtype.matches(cfg.schema.jobdefs_source):
            continue
        for d in res.rtype.directives:
            if d.required and d.key not in res.present:
                raise ConfigError(
                    res.source_file, res.source_line, d.name,
                    '"%s" directive in %s "%s" resource is required, but not found.'
                    % (d.name, res.rtype.name, res.name),
                    resource='%s "%s"' % (res.rtype.name, res.name))


def _check_references(cfg: Config) -> None:
    for res in cfg:
        for d in res.rtype.directives:
            if d.ref is None or d.key not in res.present:
                continue
            v = res.values[d.key]
            names = v if isinstance(v, list) else [v]
            for n in names:
                if cfg.get(d.ref, n) is None:
                    raise ConfigError(
                        res.source_file, res.source_line, d.name,
                        'Could not find config resource "%s" referenced in %s "%s" '
                        "(expected a %s resource)" % (n, res.rtype.name, res.name, d.ref),
                        resource='%s "%s"' % (res.rtype.name, res.name))


def finish_config(cfg: Config) -> None:
    _apply_jobdefs(cfg)
    _check_required(cfg)
    _check_references(cfg)
    for v in cfg.schema.validators:
        v(cfg)
    for res in cfg:
        for d in res.rtype.directives:
            if d.deprecated and d.key in res.present and d.key not in res.inherited:
                cfg.warnings.append(
                    "%s:%s: using deprecated keyword %s (deprecated since %s)"
                    % (res.source_file, res.source_line, d.name, d.deprecated))
