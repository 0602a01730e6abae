"""`enable` and `disable` job=, client=, schedule= (until the next reload)."""

from .. import acl

_KINDS = (("job", "Job", acl.JOB), ("client", "Client", acl.CLIENT),
          ("schedule", "Schedule", acl.SCHEDULE))


def _set(ua, value: bool) -> bool:
    word = "enabled" if value else "disabled"
    done = False
    for key, rtype, kind in _KINDS:
        name = ua.arg_value(key)
        if name is None:
            continue
        res = ua.director.get(rtype, name)
        if res is None or not ua.acl_access_ok(kind, name):
            ua.error_msg(f'{rtype} "{name}" not found.\n')
            return False
        res.set("Enabled", value)
        ua.send_msg(f'{rtype} "{name}" {word}\n')
        done = True
    if not done:
        ua.error_msg("Keyword job=, client= or schedule= missing.\n")
        return False
    return True


def enable(ua) -> bool:
    return _set(ua, True)


def disable(ua) -> bool:
    return _set(ua, False)
