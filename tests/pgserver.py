"""A throw-away PostgreSQL server for tests.

Finds Debian's server binaries (``/usr/lib/postgresql/<ver>/bin``, or
``initdb``/``pg_ctl`` on PATH, or ``$PG_BINDIR``), runs ``initdb`` into a
temporary directory and starts the server on 127.0.0.1 with a free port and
its socket in that directory.  PostgreSQL refuses to run as root, so when the
tests run as root the server runs as the ``postgres`` user (created by the
Debian package; created here with ``useradd`` if missing) via ``runuser``.

    srv = PgServer(); srv.start()
    srv.create_database("bareos")
    srv.conninfo("bareos")   # {"host": "127.0.0.1", "port": ..., ...}
    srv.stop()

`pg_unavailable_reason()` says why a server cannot be started (None if it
can); test fixtures skip with that reason unless ``CI=true`` is set.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

SUPERUSER = "bareos"


def find_pg_bindir() -> str | None:
    env = os.environ.get("PG_BINDIR")
    candidates = [env] if env else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    for d in candidates:
        if d and os.path.exists(os.path.join(d, "initdb")) and os.path.exists(
            os.path.join(d, "pg_ctl")
        ):
            return d
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(initdb)
    return None


def _run_as() -> str | None:
    """The user to run the server as, None for the current user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", "postgres"],
            check=True, capture_output=True,
        )
    return "postgres"


def pg_unavailable_reason() -> str | None:
    if find_pg_bindir() is None:
        return ("PostgreSQL server binaries (initdb, pg_ctl) not found; "
                "install the Debian package 'postgresql' or set PG_BINDIR")
    if os.geteuid() == 0 and not (shutil.which("runuser") or shutil.which("su")):
        return "running as root and neither runuser nor su is available"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg 3 is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.bindir = find_pg_bindir()
        if self.bindir is None:
            raise RuntimeError(pg_unavailable_reason())
        self.user = _run_as()
        self.host = "127.0.0.1"
        self.port = 0
        self.tmpdir: str | None = None
        self.datadir: str | None = None
        self.running = False

    def _cmd(self, args: list[str]) -> subprocess.CompletedProcess:
        if self.user:
            if shutil.which("runuser"):
                args = ["runuser", "-u", self.user, "--"] + args
            else:
                import shlex

                args = ["su", self.user, "-s", "/bin/sh", "-c", shlex.join(args)]
        proc = subprocess.run(args, capture_output=True, text=True, cwd=self.tmpdir)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def start(self) -> "PgServer":
        self.tmpdir = tempfile.mkdtemp(prefix="bareos-pg-")
        os.chmod(self.tmpdir, 0o700)
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.tmpdir, pw.pw_uid, pw.pw_gid)
        self.datadir = os.path.join(self.tmpdir, "data")
        self._cmd([
            os.path.join(self.bindir, "initdb"), "-D", self.datadir,
            "--username", SUPERUSER, "--auth", "trust", "--encoding", "SQL_ASCII",
            "--locale", "C", "--no-sync",
        ])
        with open(os.path.join(self.datadir, "postgresql.conf"), "a") as f:
            f.write(
                "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\nshared_buffers = 64MB\n"
            )
        last_err = None
        for _ in range(5):  # a port may be taken between probe and bind
            self.port = _free_port()
            opts = (f"-c listen_addresses={self.host} -p {self.port} "
                    f"-c unix_socket_directories={self.tmpdir}")
            try:
                self._cmd([
                    os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-w",
                    "-t", "60", "-l", os.path.join(self.tmpdir, "server.log"),
                    "-o", opts, "start",
                ])
                self.running = True
                break
            except RuntimeError as exc:
                last_err = exc
        if not self.running:
            raise RuntimeError(f"PostgreSQL did not start: {last_err}\n{self.log_tail()}")
        self._wait_ready()
        return self

    def log_tail(self) -> str:
        try:
            with open(os.path.join(self.tmpdir or "", "server.log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(**self.conninfo("postgres"), connect_timeout=5).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def conninfo(self, dbname: str = "postgres") -> dict:
        return {"host": self.host, "port": self.port, "user": SUPERUSER, "dbname": dbname}

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(**self.conninfo(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str) -> None:
        self.execute(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.running:
            try:
                self._cmd([
                    os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-w",
                    "-m", "immediate", "stop",
                ])
            finally:
                self.running = False
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self) -> "PgServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
