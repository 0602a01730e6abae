"""`reload`: read the configuration again; a bad configuration keeps the old one.

What went wrong reaches the Director's messages (the console's `messages`)
as Bareos words it: a parser error as ``Config error: <what>`` with the
place and the offending line, a check of the whole configuration as
``Fatal error: Only one Director resource permitted in <config>``, a catalog
that cannot be used as ``Fatal error: Could not open Catalog ...``; then
``Please correct the configuration in <config>`` and ``Resetting to previous
configuration.``
"""

import logging
import time

from bareos.lib import jmsg
from bareos.lib.config.errors import ConfigError

from ..director import CatalogCheckError

log = logging.getLogger("bareos.dird")


def run(ua) -> bool:
    d = ua.director
    path = d.config_path or ""
    try:
        d.reload()
        ok = True
    except ConfigError as exc:
        log.error("reload failed, keeping the running configuration: %s", exc)
        if exc.is_resource_check:
            d.daemon_message(jmsg.M_FATAL, exc.bareos_text(path).split(": ", 1)[1])
        else:  # the parser's own report (Bareos's scanner error)
            d.console_messages.add("%s %s: ERROR: %s" % (
                time.strftime("%d-%b %H:%M"), d.name, exc.bareos_text(path)))
        ok = False
    except CatalogCheckError as exc:
        log.error("reload failed, keeping the running configuration: %s", exc)
        for text in exc.errors:
            d.daemon_message(jmsg.M_FATAL, text + "\n")
        ok = False
    if not ok:
        d.daemon_message(jmsg.M_ERROR, "Please correct the configuration in %s\n" % path)
        d.daemon_message(jmsg.M_ERROR, "Resetting to previous configuration.\n")
    ua.send.object_start("reload")
    ua.send.kv("success", ok, "reloaded\n" if ok else "failed to reload\n")
    ua.send.object_end("reload")
    return ok
