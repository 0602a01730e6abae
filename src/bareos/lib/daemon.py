"""Start-up shared by bareos-dir, bareos-fd and bareos-sd: logging to
stderr, the pid file, serving until SIGTERM/SIGINT (SIGHUP reloads where the
daemon can), and a clean stop.

A daemon object has ``start()`` (raises OSError when it cannot listen),
``server.bound`` (the bound (host, port) pairs), ``serve_forever()``,
``shutdown()`` and a ``_shutdown`` event.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Callable

from bareos.lib.config import cli

__all__ = ["setup_logging", "write_pid_file", "run_daemon", "drop_privileges"]


def setup_logging(args, prog: str) -> None:
    """Log to stderr, debug level when ``-d`` is above 0."""
    level = logging.DEBUG if cli.debug_level(args) > 0 else logging.INFO
    logging.basicConfig(level=level, stream=sys.stderr,
                        format=f"%(asctime)s {prog}: %(levelname)s %(name)s: %(message)s")


def _error_term(prog: str, text: str) -> int:
    print(f"{prog}: ERROR TERMINATION\n{text}", file=sys.stderr, flush=True)
    return 1


def drop_privileges(args, prog: str) -> int:
    """``-u user`` / ``-g group``: run as that user and group, as Bareos's
    daemons do; 0, or 1 after printing why not (Bareos's texts)."""
    import grp
    import pwd

    user = getattr(args, "user", None) or None
    group = getattr(args, "group", None) or None
    if user is None and group is None:
        return 0
    if os.geteuid() != 0:
        return _error_term(prog, "The commandline options indicate to run as specified "
                                 "user/group, but program was not started with required "
                                 "root privileges.")
    try:
        pw = pwd.getpwnam(user) if user is not None else pwd.getpwuid(os.getuid())
    except KeyError:
        if user is not None:
            return _error_term(prog, f"Could not find userid={user}: ERR=Success")
        return _error_term(prog, "Could not find password entry. ERR=Success")
    gid = pw.pw_gid
    if group is not None:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            return _error_term(prog, f"Could not find group={group}: ERR=Success")
    try:
        os.initgroups(pw.pw_name, gid)
    except OSError as exc:
        if group is not None:
            return _error_term(prog, f"Could not initgroups for group={group}, "
                                     f"userid={pw.pw_name}: ERR={exc.strerror}")
        return _error_term(prog, f"Could not initgroups for userid={pw.pw_name}: "
                                 f"ERR={exc.strerror}")
    if group is not None:
        try:
            os.setgid(gid)
        except OSError as exc:
            return _error_term(prog, f"Could not set group={group}: ERR={exc.strerror}")
    try:
        os.setuid(pw.pw_uid)
    except OSError as exc:
        return _error_term(prog, f"Could not set specified userid: {pw.pw_name}")
    return 0


def write_pid_file(path: str, log: logging.Logger) -> str | None:
    """Write our pid to *path*; the path, or None when it cannot be written."""
    try:
        with open(path, "w") as f:
            f.write(f"{os.getpid()}\n")
    except OSError as exc:
        log.warning("cannot write pid file %s: %s", path, exc)
        return None
    return path


def run_daemon(daemon, log: logging.Logger, *, describe: str,
               addresses: Callable[[], object], pid_file: str | None = None,
               reload: Callable[[], None] | None = None) -> int:
    """Start *daemon* and serve until a signal stops it; the exit code.

    *describe* names it in the "listening on" line, *addresses* gives what
    it tried to listen on for the error when it cannot, *reload* (SIGHUP)
    re-reads the configuration."""
    try:
        daemon.start()
    except OSError as exc:
        log.error("cannot listen on %s: %s", addresses(), exc)
        return 1
    pidfile = write_pid_file(pid_file, log) if pid_file else None
    bound = ", ".join(f"{h}:{p}" for h, p in daemon.server.bound)
    log.info("%s listening on %s", describe, bound)

    def stop(signum, frame):
        log.info("signal %d: shutting down", signum)
        daemon._shutdown.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if reload is not None:
        def on_hup(signum, frame):
            try:
                reload()
                log.info("configuration reloaded")
            except Exception as exc:  # keep running on a bad configuration
                log.error("reload failed, keeping the running configuration: %s", exc)

        signal.signal(signal.SIGHUP, on_hup)
    try:
        daemon.serve_forever()
    finally:
        daemon.shutdown()
        if pidfile:
            try:
                os.unlink(pidfile)
            except OSError:
                pass
    return 0
