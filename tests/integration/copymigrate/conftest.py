"""Copy / Migrate / Virtual Full through the real daemons: the quick-start
site of tests/integration/e2e with a second Pool, Storage and Device (and,
for SD-to-SD replication, a second Storage Daemon process)."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.e2e.conftest import Site, _free_port, needs_psk  # noqa: F401

__all__ = ["needs_psk", "make_tree", "configure", "SecondSd", "run", "wait", "joblog"]


def make_tree(root: Path, seed: int = 11) -> None:
    rnd = random.Random(seed)
    (root / "a" / "b").mkdir(parents=True)
    for i in range(12):
        (root / "a" / f"f{i}.txt").write_text("y" * rnd.randint(0, 4000))
    (root / "a" / "b" / "big.bin").write_bytes(rnd.randbytes(600 * 1024))
    (root / "empty").write_bytes(b"")
    os.symlink("a/f1.txt", root / "link")
    os.chmod(root / "a" / "f3.txt", 0o600)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def configure(site: Site, *, sd_port: int | None = None, extra_jobs: dict | None = None,
              full_next_pool: bool = True) -> None:
    """Second Storage/Pool/Device ("File2", "Copy", "FileStorage2") and the
    Copy/Migrate jobs; *sd_port* puts File2 on another Storage Daemon."""
    etc = site.base / "etc"
    vals = site.values
    port = sd_port or vals["sd_port"]
    _write(etc / "bareos-dir.d" / "storage" / "File2.conf",
           f'Storage {{\n  Name = File2\n  Address = 127.0.0.1\n  Port = {port}\n'
           f'  Password = "{vals["sd_password"]}"\n  Device = FileStorage2\n  Media Type = File2\n}}\n')
    _write(etc / "bareos-dir.d" / "pool" / "Copy.conf",
           'Pool {\n  Name = Copy\n  Pool Type = Backup\n  Recycle = yes\n  AutoPrune = yes\n'
           '  Volume Retention = 365 days\n  Label Format = "Copy-"\n  Storage = File2\n}\n')
    _write(etc / "bareos-dir.d" / "pool" / "Consolidated.conf",
           'Pool {\n  Name = Consolidated\n  Pool Type = Backup\n  Label Format = "Cons-"\n'
           '  Storage = File2\n}\n')
    full = etc / "bareos-dir.d" / "pool" / "Full.conf"
    text = full.read_text().rstrip()
    lines = "  Storage = File\n" + ("  Next Pool = Copy\n" if full_next_pool else "")
    full.write_text(text[:-1] + lines + "}\n")
    inc = etc / "bareos-dir.d" / "pool" / "Incremental.conf"
    text = inc.read_text().rstrip()
    inc.write_text(text[:-1] + "  Storage = File\n  Next Pool = Consolidated\n}\n")
    jobs = {
        "copy-job": "Type = Copy\n  Pool = Full\n  Selection Type = Job\n"
                    '  Selection Pattern = "^backup-bareos-fd$"',
        "copy-uncopied": "Type = Copy\n  Pool = Full\n  Selection Type = PoolUncopiedJobs",
        "migrate-job": "Type = Migrate\n  Pool = Full\n  Selection Type = Job\n"
                       '  Selection Pattern = "backup"',
    }
    jobs.update(extra_jobs or {})
    for name, body in jobs.items():
        _write(etc / "bareos-dir.d" / "job" / f"{name}.conf",
               f'Job {{\n  Name = "{name}"\n  {body}\n  Client = bareos-fd\n  FileSet = "Quickstart"\n'
               f"  Messages = Standard\n  Storage = File\n}}\n")
    if sd_port is None:
        store2 = site.base / "storage2"
        store2.mkdir(exist_ok=True)
        _write(etc / "bareos-sd.d" / "device" / "FileStorage2.conf",
               f'Device {{\n  Name = FileStorage2\n  Media Type = File2\n  Archive Device = "{store2}"\n'
               "  Label Media = yes\n  Random Access = yes\n  Automatic Mount = yes\n"
               "  Removable Media = no\n  Always Open = no\n  Maximum Concurrent Jobs = 5\n}\n")


class SecondSd:
    """Another bareos-sd process (its own port, working and storage directory)
    holding Device FileStorage2, known to the same Director."""

    def __init__(self, site: Site):
        self.site = site
        self.port = _free_port()
        self.base = site.base / "sd2"
        etc = self.base / "etc"
        src = site.base / "etc" / "bareos-sd.d"
        shutil.copytree(src, etc / "bareos-sd.d")
        (self.base / "work").mkdir(parents=True, exist_ok=True)
        (self.base / "storage").mkdir(parents=True, exist_ok=True)
        sdconf = etc / "bareos-sd.d" / "storage" / "bareos-sd.conf"
        text = sdconf.read_text()
        text = text.replace("Name = bareos-sd", "Name = bareos-sd2")
        text = re.sub(r"SD Port = \d+", f"SD Port = {self.port}", text)
        text = re.sub(r'Working Directory = "[^"]*"', f'Working Directory = "{self.base / "work"}"', text)
        sdconf.write_text(text)
        (etc / "bareos-sd.d" / "device" / "FileStorage.conf").unlink()
        _write(etc / "bareos-sd.d" / "device" / "FileStorage2.conf",
               f'Device {{\n  Name = FileStorage2\n  Media Type = File2\n'
               f'  Archive Device = "{self.base / "storage"}"\n'
               "  Label Media = yes\n  Random Access = yes\n  Automatic Mount = yes\n"
               "  Removable Media = no\n  Always Open = no\n  Maximum Concurrent Jobs = 5\n}\n")
        self.proc = None

    def start(self) -> None:
        log = open(self.base / "sd2.out", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "bareos.stored.daemon", "-f", "-c",
                                      str(self.base / "etc")], stdout=log, stderr=log)
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError((self.base / "sd2.out").read_text())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.time() < deadline, "second SD does not listen"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run(con, command: str) -> int:
    out = con.call(command).decode()
    m = re.search(r"Job queued\. JobId=(\d+)", out)
    assert m, out
    return int(m.group(1))


def wait(con, jobid: int, timeout: int = 300) -> str:
    waited = con.call(f"wait jobid={jobid} timeout={timeout}").decode()
    m = re.search(r"JobStatus=.*\((.)\)", waited)
    assert m, waited
    return m.group(1)


def joblog(con, jobid: int) -> str:
    return con.call(f"list joblog jobid={jobid}").decode()


def job_row(site: Site, jobid: int) -> dict:
    import sqlite3

    db = sqlite3.connect(site.base / "work" / "bareos.db")
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("SELECT * FROM Job WHERE JobId = ?", (jobid,)).fetchone()
        return dict(row) if row else {}
    finally:
        db.close()


def query(site: Site, sql: str, params=()) -> list[tuple]:
    import sqlite3

    db = sqlite3.connect(site.base / "work" / "bareos.db", timeout=30)
    try:
        rows = db.execute(sql, params).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


@pytest.fixture
def site_factory(tmp_path):
    sites = []

    def make(backup_dir: Path, name: str = "site") -> Site:
        s = Site(tmp_path / name, backup_dir)
        sites.append(s)
        return s

    yield make
    for s in sites:
        s.stop()
