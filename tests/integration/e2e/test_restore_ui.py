"""The restore command driven the two ways operators drive it: the real
bconsole program (menu, file-selection tree, yes) and the JSON API
(python-bareos-compatible DirectorConsoleJson), then the restored tree is
compared with the source."""

from __future__ import annotations

import os
import re

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk


def make_tree(root):
    for d in ("keep", "skip", "dir with space", "keep/sub"):
        (root / d).mkdir(parents=True, exist_ok=True)
    for i in range(5):
        (root / "keep" / f"k{i}.txt").write_text(f"keep {i}\n" * 50)
        (root / "skip" / f"s{i}.txt").write_text(f"skip {i}\n")
    (root / "keep" / "sub" / "deep.bin").write_bytes(os.urandom(200_000))
    (root / "dir with space" / "file with space.txt").write_text("spaces\n")
    (root / "top.txt").write_text("top\n")
    os.symlink("keep/k1.txt", root / "link")


def full_backup(site, con):
    jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    assert status == "T", site.job_log(con, jobid)
    return jobid


def test_restore_through_bconsole_menu_and_tree(site_factory, tmp_path):
    src = tmp_path / "data"
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        full_backup(site, con)
        where = tmp_path / "restored"
        out = site.bconsole([
            f"restore where={where}",
            "5",                       # the most recent backup for a client
            f"cd {src}",
            "ls",
            "mark keep",
            'cd "dir with space"',
            "mark *",
            "cd ..",
            "mark top.txt",
            "lsmark",
            "estimate",
            "done",
            "yes",
            "wait",
            "messages",
        ])
        assert "Select item:  (1-13):" in out, out
        assert "You are now entering file selection mode" in out, out
        assert re.search(r"^keep/$", out, re.M), out          # ls in the tree
        assert "files newly marked." in out, out
        m = re.search(r"(\d+) files? selected to be restored", out)
        assert m, out
        # keep/ (dir), 5 files, sub/ (dir), deep.bin, "dir with space"'s file, top.txt
        assert int(m.group(1)) == 10, out
        assert "Job queued. JobId=" in out, out
        assert "Termination:            Restore OK\n" in out, out
        assert re.search(r"Files Restored: +10\n", out), out
        restored = where / str(src).lstrip("/")
        assert compare_strict(src / "keep", restored / "keep") == [], out
        assert compare_strict(src / "dir with space", restored / "dir with space", dir_mtimes=False) == []
        assert (restored / "top.txt").read_text() == "top\n"
        assert not (restored / "skip").exists()
        assert not (restored / "link").exists()
    finally:
        con.close()


def test_restore_through_bconsole_jobid_list_and_cancelled_dialogue(site_factory, tmp_path):
    src = tmp_path / "data"
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        jobid = full_backup(site, con)
        where = tmp_path / "restored"
        # menu item 3 (a list of JobIds), select everything, then say "no": nothing runs
        out = site.bconsole(["restore", "3", str(jobid), "mark *", "done", "no"])
        assert "Job not run." in out or "Restore not done." in out or "cancelled" in out.lower(), out
        assert not where.exists()
        # again with all files and "yes"
        out = site.bconsole([f"restore jobid={jobid} where={where} all done", "yes", "wait", "messages"])
        assert "Termination:            Restore OK\n" in out, out
        assert re.search(r"Files Restored: +19\n", out), out
        assert compare_strict(src, where / str(src).lstrip("/")) == [], out
    finally:
        con.close()


def test_restore_through_the_json_api(site_factory, tmp_path):
    src = tmp_path / "data"
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    jcon = site.console(json=True)
    try:
        full_backup(site, con)
        # a change and an Incremental: the latest state spans two jobs
        (src / "skip" / "s0.txt").write_text("changed after the Full\n" * 10)
        (src / "new.txt").write_text("new\n")
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Incremental yes")
        assert status == "T", site.job_log(con, jobid)
        where = tmp_path / "restored"
        result = jcon.call(f"restore client=bareos-fd fileset=Quickstart where={where} "
                           "select all done yes")
        rjobid = int(result["run"]["jobid"])
        waited = jcon.call(f"wait jobid={rjobid}")
        # as Bareos answers (its systemtests read result["job"]["jobstatuslong"])
        assert waited == {"job": {"jobid": rjobid, "jobstatuslong": "OK", "jobstatus": "T",
                                  "exitstatus": 0}}, site.job_log(con, rjobid)
        assert con.call(f"wait jobid={rjobid}").decode() == f"JobId={rjobid}\nJobStatus=OK (T)\n"
        job = jcon.call(f"llist jobid={rjobid}")["jobs"][0]
        assert job["type"] == "R" and job["jobstatus"] == "T"
        assert compare_strict(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
        jcon.close()
