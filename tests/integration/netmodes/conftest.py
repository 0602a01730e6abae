"""Network-mode fixtures: the three real daemons as separate processes, each
optionally on its own test host (a Linux network namespace joined by veth
pairs that the tests create), with firewall/NAT rules as in the seed's
diagrams.  Namespaces (and with them their links and rules) are removed at the
end of each test, even when it fails.

Only 127.0.0.0/8 and 10.x addresses inside the namespaces created here are
used.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bareos.lib import tls

needs_psk = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needs sslpsk3 or Python >= 3.13")


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _run(*argv, check=True, ns=None):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + [str(a) for a in argv]
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=30)


_NETNS_REASON = None


def netns_unavailable() -> str | None:
    """Why network namespaces (with veth links and iptables) cannot be used here, or None."""
    global _NETNS_REASON
    if _NETNS_REASON is not None:
        return _NETNS_REASON or None
    reason = ""
    if os.geteuid() != 0:
        reason = "network namespaces need root (ip netns add)"
    elif not shutil.which("ip"):
        reason = "the ip command (iproute2) is not installed"
    elif not shutil.which("iptables"):
        reason = "iptables is not installed (apt-get install iptables)"
    else:
        name = "bxprobe" + secrets.token_hex(2)
        try:
            _run("ip", "netns", "add", name)
            try:
                _run("iptables", "-S", ns=name)
            finally:
                _run("ip", "netns", "del", name, check=False)
        except (subprocess.SubprocessError, OSError) as exc:
            reason = f"cannot create a network namespace with iptables: {exc}"
    _NETNS_REASON = reason
    return reason or None


class Net:
    """Test hosts (namespaces), links and rules; everything goes in cleanup()."""

    def __init__(self) -> None:
        self.tag = secrets.token_hex(2)
        self.namespaces: list[str] = []
        self.root_links: list[str] = []
        self.links = 0

    def host(self, name: str) -> str:
        ns = f"bx{name}{self.tag}"
        _run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        _run("ip", "link", "set", "lo", "up", ns=ns)
        return ns

    def link(self, a: str | None, a_addr: str, b: str, b_addr: str, prefix: int = 24) -> None:
        """A veth pair between host *a* (None = this test process's namespace) and *b*."""
        self.links += 1
        n = self.links
        va, vb = f"bxa{self.tag}{n}", f"bxb{self.tag}{n}"
        _run("ip", "link", "add", va, "type", "veth", "peer", "name", vb)
        if a is None:
            self.root_links.append(va)
        else:
            _run("ip", "link", "set", va, "netns", a)
        _run("ip", "link", "set", vb, "netns", b)
        for ns, dev, addr in ((a, va, a_addr), (b, vb, b_addr)):
            if addr:
                _run("ip", "addr", "add", f"{addr}/{prefix}", "dev", dev, ns=ns)
            _run("ip", "link", "set", dev, "up", ns=ns)
        return va, vb

    def run(self, ns, *argv, check=True):
        return _run(*argv, check=check, ns=ns)

    def iptables(self, ns, *rule):
        return _run("iptables", *rule, ns=ns)

    def can_connect(self, ns, host, port, timeout=3.0) -> bool:
        code = (f"import socket,sys\ntry:\n socket.create_connection(({host!r},{int(port)}),timeout={timeout}).close()\n"
                f"except OSError: sys.exit(1)\n")
        return _run(sys.executable, "-c", code, ns=ns, check=False).returncode == 0

    def cleanup(self) -> None:
        for ns in reversed(self.namespaces):
            _run("ip", "netns", "pids", ns, check=False)
            pids = _run("ip", "netns", "pids", ns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
            _run("ip", "netns", "del", ns, check=False)
        for dev in self.root_links:
            _run("ip", "link", "del", dev, check=False)
        self.namespaces.clear()
        self.root_links.clear()


@pytest.fixture
def net():
    reason = netns_unavailable()
    if reason:
        pytest.skip(reason)
    n = Net()
    try:
        yield n
    finally:
        n.cleanup()


# -- configuration ----------------------------------------------------------------

DIR_CONF = {
    "director/bareos-dir.conf": """Director {{
  Name = bareos-dir
  Password = "{dir_password}"
  Dir Addresses = {{
{dir_listen}  }}
  Working Directory = "{work_dir}"
  Messages = Daemon
  Maximum Concurrent Jobs = 10
  Fd Connect Timeout = 20
  Sd Connect Timeout = 20
{dir_extra}}}
""",
    "catalog/MyCatalog.conf": """Catalog {{
  Name = MyCatalog
  DB Driver = sqlite3
  DB Name = bareos
  DB User = bareos
}}
""",
    "messages/Daemon.conf": """Messages {{
  Name = Daemon
  Console = all, !skipped, !saved, !audit
}}
""",
    "messages/Standard.conf": """Messages {{
  Name = Standard
  Console = all, !skipped, !saved, !audit
  Catalog = all, !skipped, !saved, !audit
}}
""",
    "pool/Full.conf": """Pool {{
  Name = Full
  Pool Type = Backup
  Label Format = "Full-"
  Maximum Volume Bytes = 1G
}}
""",
    "client/bareos-fd.conf": """Client {{
  Name = bareos-fd
  Address = {fd_address}
  Port = {fd_port}
  Password = "{fd_password}"
{client_extra}}}
""",
    "storage/File.conf": """Storage {{
  Name = File
  Address = {sd_address}
  Port = {sd_port}
  Password = "{sd_password}"
  Device = FileStorage
  Media Type = File
{storage_extra}}}
""",
    "fileset/Data.conf": """FileSet {{
  Name = "Data"
  Include {{
    Options {{
      Signature = MD5
    }}
    File = "{backup_dir}"
  }}
}}
""",
    "job/backup.conf": """Job {{
  Name = "backup"
  Type = Backup
  Level = Full
  Client = bareos-fd
  FileSet = "Data"
  Storage = File
  Messages = Standard
  Pool = Full
  Write Bootstrap = "{work_dir}/%c.bsr"
{job_extra}}}
""",
    "job/restore.conf": """Job {{
  Name = "restore"
  Type = Restore
  Client = bareos-fd
  FileSet = "Data"
  Storage = File
  Pool = Full
  Messages = Standard
  Where = "{restore_dir}"
}}
""",
}

SD_CONF = {
    "storage/bareos-sd.conf": """Storage {{
  Name = bareos-sd
  SD Addresses = {{
{sd_listen}  }}
  Working Directory = "{work_dir}"
  Maximum Concurrent Jobs = 20
{sd_extra}}}
""",
    "director/bareos-dir.conf": """Director {{
  Name = bareos-dir
  Password = "{sd_password}"
{sd_director_extra}}}
""",
    "device/FileStorage.conf": """Device {{
  Name = FileStorage
  Media Type = File
  Archive Device = "{storage_dir}"
  Label Media = yes
  Random Access = yes
  Automatic Mount = yes
  Removable Media = no
  Always Open = no
  Maximum Concurrent Jobs = 5
}}
""",
    "messages/Standard.conf": """Messages {{
  Name = Standard
  Director = bareos-dir = all
}}
""",
}

FD_CONF = {
    "client/myself.conf": """Client {{
  Name = bareos-fd
  FD Addresses = {{
{fd_listen}  }}
  Working Directory = "{work_dir}"
  Maximum Concurrent Jobs = 20
{fd_extra}}}
""",
    "director/bareos-dir.conf": """Director {{
  Name = bareos-dir
  Password = "{fd_password}"
{fd_director_extra}}}
""",
    "messages/Standard.conf": """Messages {{
  Name = Standard
  Director = bareos-dir = all, !skipped, !restored
{fd_messages_extra}}}
""",
}

DAEMONS = (("bareos-dir", "bareos.dird.daemon", "bareos-dir.d", DIR_CONF),
           ("bareos-sd", "bareos.stored.daemon", "bareos-sd.d", SD_CONF),
           ("bareos-fd", "bareos.filed.daemon", "bareos-fd.d", FD_CONF))


def _listen(addrs: list[tuple[str, int]]) -> str:
    return "".join(f"    ip = {{ addr = {a}; port = {p} }}\n" for a, p in addrs)


class NetSite:
    """Director, SD and FD; *ns* maps a daemon name to the namespace it runs in."""

    def __init__(self, base: Path, backup_dir: Path, *, ns=None, **values):
        self.base = base
        self.backup_dir = backup_dir
        self.ns = ns or {}
        base.mkdir(parents=True, exist_ok=True)
        for d in ("work-dir", "work-sd", "work-fd", "log", "storage", "restores"):
            (base / d).mkdir(exist_ok=True)
        v = {
            "dir_password": "net-dir-pw", "sd_password": "net-sd-pw", "fd_password": "net-fd-pw",
            "dir_port": free_port(), "sd_port": free_port(), "fd_port": free_port(),
            "fd_address": "127.0.0.1", "sd_address": "127.0.0.1",
            "dir_extra": "", "client_extra": "", "storage_extra": "", "job_extra": "",
            "sd_extra": "", "sd_director_extra": "", "fd_extra": "", "fd_director_extra": "",
            "fd_messages_extra": "",
            "backup_dir": str(backup_dir), "storage_dir": str(base / "storage"),
            "restore_dir": str(base / "restores"),
        }
        v.update(values)
        v.setdefault("dir_listen_addrs", [("127.0.0.1", v["dir_port"])])
        v.setdefault("sd_listen_addrs", [("127.0.0.1", v["sd_port"])])
        v.setdefault("fd_listen_addrs", [("127.0.0.1", v["fd_port"])])
        for k in list(v):
            if k.endswith("_extra"):
                for name in ("dir_port", "sd_port", "fd_port"):
                    v[k] = v[k].replace("{" + name + "}", str(v[name]))
        v["dir_listen"] = _listen(v["dir_listen_addrs"])
        v["sd_listen"] = _listen(v["sd_listen_addrs"])
        v["fd_listen"] = _listen(v["fd_listen_addrs"])
        self.values = v
        for daemon, _module, tree, files in DAEMONS:
            short = daemon.split("-")[1]
            for rel, text in files.items():
                path = base / "etc" / tree / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text.format(**v, work_dir=str(base / f"work-{short}")))
        self.procs: dict[str, subprocess.Popen] = {}

    def log_text(self, daemon: str) -> str:
        p = self.base / "log" / f"{daemon}.out"
        return p.read_text(errors="replace") if p.exists() else ""

    def start(self, which=("bareos-dir", "bareos-sd", "bareos-fd")) -> None:
        for daemon, module, _tree, _files in DAEMONS:
            if daemon not in which:
                continue
            ns = self.ns.get(daemon)
            log = open(self.base / "log" / f"{daemon}.out", "ab")
            cmd = [sys.executable, "-m", module, "-f", "-d", "100", "-c", str(self.base / "etc")]
            if ns:
                cmd = ["ip", "netns", "exec", ns] + cmd
            proc = subprocess.Popen(cmd, stdout=log, stderr=log)
            self.procs[daemon] = proc
            short = daemon.split("-")[1]
            port = int(self.values[f"{short}_listen_addrs"][0][1])
            deadline = time.time() + 30
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"{daemon} died: {self.log_text(daemon)}")
                if self._listening(ns, port):
                    break
                assert time.time() < deadline, f"{daemon} does not listen: {self.log_text(daemon)}"
                time.sleep(0.2)

    @staticmethod
    def _listening(ns, port: int) -> bool:
        out = _run("ss", "-Hltn", ns=ns, check=False).stdout
        return re.search(rf":{port}\b", out) is not None

    def stop(self) -> None:
        for name, proc in list(self.procs.items()):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            del self.procs[name]

    def console(self):
        from bareos.bsock import DirectorConsole, Password

        return DirectorConsole(address="127.0.0.1", port=int(self.values["dir_port"]),
                               password=Password(self.values["dir_password"]))

    def run_job(self, con, command: str, timeout: float = 300) -> tuple[int, str, str]:
        """Run a job command and wait: (jobid, JobStatus letter, job log)."""
        out = con.call(command).decode()
        m = re.search(r"Job queued\. JobId=(\d+)", out)
        assert m, out
        jobid = int(m.group(1))
        waited = con.call(f"wait jobid={jobid} timeout={int(timeout)}").decode()
        m = re.search(r"JobStatus=.*\((.)\)", waited)
        assert m, waited
        log = con.call(f"list joblog jobid={jobid}").decode()
        return jobid, m.group(1), log

    def backup_and_restore(self, con) -> tuple[str, str]:
        """A Full backup and a restore of it; both must end OK; returns both job logs."""
        from bareos.quickstart.run import compare_trees

        _, status, blog = self.run_job(con, "run job=backup yes")
        assert status == "T", blog + self.log_text("bareos-fd") + self.log_text("bareos-sd")
        bsr = self.base / "work-dir" / "bareos-fd.bsr"
        assert bsr.exists(), blog
        where = self.base / "restores" / "r"
        _, rstatus, rlog = self.run_job(con, f"run job=restore bootstrap={bsr} where={where} yes")
        assert rstatus == "T", rlog + self.log_text("bareos-fd") + self.log_text("bareos-sd")
        assert compare_trees(self.backup_dir, where / str(self.backup_dir).lstrip("/")) == []
        return blog, rlog


@pytest.fixture
def site_factory(tmp_path):
    sites = []

    def make(backup_dir: Path, name: str = "site", **kw) -> NetSite:
        s = NetSite(tmp_path / name, backup_dir, **kw)
        sites.append(s)
        return s

    yield make
    for s in sites:
        s.stop()


def make_tree(root: Path, marker: bytes = b"") -> None:
    import random

    rnd = random.Random(11)
    (root / "d" / "e").mkdir(parents=True)
    for i in range(12):
        (root / "d" / f"f{i}.txt").write_bytes(marker + b"x" * rnd.randint(0, 4000))
    (root / "d" / "e" / "big.bin").write_bytes(rnd.randbytes(1024 * 1024))
    os.symlink("d/f1.txt", root / "link")
