"""`restore` against a real Director on a SQLite catalog, compared with the
golden dialogue of Bareos 25.1.1."""

from __future__ import annotations

import re

import pytest

from bareos.lib import bsr as libbsr
from bareos.lib import tls
from tests.conftest import GOLDEN
from tests.integration.dird.restore_helpers import (  # noqa: F401 (fixtures)
    BASE,
    connect,
    dialogue,
    director_config_dir,
    fill_golden_job,
    jobs,
)

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")



def normalise(text: str, workdir: str) -> str:
    text = text.replace(workdir, "<WD>").replace("/srv/bareos-demo/var/lib/bareos", "<WD>")
    text = re.sub(r"restore\.\d+\.bsr", "restore.N.bsr", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "<DATE>", text)
    return text


def test_restore_dialogue_matches_golden(director, jobs):
    fill_golden_job(director)
    golden = (GOLDEN / "restore-dialogue.api0.txt").read_text()
    # Bareos 25 lists the root of this tree as "tmp/" (its node name is
    # clobbered there); the tree holds /srv, which `cd` then uses.
    golden = golden.replace("$ ls\ntmp/\n", "$ ls\nsrv/\n")
    con = connect(director)
    try:
        got = dialogue(con, "restore", ["5", "ls", "cd /srv/bareos-demo/golden-data/", "ls",
                                        "mark lib", "estimate", "done", "no"])
    finally:
        con.close()
    wd = director.working_directory
    assert normalise(got, wd) == normalise(golden, wd)
    assert jobs == []


def test_one_line_restore_submits_job_with_bsr(director, jobs):
    fill_golden_job(director)
    con = connect(director)
    try:
        out = con.call("restore client=bareos-fd fileset=SelfTest where=/tmp/bareos-restores "
                       "select all done yes").decode()
    finally:
        con.close()
    assert "400 files inserted into the tree and marked for extraction." in out
    assert "410 files selected to be restored." in out
    assert out.rstrip().endswith("Job queued. JobId=101")
    assert out.count('Using Catalog "MyCatalog"') == 2
    assert "Automatically selected Catalog" not in out
    (jcr,) = jobs
    assert jcr.job_res.name == "RestoreFiles"
    assert jcr.where == "/tmp/bareos-restores"
    assert jcr.client.name == "bareos-fd"
    assert jcr.restore_jobids == "1"
    bsr = libbsr.parse_bsr(jcr.bootstrap)
    (entry,) = bsr.entries
    assert entry.volume_names == ["Full-0001"]
    assert entry.fileindexes == [(1, 410)] and entry.sessids == [(1, 1)]
    text = jcr.bootstrap
    assert 'Storage="File"' in text and 'Device="FileStorage"' in text
    assert "FileIndex=1-410\nCount=410\n" in text
    with open(jcr.bootstrap_path) as f:
        assert f.read() == text


def test_one_line_restore_matches_golden(director, jobs):
    fill_golden_job(director)
    golden = (GOLDEN / "joblog-restore.messages.api0.txt").read_text()
    golden = golden[:golden.index("wait jobid=2")].replace("JobId=2", "JobId=101")
    cmd = "restore client=bareos-fd fileset=SelfTest where=/tmp/bareos-restores select all done yes"
    con = connect(director)
    try:
        got = dialogue(con, cmd, [])
    finally:
        con.close()
    wd = director.working_directory
    assert normalise(got, wd) == normalise(golden, wd)


def test_restore_json_api(director, jobs):
    fill_golden_job(director)
    con = connect(director, json=True)
    try:
        result = con.call("restore client=bareos-fd fileset=SelfTest select all done yes")
    finally:
        con.close()
    assert result == {"run": {"jobid": "101"}}
    assert len(jobs) == 1


def test_jobid_and_tree_commands(director, jobs):
    fill_golden_job(director)
    con = connect(director)
    try:
        out = con.call("restore jobid=1 where=/tmp/r").decode()
        assert "You have selected the following JobId: 1" in out
        assert "410 files inserted into the tree." in out
        assert con.call(f"cd {BASE}").decode() == f"cwd is: {BASE}\n$ "
        assert con.call("mark cats/ddl/*/postgresql.sql").decode() == "3 files newly marked.\n$ "
        assert con.call("mark lib/*.h").decode().endswith("files newly marked.\n$ ")
        count = con.call("count").decode()
        assert count.startswith("410 total files/dirs. ")
        lsmark = con.call("lsmark").decode()
        assert lsmark.startswith("+cats/\n  +ddl/\n    +creates/\n      *postgresql.sql\n")
        assert con.call("unmark lib").decode().endswith("files newly unmarked.\n$ ")
        assert con.call("ls").decode() == "+cats/\nfindlib/\nlib/\n$ "
        assert con.call("pwd").decode() == f"cwd is: {BASE}\n$ "
        assert con.call("cd ..").decode() == "cwd is: /srv/bareos-demo/\n$ "
        assert con.call("cd nowhere").decode() == "Invalid path given.\ncwd is: /srv/bareos-demo/\n$ "
        found = con.call("find postgresql.sql").decode()
        assert f"*{BASE}cats/ddl/creates/postgresql.sql\n" in found
        assert con.call("bogus").decode() == 'Invalid command "bogus". Enter "done" to exit.\n$ '
        help_text = con.call("help").decode()
        assert "  mark       mark dir/file to be restored recursively, wildcards allowed\n" in help_text
        out = con.call("done").decode()
        assert "3 files selected to be restored." in out
        assert "Where:           /tmp/r" in out
        assert con.call("yes").decode().endswith("Job queued. JobId=101\n")
    finally:
        con.close()
    (jcr,) = jobs
    fis = [r for e in libbsr.parse_bsr(jcr.bootstrap).entries for r in e.fileindexes]
    assert sum(b - a + 1 for a, b in fis) == 3


def test_before_and_current_pick_jobs(director, jobs):
    full = fill_golden_job(director, start="2026-11-01 10:00:00")
    inc = fill_golden_job(director, [BASE + "lib/", BASE + "lib/new.c", BASE],
                          level="I", start="2026-11-10 10:00:00", vol_session_id=2)
    con = connect(director)
    try:
        out = con.call("restore client=bareos-fd fileset=SelfTest current select all done yes").decode()
        assert f"You have selected the following JobIds: {full},{inc}" in out
        assert "411 files selected to be restored." in out
        out = con.call("restore client=bareos-fd fileset=SelfTest before=2026-11-05 select all done "
                       "yes").decode()
        assert f"You have selected the following JobId: {full}\n" in out
        out = con.call("restore client=bareos-fd fileset=SelfTest before=2026-10-01 select done "
                       "yes").decode()
        assert "No Full backup before 2026-10-01 00:00:00 found." in out
    finally:
        con.close()
    first = libbsr.parse_bsr(jobs[0].bootstrap)
    assert [e.sessids for e in first.entries] == [[(1, 1)], [(2, 2)]]
    # the Incremental's lib/ and golden-data/ entries replace the Full's
    assert [e.count for e in first.entries] == [408, 3]


def test_where_and_client_acl(director, jobs, director_config_dir):
    fill_golden_job(director)
    con = connect(director)
    try:
        out = con.call("restore where=/forbidden client=bareos-fd").decode()
    finally:
        con.close()
    assert out  # the root console may restore anywhere: the dialogue starts
    # a console limited to one Where and no clients
    conf = director_config_dir / "bareos-dir.d" / "console" / "limited.conf"
    conf.write_text('Console {\n  Name = limited\n  Password = "limited-pw"\n'
                    '  Command ACL = restore, .api\n  Where ACL = /tmp/ok\n  Client ACL = other-fd\n'
                    '  Job ACL = *all*\n  FileSet ACL = *all*\n  Catalog ACL = *all*\n'
                    '  Storage ACL = *all*\n  Pool ACL = *all*\n}\n')
    director.reload()
    lim = connect(director, name="limited", password="limited-pw")
    try:
        out = lim.call("restore where=/tmp/elsewhere client=bareos-fd select all done yes").decode()
        assert '"where" specification not authorized.' in out
        out = lim.call("restore where=/tmp/ok client=bareos-fd fileset=SelfTest select all done "
                       "yes").decode()
        # as Bareos's GetClientDbr: a client= the console may not see is passed
        # over silently, and the catalog clients it may see are proposed: none
        assert "No clients defined. You must run a job before using this command." in out
        assert "bareos-fd" not in out
    finally:
        lim.close()
    assert jobs == []


def test_unknown_keyword(director, jobs):
    con = connect(director)
    try:
        assert "Unknown keyword: bogus\n" in con.call("restore bogus=1").decode()
    finally:
        con.close()
