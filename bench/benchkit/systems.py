"""The two systems under test, driven the same way.

Both get: a configuration of their own under one directory (own ports on
127.0.0.1, SQLite catalog, a file device, a Messages resource appending to a
log file), one backup job per (data set, compression), one restore job, and
a console session opened before the clock starts.  A job's time runs from
sending ``run`` (or ``restore``) to the moment its report (``Termination:``)
appears in the log file, polled every 10 ms, so that neither system's
``wait`` command (Bacula's polls once a second) colours the figures.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import procs

REPO = Path(__file__).resolve().parents[2]

COMPRESSIONS = ("none", "lz4", "gzip")


class JobFailed(RuntimeError):
    pass


@dataclass
class JobResult:
    jobid: int
    status: str
    seconds: float
    files: int = 0
    bytes: int = 0
    cpu: dict = field(default_factory=dict)       # daemon -> CPU seconds during the job
    cpu_sys: dict = field(default_factory=dict)   # daemon -> of which in the kernel
    rss: dict = field(default_factory=dict)       # daemon -> peak RSS MiB during the job
    report: str = ""


class LogWatcher:
    """Finds a job's report in an appended log file."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.buf = ""

    def skip_to_end(self) -> None:
        try:
            self.offset = self.path.stat().st_size
        except OSError:
            self.offset = 0
        self.buf = ""

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return
        if data:
            self.offset += len(data)
            self.buf += data.decode("utf-8", "replace")

    def wait_report(self, jobid: int, timeout: float, alive=None) -> tuple[float, str, str]:
        """(time seen, termination text, report text) of *jobid*'s report."""
        pat = re.compile(rf"^\s*JobId:\s+{jobid}\s*$", re.M)
        deadline = time.time() + timeout
        last_alive = time.time()
        while True:
            self._read()
            m = pat.search(self.buf)
            if m:
                t = re.compile(r"^\s*Termination:\s+(.*)$", re.M).search(self.buf, m.end())
                if t:
                    now = time.perf_counter()
                    start = self.buf.rfind("\n\n", 0, m.start())
                    return now, t.group(1).strip(), self.buf[max(0, start):t.end()]
            if time.time() > deadline:
                raise TimeoutError(f"job {jobid}: no report within {timeout:.0f} s")
            if alive is not None and time.time() - last_alive > 2:
                alive()
                last_alive = time.time()
            time.sleep(0.01)


def _num(report: str, label: str) -> int:
    m = re.search(rf"^\s*{label}:\s+([\d,]+)", report, re.M)
    return int(m.group(1).replace(",", "")) if m else 0


class System:
    """What the harness needs from a backup system."""

    name = "?"
    label = "?"
    base: Path
    procs: dict

    def __init__(self, base: Path, datasets: dict[str, Path], job_timeout: float):
        self.base = base
        self.datasets = datasets
        self.job_timeout = job_timeout
        self.procs: dict[str, subprocess.Popen] = {}
        self.console_retries: list[str] = []
        self.log = LogWatcher(base / "log" / "jobs.log")

    # subclasses: configure(), start(), command(text) -> str, compression_word(c)

    def job_name(self, dataset: str, compression: str) -> str:
        return f"bench-{dataset}-{compression}"

    def check_alive(self) -> None:
        for name, p in self.procs.items():
            if p.poll() is not None:
                raise JobFailed(f"{self.label}: {name} exited with {p.returncode}; see {self.base / 'log'}")

    def _measure(self, command: str) -> JobResult:
        self.check_alive()
        pids = {n: p.pid for n, p in self.procs.items()}
        for pid in pids.values():
            procs.reset_peak_rss(pid)
        cpu0 = {n: procs.cpu_split(pid) for n, pid in pids.items()}
        self.log._read()
        t0 = time.perf_counter()
        out = self.command(command)
        m = re.search(r"Job queued\. JobId=(\d+)", out)
        if not m:
            raise JobFailed(f"{self.label}: '{command}' did not queue a job:\n{out[-2000:]}")
        jobid = int(m.group(1))
        try:
            t1, term, report = self.log.wait_report(jobid, self.job_timeout, alive=self.check_alive)
        except TimeoutError as e:
            try:  # do not let it run on into the next task
                self.command(f"cancel jobid={jobid}")
            except Exception:  # noqa: BLE001
                pass
            raise JobFailed(f"{self.label}: {e}; cancelled") from None
        cpu1 = {n: procs.cpu_split(pid) for n, pid in pids.items()}
        rss = {n: round(procs.peak_rss_mib(pid), 1) for n, pid in pids.items()}
        res = JobResult(jobid=jobid, status=term, seconds=t1 - t0,
                        cpu={n: round(sum(cpu1[n]) - sum(cpu0[n]), 2) for n in pids},
                        cpu_sys={n: round(cpu1[n][1] - cpu0[n][1], 2) for n in pids}, rss=rss, report=report)
        if "OK" not in term:
            raise JobFailed(f"{self.label}: job {jobid} ended '{term}':\n{report[-3000:]}")
        if "Files Restored" in report:
            res.files = _num(report, "Files Restored")
            res.bytes = _num(report, "Bytes Restored")
        else:
            res.files = _num(report, "FD Files Written")
            res.bytes = _num(report, "FD Bytes Written")
        return res

    def backup(self, dataset: str, compression: str, level: str) -> JobResult:
        return self._measure(f"run job={self.job_name(dataset, compression)} level={level} yes")

    def restore(self, jobid: int, where: Path) -> JobResult:
        return self._measure(f"restore jobid={jobid} where={where} all done yes")

    def stop(self) -> None:
        self.close_console()
        for p in self.procs.values():  # all at once; then wait for each
            procs.terminate(p)
        for name in reversed(list(self.procs)):
            try:
                procs.stop_process(self.procs[name])
            except Exception as e:  # noqa: BLE001 - keep stopping the others
                print(f"{self.label}: stopping {name}: {e}", file=sys.stderr)
        self.procs.clear()

    def close_console(self) -> None:
        pass

    def _spawn(self, name: str, argv: list[str], port: int, env=None) -> None:
        logf = self.base / "log" / f"{name}.out"
        with open(logf, "ab") as out:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, env=env, preexec_fn=procs.die_with_parent)
        self.procs[name] = p
        procs.wait_listening(port, p, f"{self.label} {name}", logf)


# ----------------------------------------------------------------------------------------
class Ours(System):
    name = "ours"
    label = "bareos-py"

    def configure(self) -> None:
        sys.path.insert(0, str(REPO / "src"))
        from bareos.quickstart import run as qs

        if self.base.exists():
            shutil.rmtree(self.base)
        self.base.mkdir(parents=True)
        (self.base / "quickstart.env").write_text("".join(f"{k}={v}\n" for k, v in {
            "dir_password": secrets.token_hex(16), "admin_password": secrets.token_hex(16),
            "sd_password": secrets.token_hex(16), "fd_password": secrets.token_hex(16),
            "dir_port": procs.free_port(), "sd_port": procs.free_port(),
            "fd_port": procs.free_port()}.items()))
        self.values = qs.write_config(self.base, next(iter(self.datasets.values())))
        d = self.base / "etc" / "bareos-dir.d"
        log = self.base / "log" / "jobs.log"
        (d / "messages" / "Bench.conf").write_text(
            'Messages {\n  Name = Bench\n'
            f'  Append = "{log}" = all, !skipped, !saved, !audit, !restored\n'
            '  Catalog = all, !skipped, !saved, !audit, !restored\n}\n')
        word = {"none": None, "lz4": "LZ4", "gzip": "GZIP"}
        for ds, path in self.datasets.items():
            for comp in COMPRESSIONS:
                name = self.job_name(ds, comp)
                opts = "      Signature = MD5\n"
                if word[comp]:
                    opts += f"      Compression = {word[comp]}\n"
                (d / "fileset" / f"{name}.conf").write_text(
                    f'FileSet {{\n  Name = "{name}"\n  Include {{\n    Options {{\n{opts}    }}\n'
                    f'    File = "{path}"\n  }}\n}}\n')
                (d / "job" / f"{name}.conf").write_text(
                    f'Job {{\n  Name = "{name}"\n  Type = Backup\n  Level = Full\n  Client = bareos-fd\n'
                    f'  FileSet = "{name}"\n  Storage = File\n  Messages = Bench\n  Pool = Full\n'
                    f'  Full Backup Pool = Full\n  Incremental Backup Pool = Full\n  Priority = 10\n}}\n')
        # the restore job of the quick start, with our Messages
        (d / "job" / "RestoreFiles.conf").write_text(
            'Job {\n  Name = "RestoreFiles"\n  Type = Restore\n  Client = bareos-fd\n'
            f'  FileSet = "{self.job_name(next(iter(self.datasets)), "none")}"\n  Storage = File\n'
            f'  Pool = Full\n  Messages = Bench\n  Where = "{self.base / "restores"}"\n}}\n')

    def start(self) -> None:
        from bareos.quickstart.run import DAEMONS

        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
        for daemon, module, port_key in reversed(DAEMONS):  # FD, SD, then the Director
            short = {"bareos-dir": "dir", "bareos-sd": "sd", "bareos-fd": "fd"}[daemon]
            self._spawn(short, [sys.executable, "-m", module, "-f", "-c", str(self.base / "etc")],
                        int(self.values[port_key]), env=env)
        from bareos.bsock import DirectorConsole, Password

        for attempt in range(4):
            try:
                self.con = DirectorConsole(address="127.0.0.1", port=int(self.values["dir_port"]),
                                           password=Password(self.values["dir_password"]))
                break
            except Exception as e:  # noqa: BLE001 - seen once: TLS-PSK 'bad record mac' on the first login
                self.console_retries.append(f"console login attempt {attempt + 1}: {e}")
                if attempt == 3:
                    raise
                time.sleep(0.5)

    def command(self, text: str) -> str:
        return self.con.call(text).decode("utf-8", "replace")

    def close_console(self) -> None:
        con = getattr(self, "con", None)
        if con is not None:
            try:
                con.close()
            except Exception:  # noqa: BLE001
                pass
            self.con = None


# ----------------------------------------------------------------------------------------
BACULA_BIN = {"dir": "/usr/sbin/bacula-dir", "sd": "/usr/sbin/bacula-sd", "fd": "/usr/sbin/bacula-fd",
              "console": "/usr/sbin/bconsole"}
BACULA_PACKAGES = ["bacula-director", "bacula-director-sqlite3", "bacula-common-sqlite3",
                   "bacula-sd", "bacula-fd", "bacula-console"]
BACULA_SCHEMA = [Path("/usr/share/dbconfig-common/data/bacula-director-sqlite3/install/sqlite3")]


def bacula_missing() -> list[str]:
    missing = [p for p in BACULA_BIN.values() if not os.access(p, os.X_OK)]
    if not any(p.exists() for p in BACULA_SCHEMA):
        missing.append(str(BACULA_SCHEMA[0]))
    return missing


def install_bacula(log=print) -> str | None:
    """Install Bacula from Debian's packages if missing; None if ready, else why not."""
    if not bacula_missing():
        return None
    if os.geteuid() != 0:
        return "Bacula is not installed and installing it needs root (apt-get)"
    if not shutil.which("apt-get"):
        return "Bacula is not installed and there is no apt-get here"
    log("installing Bacula from Debian's packages: " + " ".join(BACULA_PACKAGES))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # never let the packages start the system services: a policy-rc.d that says no
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = False
    if not policy.exists():
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        made_policy = True
    try:
        for argv in (["apt-get", "install", "-y", "--no-install-recommends", *BACULA_PACKAGES],
                     ["apt-get", "update"],
                     ["apt-get", "install", "-y", "--no-install-recommends", *BACULA_PACKAGES]):
            r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
            if r.returncode == 0 and not bacula_missing():
                return None
        return f"apt-get could not install Bacula: {(r.stderr or r.stdout)[-800:]}"
    except (OSError, subprocess.SubprocessError) as e:
        return f"apt-get could not install Bacula: {e}"
    finally:
        if made_policy:
            policy.unlink()


def bacula_version() -> str:
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "bacula-director"],
                           capture_output=True, text=True, timeout=10)
        return r.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


class Bacula(System):
    name = "bacula"
    label = "Bacula"

    def configure(self) -> None:
        if self.base.exists():
            shutil.rmtree(self.base)
        for sub in ("etc", "work", "storage", "log", "restores"):
            (self.base / sub).mkdir(parents=True)
        pw = {k: secrets.token_hex(16) for k in ("dir", "sd", "fd")}
        self.ports = {k: procs.free_port() for k in ("dir", "sd", "fd")}
        work, log = self.base / "work", self.base / "log"
        jobs_log = log / "jobs.log"
        word = {"none": None, "lz4": "LZO", "gzip": "GZIP"}   # Bacula 9.6 has no LZ4: LZO stands in
        parts = [f"""Director {{
  Name = bench-dir
  DIRport = {self.ports['dir']}
  DirAddress = 127.0.0.1
  QueryFile = "/etc/bacula/scripts/query.sql"
  WorkingDirectory = "{work}"
  PidDirectory = "{work}"
  Maximum Concurrent Jobs = 10
  Password = "{pw['dir']}"
  Messages = Daemon
}}
Catalog {{
  Name = MyCatalog
  dbname = "bacula"; dbuser = ""; dbpassword = ""
}}
Client {{
  Name = bench-fd
  Address = 127.0.0.1
  FDPort = {self.ports['fd']}
  Catalog = MyCatalog
  Password = "{pw['fd']}"
  File Retention = 60 days
  Job Retention = 6 months
  AutoPrune = no
}}
Storage {{
  Name = File
  Address = 127.0.0.1
  SDPort = {self.ports['sd']}
  Password = "{pw['sd']}"
  Device = FileStorage
  Media Type = File
}}
Pool {{
  Name = Full
  Pool Type = Backup
  Recycle = yes
  AutoPrune = no
  Volume Retention = 365 days
  Maximum Volume Bytes = 50G
  Label Format = "Full-"
}}
Messages {{
  Name = Bench
  append = "{jobs_log}" = all, !skipped, !saved, !restored
  catalog = all, !skipped, !saved, !restored
}}
Messages {{
  Name = Daemon
  append = "{log / 'daemon.log'}" = all, !skipped
}}
Job {{
  Name = "RestoreFiles"
  Type = Restore
  Client = bench-fd
  FileSet = "{self.job_name(next(iter(self.datasets)), 'none')}"
  Storage = File
  Pool = Full
  Messages = Bench
  Where = "{self.base / 'restores'}"
}}
"""]
        for ds, path in self.datasets.items():
            for comp in COMPRESSIONS:
                name = self.job_name(ds, comp)
                opts = "      signature = MD5\n"
                if word[comp]:
                    opts += f"      compression = {word[comp]}\n"
                parts.append(f"""FileSet {{
  Name = "{name}"
  Include {{
    Options {{
{opts}    }}
    File = "{path}"
  }}
}}
Job {{
  Name = "{name}"
  Type = Backup
  Level = Full
  Client = bench-fd
  FileSet = "{name}"
  Storage = File
  Messages = Bench
  Pool = Full
  Priority = 10
}}
""")
        etc = self.base / "etc"
        (etc / "bacula-dir.conf").write_text("".join(parts))
        (etc / "bacula-sd.conf").write_text(f"""Storage {{
  Name = bench-sd
  SDPort = {self.ports['sd']}
  SDAddress = 127.0.0.1
  WorkingDirectory = "{work}"
  PidDirectory = "{work}"
  Maximum Concurrent Jobs = 20
}}
Director {{
  Name = bench-dir
  Password = "{pw['sd']}"
}}
Device {{
  Name = FileStorage
  Media Type = File
  Archive Device = "{self.base / 'storage'}"
  LabelMedia = yes
  Random Access = yes
  AutomaticMount = yes
  RemovableMedia = no
  AlwaysOpen = no
  Maximum Concurrent Jobs = 5
}}
Messages {{
  Name = Standard
  director = bench-dir = all
}}
""")
        (etc / "bacula-fd.conf").write_text(f"""FileDaemon {{
  Name = bench-fd
  FDport = {self.ports['fd']}
  FDAddress = 127.0.0.1
  WorkingDirectory = "{work}"
  PidDirectory = "{work}"
  Maximum Concurrent Jobs = 20
}}
Director {{
  Name = bench-dir
  Password = "{pw['fd']}"
}}
Messages {{
  Name = Standard
  director = bench-dir = all, !skipped, !restored
}}
""")
        (etc / "bconsole.conf").write_text(f"""Director {{
  Name = bench-dir
  DIRport = {self.ports['dir']}
  address = 127.0.0.1
  Password = "{pw['dir']}"
}}
""")
        schema = next(p for p in BACULA_SCHEMA if p.exists())
        db = sqlite3.connect(work / "bacula.db")
        try:
            db.executescript(schema.read_text())
            db.commit()
        finally:
            db.close()

    def start(self) -> None:
        etc = self.base / "etc"
        for short, conf in (("fd", "bacula-fd.conf"), ("sd", "bacula-sd.conf"), ("dir", "bacula-dir.conf")):
            self._spawn(short, [BACULA_BIN[short], "-f", "-c", str(etc / conf)], self.ports[short])
        self._open_console()

    # a persistent bconsole; each command is followed by '@echo <marker>' to find its end
    def _open_console(self) -> None:
        argv = [BACULA_BIN["console"], "-c", str(self.base / "etc" / "bconsole.conf")]
        if shutil.which("stdbuf"):
            argv = ["stdbuf", "-oL", "-eL", *argv]
        self.console = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=procs.die_with_parent)
        self._n = 0
        self.command("@echo ready")

    def command(self, text: str, timeout: float = 600) -> str:
        self._n += 1
        marker = f"__bench_marker_{self._n}__"
        self.console.stdin.write(f"{text}\n@echo {marker}\n".encode())
        self.console.stdin.flush()
        out = []
        deadline = time.time() + timeout
        while True:
            line = self.console.stdout.readline()
            if not line:
                raise JobFailed(f"Bacula console ended during '{text}':\n{''.join(out)[-2000:]}")
            s = line.decode("utf-8", "replace")
            if s.strip() == marker:
                return "".join(out)
            out.append(s)
            if time.time() > deadline:
                raise TimeoutError(f"Bacula console: no end of '{text}' in {timeout} s")

    def close_console(self) -> None:
        c = getattr(self, "console", None)
        if c is not None:
            try:
                c.stdin.write(b"quit\n")
                c.stdin.close()
                c.wait(5)
            except Exception:  # noqa: BLE001
                procs.stop_process(c)
            self.console = None
