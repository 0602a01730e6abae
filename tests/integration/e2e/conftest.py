"""End-to-end fixtures: the three real daemons as separate processes on
127.0.0.1, configured like the quick start (SQLite catalog, file device,
TLS-PSK everywhere), and a console to drive them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bareos.lib import tls

needs_psk = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needs sslpsk3 or Python >= 3.13")


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Site:
    """A running Director + SD + FD set, and helpers to drive it."""

    def __init__(self, base: Path, backup_dir: Path):
        from bareos.quickstart import run as qs

        self.base = base
        self.backup_dir = backup_dir
        base.mkdir(parents=True, exist_ok=True)
        state = base / "quickstart.env"
        state.write_text("".join(f"{k}={v}\n" for k, v in {
            "dir_password": "e2e-dir-pw", "admin_password": "e2e-admin-pw",
            "sd_password": "e2e-sd-pw", "fd_password": "e2e-fd-pw",
            "dir_port": _free_port(), "sd_port": _free_port(), "fd_port": _free_port()}.items()))
        self.values = qs.write_config(base, backup_dir)
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, which=("bareos-dir", "bareos-sd", "bareos-fd")) -> None:
        from bareos.quickstart.run import DAEMONS

        for daemon, module, port_key in DAEMONS:
            if daemon not in which:
                continue
            log = open(self.base / "log" / f"{daemon}.out", "ab")
            proc = subprocess.Popen([sys.executable, "-m", module, "-f", "-c", str(self.base / "etc")],
                                    stdout=log, stderr=log)
            self.procs[daemon] = proc
            port = int(self.values[port_key])
            deadline = time.time() + 30
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"{daemon} died: {(self.base / 'log' / (daemon + '.out')).read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    assert time.time() < deadline, f"{daemon} does not listen"
                    time.sleep(0.1)

    def stop(self, which=None) -> None:
        for name, proc in list(self.procs.items()):
            if which is not None and name not in which:
                continue
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            del self.procs[name]

    def console(self, json: bool = False):
        from bareos.bsock import DirectorConsole, DirectorConsoleJson, Password

        cls = DirectorConsoleJson if json else DirectorConsole
        return cls(address="127.0.0.1", port=int(self.values["dir_port"]),
                   password=Password(self.values["dir_password"]))

    def run_job(self, con, command: str, timeout: float = 600) -> tuple[int, str]:
        """Run a job command, wait for it, return (jobid, JobStatus letter)."""
        out = con.call(command).decode()
        m = re.search(r"Job queued\. JobId=(\d+)", out)
        assert m, out
        jobid = int(m.group(1))
        waited = con.call(f"wait jobid={jobid} timeout={int(timeout)}").decode()
        m = re.search(r"JobStatus=.*\((.)\)", waited)
        assert m, waited
        return jobid, m.group(1)

    def joblog(self, con) -> str:
        return con.call("messages").decode()

    # -- configuration changes (before start(), or followed by "reload") ------------
    def dir_conf(self, rel: str) -> Path:
        return self.base / "etc" / "bareos-dir.d" / rel

    def add_directives(self, rel: str, *lines: str) -> None:
        """Add directive lines to the (single) resource of a Director config file."""
        path = self.dir_conf(rel)
        text = path.read_text().rstrip()
        assert text.endswith("}"), text
        path.write_text(text[:-1] + "".join(f"  {line}\n" for line in lines) + "}\n")

    def write_fileset(self, name: str = "Quickstart", options: dict | None = None,
                      files: list | None = None) -> None:
        opts = {"Signature": "XXH128"} if options is None else options
        body = "".join(f"      {k} = {v}\n" for k, v in opts.items())
        entries = "".join(f'    File = "{f}"\n' for f in (files or [self.backup_dir]))
        self.dir_conf(f"fileset/{name}.conf").write_text(
            f'FileSet {{\n  Name = "{name}"\n  Include {{\n    Options {{\n{body}    }}\n'
            f"{entries}  }}\n}}\n")

    def add_backup_job(self, name: str, fileset: str, *extra: str) -> None:
        """Another backup job like backup-bareos-fd on its own FileSet."""
        lines = "".join(f"  {line}\n" for line in extra)
        self.dir_conf(f"job/{name}.conf").write_text(
            f'Job {{\n  Name = "{name}"\n  Type = Backup\n  Level = Full\n  Client = bareos-fd\n'
            f'  FileSet = "{fileset}"\n  Storage = File\n  Messages = Standard\n  Pool = Full\n'
            f'  Full Backup Pool = Full\n  Incremental Backup Pool = Incremental\n'
            f'  Write Bootstrap = "{self.base / "work"}/{name}.bsr"\n{lines}}}\n')

    # -- running ------------------------------------------------------------------
    def wait_job(self, con, jobid: int, timeout: float = 600) -> str:
        waited = con.call(f"wait jobid={jobid} timeout={int(timeout)}").decode()
        m = re.search(r"JobStatus=.*\((.)\)", waited)
        assert m, waited
        return m.group(1)

    def job_log(self, con, jobid: int) -> str:
        return con.call(f"list joblog jobid={jobid}").decode()

    def bconsole(self, commands, timeout: float = 300) -> str:
        """Run the real bconsole program with commands on its standard input."""
        text = commands if isinstance(commands, str) else "\n".join(commands) + "\n"
        proc = subprocess.run([sys.executable, "-m", "bareos.console.bconsole", "-c",
                               str(self.base / "etc" / "bconsole.conf")],
                              input=text, text=True, capture_output=True, timeout=timeout)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    def restore_all(self, con, where: Path, client: str = "bareos-fd", fileset: str = "Quickstart",
                    extra: str = "") -> tuple[int, str]:
        """restore ... current select all done yes; wait; (jobid, status)."""
        return self.run_job(con, f"restore client={client} fileset={fileset} where={where} "
                                 f"{extra} current select all done yes".replace("  ", " "))


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
