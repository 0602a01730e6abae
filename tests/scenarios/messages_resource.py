#!/usr/bin/env python3
"""Our counterpart of Bareos's ``messages_resource`` test program (used by the
``messages`` systemtest): read the Director configuration in
``$BAREOS_CONFIG_DIR``, take its Messages resource ``Standard`` and send one
error message through every destination it names with the Director's
message routing (`bareos.dird.msgs.MessageSink`).

As the C program does, the console queue goes to ``$BAREOS_LOG_DIR/.conmsg``
and the two destinations that need a running daemon are redirected to files:
syslog to ``$BAREOS_LOG_DIR/syslog`` and the catalog to
``$BAREOS_LOG_DIR/dblog``.  Mail and operator mail are sent (through their
Mail/Operator Command) when the "job" ends."""

from __future__ import annotations

import os
import sys
import syslog
from types import SimpleNamespace

from bareos.dird.config import SCHEMA
from bareos.dird.msgs import MessageSink
from bareos.lib import jmsg
from bareos.lib.config import load_config

TEXT = "\n!!!This is a test error message!!!\n"


def _appender(path: str):
    def write(text: str) -> None:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
    return write


def main() -> int:
    config_dir = os.environ.get("BAREOS_CONFIG_DIR", "")
    log_dir = os.environ.get("BAREOS_LOG_DIR", "")
    if not config_dir or not log_dir or not os.environ.get("BAREOS_WORKING_DIR"):
        print("BAREOS_CONFIG_DIR, BAREOS_WORKING_DIR and BAREOS_LOG_DIR must be set",
              file=sys.stderr)
        return 1
    cfg = load_config(config_dir, SCHEMA)
    res = cfg.get("Messages", "Standard")
    if res is None:
        print('no Messages resource "Standard"', file=sys.stderr)
        return 1
    to_syslog = _appender(os.path.join(log_dir, "syslog"))
    syslog.syslog = lambda *args: to_syslog(str(args[-1]) + "\n")
    to_dblog = _appender(os.path.join(log_dir, "dblog"))
    director = SimpleNamespace(
        name=cfg.first("Director").name,
        console_messages=SimpleNamespace(add=_appender(os.path.join(log_dir, ".conmsg"))),
        catalog_log=lambda jobid, text, mtime=None: to_dblog(text),
    )
    jcr = SimpleNamespace(jobid=1, job="messages-test", job_name="messages-test",
                          client_name="", type_name="Backup", level_name="Full")
    sink = MessageSink(director, res, jcr)
    sink.deliver(jmsg.M_ERROR, TEXT)
    sink.job_finished(False, "Error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
