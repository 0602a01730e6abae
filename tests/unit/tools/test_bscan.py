"""bscan into an empty SQLite catalog."""

from __future__ import annotations

import os
import sqlite3

from bareos.cats import open_catalog
from bareos.tools import bscan
from tests.unit.tools.volfactory import JobInfo, VolumeBuilder


def _rows(db, sql):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


def test_without_s_reports_and_writes_nothing(backup, run_tool, tmp_path):
    db = tmp_path / "cat.db"
    r = run_tool(bscan, "-B", "sqlite3", "--db-file", str(db), "-c", backup["conf"],
                 "-V", "Full-0001", "FileStorage")
    assert r.rc == 0, r.err
    assert "Records would have been added or updated in the catalog:\n" in r.out
    n = len(backup["job"].files)
    assert f"      1 Media\n      1 Pool\n      1 Job\n{n:7d} File\n      0 RestoreObject" in r.out
    assert "VOL_LABEL: Pool record not found for Pool: Full" in r.out
    assert "SOS_LABEL: Job record not found for JobId: 7" in r.out
    assert not db.exists()


def test_store_rebuilds_job_file_media_rows(backup, run_tool, tmp_path):
    db = tmp_path / "cat.db"
    r = run_tool(bscan, "-s", "-v", "-B", "sqlite3", "--db-file", str(db),
                 "-c", backup["conf"], "-V", "Full-0001", "FileStorage")
    assert r.rc == 0, r.err
    job = backup["job"]
    n = len(job.files)
    assert "Records added or updated in the catalog:\n" in r.out
    assert "Created new JobId=1 record for original JobId=7" in r.out
    assert "VOL_LABEL: OK for Volume: Full-0001" in r.out
    db = str(db)
    (j,) = _rows(db, "SELECT * FROM Job")
    assert (j["Job"], j["Name"], j["Type"], j["Level"], j["JobStatus"]) == \
        (job.job, "backup-job", "B", "F", "T")
    assert (j["JobFiles"], j["JobBytes"]) == (n, job.job_bytes)
    assert (j["VolSessionId"], j["VolSessionTime"]) == (3, 1_714_000_000)
    (c,) = _rows(db, "SELECT * FROM Client")
    assert c["Name"] == "client-fd" and j["ClientId"] == c["ClientId"]
    (fs,) = _rows(db, "SELECT * FROM FileSet")
    assert (fs["FileSet"], fs["Md5"]) == ("FullSet", job.fileset_md5)
    assert j["FileSetId"] == fs["FileSetId"]
    (m,) = _rows(db, "SELECT * FROM Media")
    assert (m["VolumeName"], m["MediaType"], m["VolStatus"]) == ("Full-0001", "File", "Archive")
    assert m["VolBytes"] == os.path.getsize(backup["volume"])
    (p,) = _rows(db, "SELECT * FROM Pool")
    assert (p["Name"], p["PoolType"]) == ("Full", "Backup")
    assert m["PoolId"] == p["PoolId"] == j["PoolId"]
    (jm,) = _rows(db, "SELECT * FROM JobMedia")
    assert (jm["JobId"], jm["MediaId"], jm["FirstIndex"], jm["LastIndex"]) == \
        (j["JobId"], m["MediaId"], 1, n)
    assert (jm["StartFile"], jm["StartBlock"]) == (0, job.first_block_offset)
    assert (jm["EndFile"], jm["EndBlock"]) == (0, job.last_block_end)
    files = _rows(db, "SELECT File.FileIndex, Path.Path, File.Name, File.LStat, File.Md5 "
                      "FROM File JOIN Path USING (PathId) ORDER BY File.FileIndex")
    got = [(f["FileIndex"], f["Path"] + f["Name"], f["LStat"], f["Md5"]) for f in files]
    want = [(e.file_index, e.fname, e.lstat, e.md5) for e in job.files]
    assert got == want
    # the catalog API sees the same
    cat = open_catalog(None, driver="sqlite3", path=db)
    try:
        assert cat.get_job_volume_names(j["JobId"]) == ["Full-0001"]
    finally:
        cat.close()


def test_second_scan_finds_existing_rows(backup, run_tool, tmp_path):
    db = str(tmp_path / "cat.db")
    args = ("-B", "sqlite3", "--db-file", db, "-c", backup["conf"], "-V", "Full-0001",
            "FileStorage")
    assert run_tool(bscan, "-s", *args).rc == 0
    r = run_tool(bscan, "-s", "-v", *args)
    assert r.rc == 0
    assert "Pool record for Full found in DB." in r.out
    assert "Media record for Full-0001 found in DB." in r.out
    assert "SOS_LABEL: Found Job record for JobId: 1" in r.out
    assert len(_rows(db, "SELECT * FROM Job")) == 1
    assert len(_rows(db, "SELECT * FROM JobMedia")) == 1
    assert len(_rows(db, "SELECT * FROM File")) == len(backup["job"].files)


def test_two_jobs_and_director_config(tmp_path, run_tool, backup):
    store = tmp_path / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "Inc-0002"), pool="Incr")
    a = vb.backup_tree(backup["paths"]["sub"], JobInfo(11, "a.11", session_id=1, level="I"))
    b = vb.backup_tree(backup["paths"]["deeper"], JobInfo(12, "b.12", session_id=2,
                                                          client="other-fd"))
    vb.close()
    wd = tmp_path / "wd"
    wd.mkdir()
    dirconf = tmp_path / "dirconf"
    for sub in ("director", "catalog"):
        (dirconf / "bareos-dir.d" / sub).mkdir(parents=True)
    (dirconf / "bareos-dir.d" / "director" / "bareos-dir.conf").write_text(
        f'Director {{\n  Name = bareos-dir\n  Password = "x"\n  Working Directory = {wd}\n'
        '}\n')
    (dirconf / "bareos-dir.d" / "catalog" / "MyCatalog.conf").write_text(
        'Catalog {\n  Name = MyCatalog\n  DB Driver = sqlite3\n  DB Name = bareos\n  DB User = bareos\n}\n')
    r = run_tool(bscan, "-s", "--dir-config", str(dirconf), str(store / "Inc-0002"))
    assert r.rc == 0, r.err + r.out
    db = str(wd / "bareos.db")
    jobs = _rows(db, "SELECT Job, Level, ClientId, JobFiles FROM Job ORDER BY JobId")
    assert [(x["Job"], x["Level"], x["JobFiles"]) for x in jobs] == \
        [("a.11", "I", len(a.files)), ("b.12", "F", len(b.files))]
    clients = {c["ClientId"]: c["Name"] for c in _rows(db, "SELECT * FROM Client")}
    assert [clients[x["ClientId"]] for x in jobs] == ["client-fd", "other-fd"]
    jm = _rows(db, "SELECT * FROM JobMedia ORDER BY JobMediaId")
    assert [x["EndBlock"] + 1 for x in jm[:1]] == [x["StartBlock"] for x in jm[1:]]
    (m,) = _rows(db, "SELECT VolJobs FROM Media")
    assert m["VolJobs"] == 2


def test_foreign_file_refused(tmp_path, run_tool):
    f = tmp_path / "junk"
    f.write_bytes(os.urandom(4096))
    r = run_tool(bscan, "-s", "-B", "sqlite3", "--db-file", str(tmp_path / "c.db"), str(f))
    assert r.rc != 0 and "not a Bareos volume" in r.err


def test_file_name_that_is_not_utf8(tmp_path, run_tool):
    """A file name with bytes that are not UTF-8 is stored as the Director
    stores it (each such byte as its Latin-1 character) instead of failing."""
    from tests.unit.tools.volfactory import write_sd_config

    src = tmp_path / "src"
    src.mkdir()
    raw = os.path.join(os.fsencode(src), b"caf\xe9.txt")
    with open(raw, "wb") as fh:
        fh.write(b"latin-1 name\n")
    store = tmp_path / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "Full-0009"))
    vb.backup_tree(str(src), JobInfo(5, "odd.5"))
    vb.close()
    conf = tmp_path / "conf"
    write_sd_config(str(conf), str(store))
    db = tmp_path / "cat.db"
    r = run_tool(bscan, "-s", "-B", "sqlite3", "--db-file", str(db), "-c", str(conf),
                 "-V", "Full-0009", "FileStorage")
    assert r.rc == 0, r.err + r.out
    names = [f["Name"] for f in _rows(str(db), "SELECT Name FROM File")]
    assert "caf\u00e9.txt" in names, names
