"""`configure add <type> name=... key=value ...` and `configure export client=...`.

A new resource is written to a temporary file, parsed with the normal parser
(so it is validated exactly like the configuration on disk), added to the
running configuration, and only then renamed to
``<config dir>/bareos-dir.d/<type>/<name>.conf``.
"""

from __future__ import annotations

import os
from functools import lru_cache

from bareos.lib.config.errors import ConfigError

# Bareos's names of directive data types, as shown in the usage string.
DATATYPE_NAMES = {
    "str": "STRING", "dir": "DIRECTORY", "stdstr": "STRING", "stdstrdir": "DIRECTORY",
    "md5password": "MD5PASSWORD", "clearpassword": "CLEARPASSWORD",
    "autopassword": "AUTOPASSWORD", "name": "NAME", "strname": "STRNAME", "res": "RES",
    "alist_res": "RESOURCE_LIST", "alist_str": "STRING_LIST", "alist_dir": "DIRECTORY_LIST",
    "int16": "INT16", "pint16": "PINT16", "int32": "INT32", "pint32": "PINT32",
    "msgs": "MESSAGES", "int64": "INT64", "bit": "BIT", "bool": "BOOLEAN", "time": "TIME",
    "size64": "SIZE64", "size32": "SIZE32", "speed": "SPEED", "defs": "DEFS", "label": "LABEL",
    "addresses": "ADDRESSES", "addresses_address": "ADDRESS", "addresses_port": "PORT",
    "plugin_names": "PLUGIN_NAMES", "str_vector": "STRING_LIST",
    "str_vector_of_dirs": "DIRECTORY_LIST", "dir_or_cmd": "DIRECTORY_OR_COMMAND",
    "acl": "ACL", "audit": "AUDIT_COMMAND_LIST", "authprotocoltype": "AUTH_PROTOCOL_TYPE",
    "authtype": "AUTH_TYPE", "device": "DEVICE", "jobtype": "JOB_TYPE",
    "protocoltype": "PROTOCOL_TYPE", "level": "BACKUP_LEVEL", "replace": "REPLACE_OPTION",
    "shrtrunscript": "RUNSCRIPT_SHORT", "runscript": "RUNSCRIPT",
    "runscript_cmd": "RUNSCRIPT_COMMAND", "runscript_target": "RUNSCRIPT_TARGET",
    "runscript_bool": "RUNSCRIPT_BOOLEAN", "runscript_when": "RUNSCRIPT_WHEN",
    "migtype": "MIGRATION_TYPE", "incexc": "INCLUDE_EXCLUDE_ITEM",
    "run": "SCHEDULE_RUN_COMMAND", "actiononpurge": "ACTION_ON_PURGE", "pooltype": "POOLTYPE",
}

# Types whose value `configure add` writes in quotes.
QUOTED_TYPES = {"autopassword", "clearpassword", "dir", "dir_or_cmd", "label", "md5password",
                "name", "res", "runscript_cmd", "runscript_when", "shrtrunscript", "stdstr",
                "stdstrdir", "str", "strname"}
SCRIPT_TYPES = {"runscript_cmd", "dir_or_cmd", "shrtrunscript"}


def _schema():
    from bareos.dird.config import SCHEMA

    return SCHEMA


@lru_cache(maxsize=1)
def usage() -> str:
    parts = []
    for rtype in _schema().resources:
        if rtype.name == "Director" or not rtype.directives or not rtype.named:
            continue
        items = []
        for d in rtype.directives:
            if d.deprecated or d.no_equals or d.extension:
                continue
            key = d.name.lower()
            typ = DATATYPE_NAMES.get(d.type, "unknown")
            items.append(f" {key}=<{typ}>" if d.required else f" [{key}=<{typ}>]")
        parts.append(f"add {rtype.name.lower()}{''.join(items)} |\n")
    parts.append("export client=<client>")
    return "".join(parts)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def run(ua) -> bool:
    d = ua.director
    if d.config.config_dir is None:
        ua.warning_msg("It seems that the configuration is not adapted to the include directory "
                       "structure. This means, that the configure command may not work as expected. "
                       "Your configuration changes may not survive a reload/restart. ")
    if ua.argc < 3:
        ua.error_msg("usage:\n  configure add <resourcetype> <key1>=<value1> ...\n"
                     "  configure export client=<clientname>\n")
        return False
    sub = ua.argk[1].lower()
    if sub == "add":
        return _add(ua, 2)
    if sub == "export":
        return _export(ua)
    ua.error_msg(f"invalid subcommand {ua.argk[1]}.\n")
    return False


def _add(ua, type_index: int) -> bool:
    d = ua.director
    rtype = _schema().resource_type(ua.argk[type_index])
    if rtype is None or not rtype.named:
        ua.error_msg(f"invalid resource type {ua.argk[type_index]}.\n")
        return False
    if rtype.name == "Director":
        ua.error_msg("Only one Director resource allowed.\n")
        return False
    out = ua.send
    out.object_start("configure")
    try:
        ok = _add_resource(ua, type_index + 1, rtype)
    finally:
        out.object_end("configure")
    return ok


def _directive_line(ua, rtype, key: str, value: str) -> str | None:
    directive = rtype.directive(key) if rtype is not None else None
    if rtype is not None and directive is None:
        ua.error_msg(f'Resource "{rtype.name}" does not permit directive "{key}".\n')
        return None
    bad = "'@' (include)" if "@" in value else ("';' (end of directive)" if ";" in value else None)
    if bad:
        ua.error_msg(f'Could not add directive "{key}": character {bad} is forbidden.\n')
        return None
    if directive is not None:
        key = directive.name
        if directive.type in QUOTED_TYPES:
            if directive.type in SCRIPT_TYPES:
                value = _escape(value)
            return f'  {key} = "{value}"\n'
    return f"  {key} = {value}\n"


def _add_resource(ua, first: int, rtype) -> bool:
    d = ua.director
    lines = [f"{rtype.name} {{\n"]
    name = ""
    if ua.argv[first - 1]:
        name = ua.argv[first - 1]
        line = _directive_line(ua, rtype, "name", name)
        if line is None:
            return False
        lines.append(line)
    for i in range(first, ua.argc):
        if ua.argv[i] is None:
            ua.error_msg(f'Missing value for directive "{ua.argk[i]}"\n')
            return False
        if ua.argk[i].lower() == "name":
            name += ua.argv[i]
        line = _directive_line(ua, rtype, ua.argk[i], ua.argv[i])
        if line is None:
            return False
        lines.append(line)
    lines.append("}\n")
    if not name:
        ua.error_msg(f'Resource "{rtype.name}": missing name parameter.\n')
        return False
    content = "".join(lines)
    if d.get(rtype.name, name) is not None:
        ua.error_msg(f'Resource "{rtype.name}" with name "{name}" already exists.\n')
        return False
    config_dir = d.config.config_dir
    if not config_dir:
        ua.error_msg("The configuration is a single file: configure add needs the "
                     "bareos-dir.d directory layout.\n")
        return False
    type_dir = os.path.join(config_dir, rtype.name.lower())
    filename = os.path.join(type_dir, f"{name}.conf")
    if os.path.exists(filename):
        ua.error_msg(f'Config file "{filename}" already exists.\n')
        return False
    try:
        d.add_resource_text(content, filename)
    except ConfigError as exc:
        ua.error_msg(f"{exc}\n")
        return False
    try:
        os.makedirs(type_dir, exist_ok=True)
        fd = os.open(filename, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
    except OSError as exc:
        d.remove_resource(rtype.name, name)
        ua.error_msg(f'failed to create config file "{filename}": {exc}\n')
        return False
    if rtype.name == "Client":
        _write_fd_export(ua, name)
    out = ua.send
    out.object_start("add")
    out.kv("resource", rtype.name)
    out.kv("name", name)
    out.kv("filename", filename, 'Created resource config file "%s":\n')
    out.kv("content", content, "%s")
    out.object_end("add")
    return True


def _fd_director_resource(ua, client_name: str) -> str | None:
    d = ua.director
    client = d.get("Client", client_name)
    if client is None:
        return None
    pw = client.get("Password")
    secret = pw.plain if getattr(pw, "encoding", "md5") == "clear" else f"[md5]{pw.md5}"
    return (f"Director {{\n  Name = \"{d.name}\"\n  Password = \"{secret}\"\n}}\n")


def _write_fd_export(ua, client_name: str) -> bool:
    d = ua.director
    content = _fd_director_resource(ua, client_name)
    if content is None:
        return False
    base = os.path.join(d.config.config_dir, os.pardir, "bareos-dir-export", "client",
                        client_name, "bareos-fd.d", "director")
    base = os.path.normpath(base)
    filename = os.path.join(base, f"{d.name}.conf")
    try:
        os.makedirs(base, exist_ok=True)
        fd = os.open(filename, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
    except OSError:
        ua.error_msg("failed to write filedaemon config resource file\n")
        return False
    out = ua.send
    out.object_start("export")
    out.kv("clientname", client_name)
    out.kv("component", "bareos-fd")
    out.kv("resource", "director")
    out.kv("name", d.name)
    out.kv("filename", filename, 'Exported resource file "%s":\n')
    out.kv("content", content, "%s")
    out.object_end("export")
    return True


def _export(ua) -> bool:
    name = ua.arg_value("client")
    if name is None or ua.director.get("Client", name) is None:
        ua.error_msg("usage: configure export client=<clientname>\n")
        return False
    out = ua.send
    out.object_start("configure")
    try:
        return _write_fd_export(ua, name)
    finally:
        out.object_end("configure")
