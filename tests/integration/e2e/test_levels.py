"""Backup levels through the three real daemons: Incremental saves what
changed since the last backup, Differential what changed since the last
Full, and Accurate mode records deletions so that a restore of the latest
state lacks the deleted files."""

from __future__ import annotations

import os
import time

import pytest

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk


def next_second():
    """Wait for the next whole second: since-times have a one-second grain and
    Bareos saves a file whose ctime equals the since-time again."""
    time.sleep(1.02 - (time.time() % 1.0))


def make_tree(root):
    (root / "a" / "b").mkdir(parents=True)
    (root / "c").mkdir()
    for i in range(6):
        (root / "a" / f"f{i}.txt").write_text(f"file {i}\n" * (i + 1))
        (root / "c" / f"g{i}.txt").write_text(f"other {i}\n" * (i + 1))
    (root / "a" / "b" / "deep.txt").write_text("deep\n")
    (root / "top.txt").write_text("top\n")
    os.symlink("a/f1.txt", root / "link")


def saved_names(con, jobid, src) -> set[str]:
    """Names a job saved (catalog), relative to src; directories end in '/'."""
    out = con.call(f"list files jobid={jobid}")
    prefix = str(src) + "/"
    names = set()
    for row in out["filenames"]:
        name = row["filename"]
        if name.startswith(prefix):
            names.add(name[len(prefix):])
    return names


def level_of(con, jobid) -> str:
    return con.call(f"list jobid={jobid}")["jobs"][0]["level"]


def run(site, con, cmd):
    jobid, status = site.run_job(con, cmd)
    assert status == "T", site.job_log(con, jobid)
    return jobid


def test_incremental_and_differential_save_the_right_files(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    jcon = site.console(json=True)
    try:
        next_second()
        full = run(site, con, "run job=backup-bareos-fd level=Full yes")
        assert level_of(jcon, full) == "F"
        assert "a/f3.txt" in saved_names(jcon, full, src)

        # change one file, add one in c/, touch the mode of another
        next_second()
        (src / "a" / "f1.txt").write_text("changed content\n")
        (src / "c" / "new.txt").write_text("new\n")
        os.chmod(src / "a" / "b" / "deep.txt", 0o600)
        next_second()
        inc1 = run(site, con, "run job=backup-bareos-fd level=Incremental yes")
        assert level_of(jcon, inc1) == "I"
        # c/ is saved because its mtime changed (a file was added)
        assert saved_names(jcon, inc1, src) == {"a/f1.txt", "c/new.txt", "a/b/deep.txt", "c/"}

        # nothing changed: an Incremental saves nothing
        next_second()
        inc2 = run(site, con, "run job=backup-bareos-fd level=Incremental yes")
        assert saved_names(jcon, inc2, src) == set()

        next_second()
        (src / "top.txt").write_text("top changed\n")
        next_second()
        inc3 = run(site, con, "run job=backup-bareos-fd level=Incremental yes")
        assert saved_names(jcon, inc3, src) == {"top.txt"}

        # Differential: everything changed since the Full, not only since inc3
        next_second()
        (src / "c" / "g2.txt").write_text("g2 changed\n")
        next_second()
        diff = run(site, con, "run job=backup-bareos-fd level=Differential yes")
        assert level_of(jcon, diff) == "D"
        assert saved_names(jcon, diff, src) == {
            "a/f1.txt", "c/new.txt", "a/b/deep.txt", "c/", "top.txt", "c/g2.txt"}

        # an Incremental after the Differential is relative to the Differential
        next_second()
        (src / "a" / "f5.txt").write_text("f5 changed\n")
        next_second()
        inc4 = run(site, con, "run job=backup-bareos-fd level=Incremental yes")
        assert saved_names(jcon, inc4, src) == {"a/f5.txt"}

        # the latest state (Full + Differential + Incremental) restores identically
        where = tmp_path / "restored"
        rjob, status = site.restore_all(con, where)
        assert status == "T", site.job_log(con, rjob)
        assert compare_strict(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
        jcon.close()


def test_differential_without_full_is_upgraded(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    jcon = site.console(json=True)
    try:
        jobid = run(site, con, "run job=backup-bareos-fd level=Differential yes")
        log = site.job_log(con, jobid)
        assert "No prior or suitable Full backup found in catalog. Doing FULL backup." in log
        assert level_of(jcon, jobid) == "F"
    finally:
        con.close()
        jcon.close()


@pytest.mark.parametrize("accurate", [True, False])
def test_accurate_records_deletions(site_factory, tmp_path, accurate):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    if accurate:
        site.add_directives("job/backup-bareos-fd.conf", "Accurate = yes")
    site.start()
    con = site.console()
    jcon = site.console(json=True)
    try:
        next_second()
        run(site, con, "run job=backup-bareos-fd level=Full yes")
        next_second()
        os.unlink(src / "a" / "f2.txt")                       # deleted
        os.rename(src / "c" / "g1.txt", src / "c" / "g1-renamed.txt")  # renamed
        for name in os.listdir(src / "a" / "b"):
            os.unlink(src / "a" / "b" / name)
        os.rmdir(src / "a" / "b")                             # a deleted directory
        os.unlink(src / "link")
        next_second()
        inc = run(site, con, "run job=backup-bareos-fd level=Incremental yes")
        where = tmp_path / "restored"
        rjob, status = site.restore_all(con, where)
        assert status == "T", site.job_log(con, rjob)
        restored = where / str(src).lstrip("/")
        gone = ["a/f2.txt", "c/g1.txt", "a/b/deep.txt", "link"]
        if accurate:
            # the deletions are in the catalog (FileIndex 0 rows) and the restore lacks them
            files = con.call(f"list files jobid={inc}").decode()
            assert "g1-renamed.txt" in files
            assert compare_strict(src, restored, dir_mtimes=False) == []
            for name in gone:
                assert not os.path.lexists(restored / name), name
        else:
            # without Accurate the deleted files come back (as with Bareos)
            assert (restored / "a" / "f2.txt").exists()
            assert (restored / "c" / "g1.txt").exists()
            assert (restored / "c" / "g1-renamed.txt").exists()
    finally:
        con.close()
        jcon.close()
