"""The README's main command: start Director, Storage Daemon and File Daemon
on an embedded default configuration, back up a directory, restore it
elsewhere, show that both trees are identical, and tell the user how to reach
the Director with ``bconsole``.

Everything lives in one working directory (default ``./quickstart-work``):
``etc/`` (configuration), ``work/`` (catalog, state), ``storage/`` (volumes),
``restores/``, ``log/``.  Passwords and ports are made once and kept, so a
second run reuses them (and its backup is an Incremental).  The daemons keep
running after the session; ``--stop`` ends them.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from . import templates

DAEMONS = (
    ("bareos-dir", "bareos.dird.daemon", "dir_port"),
    ("bareos-sd", "bareos.stored.daemon", "sd_port"),
    ("bareos-fd", "bareos.filed.daemon", "fd_port"),
)


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


def make_sample(path: Path) -> None:
    """A small sample tree (first run), changed a little on every later run."""
    if not path.exists():
        rnd = random.Random(42)
        for d in range(3):
            sub = path / f"dir{d}" / "nested"
            sub.mkdir(parents=True, exist_ok=True)
            for f in range(5):
                (path / f"dir{d}" / f"file{f}.txt").write_text(
                    "".join(f"line {i} of file {f} in dir {d}\n" for i in range(rnd.randint(1, 200))))
            (sub / "data.bin").write_bytes(rnd.randbytes(64 * 1024))
        (path / "empty").write_bytes(b"")
        os.symlink("dir0/file0.txt", path / "link-to-file0")
    else:
        with open(path / "changes.log", "a") as f:
            f.write(f"changed at {time.ctime()}\n")


def write_config(base: Path, backup_dir: Path) -> dict:
    """Create the configuration trees; return the values they were made with."""
    etc = base / "etc"
    state_file = base / "quickstart.env"
    if state_file.exists():
        values = dict(line.split("=", 1) for line in state_file.read_text().splitlines() if "=" in line)
    else:
        values = {
            "dir_password": secrets.token_urlsafe(24),
            "admin_password": secrets.token_urlsafe(24),
            "sd_password": secrets.token_urlsafe(24),
            "fd_password": secrets.token_urlsafe(24),
            "dir_port": str(free_port(9101)),
            "sd_port": str(free_port(9103)),
            "fd_port": str(free_port(9102)),
        }
    values.update(work_dir=str(base / "work"), log_dir=str(base / "log"),
                  storage_dir=str(base / "storage"), restore_dir=str(base / "restores"),
                  backup_dir=str(backup_dir))
    for d in ("work", "log", "storage", "restores"):
        (base / d).mkdir(parents=True, exist_ok=True)
    for tree, files in (("bareos-dir.d", templates.DIRECTOR), ("bareos-sd.d", templates.STORAGE),
                        ("bareos-fd.d", templates.FILE_DAEMON)):
        for rel, text in files.items():
            path = etc / tree / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(templates.render(text, **values))
    (etc / "bconsole.conf").write_text(templates.render(templates.BCONSOLE, **values))
    os.chmod(etc / "bconsole.conf", 0o600)
    keep = ("dir_password", "admin_password", "sd_password", "fd_password", "dir_port", "sd_port", "fd_port")
    state_file.write_text("".join(f"{k}={values[k]}\n" for k in keep))
    os.chmod(state_file, 0o600)
    return values


def _pidfile(base: Path, daemon: str) -> Path:
    return base / "work" / f"{daemon}.pid"


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def _running(pidfile: Path, module: str | None = None) -> int | None:
    """The pid in *pidfile* if that process is alive (and runs *module*)."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        return None
    if module is not None:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if module.encode() not in f.read():
                    return None
        except OSError:
            pass
    return pid


def stop(base: Path) -> None:
    for daemon, module, _port in reversed(DAEMONS):
        pidfile = _pidfile(base, daemon)
        pid = _running(pidfile, module)
        if pid:
            os.kill(pid, signal.SIGTERM)
            for _ in range(150):
                if not _alive(pid):
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
            print(f"stopped {daemon} (pid {pid})")
        try:
            pidfile.unlink()
        except OSError:
            pass


def start_daemons(base: Path, values: dict) -> None:
    for daemon, module, port_key in DAEMONS:
        pidfile = _pidfile(base, daemon)
        if _running(pidfile, module):
            continue
        log = open(base / "log" / f"{daemon}.out", "ab")
        proc = subprocess.Popen([sys.executable, "-m", module, "-f", "-c", str(base / "etc"),
                                 "-p", str(pidfile)], stdout=log, stderr=log, start_new_session=True)
        port = int(values[port_key])
        deadline = time.time() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{daemon} failed to start; see {base / 'log' / (daemon + '.out')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit(f"{daemon} did not start listening in time")
                time.sleep(0.1)
        if not pidfile.exists():
            pidfile.write_text(f"{proc.pid}\n")


def bconsole_session(base: Path, commands: list[str]) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "bareos.console.bconsole", "-c", str(base / "etc" / "bconsole.conf")]
    proc = subprocess.run(cmd, input="\n".join(commands) + "\n", text=True, capture_output=True,
                          timeout=3600)
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    if proc.stderr:
        sys.stderr.write(proc.stderr)
    return proc.returncode, proc.stdout


def compare_trees(src: Path, dst: Path) -> list[str]:
    """Differences between two trees (type, content, mode, mtime, link targets)."""
    problems = []
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        for name in dirs + files:
            a = Path(root) / name
            b = dst / rel / name
            if not os.path.lexists(b):
                problems.append(f"missing: {b}")
                continue
            sa, sb = os.lstat(a), os.lstat(b)
            if (sa.st_mode & 0o170000) != (sb.st_mode & 0o170000):
                problems.append(f"type differs: {b}")
            elif os.path.islink(a):
                if os.readlink(a) != os.readlink(b):
                    problems.append(f"link target differs: {b}")
            elif os.path.isfile(a) and not filecmp.cmp(a, b, shallow=False):
                problems.append(f"content differs: {b}")
            elif (sa.st_mode & 0o7777) != (sb.st_mode & 0o7777):
                problems.append(f"mode differs: {b}")
            elif not os.path.isdir(a) and int(sa.st_mtime) != int(sb.st_mtime):
                problems.append(f"mtime differs: {b}")
    return problems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="quickstart", description=__doc__.split("\n\n")[0])
    p.add_argument("path", nargs="?", help="directory to back up (default: a sample tree)")
    p.add_argument("--workdir", default="quickstart-work", help="working directory (default ./quickstart-work)")
    p.add_argument("--stop", action="store_true", help="stop the daemons and exit")
    p.add_argument("--stop-after", action="store_true", help="stop the daemons after the session")
    args = p.parse_args(argv)
    base = Path(args.workdir).resolve()
    if args.stop:
        stop(base)
        return 0
    if args.path:
        backup_dir = Path(args.path).resolve()
        if not backup_dir.is_dir():
            print(f"{backup_dir} is not a directory", file=sys.stderr)
            return 2
    else:
        backup_dir = base / "sample"
        make_sample(backup_dir)
    values = write_config(base, backup_dir)
    start_daemons(base, values)
    print(f"Director 127.0.0.1:{values['dir_port']}, Storage Daemon 127.0.0.1:{values['sd_port']}, "
          f"File Daemon 127.0.0.1:{values['fd_port']} are running "
          f"(configuration {base / 'etc'}, logs {base / 'log'})\n")
    restore_to = base / "restores" / time.strftime("%Y%m%d-%H%M%S")
    bsr = base / "work" / "bareos-fd.bsr"
    print(f"$ bconsole -c {base / 'etc' / 'bconsole.conf'}   (commands read from standard input)")
    rc, out = bconsole_session(base, [
        "status director",
        "run job=backup-bareos-fd yes",
        "wait",
        "messages",
        f"run job=RestoreFiles bootstrap={bsr} where={restore_to} yes",
        "wait",
        "messages",
        "list jobs",
    ])
    restored = Path(str(restore_to) + str(backup_dir))
    problems = compare_trees(backup_dir, restored) if restored.exists() else [f"nothing restored to {restored}"]
    print()
    if problems:
        print(f"RESULT: the restored tree {restored} differs from {backup_dir}:")
        for line in problems[:20]:
            print(f"  {line}")
    else:
        print(f"RESULT: {backup_dir} was backed up and restored to {restored}: identical "
              "(content, type, mode, mtime, link targets).")
    print()
    print("Reach the Director with:")
    print(f"  bconsole -c {base / 'etc' / 'bconsole.conf'}")
    print(f"Stop the daemons with: bash scripts/quickstart.sh --stop")
    if args.stop_after:
        stop(base)
    return 0 if (rc == 0 and not problems) else 1
