"""An Incremental of a tree where nothing changed saves nothing.

The tree has the kinds of names Bareos's own "weird files" data set has:
a newline and a tab in a name, bytes that are not UTF-8, backslashes,
quotes, spaces at the end, fifos, hard links, symbolic links (one
dangling), empty directories.  Real daemons on 127.0.0.1; the catalog is
SQLite or a throw-away PostgreSQL server (tests/pgserver.py); the job is
run with Accurate on and off.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "tests"))
from pgserver import PgServer, pg_unavailable_reason  # noqa: E402

RAW = b"non-utf8-\xc3N-\xff"           # not UTF-8
LATIN = "latin1-\u00c3N"               # a real U+00C3 (UTF-8 C3 83)


def make_tree(root: Path) -> None:
    w = root / "weird"
    (w / "sub dir" / "deeper").mkdir(parents=True)
    (w / "empty-dir").mkdir()
    for name in ["new\nline", "tab\tfile", "back\\slash", "quote'single", 'quote"double',
                 "spaces-at-end   ", " ", "* star", "accents-\u00e9\u00e8\u00e0", LATIN,
                 "| pipe ; semi", "? -> \\"]:
        (w / name).write_text(f"content of {name!r}\n")
    os.close(os.open(os.path.join(os.fsencode(w), RAW), os.O_CREAT | os.O_WRONLY, 0o644))
    with open(os.path.join(os.fsencode(w), RAW), "wb") as f:
        f.write(b"raw name\n")
    os.mkdir(os.path.join(os.fsencode(w), b"dir-" + RAW))
    with open(os.path.join(os.fsencode(w), b"dir-" + RAW, b"in-" + RAW), "wb") as f:
        f.write(b"in a raw dir\n")
    (w / "sub dir" / "deeper" / "file.txt").write_text("deep\n")
    (w / "normal").write_text("normal\n")
    os.link(w / "normal", w / "hardlink-1")
    os.link(w / "normal", w / "sub dir" / "hardlink-2")
    os.link(w / "new\nline", w / "hardlink-to-newline")
    os.symlink("normal", w / "symlink")
    os.symlink("does-not-exist", w / "dangling")
    os.symlink(str(w / "normal"), w / "absolute link")
    os.mkfifo(w / "fifo")
    os.mkfifo(w / "fifo\nwith newline")


@pytest.fixture(scope="module")
def pg():
    reason = pg_unavailable_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL needed in CI: {reason}")
        pytest.skip(reason)
    srv = PgServer().start()
    yield srv
    srv.stop()


def _site(site_factory, tmp_path, request, catalog: str, accurate: str):
    data = tmp_path / "data"
    data.mkdir()
    make_tree(data)
    site = site_factory(data)
    if catalog == "postgresql":
        pg = request.getfixturevalue("pg")
        name = "t_" + uuid.uuid4().hex[:16]
        pg.create_database(name)
        request.addfinalizer(lambda: pg.drop_database(name))
        site.dir_conf("catalog/MyCatalog.conf").write_text(
            f'Catalog {{\n  Name = MyCatalog\n  DB Driver = postgresql\n  dbname = "{name}"\n'
            f'  dbuser = "bareos"\n  dbpassword = ""\n  dbaddress = {pg.host}\n'
            f"  dbport = {pg.port}\n}}\n")
    site.add_directives("job/backup-bareos-fd.conf", f"Accurate = {accurate}")
    site.start()
    return site, data


def _files_written(site, con, jobid: int) -> int:
    log = site.job_log(con, jobid)
    m = re.search(r"FD Files Written:\s+([\d,]+)", log)
    assert m, log
    return int(m.group(1).replace(",", ""))


def _listed(con, jobid: int) -> str:
    return con.call(f"list files jobid={jobid}").decode("utf-8", "replace")


@pytest.mark.parametrize("accurate", ["yes", "no"])
@pytest.mark.parametrize("catalog", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_unchanged_tree_incremental_saves_nothing(site_factory, tmp_path, request, catalog, accurate):
    site, data = _site(site_factory, tmp_path, request, catalog, accurate)
    con = site.console()
    jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    assert status == "T", site.job_log(con, jobid)
    full = _files_written(site, con, jobid)
    assert full >= 30
    for _ in range(2):
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Incremental yes")
        assert status == "T", site.job_log(con, jobid)
        assert _files_written(site, con, jobid) == 0, _listed(con, jobid)

    # a change of the file with the raw name is still seen, and only it
    raw = os.path.join(os.fsencode(data / "weird"), RAW)
    with open(raw, "ab") as f:
        f.write(b"more\n")
    st = os.stat(raw)
    os.utime(raw, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Incremental yes")
    assert status == "T", site.job_log(con, jobid)
    assert _files_written(site, con, jobid) == 1, _listed(con, jobid)
    assert "non-utf8-" in _listed(con, jobid)

    if accurate == "yes":
        # a removed file with a raw name is recorded as deleted; its
        # directory (new mtime) is saved again; nothing else
        os.unlink(raw)
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Incremental yes")
        assert status == "T", site.job_log(con, jobid)
        assert _files_written(site, con, jobid) == 2, _listed(con, jobid)
        listed = _listed(con, jobid)
        assert "non-utf8-" in listed and "/weird/\n" in listed.replace("\r", "") + "\n"
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Incremental yes")
        assert _files_written(site, con, jobid) == 0, _listed(con, jobid)
