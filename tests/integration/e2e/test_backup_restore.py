"""Backup and restore through the three real daemons."""

from __future__ import annotations

import os
import random

import pytest

from bareos.quickstart.run import compare_trees

from .conftest import needs_psk

pytestmark = needs_psk


def make_tree(root):
    rnd = random.Random(7)
    (root / "a" / "b").mkdir(parents=True)
    for i in range(20):
        (root / "a" / f"f{i}.txt").write_text("x" * rnd.randint(0, 5000))
    (root / "a" / "b" / "big.bin").write_bytes(rnd.randbytes(3 * 1024 * 1024))
    (root / "empty").write_bytes(b"")
    os.symlink("a/f1.txt", root / "link")
    os.link(root / "a" / "f2.txt", root / "hardlink")
    os.chmod(root / "a" / "f3.txt", 0o600)


def test_full_backup_then_restore_identical(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        log = site.joblog(con)
        assert status == "T", log
        assert "Termination:            Backup OK" in log
        bsr = site.base / "work" / "bareos-fd.bsr"
        assert bsr.exists()
        where = tmp_path / "restored"
        rjobid, rstatus = site.run_job(con, f"run job=RestoreFiles bootstrap={bsr} where={where} yes")
        rlog = site.joblog(con)
        assert rstatus == "T", rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()


def test_incremental_saves_only_changes(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        _, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T", site.joblog(con)
        site.joblog(con)
        (src / "a" / "new.txt").write_text("new file\n")
        _, status = site.run_job(con, "run job=backup-bareos-fd level=Incremental yes")
        log = site.joblog(con)
        assert status == "T", log
        assert "Backup Level:           Incremental" in log
        files = int(log.split("FD Files Written:")[1].split()[0].replace(",", ""))
        assert 1 <= files <= 3, log  # the new file (and its directory)
    finally:
        con.close()


def test_unreachable_client_fails_with_reason(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    site = site_factory(src)
    # a short connect timeout so the test does not wait for Bareos's default 180 s
    dconf = site.base / "etc" / "bareos-dir.d" / "director" / "bareos-dir.conf"
    dconf.write_text(dconf.read_text().replace("Maximum Concurrent Jobs = 10",
                                               "Maximum Concurrent Jobs = 10\n  FD Connect Timeout = 2"))
    site.start(("bareos-dir", "bareos-sd"))
    con = site.console()
    try:
        _, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        log = site.joblog(con)
        assert status in ("f", "E"), log
        assert "Failed to connect to File daemon" in log
        assert "Termination:            *** Backup Error ***" in log
        # the Director keeps serving
        assert con.call("whoami").decode() == "root\n"
    finally:
        con.close()
