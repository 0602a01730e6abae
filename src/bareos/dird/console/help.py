"""`help [command]` and `.help [all] [item=cmd] [full]`."""

from .. import acl
from . import COMMANDS, is_dot_command


def _allowed(ua, name: str) -> bool:
    return ua.acl_access_ok(acl.COMMAND, name)


def run(ua) -> bool:
    out = ua.send
    out.decoration("  Command            Description\n  =======            ===========\n")
    found = None
    if ua.argc == 2:
        want = ua.argk[1].lower()
        for cmd in COMMANDS:
            if cmd.name.lower() == want:
                found = cmd
                out.object_start(cmd.name)
                out.kv("command", cmd.name, "  %-18s")
                out.kv("description", cmd.description, " %s\n\n")
                out.kv("arguments", cmd.usage, "%s\n", key_fmt="Arguments:\n\t", wrap=45)
                out.kv("permission", _allowed(ua, cmd.name))
                out.object_end(cmd.name)
                break
        if found is None:
            ua.send_msg(f"\nCan't find {ua.argk[1]} command.\n\n")
    else:
        for cmd in COMMANDS:
            if _allowed(ua, cmd.name) and not is_dot_command(cmd.name):
                out.object_start(cmd.name)
                out.kv("command", cmd.name, "  %-18s")
                out.kv("description", cmd.description, " %s\n")
                out.kv("arguments", cmd.usage, None, wrap=0)
                out.kv("permission", True)
                out.object_end(cmd.name)
    out.decoration("\nWhen at a prompt, entering a period (.) cancels the command.\n\n")
    return True


def dot_help(ua) -> bool:
    out = ua.send
    full = False
    j = ua.find_arg("full")
    if j >= 0:
        if ua.argv[j] is not None:
            ua.error_msg("The full option does not take a value.\n")
            return False
        full = True
    item = ua.arg_value("item")
    if item is not None:
        for cmd in COMMANDS:
            if cmd.name == item:
                out.object_start(cmd.name)
                out.kv("command", cmd.name)
                out.kv("description", cmd.description)
                out.kv("arguments", cmd.usage, "%s\n", wrap=0)
                out.kv("permission", _allowed(ua, cmd.name))
                out.object_end(cmd.name)
                break
        return True
    only_user = ua.find_arg("all") >= 0
    for cmd in COMMANDS:
        allowed = _allowed(ua, cmd.name)
        if not (full or allowed):
            continue
        if only_user:
            if is_dot_command(cmd.name):
                continue
            out.object_start(cmd.name)
            out.kv("command", cmd.name, "%s\n")
            out.kv("description", cmd.description)
            out.kv("arguments", cmd.usage, None, wrap=0)
            out.kv("permission", allowed)
            out.object_end(cmd.name)
        else:
            out.object_start(cmd.name)
            out.kv("command", cmd.name, "%s ")
            out.kv("description", cmd.description, "%s -- ")
            out.kv("arguments", cmd.usage, "%s\n", wrap=0)
            out.kv("permission", allowed)
            out.object_end(cmd.name)
    return True
