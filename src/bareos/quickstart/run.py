"""The README's main command: start the daemons on an embedded default
configuration and run a console session against them.

Everything lives in one working directory (default ``./quickstart-work``):
``etc/`` (configuration), ``work/`` (catalog, state), ``log/``.  Passwords are
made once and kept, so a second run reuses the same configuration.  The
daemons keep running after the session so that the user can connect with
``bconsole``; ``--stop`` ends them.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from . import templates

SESSION = [
    "version",
    "status director",
    "show pool",
    ".jobs",
    "whoami",
]


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


def write_config(base: Path) -> dict:
    """Create (once) the configuration tree; return the values it was made with."""
    etc = base / "etc"
    state_file = base / "quickstart.env"
    if state_file.exists():
        values = dict(line.split("=", 1) for line in state_file.read_text().splitlines() if "=" in line)
    else:
        values = {
            "dir_password": secrets.token_urlsafe(24),
            "admin_password": secrets.token_urlsafe(24),
            "dir_port": str(free_port(9101)),
        }
    values.update(work_dir=str(base / "work"), log_dir=str(base / "log"))
    for d in ("work", "log"):
        (base / d).mkdir(parents=True, exist_ok=True)
    for rel, text in templates.DIRECTOR.items():
        path = etc / "bareos-dir.d" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(templates.render(text, **values))
    (etc / "bconsole.conf").write_text(templates.render(templates.BCONSOLE, **values))
    os.chmod(etc / "bconsole.conf", 0o600)
    state_file.write_text("".join(f"{k}={values[k]}\n" for k in ("dir_password", "admin_password", "dir_port")))
    os.chmod(state_file, 0o600)
    return values


def _pidfile(base: Path, daemon: str) -> Path:
    return base / "work" / f"{daemon}.pid"


def _running(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def stop(base: Path) -> None:
    for daemon in ("bareos-fd", "bareos-sd", "bareos-dir"):
        pid = _running(_pidfile(base, daemon))
        if pid:
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                if _running(_pidfile(base, daemon)) is None:
                    break
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
                time.sleep(0.1)
            print(f"stopped {daemon} (pid {pid})")


def start_director(base: Path, values: dict) -> None:
    pidfile = _pidfile(base, "bareos-dir")
    if _running(pidfile):
        return
    log = open(base / "log" / "bareos-dir.out", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "bareos.dird.daemon", "-f", "-c", str(base / "etc"),
                             "-p", str(pidfile)], stdout=log, stderr=log, start_new_session=True)
    port = int(values["dir_port"])
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bareos-dir failed to start; see {base / 'log' / 'bareos-dir.out'}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("bareos-dir did not start listening in time")


def bconsole_session(base: Path, commands: list[str]) -> int:
    cmd = [sys.executable, "-m", "bareos.console.bconsole", "-c", str(base / "etc" / "bconsole.conf")]
    print(f"$ bconsole -c {base / 'etc' / 'bconsole.conf'}   (commands read from standard input)")
    proc = subprocess.run(cmd, input="\n".join(commands) + "\n", text=True)
    return proc.returncode


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="quickstart", description=__doc__.split("\n\n")[0])
    p.add_argument("--workdir", default="quickstart-work", help="working directory (default ./quickstart-work)")
    p.add_argument("--stop", action="store_true", help="stop the daemons and exit")
    p.add_argument("--stop-after", action="store_true", help="stop the daemons after the session")
    args = p.parse_args(argv)
    base = Path(args.workdir).resolve()
    if args.stop:
        stop(base)
        return 0
    values = write_config(base)
    start_director(base, values)
    print(f"bareos-dir is running on 127.0.0.1:{values['dir_port']} "
          f"(configuration {base / 'etc' / 'bareos-dir.d'}, logs {base / 'log'})\n")
    rc = bconsole_session(base, SESSION)
    print()
    print("Reach the Director with:")
    print(f"  bconsole -c {base / 'etc' / 'bconsole.conf'}")
    print(f"  (or python-bareos: DirectorConsole(address='127.0.0.1', port={values['dir_port']}, "
          "password=Password(<dir_password from quickstart.env>)))")
    print(f"Stop the daemons with: bash scripts/quickstart.sh --stop")
    if args.stop_after:
        stop(base)
    return rc
