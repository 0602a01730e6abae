"""Shared set-up for the restore tests: a Director on a SQLite catalog filled
with the golden backup (JobId 1 of `SelfTest`, 410 entries) through the
catalog API, without running a real backup."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bareos.bsock import DirectorConsole, DirectorConsoleJson, Password
from bareos.lib.base64 import int_to_base64
from tests.conftest import DIR_PASSWORD, GOLDEN

BASE = "/srv/bareos-demo/golden-data/"
LIB_BYTES = 1_459_184
JOB_BYTES = 2_364_779


def use_sqlite(config_dir: Path) -> None:
    cat = config_dir / "bareos-dir.d" / "catalog" / "MyCatalog.conf"
    cat.write_text('Catalog {\n  Name = MyCatalog\n  DB Driver = sqlite3\n  dbname = "bareos"\n'
                   '  dbuser = "bareos"\n  dbpassword = ""\n}\n')


def lstat(mode: int, size: int, nlink: int = 1, link_fi: int = 0, ino: int = 1,
          mtime: int = 1_700_000_000) -> str:
    vals = [2049, ino, mode, nlink, 0, 0, 0, size, 4096, (size + 511) // 512,
            mtime, mtime, mtime, link_fi, 0, 1]
    return " ".join(int_to_base64(v) for v in vals)


def golden_entries() -> list[str]:
    lines = (GOLDEN / "list-files-jobid-1.api0.txt").read_text().splitlines()[2:]
    return [ln.strip() for ln in lines if ln.strip()]


def walk_order(entries: list[str]) -> list[str]:
    """The order a File Daemon sends them: a directory after its contents."""
    dirs = {e for e in entries if e.endswith("/")}
    files = [e for e in entries if not e.endswith("/")]
    children: dict[str, list[str]] = {}
    for e in entries:
        parent = e.rstrip("/").rsplit("/", 1)[0] + "/"
        children.setdefault(parent, []).append(e)
    out: list[str] = []

    def visit(d: str) -> None:
        for c in sorted(children.get(d, [])):
            if c in dirs:
                visit(c)
            else:
                out.append(c)
        out.append(d)

    visit(BASE)
    assert len(out) == len(entries), (len(out), len(entries), len(files))
    return out


def fill_golden_job(director, entries: list[str] | None = None, *, level="F", name="backup-bareos-fd",
                    start: str = "2026-11-22 00:36:38", volume: str = "Full-0001",
                    vol_session_id: int = 1, sizes: dict[str, int] | None = None,
                    extra_rows: list[tuple] | None = None) -> int:
    """Catalog rows for one backup job of *entries* (default: the golden 410)."""
    cat = director.catalog
    entries = walk_order(golden_entries()) if entries is None else entries
    if sizes is None:
        sizes = golden_sizes(entries)
    cid = cat.get_or_create_client("bareos-fd", "25.1.1 (05Dec25) Debian GNU/Linux 12 (bookworm),debian")
    fsid = cat.get_or_create_fileset("SelfTest", "md5-selftest", "")
    pools = cat.sync_pools(director.resources("Pool"))
    sid = cat.get_or_create_storage("File")
    media = cat.get_media(volume)
    if media is None:
        mid = cat.create_media(volume, pools["Full"], "File", StorageId=sid, VolStatus="Append")
    else:
        mid = int(media["MediaId"])
    tdate = int(time.mktime(time.strptime(start, "%Y-%m-%d %H:%M:%S")))
    jid = cat.create_job(f"{name}.{start.replace(' ', '_')}_{vol_session_id:02d}", name, "B", level,
                         ClientId=cid, FileSetId=fsid, PoolId=pools["Full"])
    rows = []
    for i, e in enumerate(entries, 1):
        if e.endswith("/"):
            rows.append((e, lstat(0o40755, 4096, nlink=2, ino=i), "0", i))
        else:
            rows.append((e, lstat(0o100644, sizes.get(e, 0), ino=i), "abc", i))
    for r in extra_rows or ():
        rows.append(r)
    cat.insert_attributes(jid, rows)
    last = max(r[3] for r in rows)
    cat.create_jobmedia(jid, mid, 1, last, 0, 0, 0, 189 * 64512)
    cat.start_job(jid, start, VolSessionId=vol_session_id, VolSessionTime=1_763_771_797)
    cat.end_job(jid, "T", start, JobFiles=len(rows), JobBytes=sum(sizes.values()),
                JobTDate=tdate)
    cat.update_job(jid, StartTime=start, JobTDate=tdate, SchedTime=start)
    return jid


def golden_sizes(entries: list[str]) -> dict[str, int]:
    files = [e for e in entries if not e.endswith("/")]
    lib = [e for e in files if e.startswith(BASE + "lib/")]
    other = [e for e in files if not e.startswith(BASE + "lib/")]
    sizes = {}
    for group, total in ((lib, LIB_BYTES), (other, JOB_BYTES - LIB_BYTES)):
        if not group:
            continue
        each = total // len(group)
        for e in group:
            sizes[e] = each
        sizes[group[0]] += total - each * len(group)
    return sizes


def connect(director, json=False, name="*UserAgent*", password=DIR_PASSWORD):
    cls = DirectorConsoleJson if json else DirectorConsole
    return cls(address="127.0.0.1", port=director.port, name=name, password=Password(password))


def dialogue(con, command: str, answers: list[str]) -> str:
    """What bconsole prints for *command* and the *answers* typed at its prompts
    (it echoes an answer after the prompt when reading from a pipe)."""
    out = [command + "\n", con.call(command).decode()]
    for a in answers:
        out.append(a + "\n")
        out.append(con.call(a).decode())
    return "".join(out)


# -- fixtures shared by the restore-side Director tests (import them by name) --------

@pytest.fixture
def director_config_dir(tmp_path):
    """The test Director's configuration with a SQLite catalog."""
    from tests.conftest import write_director_config

    etc = write_director_config(tmp_path)
    use_sqlite(etc)
    return etc


@pytest.fixture
def jobs(director):
    """Keep submitted jobs from running: record them instead."""
    submitted = []

    def submit(jcr):
        submitted.append(jcr)
        return 100 + len(submitted)

    director.jobs.submit = submit
    return submitted
