"""bareos-dir: the Director's entry point."""

from __future__ import annotations

import logging
import os
import signal
import sys

from bareos.dird.config import SCHEMA
from bareos.lib.config import cli

log = logging.getLogger("bareos-dir")


def setup_logging(args) -> None:
    level = logging.DEBUG if cli.debug_level(args) > 0 else logging.INFO
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s bareos-dir: %(levelname)s %(name)s: %(message)s")


def write_pid(args, cfg) -> str | None:
    path = args.pid_file
    if path is None:
        piddir = cfg.first("Director").get("Pid Directory")
        if not piddir or not os.path.isdir(piddir):
            return None
        path = os.path.join(piddir, "bareos-dir.pid")
    try:
        with open(path, "w") as f:
            f.write(f"{os.getpid()}\n")
    except OSError as exc:
        log.warning("cannot write pid file %s: %s", path, exc)
        return None
    return path


def main(argv=None) -> int:
    args, cfg = cli.parse_and_load(sys.argv[1:] if argv is None else argv, SCHEMA,
                                   prog="bareos-dir", description="Bareos Director")
    if cfg is None:
        return args.exit_code
    setup_logging(args)
    from bareos.dird.director import Director

    director = Director(cfg, config_path=args.config)
    try:
        director.start()
    except OSError as exc:
        log.error("cannot listen on %s: %s", director.addresses(), exc)
        return 1
    pidfile = write_pid(args, cfg)
    bound = ", ".join(f"{h}:{p}" for h, p in director.server.bound)
    log.info("Director %s (version %s) listening on %s", director.name, "25.1.1", bound)

    def stop(signum, frame):
        log.info("signal %d: shutting down", signum)
        director._shutdown.set()

    def reload(signum, frame):
        try:
            director.reload()
            log.info("configuration reloaded")
        except Exception as exc:  # keep running on a bad configuration
            log.error("reload failed, keeping the running configuration: %s", exc)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    try:
        director.serve_forever()
    finally:
        director.shutdown()
        if pidfile:
            try:
                os.unlink(pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
