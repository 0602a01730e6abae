"""bareos-dir: the Director's entry point."""

from __future__ import annotations

import logging
import os
import sys

from bareos.dird.config import SCHEMA
from bareos.lib.config import cli
from bareos.lib.daemon import drop_privileges, run_daemon, setup_logging

log = logging.getLogger("bareos-dir")


def pid_file_path(args, cfg) -> str | None:
    """``-p``, else bareos-dir.pid in the Director's Pid Directory (when it exists)."""
    if args.pid_file is not None:
        return args.pid_file
    piddir = cfg.first("Director").get("Pid Directory")
    if not piddir or not os.path.isdir(piddir):
        return None
    return os.path.join(piddir, "bareos-dir.pid")


def main(argv=None) -> int:
    from bareos.dird.director import startup_check

    args, cfg = cli.parse_and_load(sys.argv[1:] if argv is None else argv, SCHEMA,
                                   prog="bareos-dir", description="Bareos Director",
                                   check=startup_check)
    if drop_privileges(args, "bareos-dir"):
        return 1
    if cfg is None:
        return args.exit_code
    setup_logging(args, "bareos-dir")
    from bareos.dird.director import Director

    director = Director(cfg, config_path=args.config)
    return run_daemon(director, log, describe=f"Director {director.name} (version 25.1.1)",
                      addresses=director.addresses, pid_file=pid_file_path(args, cfg),
                      reload=director.reload)


if __name__ == "__main__":
    sys.exit(main())
