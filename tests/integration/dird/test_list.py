"""`list` / `llist` against the golden outputs of a real Bareos 25 Director.

The Director runs in-process with a SQLite catalog filled with the rows the
reference Director had (JobId 1 backup, JobId 2 restore); every golden
transcript is compared byte for byte (API 0) and key for key (API 2).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from bareos.bsock import DirectorConsole, DirectorConsoleJson, Password
from bareos.exceptions import JsonRpcErrorReceivedException
from bareos.lib import tls

from tests.conftest import CONSOLES, DIR_PASSWORD, GOLDEN, write_director_config

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")

FILESET_TEXT = (
    'FileSet {\n  Name = "SelfTest"\n  Description = "fileset just to backup some files for '
    'selftest"\n  Include {\n    Options {\n      Signature = "XXH128"\n      HardLinks = No\n'
    '      AclSupport = Yes\n      XattrSupport = Yes\n    }\n    File = '
    '"/srv/bareos-demo/golden-data"\n  }\n}\n\n'
)

TEST_CONSOLES = dict(CONSOLES)
TEST_CONSOLES["restorer"] = ("restorer-pw", [
    "Command ACL = *all*", "Job ACL = RestoreFiles", "Client ACL = *all*",
    "Pool ACL = Full", "Catalog ACL = *all*", "FileSet ACL = *all*"])
TEST_CONSOLES["nopool"] = ("nopool-pw", [
    "Command ACL = *all*", "Job ACL = *all*", "Client ACL = *all*",
    "Pool ACL = Incremental", "Catalog ACL = *all*", "FileSet ACL = *all*"])


def golden_text(name):
    return (GOLDEN / f"{name}.api0.txt").read_text()


def golden_json(name):
    return json.loads((GOLDEN / f"{name}.api2.json").read_text())["result"]


def fill_golden_catalog(cat):
    """The reference Director's catalog rows (pools come from the configuration)."""
    cid = cat.get_or_create_client("bareos-fd", file_retention=5184000, job_retention=15552000)
    fs = cat.get_or_create_fileset("SelfTest", "Z4/p5X+pR/cxW3/qm5+btB", FILESET_TEXT,
                                   create_time="2026-11-22 00:36:36")
    sid = cat.get_or_create_storage("File")
    full = cat.get_pool("Full")["PoolId"]
    mid = cat.create_media("Full-0001", full, "File", StorageId=sid,
                           LabelDate="2026-11-22 00:36:38", VolStatus="Append",
                           MaxVolBytes=53687091200, VolRetention=31536000, Recycle=1)
    cat.update_media(mid, FirstWritten="2026-11-22 00:36:38", LastWritten="2026-11-22 00:36:38",
                     VolJobs=1, VolFiles=0, VolBlocks=4, VolMounts=1, VolBytes=2435766,
                     VolWrites=4, EndBlock=2435765)
    j1 = cat.create_job("backup-bareos-fd.2026-11-22_00.36.36_03", "backup-bareos-fd", "B", "F",
                        ClientId=cid, PoolId=full, FileSetId=fs, SchedTime="2026-11-22 00:36:36")
    cat.start_job(j1, "2026-11-22 00:36:38", JobTDate=1795307798, VolSessionId=1,
                  VolSessionTime=1795307793)
    cat.create_jobmedia(j1, mid, 1, 410, 0, 0, 0, 2435765)
    cat.end_job(j1, "T", "2026-11-22 00:36:38", JobFiles=410, JobBytes=2364779)
    j2 = cat.create_job("RestoreFiles.2026-11-22_00.36.42_14", "RestoreFiles", "R", "F",
                        ClientId=cid, SchedTime="2026-11-22 00:36:42")
    cat.start_job(j2, "2026-11-22 00:36:44", JobTDate=1795307806, VolSessionId=2,
                  VolSessionTime=1795307793)
    cat.end_job(j2, "T", "2026-11-22 00:36:46", JobFiles=410, JobBytes=2364779)
    assert (j1, j2) == (1, 2)
    for entry in golden_json("list-joblog-jobid-1")["joblog"]:
        cat.add_log(1, entry["logtext"], entry["time"])
    names = [f["filename"] for f in golden_json("list-files-jobid-1")["filenames"]]
    cat.insert_attributes(1, [(n, "A A A A A A A A A A A A A A A A", "0", i + 1)
                              for i, n in enumerate(names)])
    # the Director updated the pool's volume count when it created the volume
    cat.sql("UPDATE Pool SET NumVols = 1 WHERE Name = 'Full'")


def sqlite_director_config(tmp_path, consoles=TEST_CONSOLES):
    etc = write_director_config(tmp_path, consoles)
    (etc / "bareos-dir.d" / "catalog" / "MyCatalog.conf").write_text(
        'Catalog {\n  Name = MyCatalog\n  DB Driver = sqlite3\n  dbname = "bareos"\n'
        '  dbuser = "bareos"\n  dbpassword = ""\n}\n')
    return etc


def start_director(etc):
    from bareos.dird.config import SCHEMA
    from bareos.dird.director import Director
    from bareos.lib.config import load_config

    cfg = load_config(str(etc), SCHEMA)
    d = Director(cfg, config_path=str(etc))
    d.start([("127.0.0.1", 0)])
    return d


@pytest.fixture
def gdir(tmp_path):
    """A Director with a SQLite catalog holding the golden rows."""
    d = start_director(sqlite_director_config(tmp_path))
    fill_golden_catalog(d.catalog)
    yield d
    d.shutdown()


def connect(director, cls=DirectorConsole, name="*UserAgent*", password=DIR_PASSWORD):
    return cls(address="127.0.0.1", port=director.port, name=name, password=Password(password))


def call0(director, cmd, **kw):
    con = connect(director, **kw)
    try:
        return con.call(cmd).decode()
    finally:
        con.close()


def call2(director, cmd, **kw):
    con = connect(director, DirectorConsoleJson, **kw)
    try:
        return con.call(cmd)
    finally:
        con.close()


GOLDEN_LISTS = [
    ("list jobs", "list-jobs"),
    ("llist jobs", "llist-jobs"),
    ("list jobid=1", "list-jobid-1"),
    ("list files jobid=1", "list-files-jobid-1"),
    ("list pools", "list-pools"),
    ("list clients", "list-clients"),
    ("list filesets", "list-filesets"),
    ("list joblog jobid=1", "list-joblog-jobid-1"),
    ("list jobmedia jobid=1", "list-jobmedia-jobid-1"),
]


@pytest.mark.parametrize("cmd,name", GOLDEN_LISTS, ids=[n for _, n in GOLDEN_LISTS])
def test_list_matches_golden(gdir, cmd, name):
    assert call0(gdir, cmd) == golden_text(name)
    assert call2(gdir, cmd) == golden_json(name)


def _pool_sections(text):
    head, *sections = re.split(r"(?m)^(?=Pool: )", text)
    return head, sorted(sections)


@pytest.mark.parametrize("cmd,name", [("list volumes", "list-volumes"),
                                      ("llist volumes", "llist-volumes")])
def test_volumes_match_golden(gdir, cmd, name):
    # Bareos lists the pools in the database's natural row order (its query
    # has no ORDER BY; PostgreSQL's heap order); each pool's block is exact.
    got = call0(gdir, cmd)
    assert _pool_sections(got) == _pool_sections(golden_text(name))
    result = call2(gdir, cmd)
    assert result == golden_json(name)


def test_table_widths_and_commas(gdir):
    gdir.catalog.update_media(1, VolBytes=123456789012)
    text = call0(gdir, "list volume=Full-0001")
    lines = text.splitlines()
    assert lines[2].startswith("+---------+------------+")
    assert "| 123,456,789,012 |" in text
    assert "volbytes        |" in lines[3]
    llist = call0(gdir, "llist volume=Full-0001")
    assert "         volbytes: 123,456,789,012\n" in llist
    assert call2(gdir, "llist volume=Full-0001")["volume"]["volbytes"] == "123456789012"


def test_list_jobs_filters(gdir):
    def ids(cmd):
        return [j["jobid"] for j in call2(gdir, cmd)["jobs"]]

    assert ids("list jobs jobtype=R") == ["2"]
    assert ids("list jobs jobtype=Backup") == ["1"]
    assert ids("list jobs client=bareos-fd") == ["1", "2"]
    assert ids("list jobs job=RestoreFiles") == ["2"]
    assert ids("list job=backup-bareos-fd") == ["1"]
    assert ids("list jobname=RestoreFiles") == ["2"]
    assert ids("list jobs volume=Full-0001") == ["1"]
    assert ids("list jobs pool=Full") == ["1"]
    assert ids("list jobs jobstatus=E") == []
    assert ids("list jobs jobstatus=terminated") == ["1", "2"]
    assert ids("list jobs joblevel=F reverse") == ["2", "1"]
    assert ids("list jobs level=Incremental") == []
    assert ids("list ujobid=RestoreFiles.2026-11-22_00.36.42_14") == ["2"]
    assert call2(gdir, "list jobs count")["jobs"] == [{"count": "2"}]
    assert call2(gdir, "list jobid=99") == {"jobs": {}}
    c = gdir.catalog
    j3 = c.create_job("backup-bareos-fd.3", "backup-bareos-fd", "B", "I")
    c.start_job(j3, "2026-11-22 01:00:00")
    assert ids("list jobs last") == ["2", "3"]
    c.sql("UPDATE Job SET SchedTime = '2000-01-01 00:00:00' WHERE JobId IN (1, 2)")
    c.sql("UPDATE Job SET SchedTime = '%s' WHERE JobId = 3"
          % time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 60)))
    assert ids("list jobs days=1") == ["3"]
    assert ids("list jobs hours=2") == ["3"]
    text = call0(gdir, "list jobs client=nosuch")
    assert "invalid client argument: nosuch" in text
    with pytest.raises(JsonRpcErrorReceivedException):
        call2(gdir, "list jobs jobstatus=bogus")


def test_limit_offset_meta(gdir):
    r = call2(gdir, "list jobs limit=1 offset=1")
    assert [j["jobid"] for j in r["jobs"]] == ["2"]
    assert r["meta"] == {"range": {"limit": 1, "offset": 1, "filtered": 0}}
    r = call2(gdir, "llist jobs limit=1")
    assert [j["jobid"] for j in r["jobs"]] == ["1"] and r["meta"]["range"] == {"limit": 1, "filtered": 0}
    text = call0(gdir, "list jobs limit=1")
    assert text.count("backup-bareos-fd") == 1 and "RestoreFiles" not in text
    assert "meta" not in call2(gdir, "list jobs")


def test_acl_filtering(gdir):
    kw = {"name": "restorer", "password": "restorer-pw"}
    r = call2(gdir, "list jobs", **kw)
    assert [j["jobid"] for j in r["jobs"]] == ["2"]
    assert r["meta"] == {"range": {"filtered": 1}}
    text = call0(gdir, "list jobs", **kw)
    assert "RestoreFiles" in text and "backup-bareos-fd" not in text
    # the table keeps the widths of the whole result, as Bareos does
    assert text.splitlines()[2] == golden_text("list-jobs").splitlines()[2]
    # llist: a job row is shown when one ACL column allows it
    r = call2(gdir, "llist jobs", **kw)
    assert [j["jobid"] for j in r["jobs"]] == ["2"]
    # a job the console may not see is not found
    assert call2(gdir, "list jobid=1", **kw) == {"jobs": {}}
    with pytest.raises(JsonRpcErrorReceivedException):
        call2(gdir, "list files jobid=1", **kw)
    # volumes: only the pools of the ACL
    r = call2(gdir, "list volumes", **{"name": "nopool", "password": "nopool-pw"})
    assert r == {"volumes": {"incremental": []}}
    r = call2(gdir, "list pools", **{"name": "nopool", "password": "nopool-pw"})
    assert [p["name"] for p in r["pools"]] == ["Incremental"]


def test_other_lists(gdir):
    r = call2(gdir, "list jobtotals")
    assert r["jobs"] == [{"jobs": "1", "files": "410", "bytes": "2364779", "job": "backup-bareos-fd"}]
    assert r["jobtotals"] == {"jobs": "1", "files": "410", "bytes": "2364779"}
    text = call0(gdir, "list jobtotals")
    assert "| 2,364,779 |" in text
    r = call2(gdir, "list log limit=2")
    assert len(r["log"]) == 2 and r["log"][0]["jobname"] == "backup-bareos-fd"
    assert set(r["log"][0]) == {"logid", "jobname", "clientname", "time", "logtext"}
    text = call0(gdir, "list log")
    assert text.endswith("  Termination:            Backup OK\n\n")
    assert "bareos-dir JobId 1" in text and "| " not in text
    assert call2(gdir, "list volumes jobid=1") == {"volumes": [{"volumename": "Full-0001"}]}
    assert call2(gdir, "list volumes pool=Full")["volumes"][0]["volumename"] == "Full-0001"
    assert call2(gdir, "list volumes count")["volumes"]["full"] == [{"count": "1"}]
    assert call2(gdir, "list mediaid=1")["volume"]["volumename"] == "Full-0001"
    assert call2(gdir, "list fileset jobid=1")["filesets"][0]["fileset"] == "SelfTest"
    assert call2(gdir, "list client=bareos-fd") == golden_json("list-clients")
    assert call2(gdir, "llist clients")["clients"][0]["autoprune"] == "0"
    assert call2(gdir, "list storages")["storages"][0]["name"] == "File"
    assert call2(gdir, "list joblog jobid=1 count") == {"joblog": [{"count": "27"}]}
    assert call2(gdir, "list copies") == {}
    assert [j["jobid"] for j in call2(gdir, "list backups client=bareos-fd")["backups"]] == ["1"]
    ll = call2(gdir, "llist pools")["pools"]
    assert [p["name"] for p in ll] == ["Scratch", "Incremental", "Full", "Differential"]
    assert ll[2]["prunablevolumes"] == "0" and ll[2]["maxvols"] == "100"
    text = call0(gdir, "llist pools")
    assert "\npoolid: 3\nname: Full\n" in text
    text = call0(gdir, "list pool=Full")
    assert "\nPrune details:\n  Reason: " in text and "| Full " in text
    unknown = call0(gdir, "list bogus")
    assert "Unknown list keyword: bogus" in unknown
    assert "list command requires a keyword" in call0(gdir, "list")
