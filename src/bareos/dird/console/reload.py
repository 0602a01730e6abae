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
        ok = False
    ua.send.object_start("reload")
    ua.send.kv("success", ok, "reloaded\n" if ok else "failed to reload\n")
    ua.send.object_end("reload")
    return ok
