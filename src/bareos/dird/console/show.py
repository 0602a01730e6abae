"""`show`: print resources as the configuration defines them.

`show`, `show all`, `show <types>` (plural keyword, prefix allowed),
`show <type>=<name>`, `show disabled [jobs|clients|schedules]`, `verbose`.
Passwords are hidden from consoles that may not use `configure`.
"""

from bareos.lib.config import format_resource, resource_to_json, shown_resources

from .. import acl

# keyword -> resource type, in Bareos's order (prefix matching, first wins)
SHOW_TYPES = (
    ("directors", "Director"), ("clients", "Client"), ("jobs", "Job"), ("jobdefs", "JobDefs"),
    ("storages", "Storage"), ("catalogs", "Catalog"), ("schedules", "Schedule"),
    ("filesets", "FileSet"), ("pools", "Pool"), ("messages", "Messages"),
    ("counters", "Counter"), ("profiles", "Profile"), ("consoles", "Console"), ("users", "User"),
)


def _dump(ua, res, verbose: bool, hide: bool) -> None:
    if not ua.is_res_allowed(res):
        return
    if ua.json:
        out = ua.send
        out.object_start(res.rtype.group)
        out.set_result(res.name, resource_to_json(res, verbose, hide))
        out.object_end(res.rtype.group)
    else:
        ua.send_msg(format_resource(res, verbose, hide))


def _dump_type(ua, rtype: str, verbose: bool, hide: bool) -> None:
    resources = shown_resources(ua.director.config, rtype, verbose)
    if not resources:
        ua.send.message("info", f"No {rtype} resource defined\n")
        return
    for res in resources:
        _dump(ua, res, verbose, hide)


def _show_all(ua, verbose: bool, hide: bool) -> None:
    for rtype in ua.director.config.schema.resources:
        if not rtype.named:
            continue
        for res in shown_resources(ua.director.config, rtype.name, verbose):
            _dump(ua, res, verbose, hide)


def _disabled(ua, which: str | None) -> None:
    out = ua.send
    out.object_start("disabled")
    for key, rtype, kind, title in (("jobs", "Job", acl.JOB, "Jobs"),
                                    ("clients", "Client", acl.CLIENT, "Clients"),
                                    ("schedules", "Schedule", acl.SCHEDULE, "Schedules")):
        if which is not None and which != key:
            continue
        first = True
        out.array_start(key)
        for res in ua.director.resources(rtype):
            if not ua.acl_access_ok(kind, res.name):
                continue
            if not res.get("Enabled", True):
                if first:
                    first = False
                    out.decoration(f"Disabled {title}:\n")
                out.array_item(res.name, "   %s\n")
        if first:
            out.decoration(f"No disabled {title}.\n")
        out.array_end(key)
    out.object_end("disabled")


def run(ua) -> bool:
    hide = not ua.acl_access_ok(acl.COMMAND, "configure")
    verbose = ua.find_arg("verbose") > 0
    if ua.find_arg("help") > 0:
        ua.info_msg("Keywords for the show command are:\n")
        for key, _t in SHOW_TYPES:
            ua.info_msg(f"{key}\n")
        return True
    if ua.argc == 1 or ua.find_arg("all") > 0:
        _show_all(ua, verbose, hide)
        return True
    for i in range(1, ua.argc):
        word = ua.argk[i]
        if word.lower() == "verbose":
            continue
        if word.lower() == "disabled":
            nxt = ua.argk[i + 1].lower() if i + 1 < ua.argc else None
            _disabled(ua, nxt if nxt in ("jobs", "clients", "schedules") else None)
            return True
        match = None
        for key, rtype in SHOW_TYPES:
            if key.startswith(word.lower()):
                match = (key, rtype)
                break
        if match is None:
            ua.error_msg(f"Resource {word} not found\n")
            continue
        key, rtype = match
        if ua.argv[i] is None:
            _dump_type(ua, rtype, verbose, hide)
        else:
            res = ua.director.get(rtype, ua.argv[i])
            if res is None or not ua.is_res_allowed(res):
                ua.error_msg(f"{key} resource {ua.argv[i]} not found.\n")
                return True
            _dump(ua, res, verbose, hide)
    return True
