"""Printing resources: ``show`` text (API 0), API 2 JSON, ``configure add``.

One emitter writes both forms, the way Bareos's output formatter does: text
lines with two-blank indentation (``# `` before values shown only in verbose
mode), and a JSON object whose keys are the directive names lower-cased.
Which directives appear is decided from the table: a directive is printed
when the configuration gave it (not inherited from JobDefs) and its value
differs from the default; required ones always; in verbose mode everything,
defaults as comments.
"""

from __future__ import annotations

from .model import Block, Config, Password, Resource
from .schema import Directive
from .types import MSG_TYPES, default_value, is_default, keyword_shown
from .units import format_duration, format_size


def escape_string(s: str) -> str:
    """Bareos's EscapeString: ' doubled, backslash and ()<>" prefixed."""
    out = []
    for c in s:
        if c == "'":
            out.append("''")
        elif c == "\\":
            out.append("\\\\")
        elif c in '()<>"':
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _requires_escaping(s: str) -> bool:
    esc = False
    for c in s:
        if c == "\\":
            esc = not esc
        elif c == '"':
            if not esc:
                return True
            esc = False
        else:
            esc = False
    return False


#: what ``show`` prints for a password to a console that may not ``configure``
HIDDEN_PASSWORD = "*" * 16


class Emitter:
    def __init__(self, hide: bool = False):
        self.hide = hide  # passwords as HIDDEN_PASSWORD
        self.lines: list[str] = []
        self.indent = 0
        self.stack: list[object] = [{}]

    # text
    def _prefix(self, comment: bool) -> str:
        return "  " * self.indent + ("# " if comment else "")

    def text(self, s: str) -> None:
        self.lines.append(s)

    # json
    @property
    def obj(self):
        return self.stack[-1]

    def jset(self, key: str, value) -> None:
        o = self.obj
        if isinstance(o, list):
            o.append({key.lower(): value})
        else:
            o[key.lower()] = value

    def kv(self, name: str, text_value: str, json_value, comment=False) -> None:
        self.text("%s%s = %s\n" % (self._prefix(comment), name, text_value))
        self.jset(name, json_value)

    def quoted(self, name: str, value: str, comment=False) -> None:
        self.kv(name, '"%s"' % value, value, comment)

    def boolean(self, name: str, value: bool, comment=False) -> None:
        self.kv(name, "Yes" if value else "No", bool(value), comment)

    def lines_list(self, name: str, values: list[str], comment=False, quoted=True,
                   escape=False) -> None:
        if not values:
            if comment:
                self.text("%s%s = \n" % (self._prefix(comment), name))
                self.jset(name, [])
            return
        for v in values:
            shown = escape_string(v) if (escape or _requires_escaping(v)) else v
            if quoted:
                shown = '"%s"' % shown
            self.text("%s%s = %s\n" % (self._prefix(comment), name, shown))
        self.jset(name, list(values))

    def one_line_list(self, name: str, values: list[str], comment=False) -> None:
        self.text("%s%s = %s\n" % (self._prefix(comment), name,
                                    ", ".join('"%s"' % v for v in values)))
        self.jset(name, list(values))

    def open_array(self, name: str, text_header: str | None, comment=False):
        arr: list = []
        o = self.obj
        if isinstance(o, list):
            o.append({name.lower(): arr})
        else:
            o[name.lower()] = arr
        self.stack.append(arr)
        if text_header is not None:
            self.text(self._prefix(comment) + text_header)
            self.indent += 1

    def close_array(self, text_footer: str | None, comment=False):
        self.stack.pop()
        if text_footer is not None:
            self.indent -= 1
            self.text(self._prefix(comment) + text_footer)

    def open_object(self, name: str | None, text_header: str | None, comment=False):
        new: dict = {}
        o = self.obj
        if isinstance(o, list):
            if name is None:
                o.append(new)
            else:
                o.append({name.lower(): new})
        else:
            o[(name or "").lower()] = new
        self.stack.append(new)
        if text_header is not None:
            self.text(self._prefix(comment) + text_header)
            self.indent += 1

    def close_object(self, text_footer: str | None, comment=False):
        self.stack.pop()
        if text_footer is not None:
            self.indent -= 1
            self.text(self._prefix(comment) + text_footer)


# -- generic directives ---------------------------------------------------------------

def _print_value(em: Emitter, d: Directive, value, comment: bool, verbose: bool) -> None:
    t = d.type
    if t in ("str", "dir", "name", "strname", "stdstr", "stdstrdir"):
        if value is None:
            if comment and t in ("stdstr", "stdstrdir"):
                # an unset std::string in Bareos is empty: printed as ""
                em.quoted(d.name, "", comment)
            elif comment:
                em.kv(d.name, "", None, comment)
            return
        em.quoted(d.name, value, comment)
    elif t == "dir_or_cmd":
        if value is None:
            if comment:
                em.kv(d.name, "", None, comment)
            return
        em.quoted(d.name, escape_string(value), comment)
    elif t in ("md5password", "autopassword", "clearpassword"):
        if isinstance(value, Password):
            em.quoted(d.name, HIDDEN_PASSWORD if em.hide else value.config_text(), comment)
    elif t in ("int16", "int32", "int64", "pint16", "pint32", "speed"):
        em.kv(d.name, "%d" % value, value, comment)
    elif t in ("size32", "size64", "maxblocksize"):
        s = format_size(value)
        em.kv(d.name, s, s, comment)
    elif t == "time":
        s = format_duration(value)
        em.kv(d.name, s, s, comment)
    elif t in ("bool", "bit"):
        em.boolean(d.name, value, comment)
    elif t in ("alist_str", "alist_dir", "str_vector", "str_vector_of_dirs",
               "plugin_names", "alist_res"):
        em.lines_list(d.name, list(value or []), comment)
    elif t == "run":
        # Bareos prints Run lines rebuilt from the parsed masks, unquoted
        from bareos.dird.schedule import format_run_text
        em.lines_list(d.name, [format_run_text(v) for v in value or []], comment,
                      quoted=False)
    elif t in ("acl", "device", "audit"):
        em.one_line_list(d.name, list(value or []), comment)
    elif t == "res":
        em.quoted(d.name, value if value is not None else "", comment)
    elif t == "label":
        em.quoted(d.name, keyword_shown(d, value), comment)
    elif t == "level" and value is None:
        # Bareos prints an unset level as an empty value, always commented
        em.kv(d.name, "", "", True)
    elif t in ("jobtype", "level", "protocoltype", "authprotocoltype", "authtype",
               "migtype", "replace", "actiononpurge", "pooltype", "iodirection",
               "cmprsalgo", "cipher"):
        value = keyword_shown(d, value)
        if value is None:
            return
        em.kv(d.name, value, value, comment)
    elif t == "addresses":
        em.open_array(d.name, "%s = {\n" % d.name, comment)
        for a in value:
            em.open_object(None, None)
            em.open_object(a.family, "%s = {\n" % a.family, comment)
            em.kv("addr", a.addr, a.addr, comment)
            em.kv("port", "%d" % a.port, a.port, comment)
            em.close_object("}\n", comment)
            em.close_object(None)
        em.close_array("}\n", comment)
    elif t == "runscript":
        _print_runscripts(em, d, value, comment, verbose)
    elif t == "source_address":
        pass  # as Bareos: kept with the addresses, never printed on its own
    # msgs, addresses_port, addresses_address, shrtrunscript: printed elsewhere


def _print_runscripts(em: Emitter, d: Directive, scripts, comment: bool, verbose: bool):
    if not scripts:
        return
    em.open_array(d.name, None)
    for rs in scripts:
        as_comment = comment
        if rs.extra.get("from_jobdef"):
            if not verbose:
                continue
            as_comment = True
        cmd_kind = "Console" if "console" in rs.values else "Command"
        esc = escape_string(rs.values.get(cmd_kind.lower(), ""))
        when = rs.values.get("runswhen", "Never")
        on_success = rs.values.get("runsonsuccess", True)
        on_failure = rs.values.get("runsonfailure", False)
        fail = rs.values.get("failjobonerror", True)
        target = rs.values.get("target", "")
        if rs.extra.get("short_form"):
            em.open_object(None, None)
            if when == "Before" and not target:
                em.quoted("RunBeforeJob", esc, as_comment)
            elif when == "After" and on_success and not on_failure and not fail and not target:
                em.quoted("RunAfterJob", esc, as_comment)
            elif when == "After" and on_success and not on_failure and not fail and target:
                em.quoted("ClientRunAfterJob", esc, as_comment)
            elif when == "Before" and target:
                em.quoted("ClientRunBeforeJob", esc, as_comment)
            elif when == "After" and on_failure and not on_success and not fail and not target:
                em.quoted("RunAfterFailedJob", esc, as_comment)
            em.close_object(None)
            continue
        em.open_object(None, "RunScript {\n", as_comment)
        em.quoted(cmd_kind, esc, as_comment)
        w = when.lower()
        if w != "never":
            em.quoted("RunsWhen", w, as_comment)
        elif verbose:
            em.quoted("RunsWhen", w, True)
        if not fail:
            em.boolean("FailJobOnError", False, as_comment)
        elif verbose:
            em.boolean("FailJobOnError", True, True)
        if not on_success:
            em.boolean("RunsOnSuccess", False, as_comment)
        elif verbose:
            em.boolean("RunsOnSuccess", True, True)
        if on_failure:
            em.boolean("RunsOnFailure", True, as_comment)
        elif verbose:
            em.boolean("RunsOnFailure", False, True)
        if cmd_kind == "Command":
            if not target:
                em.boolean("RunsOnClient", False, as_comment)
            elif verbose:
                em.boolean("RunsOnClient", True, True)
        em.close_object("}\n", as_comment)
    em.close_array(None)


def _print_generic(em: Emitter, res, verbose: bool) -> None:
    internal = is_internal(res)
    for d in res.rtype.directives:
        k = d.key
        given = k in res.present and k not in res.inherited and not internal
        inherited = not given and not (d.always_print and k in res.values)
        if d.always_print and k not in res.values:
            inherited = False
        if inherited and not verbose:
            continue
        value = res.values[k] if k in res.values else default_value(d)
        show = d.required and given
        comment = inherited
        if is_default(d, value):
            if d.extension:
                continue  # ours: Bareos has nothing to print here, not even in verbose
            if verbose and not d.deprecated:
                show = True
                comment = True
        else:
            show = True
        if d.always_print and d.type == "addresses":
            show = True
        if not show:
            continue
        _print_value(em, d, value, comment, verbose)


# -- FileSet ----------------------------------------------------------------------------

_OPT_DEFAULTS = [("HardLinks", False), ("AclSupport", True), ("XattrSupport", True)]
_OPT_LISTS = ["Regex", "RegexDir", "RegexFile", "Wild", "WildDir", "WildFile",
              "WildBase", "Base", "FsType", "DriveType", "Meta"]
# what a boolean option prints when it is "on" (the option letter's effect)
_BOOL_SHOWN = {  # key: (printed name, value that sets the option letter)
    "onefs": ("OneFS", False), "recurse": ("Recurse", False),
    "hardlinks": ("HardLinks", False), "sparse": ("Sparse", True),
    "readfifo": ("ReadFifo", True), "portable": ("Portable", True),
    "mtimeonly": ("MtimeOnly", True), "keepatime": ("KeepAtime", True),
    "exclude": ("Exclude", True), "aclsupport": ("AclSupport", True),
    "ignorecase": ("IgnoreCase", True), "hfsplussupport": ("HfsPlusSupport", True),
    "noatime": ("NoAtime", True), "enhancedwild": ("EnhancedWild", True),
    "checkfilechanges": ("CheckFileChanges", True),
    "honornodumpflag": ("HonorNoDumpFlag", True),
    "xattrsupport": ("XattrSupport", True), "autoexclude": ("AutoExclude", False),
}


def _print_options(em: Emitter, opt: Block) -> None:
    em.open_object(None, "Options {\n")
    order = list(opt.extra.get("opt_order", []))
    given = {n.lower() for n in order}
    for name, dflt in _OPT_DEFAULTS:
        if name.lower() not in given:
            order.append(name)
    values = dict(opt.values)
    for name, dflt in _OPT_DEFAULTS:
        values.setdefault(name.lower(), dflt)
    for name in order:
        k = name.lower()
        v = values.get(k)
        if k in _BOOL_SHOWN:
            shown, letter_when = _BOOL_SHOWN[k]
            # Bareos keeps one option letter; it is set when the value is
            # the non-default one and printed as that value
            if v is letter_when:
                em.boolean(shown, letter_when)
        elif k == "signature" or k == "compression" or k == "replace" or k == "shadowing":
            em.quoted({"signature": "Signature", "compression": "Compression",
                       "replace": "Replace", "shadowing": "Shadowing"}[k], v)
        elif k == "accurate" or k == "verify" or k == "basejob":
            em.quoted(name, v)
        elif k == "strippath":
            em.quoted("Strip", v)
        elif k == "size":
            em.kv("Size", v, v)
    for lst in _OPT_LISTS:
        vals = opt.values.get(lst.lower())
        if vals:
            em.lines_list(lst, vals)
    for single in ("Plugin", "Reader", "Writer"):
        v = opt.values.get(single.lower())
        if v:
            em.kv(single, v, v)
    em.close_object("}\n")


def _print_incexc(em: Emitter, name: str, blocks: list[Block]) -> None:
    if not blocks:
        return
    em.open_array(name, None)
    for b in blocks:
        em.open_object(None, "%s {\n" % name)
        opts = b.values.get("options") or []
        if opts and name == "Include":
            em.open_array("Options", None)
            for o in opts:
                _print_options(em, o)
            em.close_array(None)
        em.lines_list("File", list(b.values.get("file") or []), escape=True)
        em.lines_list("Plugin", list(b.values.get("plugin") or []))
        em.lines_list("ExcludeDirContaining",
                      list(b.values.get("excludedircontaining") or []))
        em.close_object("}\n")
    em.close_array(None)


def _print_fileset(em: Emitter, res: Resource, verbose: bool) -> None:
    em.quoted("Name", res.name)
    if res.values.get("description") is not None:
        em.quoted("Description", res.values["description"])
    _print_incexc(em, "Include", res.values.get("include") or [])
    _print_incexc(em, "Exclude", res.values.get("exclude") or [])


# -- Messages ----------------------------------------------------------------------------

_DEST_ORDER_WHERE = {"syslog": False, "mail": True, "file": True, "append": True,
                     "stdout": False, "stderr": False, "director": True,
                     "operator": True, "console": False, "mailonerror": True,
                     "mailonsuccess": True, "catalog": False}


def _types_text(types: set[str], verbose: bool) -> str:
    names = MSG_TYPES  # every type, audit included (Bareos loops up to M_MAX - 1 = 16 names)
    setl = [n for n in names if n.lower() in types]
    unset = [n for n in names if n.lower() not in types]
    if verbose:
        return ",".join(setl) + "".join(",!" + n for n in unset)
    if len(setl) > len(unset):
        return "all" + "".join(",!" + n for n in unset)
    return ",".join(setl)


def _print_messages(em: Emitter, res: Resource, verbose: bool) -> None:
    em.quoted("Name", res.name)
    for key, name in (("mailcommand", "MailCommand"),
                      ("operatorcommand", "OperatorCommand"),
                      ("timestampformat", "TimestampFormat")):
        v = res.values.get(key)
        if v:
            em.quoted(name, escape_string(v))
    for dest in res.extra.get("destinations", []):
        what = _types_text(dest.types, verbose)
        line = em._prefix(False) + dest.kind
        obj = {}
        if _DEST_ORDER_WHERE.get(dest.kind):
            line += " = %s" % (dest.where or "")
            obj["where"] = dest.where or ""
        line += " = %s\n" % what
        obj["what"] = what
        em.text(line)
        em.jset(dest.kind, obj)


# -- public API ------------------------------------------------------------------------------

def is_internal(res: Resource) -> bool:
    """A resource the daemon made itself (see ``Schema.internal_resources``)."""
    return bool(getattr(res, "extra", {}).get("internal"))


def _emit_resource(res: Resource, verbose: bool, hide: bool = False) -> Emitter:
    em = Emitter(hide)
    internal = is_internal(res)
    em.text(em._prefix(internal) + "%s {\n" % res.rtype.name)
    em.indent = 1
    if res.rtype.printer == "fileset":
        _print_fileset(em, res, verbose)
    elif res.rtype.printer == "messages":
        _print_messages(em, res, verbose)
    else:
        _print_generic(em, res, verbose)
    em.indent = 0
    em.text(em._prefix(internal) + "}\n\n")
    return em


def format_resource(res: Resource, verbose: bool = False, hide: bool = False) -> str:
    """The text ``show <type>=<name>`` prints for one resource (API 0).

    ``hide``: passwords as ``HIDDEN_PASSWORD`` (a console without ``configure``).
    """
    return "".join(_emit_resource(res, verbose, hide).lines)


def resource_to_json(res: Resource, verbose: bool = False, hide: bool = False) -> dict:
    """The API 2 object of one resource (value of ``result.<group>.<name>``)."""
    return _emit_resource(res, verbose, hide).stack[0]


def resources_to_json(resources: list[Resource], verbose: bool = False) -> dict:
    """``{"clients": {"bareos-fd": {...}}, ...}`` as ``show`` answers in API 2."""
    out: dict = {}
    for r in resources:
        out.setdefault(r.rtype.group.lower(), {})[r.name] = resource_to_json(r, verbose)
    return out


def shown_resources(cfg: Config, rtype: str, verbose: bool = False) -> list[Resource]:
    """The resources of exactly type ``rtype`` that ``show`` prints, in order:
    the configured ones, then (``verbose`` only) the daemon's internal ones."""
    out = [r for r in cfg.resources(rtype) if r.rtype.name == rtype]
    make = cfg.schema.internal_resources
    if verbose and make is not None:
        out += [r for r in make(cfg) if r.rtype.name == rtype]
    return out


def format_config(cfg: Config, verbose: bool = False) -> str:
    """Every resource, grouped by type in table order (``show all``, ``--xc``)."""
    parts = []
    for rtype in cfg.schema.resources:
        if not rtype.named:
            continue
        for r in shown_resources(cfg, rtype.name, verbose):
            parts.append(format_resource(r, verbose))
    return "".join(parts)


def format_resource_for_file(rtype: str, directives: list[tuple[str, str]]) -> str:
    """What ``configure add`` writes into ``<daemon>.d/<type>/<name>.conf``."""
    lines = ["%s {\n" % rtype]
    for name, value in directives:
        lines.append('  %s = "%s"\n' % (name, value))
    lines.append("}\n")
    return "".join(lines)
