"""Consolidate jobs: Full + Incrementals of an Always Incremental job are
consolidated into a Virtual Full, the consolidated jobs leave the catalog,
and a restore of the current state gives the files."""

from __future__ import annotations

import os
import re
import time

from tests.integration.copymigrate.conftest import (configure, job_row, joblog, make_tree,
                                                    needs_psk, query, run, wait)

pytestmark = needs_psk


def _ai_site(site_factory, src, *, keep: int = 1, retention: str = "1 second",
             max_full_age: str | None = None):
    site = site_factory(src)
    ai = ("Type = Backup\n  Level = Incremental\n  Pool = Incremental\n  Accurate = yes\n"
          "  Always Incremental = yes\n"
          f"  Always Incremental Job Retention = {retention}\n"
          f"  Always Incremental Keep Number = {keep}\n"
          + (f"  Always Incremental Max Full Age = {max_full_age}\n" if max_full_age else "")
          + "  Priority = 10")
    cons = ("Type = Consolidate\n  Pool = Incremental\n  Accurate = yes\n  Priority = 5\n"
            "  Allow Mixed Priority = yes")
    configure(site, extra_jobs={"ai-job": ai, "Consolidate": cons})
    site.start()
    return site


def _backup(con, level: str) -> int:
    jobid = run(con, f"run job=ai-job level={level} yes")
    assert wait(con, jobid) == "T", joblog(con, jobid)
    return jobid


def _files(site, jobid: int) -> dict[str, int]:
    return {name: fi for name, fi in query(site, "SELECT Name, FileIndex FROM File WHERE JobId = ?",
                                           (jobid,))}


def test_consolidate_full_and_incrementals(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=5)
    site = _ai_site(site_factory, src)
    con = site.console()
    try:
        full = _backup(con, "Full")
        time.sleep(1.1)
        (src / "a" / "f4.txt").write_text("changed after the full\n" * 40)
        inc1 = _backup(con, "Incremental")
        time.sleep(1.1)
        os.unlink(src / "a" / "f5.txt")
        (src / "a" / "new.txt").write_text("new in the second incremental\n")
        inc2 = _backup(con, "Incremental")
        time.sleep(1.1)
        (src / "a" / "f6.txt").write_text("changed in the third incremental\n")
        inc3 = _backup(con, "Incremental")
        assert _files(site, inc2).get("f5.txt") == 0          # the deletion is recorded
        time.sleep(1.1)                                       # older than the 1 s retention
        cons = run(con, "run job=Consolidate yes")
        assert wait(con, cons) == "T", joblog(con, cons)
        vf = cons + 1
        assert wait(con, vf) == "T", joblog(con, vf)
        clog = joblog(con, cons)
        assert f"Start Consolidate JobId {cons}, Job=Consolidate." in clog
        assert "Looking at always incremental job ai-job" in clog
        assert "ai-job: considering jobs older than " in clog
        assert f"Consolidating JobId {vf} started." in clog
        assert "Termination:            Consolidate OK" in clog
        vlog = joblog(con, vf)
        ids = f"{full},{inc1},{inc2}"
        assert f"Consolidating JobIds {ids} containing" in vlog, vlog
        assert f"purged JobIds {ids} as they were consolidated into Job {vf}" in vlog
        assert "Priority:               5" in vlog
        assert "Allow Mixed Priority:   yes" in vlog
        assert "Termination:            Backup OK" in vlog
        # the catalog: the consolidated jobs are gone, the kept incremental stays
        for gone in (full, inc1, inc2):
            assert job_row(site, gone) == {}
            assert query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (gone,))[0][0] == 0
            assert query(site, "SELECT COUNT(*) FROM JobMedia WHERE JobId = ?", (gone,))[0][0] == 0
        assert job_row(site, inc3)["Level"] == "I"
        row = job_row(site, vf)
        assert (row["Type"], row["Level"], row["JobStatus"]) == ("B", "F", "T"), row
        assert row["JobTDate"] < job_row(site, inc3)["JobTDate"]
        files = _files(site, vf)
        assert files.get("new.txt", 0) > 0 and files.get("f4.txt", 0) > 0
        assert files.get("f5.txt") == 0                       # deletion replicated
        # a restore of the consolidated job gives the state of the last consolidated job
        where = tmp_path / "restored"
        rid = run(con, f"restore client=bareos-fd fileset=Quickstart where={where} "
                       f"jobid={vf} all done yes")
        assert wait(con, rid) == "T", joblog(con, rid)
        got = where / str(src).lstrip("/")
        assert (got / "a" / "f4.txt").read_text() == "changed after the full\n" * 40
        assert (got / "a" / "new.txt").read_text() == "new in the second incremental\n"
        assert not (got / "a" / "f5.txt").exists()
        assert (got / "a" / "b" / "big.bin").read_bytes() == (src / "a" / "b" / "big.bin").read_bytes()
        assert (got / "a" / "f6.txt").read_text() != "changed in the third incremental\n"
        # an Always Incremental job does not run a Virtual Full without a jobid list
        bad = run(con, "run job=ai-job level=VirtualFull yes")
        assert wait(con, bad) == "f"
        assert "Cannot run always incremental job at level VirtualFull with no jobid list." \
            in joblog(con, bad)
    finally:
        con.close()


def test_consolidate_keeps_enough_incrementals(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=6)
    site = _ai_site(site_factory, src, keep=3, retention="0")
    con = site.console()
    try:
        full = _backup(con, "Full")
        incs = []
        for i in range(2):
            time.sleep(1.1)
            (src / "a" / f"g{i}.txt").write_text(f"file {i}\n")
            incs.append(_backup(con, "Incremental"))
        cons = run(con, "run job=Consolidate yes")
        assert wait(con, cons) == "T", joblog(con, cons)
        clog = joblog(con, cons)
        assert "ai-job: less incrementals than required, not consolidating" in clog
        assert "considering jobs older than" not in clog          # retention 0: all jobs
        assert "started." not in clog
        for jid in [full] + incs:
            assert job_row(site, jid)["JobStatus"] == "T"
    finally:
        con.close()


def test_consolidate_purges_empty_incrementals_and_keeps_young_full(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=7)
    site = _ai_site(site_factory, src, keep=1, max_full_age="1 hour")
    con = site.console()
    try:
        full = _backup(con, "Full")
        time.sleep(1.1)
        (src / "a" / "h1.txt").write_text("one\n")
        inc1 = _backup(con, "Incremental")
        time.sleep(1.1)
        empty = _backup(con, "Incremental")
        assert job_row(site, empty)["JobFiles"] == 0
        time.sleep(1.1)
        (src / "a" / "h2.txt").write_text("two\n")
        inc2 = _backup(con, "Incremental")
        time.sleep(1.1)
        (src / "a" / "h3.txt").write_text("three\n")
        inc3 = _backup(con, "Incremental")
        time.sleep(1.1)
        cons = run(con, "run job=Consolidate yes")
        assert wait(con, cons) == "T", joblog(con, cons)
        vf = cons + 1
        assert wait(con, vf) == "T", joblog(con, vf)
        clog = joblog(con, cons)
        assert f"ai-job: purging empty jobids {empty}" in clog
        assert job_row(site, empty) == {}
        # the Full is younger than the Max Full Age: only incrementals are consolidated
        assert f"before ConsolidateFull: jobids: {full},{inc1},{inc2}" in clog
        assert ("Full is newer than AlwaysIncrementalMaxFullAge -> skipping first jobid "
                f"{full} because of age") in clog
        assert f"after ConsolidateFull: jobids: {inc1},{inc2}" in clog
        vlog = joblog(con, vf)
        assert f"purged JobIds {inc1},{inc2} as they were consolidated into Job {vf}" in vlog
        assert "Joblevel was set to joblevel of first consolidated job: Incremental" in vlog
        assert job_row(site, full)["Level"] == "F"
        assert job_row(site, vf)["Level"] == "I"
        assert set(_files(site, vf)) >= {"h1.txt", "h2.txt"}
        where = tmp_path / "restored"
        rid = run(con, f"restore client=bareos-fd fileset=Quickstart where={where} "
                       f"jobid={vf} all done yes")
        assert wait(con, rid) == "T", joblog(con, rid)
        got = where / str(src).lstrip("/") / "a"
        assert (got / "h1.txt").read_text() == "one\n" and (got / "h2.txt").read_text() == "two\n"
        assert re.search(r"Termination:\s+Restore OK", joblog(con, rid))
        assert inc3
    finally:
        con.close()
