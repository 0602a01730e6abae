"""`reload`: read the configuration again; a bad configuration keeps the old one."""

import logging

from bareos.lib.config.errors import ConfigError

log = logging.getLogger("bareos.dird")


def run(ua) -> bool:
    d = ua.director
    try:
        d.reload()
        ok = True
    except ConfigError as exc:
        log.error("reload failed, keeping the running configuration: %s", exc)
        # as Bareos, the parser's error reaches the console's messages
        import time as _time

        d.console_messages.add("%s %s: ERROR: Config error: %s\n"
                               % (_time.strftime("%d-%b %H:%M"), d.name, exc))
        ok = False
    ua.send.object_start("reload")
    ua.send.kv("success", ok, "reloaded\n" if ok else "failed to reload\n")
    ua.send.object_end("reload")
    return ok
