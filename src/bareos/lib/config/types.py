"""Directive types: how each kind of value is read, defaulted and compared.

Every ``Directive.type`` names an entry of :data:`STORE`.  A store function
reads the value from the lexer exactly as Bareos's store function of the
same type does (same token expectations, same comma and blank handling) and
records it on the resource.
"""

from __future__ import annotations

import ipaddress
import os
import socket

from . import lexer as L
from .errors import ConfigError
from .model import Address, Block, Password
from .paths import expand_path_default
from .schema import Directive
from .units import parse_duration, parse_size, parse_speed

# keyword tables (value as Bareos prints it)
KEYWORDS: dict[str, list[str]] = {
    "jobtype": ["Backup", "Admin", "Verify", "Restore", "Migrate", "Copy",
                "Consolidate", "Archive"],
    "level": ["Full", "Base", "Incremental", "Differential", "Since",
              "VirtualFull", "Catalog", "InitCatalog", "VolumeToCatalog",
              "DiskToCatalog", "Data"],
    "protocoltype": ["Native", "NDMP_BAREOS", "NDMP", "NDMP_NATIVE"],
    "authprotocoltype": ["Native", "NDMPV2", "NDMPV3", "NDMPV4"],
    "authtype": ["None", "Clear", "MD5"],
    "migtype": ["SmallestVolume", "OldestVolume", "PoolOccupancy", "PoolTime",
                "PoolUncopiedJobs", "Client", "Volume", "Job", "SqlQuery"],
    "replace": ["Always", "IfNewer", "IfOlder", "Never"],
    "actiononpurge": ["None", "Truncate"],
    "pooltype": ["Backup", "Copy", "Cloned", "Archive", "Migration", "Scratch"],
    "label": ["bareos", "ansi", "ibm"],
    "iodirection": ["in", "read", "readonly", "out", "write", "writeonly",
                    "both", "readwrite"],
    "cmprsalgo": ["gzip", "lzo", "lzfast", "lz4", "lz4hc"],
    "cipher": ["aes128", "aes192", "aes256", "camellia128", "camellia192",
               "camellia256", "aes128hmacsha1", "aes256hmacsha1", "blowfish",
               "3des", "none"],
    "audit": [],
}

MSG_TYPES = ["debug", "abort", "fatal", "error", "warning", "info", "saved",
             "notsaved", "skipped", "mount", "Terminate", "restored", "security",
             "alert", "volmgmt", "audit"]

SCALAR_STRING_TYPES = {"str", "dir", "dir_or_cmd", "name", "strname", "stdstr",
                       "stdstrdir"}
INT_TYPES = {"int16", "pint16", "int32", "pint32", "int64"}
LIST_TYPES = {"alist_str", "alist_dir", "str_vector", "str_vector_of_dirs",
              "plugin_names", "alist_res", "acl", "device", "audit", "run"}


class _Ctx:
    """What a store function needs: the lexer, the resource and directive."""

    def __init__(self, lx: L.Lexer, res, d: Directive, schema=None):
        self.lx = lx
        self.res = res
        self.d = d
        self.schema = schema

    def error(self, message: str) -> ConfigError:
        res_desc = None
        if getattr(self.res, "name", None):
            res_desc = '%s "%s"' % (self.res.rtype.name, self.res.name)
        return ConfigError(self.lx.fname, self.lx.line_no, self.d.name, message,
                           resource=res_desc)


def _get(ctx: _Ctx, expect=L.ALL):
    try:
        return ctx.lx.get_token(expect)
    except ConfigError as e:
        if e.directive is None:
            e.directive = ctx.d.name
            e.args = (str(e),)
        raise


def _finish(ctx: _Ctx, value) -> None:
    ctx.res.set(ctx.d.name, value)


# -- scalar stores ---------------------------------------------------------

_NAME_ACCEPT = set(":.-_/ ")


def _check_name(ctx: _Ctx, name: str) -> None:
    if name == "":
        raise ctx.error("Empty name not allowed.")
    if name[0] == " ":
        raise ctx.error("Name cannot start with space.")
    for c in name:
        if not ((c.isascii() and c.isalnum()) or c in _NAME_ACCEPT):
            raise ctx.error('Illegal character "%s" in name.' % c)


def store_name(ctx: _Ctx):
    _get(ctx, L.NAME)
    name = ctx.lx.str
    _check_name(ctx, name)
    if ctx.res.is_set(ctx.d.name):
        raise ctx.error('Attempt to redefine name "%s" to "%s".'
                        % (ctx.res.values.get(ctx.d.key), name))
    ctx.lx.scan_to_eol()
    _finish(ctx, name)


def store_strname(ctx: _Ctx):
    _get(ctx, L.NAME)
    v = ctx.lx.str
    ctx.lx.scan_to_eol()
    _finish(ctx, v)


def store_str(ctx: _Ctx):
    _get(ctx, L.STRING)
    v = ctx.lx.str
    ctx.lx.scan_to_eol()
    _finish(ctx, v)


def shell_expand(path: str) -> str:
    """The part of Bareos's shell expansion that needs no shell: ~ and $VAR."""
    if path.startswith("|"):
        return path
    return os.path.expandvars(os.path.expanduser(path))


def store_dir(ctx: _Ctx):
    _get(ctx, L.STRING)
    v = shell_expand(ctx.lx.str)
    ctx.lx.scan_to_eol()
    _finish(ctx, v)


def _scan_int(ctx: _Ctx, text: str, positive: bool, bits: int) -> int:
    t = text.strip()
    ok = t != "" and (t.lstrip("+-").isdigit() if not positive else t.lstrip("+").isdigit())
    if not ok:
        if positive:
            raise ctx.error("expected a positive integer number, got: %s" % text)
        raise ctx.error("expected an integer number, got: %s" % text)
    v = int(t)
    if positive and v < 0:
        raise ctx.error("expected a positive integer number, got: %s" % text)
    limit = 1 << bits
    if positive:
        return v & (limit - 1)
    half = limit >> 1
    v = v & (limit - 1)
    return v - limit if v >= half else v


def _store_int(bits: int, positive: bool):
    def store(ctx: _Ctx):
        tok = _get(ctx, L.ALL)
        if not positive and tok != L.T_NUMBER:
            raise ctx.error("expected an integer number, got %s: %s" % (tok, ctx.lx.str))
        v = _scan_int(ctx, ctx.lx.str, positive, bits)
        ctx.lx.scan_to_eol()
        _finish(ctx, v)
    return store


def _store_unit(kind: str):
    def store(ctx: _Ctx):
        lx = ctx.lx
        tok = _get(ctx, L.SKIP_EOL)
        if tok not in (L.T_NUMBER, L.T_IDENTIFIER, L.T_UNQUOTED):
            raise ctx.error("expected a %s, got: %s"
                            % ({"size": "size", "speed": "speed"}.get(kind, "time period"),
                               lx.str))
        text = lx.str
        while lx.ch == " ":
            tok = _get(ctx, L.ALL)
            if tok in (L.T_NUMBER, L.T_IDENTIFIER, L.T_UNQUOTED):
                text += lx.str
        if kind == "time":
            v = parse_duration(text)
            what = "time period"
        elif kind == "speed":
            v = parse_speed(text)
            what = "speed number"
        else:
            v = parse_size(text)
            what = "size number"
        if v is None:
            raise ctx.error("expected a %s, got: %s" % (what, text))
        if kind == "size32":
            v &= 0xFFFFFFFF
        if tok not in (L.T_EOL,):
            lx.scan_to_eol()
        _finish(ctx, v)
    return store


def _parse_bool(ctx: _Ctx, text: str) -> bool:
    t = text.lower()
    if t in ("yes", "true"):
        return True
    if t in ("no", "false"):
        return False
    raise ctx.error("Expect YES, NO, TRUE, or FALSE, got: %s" % text)


def store_bool(ctx: _Ctx):
    _get(ctx, L.NAME)
    v = _parse_bool(ctx, ctx.lx.str)
    ctx.lx.scan_to_eol()
    _finish(ctx, v)


def _store_password(encoding: str):
    def store(ctx: _Ctx):
        _get(ctx, L.STRING)
        text = ctx.lx.str
        if encoding == "md5" and text.startswith("[md5]"):
            hexpart = text[5:]
            if ctx.d.required and hexpart.lower() == "d41d8cd98f00b204e9800998ecf8427e":
                raise ctx.error('Empty Password not allowed in Resource "%s"'
                                % (ctx.res.name,))
            if len(hexpart) != 32:
                raise ctx.error("md5 password does not have the right size; "
                                "expected: 32, got: %d" % len(hexpart))
            bad = [c for c in hexpart if c not in "0123456789abcdefABCDEF"]
            if bad:
                raise ctx.error("md5 password contains non hexadecimal "
                                "characters, e.g. '%s'" % bad[0])
        elif ctx.d.required and text == "":
            raise ctx.error('Empty Password not allowed in Resource "%s"'
                            % (ctx.res.name,))
        ctx.lx.scan_to_eol()
        _finish(ctx, Password(text, encoding))
    return store


def store_res(ctx: _Ctx):
    _get(ctx, L.NAME)
    v = ctx.lx.str
    ctx.lx.scan_to_eol()
    _finish(ctx, v)


def _comma_list(ctx: _Ctx, expect, check=None) -> list[str]:
    out = []
    tok = L.T_COMMA
    while tok == L.T_COMMA:
        _get(ctx, expect)
        if check:
            check(ctx.lx.str)
        out.append(ctx.lx.str)
        tok = _get(ctx, L.ALL)
    if tok == L.T_EOB:
        ctx.lx.unget_char()
    return out


def _append_list(ctx: _Ctx, items: list[str]) -> None:
    cur = ctx.res.values.get(ctx.d.key) if ctx.res.is_set(ctx.d.name) else None
    new = list(cur or []) + items
    _finish(ctx, new)


def store_alist_res(ctx: _Ctx):
    _append_list(ctx, _comma_list(ctx, L.NAME))


def store_alist_str(ctx: _Ctx):
    _append_list(ctx, _comma_list(ctx, L.STRING))


def store_acl(ctx: _Ctx):
    def check(entry):
        if entry == "":
            raise ctx.error("Cannot store Acl: empty acl entry")
    _append_list(ctx, _comma_list(ctx, L.STRING, check))


def store_alist_dir(ctx: _Ctx):
    _get(ctx, L.STRING)
    v = shell_expand(ctx.lx.str)
    ctx.lx.scan_to_eol()
    _append_list(ctx, [v])


def store_plugin_names(ctx: _Ctx):
    lx = ctx.lx
    saved = lx.force_string
    lx.force_string = True
    items: list[str] = []
    try:
        while True:
            tok = _get(ctx, L.ALL)
            if tok == L.T_EOL:
                break
            if tok == L.T_COMMA:
                continue
            if tok in (L.T_UNQUOTED, L.T_QUOTED):
                items.extend(lx.str.split(":"))
                continue
            if tok == L.T_EOB:
                lx.unget_char()
            break
    finally:
        lx.force_string = saved
    _append_list(ctx, items)


def store_audit(ctx: _Ctx):
    _append_list(ctx, _comma_list(ctx, L.STRING))


def store_keyword(table: str):
    def store(ctx: _Ctx):
        _get(ctx, L.NAME)
        text = ctx.lx.str
        for kw in KEYWORDS[table]:
            if kw.lower() == text.lower():
                break
        else:
            raise ctx.error("Expected a %s keyword, got: %s"
                            % (ctx.d.name, text))
        ctx.lx.scan_to_eol()
        _finish(ctx, kw)
    return store


def store_maxblocksize(ctx: _Ctx):
    _store_unit("size32")(ctx)
    v = ctx.res.values[ctx.d.key]
    if v > 4 * 1024 * 1024:  # Bareos's MAX_BLOCK_LENGTH
        raise ctx.error("Maximum Block Size configured value %d is greater "
                        "than allowed maximum: 4194304" % v)


# -- addresses ---------------------------------------------------------------

def _resolve(host: str, family: str | None) -> list[tuple[str, str]]:
    try:
        ip = ipaddress.ip_address(host)
        return [("ipv6" if ip.version == 6 else "ipv4", str(ip))]
    except ValueError:
        pass
    fam = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}.get(family or "", 0)
    try:
        infos = socket.getaddrinfo(host, None, fam, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    out = []
    for info in infos:
        a = info[4][0]
        f = "ipv6" if info[0] == socket.AF_INET6 else "ipv4"
        if (f, a) not in out:
            out.append((f, a))
    return out


def _parse_port(ctx: _Ctx, text: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        return socket.getservbyname(text, "tcp")
    except OSError:
        raise ctx.error("can't add port (%s)" % text) from None


def default_addresses(d: Directive) -> list[Address]:
    port = int(d.default or 0)
    return [Address("ipv4", "0.0.0.0", port, default=True),
            Address("ipv6", "::", port, default=True)]


def _addresses_directive(ctx: _Ctx) -> Directive:
    for d in ctx.res.rtype.directives:
        if d.type == "addresses" and d.name.endswith("Addresses") and \
                (d.name[:-len("Addresses")] == ctx.d.name[:-len("Address")]
                 or d.name[:-len("Addresses")] == ctx.d.name[:-len("Port")]):
            return d
    for d in ctx.res.rtype.directives:
        if d.type == "addresses":
            return d
    raise ctx.error("no Addresses directive in this resource")


def _current_addresses(ctx: _Ctx, d: Directive) -> list[Address]:
    if d.key in ctx.res.values:
        return list(ctx.res.values[d.key])
    return default_addresses(d)


def store_addresses(ctx: _Ctx):
    lx = ctx.lx
    d = ctx.d
    default_port = int(d.default or 0)
    if _get(ctx, L.SKIP_EOL) != L.T_BOB:
        raise ctx.error("Expected a block begin { , got: %s" % lx.str)
    tok = _get(ctx, L.SKIP_EOL)
    if tok == L.T_EOB:
        raise ctx.error("Empty addr block is not allowed")
    addrs = [a for a in _current_addresses(ctx, d) if not a.default]
    while True:
        if tok not in (L.T_UNQUOTED, L.T_IDENTIFIER):
            raise ctx.error("Expected a string, got: %s" % lx.str)
        kind = lx.str.lower()
        if kind not in ("ip", "ipv4", "ipv6"):
            raise ctx.error("Expected a string [ip|ipv4|ipv6], got: %s" % lx.str)
        if _get(ctx, L.SKIP_EOL) != L.T_EQUALS:
            raise ctx.error("Expected a equal =, got: %s" % lx.str)
        if _get(ctx, L.SKIP_EOL) != L.T_BOB:
            raise ctx.error("Expected a block begin { , got: %s" % lx.str)
        tok = _get(ctx, L.SKIP_EOL)
        host = port = None
        seen: set[str] = set()
        while True:
            if tok != L.T_IDENTIFIER:
                raise ctx.error("Expected a identifier [addr|port], got: %s" % lx.str)
            what = lx.str.lower()
            if what not in ("port", "addr"):
                raise ctx.error("Expected a identifier [addr|port], got: %s" % lx.str)
            if what in seen:
                raise ctx.error("Only one %s per address block" % what)
            seen.add(what)
            if _get(ctx, L.SKIP_EOL) != L.T_EQUALS:
                raise ctx.error("Expected a equal =, got: %s" % lx.str)
            tok = _get(ctx, L.SKIP_EOL)
            if what == "port":
                if tok not in (L.T_UNQUOTED, L.T_NUMBER, L.T_IDENTIFIER):
                    raise ctx.error("Expected a number or a string, got: %s" % lx.str)
                port = lx.str
            else:
                if tok not in (L.T_UNQUOTED, L.T_IDENTIFIER):
                    raise ctx.error("Expected an IP number or a hostname, got: %s" % lx.str)
                host = lx.str
            tok = _get(ctx, L.SKIP_EOL)
            if tok != L.T_IDENTIFIER:
                break
        if tok != L.T_EOB:
            raise ctx.error("Expected a end of block }, got: %s" % lx.str)
        fam = None if kind == "ip" else kind
        p = _parse_port(ctx, port) if port else default_port
        if host:
            found = _resolve(host, fam)
            if not found:
                raise ctx.error("Can't add hostname(%s) and port(%s) to addrlist"
                                % (host, port or ""))
        else:
            found = [(fam or "ipv4", "0.0.0.0" if (fam or "ipv4") == "ipv4" else "::")]
        for f, a in found:
            if fam and f != fam:
                continue
            if not any(x.family == f and x.addr == a and x.port == p for x in addrs):
                addrs.append(Address(f, a, p))
        tok = lx.scan_to_next_not_eol()
        if tok not in (L.T_IDENTIFIER, L.T_UNQUOTED):
            break
    if tok != L.T_EOB:
        raise ctx.error("Expected a end of block }, got: %s" % lx.str)
    _finish(ctx, addrs)


def store_addresses_address(ctx: _Ctx):
    tok = _get(ctx, L.SKIP_EOL)
    if tok not in (L.T_UNQUOTED, L.T_NUMBER, L.T_IDENTIFIER):
        raise ctx.error("Expected an IP number or a hostname, got: %s" % ctx.lx.str)
    host = ctx.lx.str
    d = _addresses_directive(ctx)
    cur = _current_addresses(ctx, d)
    port = cur[0].port if cur else int(d.default or 0)
    found = _resolve(host, "ipv6" if ":" in host else "ipv4")
    if not found:
        raise ctx.error("can't add port (%s)" % host)
    f, a = found[0]
    ctx.res.set(d.name, [Address(f, a, port)])
    ctx.res.present.add(ctx.d.key)


def store_addresses_port(ctx: _Ctx):
    tok = _get(ctx, L.SKIP_EOL)
    if tok not in (L.T_UNQUOTED, L.T_NUMBER, L.T_IDENTIFIER):
        raise ctx.error("Expected a port number or string, got: %s" % ctx.lx.str)
    port = _parse_port(ctx, ctx.lx.str)
    d = _addresses_directive(ctx)
    cur = _current_addresses(ctx, d)
    cur = [a for a in cur if not a.default] or [Address("ipv4", "0.0.0.0", port)]
    cur[0] = Address(cur[0].family, cur[0].addr, port)
    ctx.res.set(d.name, cur)
    ctx.res.present.add(ctx.d.key)


# -- messages destinations ---------------------------------------------------

WHERE_DESTS = {"file", "append", "mail", "mailonerror", "mailonsuccess",
               "operator", "director"}


class MessageDestination:
    """One destination line of a Messages resource."""

    def __init__(self, kind: str, where: str | None, types: set[str], cmd=None):
        self.kind = kind          # "console", "append", ...
        self.where = where
        self.types = types        # set of lower-case message type names
        self.cmd = cmd

    def __repr__(self):
        return "MessageDestination(%s, %r, %s)" % (self.kind, self.where,
                                                   sorted(self.types))


def _scan_types(ctx: _Ctx, dest: MessageDestination) -> None:
    lx = ctx.lx
    names = {t.lower() for t in MSG_TYPES}
    while True:
        _get(ctx, L.NAME)
        s = lx.str
        neg = s.startswith("!")
        if neg:
            s = s[1:]
        t = s.lower()
        if t == "all":
            dest.types |= names
        elif t in names:
            if neg:
                dest.types.discard(t)
            else:
                dest.types.add(t)
        else:
            raise ctx.error("message type: %s not found" % s)
        if lx.ch != ",":
            break
        _get(ctx, L.ALL)  # eat the comma
    lx.scan_to_eol()


def store_msgs(ctx: _Ctx):
    lx = ctx.lx
    kind = ctx.d.name.lower()
    where = None
    if kind in ("stdout", "stderr", "console", "catalog"):
        pass
    elif kind == "syslog":
        count = 0
        for c in lx.line:
            if c == "=":
                count += 1
            elif c in ",;":
                break
        if count > 1:
            _get(ctx, L.NAME)
            where = lx.str
            _get(ctx, L.SKIP_EOL)
    elif kind in ("file", "append"):
        _get(ctx, L.STRING)
        where = lx.str
        if _get(ctx, L.SKIP_EOL) != L.T_EQUALS:
            raise ctx.error("expected an =, got: %s" % lx.str)
    else:
        parts = []
        while True:
            _get(ctx, L.NAME)
            parts.append(lx.str)
            tok = _get(ctx, L.SKIP_EOL)
            if tok == L.T_COMMA:
                continue
            if tok != L.T_EQUALS:
                raise ctx.error("expected an =, got: %s" % lx.str)
            break
        where = " ".join(parts)
    chain = ctx.res.extra.setdefault("destinations", [])
    dest = None
    for existing in chain:
        if existing.kind == kind and existing.where == where:
            dest = existing
            break
    if dest is None:
        dest = MessageDestination(kind, where, set())
        chain.append(dest)
    _scan_types(ctx, dest)
    mine = [x for x in chain if x.kind == kind]
    ctx.res.set(ctx.d.name, mine)


# -- runscripts ----------------------------------------------------------------

def _runscript_block_type(ctx: _Ctx):
    d = ctx.res.rtype.directive("RunScript")
    return d.block


def _new_runscript(rtype, fname, line):
    b = Block(rtype, fname, line)
    b.extra["short_form"] = False
    return b


def store_short_runscript(ctx: _Ctx):
    _get(ctx, L.STRING)
    cmd = ctx.lx.str
    ctx.lx.scan_to_eol()
    rtype = _runscript_block_type(ctx)
    b = _new_runscript(rtype, ctx.lx.fname, ctx.lx.line_no)
    b.extra["short_form"] = True
    name = ctx.d.name.lower()
    b.set("Command", cmd)
    b.set("Target", "%c" if name.startswith("client") else "", present=False)
    if name in ("runbeforejob", "clientrunbeforejob"):
        b.set("RunsWhen", "Before", present=False)
        b.set("FailJobOnError", True, present=False)
        b.set("RunsOnSuccess", True, present=False)
        b.set("RunsOnFailure", False, present=False)
    elif name in ("runafterjob", "clientrunafterjob"):
        b.set("RunsWhen", "After", present=False)
        b.set("RunsOnSuccess", True, present=False)
        b.set("RunsOnFailure", False, present=False)
        b.set("FailJobOnError", False, present=False)
    else:  # RunAfterFailedJob
        b.set("RunsWhen", "After", present=False)
        b.set("RunsOnFailure", True, present=False)
        b.set("RunsOnSuccess", False, present=False)
        b.set("FailJobOnError", False, present=False)
    b.extra["short_name"] = ctx.d.name
    rs = ctx.res.rtype.directive("RunScript")
    cur = list(ctx.res.values.get(rs.key, []))
    cur.append(b)
    ctx.res.set("RunScript", cur)
    ctx.res.present.add(ctx.d.key)


RUNS_WHEN = {"before": "Before", "after": "After", "always": "Always",
             "aftervss": "AfterVSS", "never": "Never"}


def store_runscript(ctx: _Ctx):
    lx = ctx.lx
    if _get(ctx, L.SKIP_EOL) != L.T_BOB:
        raise ctx.error("Expecting open brace. Got %s" % lx.str)
    rtype = ctx.d.block
    fname, line = lx.fname, lx.line_no
    settings: dict[str, object] = {"Target": "%c"}
    commands: list[tuple[str, str]] = []
    while True:
        tok = _get(ctx, L.SKIP_EOL)
        if tok == L.T_EOF:
            raise ctx.error("end of file inside RunScript")
        if tok == L.T_EOB:
            break
        if tok != L.T_IDENTIFIER:
            raise ctx.error("Expecting keyword, got: %s" % lx.str)
        sub = rtype.directive(lx.str)
        if sub is None:
            raise ctx.error("Keyword %s not permitted in this resource" % lx.str)
        if _get(ctx, L.SKIP_EOL) != L.T_EQUALS:
            raise ctx.error("Expected an equals, got: %s" % lx.str)
        subctx = _Ctx(lx, ctx.res, sub)
        if sub.type == "runscript_cmd":
            _get(subctx, L.STRING)
            commands.append((sub.name, lx.str))
            lx.scan_to_eol()
        elif sub.type == "runscript_target":
            _get(subctx, L.STRING)
            v = lx.str
            if sub.name == "RunsOnClient":
                v = "%c" if _parse_bool(subctx, v) else ""
            lx.scan_to_eol()
            settings["Target"] = v
        elif sub.type == "runscript_bool":
            _get(subctx, L.NAME)
            v = _parse_bool(subctx, lx.str)
            lx.scan_to_eol()
            key = "FailJobOnError" if sub.name == "AbortJobOnError" else sub.name
            settings[key] = v
        elif sub.type == "runscript_when":
            _get(subctx, L.NAME)
            w = RUNS_WHEN.get(lx.str.lower())
            if w is None:
                raise subctx.error("Expect %s, got: %s"
                                   % ("before, after, aftervss, always", lx.str))
            lx.scan_to_eol()
            settings["RunsWhen"] = w
    rs = ctx.res.rtype.directive("RunScript")
    cur = list(ctx.res.values.get(rs.key, []))
    for kind, command in commands:
        b = _new_runscript(rtype, fname, line)
        b.set(kind, command)
        for k, v in settings.items():
            if k == "Target":
                b.set("Target", v if kind == "Command" else "",
                      present="Target" in settings and k != "Target" or False)
            else:
                b.set(k, v)
        b.values.setdefault("runswhen", "Never")
        b.values.setdefault("failjobonerror", True)
        b.values.setdefault("runsonsuccess", True)
        b.values.setdefault("runsonfailure", False)
        cur.append(b)
    ctx.res.set("RunScript", cur)


# -- schedule run and fileset --------------------------------------------------

def store_run(ctx: _Ctx):
    """Schedule ``Run =``: kept as the text (the scheduler parses it)."""
    lx = ctx.lx
    parts: list[str] = []
    glue = False
    saved = lx.force_string
    lx.force_string = True  # Bareos reads Run values without identifiers
    try:
        while True:
            tok = _get(ctx, L.ALL)
            if tok in (L.T_EOL, L.T_EOF):
                break
            if tok == L.T_EOB:
                lx.unget_char()
                break
            if tok == L.T_COMMA:
                parts.append(",")
                continue
            if tok == L.T_EQUALS:
                parts.append("=")
                glue = True
                continue
            word = lx.str
            if tok == L.T_QUOTED:
                word = '"%s"' % word.replace("\\", "\\\\").replace('"', '\\"')
            if glue and parts:
                parts[-1] += word
            else:
                parts.append(word)
            glue = False
    finally:
        lx.force_string = saved
    text = " ".join(parts).replace(" ,", ",").replace(" =", "=")
    if not text:
        raise ctx.error("expected a schedule run specification")
    _append_list(ctx, [text])


# FileSet option keywords and their values -> opts letters (for printing order)
FS_OPTION_VALUES: dict[str, dict[str, str]] = {
    "compression": {v: v.upper() for v in (
        "gzip", "gzip1", "gzip2", "gzip3", "gzip4", "gzip5", "gzip6", "gzip7",
        "gzip8", "gzip9", "lzo", "lzfast", "lz4", "lz4hc")},
    "signature": {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256",
                  "sha512": "SHA512", "xxh128": "XXH128"},
    "encryption": {v: v for v in ("blowfish", "3des", "aes128", "aes192", "aes256",
                                  "camellia128", "camellia192", "camellia256",
                                  "aes128hmacsha1", "aes256hmacsha1")},
    "replace": {"always": "Always", "ifnewer": "IfNewer", "never": "Never"},
    "shadowing": {"none": "None", "localwarn": "LocalWarn",
                  "localremove": "LocalRemove", "globalwarn": "GlobalWarn",
                  "globalremove": "GlobalRemove"},
}
FS_BOOL_OPTIONS = {"onefs", "recurse", "sparse", "hardlinks", "readfifo", "portable",
                   "mtimeonly", "keepatime", "exclude", "aclsupport", "ignorecase",
                   "hfsplussupport", "noatime", "enhancedwild", "checkfilechanges",
                   "honornodumpflag", "xattrsupport", "autoexclude", "forceencryption"}
FS_STRING_OPTIONS = {"verify", "accurate", "basejob", "strippath", "size"}


def store_fs_option(ctx: _Ctx):
    key = ctx.d.key
    # Bareos reads an option value with numbers taken as strings (StripPath = 8)
    saved = ctx.lx.force_string
    ctx.lx.force_string = True
    try:
        _get(ctx, L.NAME)
    finally:
        ctx.lx.force_string = saved
    text = ctx.lx.str
    if key == "strippath" and not text.isdigit():
        raise ctx.error("Expected a strip path positive integer, got: %s:" % text)
    if key in FS_BOOL_OPTIONS:
        value: object = _parse_bool(ctx, text)
    elif key in FS_OPTION_VALUES:
        table = FS_OPTION_VALUES[key]
        if text.lower() not in table:
            raise ctx.error("Expected a FileSet option keyword, got: %s" % text)
        value = table[text.lower()]
    else:
        value = text
    ctx.lx.scan_to_eol()
    if key not in ctx.res.values:
        ctx.res.extra.setdefault("opt_order", []).append(ctx.d.name)
    _finish(ctx, value)


def store_fs_list(ctx: _Ctx):
    """Wild/Regex/FsType/DriveType/Meta and File/Plugin in Include: one a line."""
    _get(ctx, L.STRING)
    v = ctx.lx.str
    ctx.lx.scan_to_eol()
    _append_list(ctx, [v])


def store_fs_plugin(ctx: _Ctx):
    _get(ctx, L.STRING)
    v = ctx.lx.str
    ctx.lx.scan_to_eol()
    _finish(ctx, v)


def parse_block_body(ctx: _Ctx, block, rtype, schema=None) -> None:
    """Read ``{ directive = value ... }`` into ``block``."""
    lx = ctx.lx
    from .parser import store_directive  # circular
    while True:
        tok = _get(ctx, L.SKIP_EOL)
        if tok == L.T_EOB:
            return
        if tok == L.T_EOF:
            raise ctx.error("end of file inside %s block" % rtype.name)
        if tok != L.T_IDENTIFIER:
            raise ctx.error("Expecting keyword, got: %s" % lx.str)
        store_directive(lx, block, rtype, schema)


def store_block(ctx: _Ctx):
    """Include/Exclude/Options: a nested block, kept as a list of Blocks."""
    lx = ctx.lx
    if _get(ctx, L.SKIP_EOL) != L.T_BOB:
        raise ctx.error("Expecting a beginning brace, got: %s" % lx.str)
    b = Block(ctx.d.block, lx.fname, lx.line_no)
    parse_block_body(ctx, b, ctx.d.block, ctx.schema)
    cur = list(ctx.res.values.get(ctx.d.key, [])) if ctx.res.is_set(ctx.d.name) else []
    cur.append(b)
    _finish(ctx, cur)


STORE = {
    "name": store_name,
    "strname": store_strname,
    "str": store_str,
    "stdstr": store_str,
    "dir": store_dir,
    "stdstrdir": store_dir,
    "dir_or_cmd": store_dir,
    "int16": _store_int(16, False),
    "pint16": _store_int(16, True),
    "int32": _store_int(32, False),
    "pint32": _store_int(32, True),
    "int64": _store_int(64, False),
    "size32": _store_unit("size32"),
    "size64": _store_unit("size"),
    "speed": _store_unit("speed"),
    "time": _store_unit("time"),
    "bool": store_bool,
    "bit": store_bool,
    "md5password": _store_password("md5"),
    "autopassword": _store_password("md5"),
    "clearpassword": _store_password("clear"),
    "res": store_res,
    "alist_res": store_alist_res,
    "device": store_alist_res,
    "alist_str": store_alist_str,
    "str_vector": store_alist_str,
    "str_vector_of_dirs": store_alist_str,
    "alist_dir": store_alist_dir,
    "acl": store_acl,
    "audit": store_audit,
    "plugin_names": store_plugin_names,
    "addresses": store_addresses,
    "addresses_address": store_addresses_address,
    "addresses_port": store_addresses_port,
    "msgs": store_msgs,
    "runscript": store_runscript,
    "shrtrunscript": store_short_runscript,
    "run": store_run,
    "incexc": store_block,
    "options": store_block,
    "fs_option": store_fs_option,
    "fs_list": store_fs_list,
    "fs_plugin": store_fs_plugin,
    "maxblocksize": store_maxblocksize,
    "defs": store_res,
    "source_address": store_str,
}
for _kw in ("jobtype", "level", "protocoltype", "authprotocoltype", "authtype",
            "migtype", "replace", "actiononpurge", "pooltype", "label",
            "iodirection", "cmprsalgo", "cipher"):
    STORE[_kw] = store_keyword(_kw)


# -- defaults ---------------------------------------------------------------------

def default_value(d: Directive):
    """The value a directive has when the configuration does not set it."""
    t = d.type
    dv = d.default
    if t == "addresses":
        return default_addresses(d)
    if t in LIST_TYPES or t in ("incexc", "options", "runscript", "msgs", "fs_list"):
        if dv is not None and t in ("alist_str", "alist_dir", "str_vector",
                                    "str_vector_of_dirs"):
            return [expand_path_default(dv)]
        return []
    if dv is None:
        if t in INT_TYPES or t in ("size32", "size64", "speed", "time",
                                   "maxblocksize"):
            return 0
        if t in ("bool", "bit"):
            return False
        return None
    if t in INT_TYPES:
        return int(dv)
    if t in ("size32", "size64", "speed", "time", "maxblocksize"):
        return int(dv)
    if t in ("bool", "bit"):
        return dv.lower() in ("yes", "true", "on")
    if t in ("dir", "stdstrdir", "dir_or_cmd"):
        return expand_path_default(dv)
    if t in KEYWORDS:
        for kw in KEYWORDS[t]:
            if kw.lower() == dv.lower():
                return kw
        return dv
    return dv


#: keyword types whose unset (zero) value still has a keyword name in Bareos's
#: tables, so that it is never "default" (ActionOnPurge 0 = None, LabelType
#: 0 = bareos); the other keyword types have no name for zero
UNSET_KEYWORD_NAME = {"actiononpurge": "None", "label": "bareos"}

# types the Director's HasDefaultValue compares by keyword name (dird_conf.cc)
_KEYWORD_DEFAULT_TYPES = {"jobtype", "level", "protocoltype", "authprotocoltype", "authtype",
                          "migtype", "replace", "actiononpurge", "label"}
# types no HasDefaultValue knows: never "default", so always shown in verbose
_NEVER_DEFAULT_TYPES = {"md5password", "autopassword", "clearpassword", "addresses",
                        "addresses_port", "addresses_address", "res", "msgs", "defs", "bit"}


def keyword_shown(d: Directive, value):
    """The keyword Bareos prints for a keyword directive's value (None: nothing)."""
    if value is None:
        return UNSET_KEYWORD_NAME.get(d.type)
    return value


def is_default(d: Directive, value) -> bool:
    """Bareos's HasDefaultValue: does ``value`` equal the directive's default?

    As Bareos: a type no HasDefaultValue handles (a resource reference, a
    bit of a bit field, a password ...) is never "default"; a Director
    keyword type without a default is "default" only when its value has no
    keyword name.
    """
    t = d.type
    if t in _NEVER_DEFAULT_TYPES:
        return False
    if t in ("runscript", "run", "incexc", "options", "fs_list"):
        return not value
    if t in LIST_TYPES:
        dflt = default_value(d)
        if d.default is not None:
            return list(value or []) == dflt
        return not value
    if t in _KEYWORD_DEFAULT_TYPES:
        shown = keyword_shown(d, value)
        if d.default is not None:
            return shown is not None and shown.lower() == d.default.lower()
        return shown is None
    return value == default_value(d)


__all__ = ["STORE", "default_value", "is_default", "keyword_shown", "KEYWORDS", "MSG_TYPES",
           "MessageDestination", "shell_expand"]
