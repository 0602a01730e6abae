"""Every catalog operation, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from bareos.cats import CatalogError, split_filename

LSTAT = "P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C"


def _setup_full_pool(cat):
    return cat.create_pool(
        "Full", MaxVols=100, LabelFormat="Full-", VolRetention=31536000, Recycle=1,
        AutoPrune=1, MaxVolBytes=53687091200, PoolType="Backup",
    )


# ------------------------------------------------------------------ Client


def test_client_create_find_update(cat):
    cid = cat.get_or_create_client("bareos-fd", file_retention=5184000, job_retention=15552000)
    assert cat.get_or_create_client("bareos-fd", file_retention=5184000, job_retention=15552000) == cid
    rec = cat.get_client("bareos-fd")
    assert rec["ClientId"] == cid and rec["UName"] == "" and rec["FileRetention"] == 5184000
    cat.get_or_create_client("bareos-fd", uname="25.1.1 (05Dec25) Debian", job_retention=1)
    rec = cat.get_client(client_id=cid)
    assert rec["UName"] == "25.1.1 (05Dec25) Debian" and rec["JobRetention"] == 1
    cat.update_client(cid, AutoPrune=1)
    assert cat.get_client("bareos-fd")["AutoPrune"] == 1
    assert cat.get_client("nope") is None
    other = cat.get_or_create_client("other-fd")
    assert other != cid
    assert [c["name"] for c in cat.list_clients()] == ["bareos-fd", "other-fd"]
    with pytest.raises(CatalogError):
        cat.update_client(cid, NoSuchColumn=1)


# ----------------------------------------------------------------- FileSet


def test_fileset_new_row_per_md5(cat):
    f1 = cat.get_or_create_fileset("SelfTest", "Z4/p5X+pR/cxW3/qm5+btB", "FileSet {\n}\n",
                                   create_time="2026-11-22 00:36:36")
    assert cat.get_or_create_fileset("SelfTest", "Z4/p5X+pR/cxW3/qm5+btB", "FileSet {\n}\n") == f1
    assert cat.get_or_create_fileset("SelfTest", "Z4/p5X+pR/cxW3/qm5+btB") == f1   # no text: kept
    f2 = cat.get_or_create_fileset("SelfTest", "otherMD5", "changed")
    assert f2 != f1
    rec = cat.get_fileset(f1)
    assert rec["FileSet"] == "SelfTest" and rec["Md5"] == "Z4/p5X+pR/cxW3/qm5+btB"
    assert rec["CreateTime"] == "2026-11-22 00:36:36"
    rows = cat.list_filesets()
    assert list(rows[0]) == ["filesetid", "fileset", "md5", "createtime", "filesettext"]
    assert rows[0] == {"filesetid": str(f1), "fileset": "SelfTest", "md5": "Z4/p5X+pR/cxW3/qm5+btB",
                       "createtime": "2026-11-22 00:36:36", "filesettext": "FileSet {\n}\n"}
    assert len(rows) == 2
    assert cat.list_filesets(fileset_id=f2)[0]["md5"] == "otherMD5"
    # a different text for the same MD5 replaces the stored one (Bareos's
    # CreateFilesetRecord), without a new row
    assert cat.get_or_create_fileset("SelfTest", "Z4/p5X+pR/cxW3/qm5+btB", "x") == f1
    assert cat.list_filesets(fileset_id=f1)[0]["filesettext"] == "x"
    assert len(cat.list_filesets()) == 2


# -------------------------------------------------------------------- Pool


def test_pool_create_update_sync(cat):
    pid = _setup_full_pool(cat)
    rec = cat.get_pool("Full")
    assert rec["PoolId"] == pid and rec["LabelFormat"] == "Full-" and rec["NumVols"] == 0
    cat.update_pool(pid, MaxVols=5)
    assert cat.get_pool(pool_id=pid)["MaxVols"] == 5
    assert cat.sync_pool("Full", MaxVols=7) == pid
    assert cat.get_pool("Full")["MaxVols"] == 7
    sid = cat.sync_pool("Scratch", PoolType="Scratch")
    assert cat.get_pool("Scratch")["LabelFormat"] == "*"
    assert cat.list_pools() == [
        {"poolid": str(pid), "name": "Full", "numvols": "0", "maxvols": "7",
         "pooltype": "Backup", "labelformat": "Full-"},
        {"poolid": str(sid), "name": "Scratch", "numvols": "0", "maxvols": "0",
         "pooltype": "Scratch", "labelformat": "*"},
    ]
    long = cat.list_pools(long=True, name="Full")
    assert list(long[0])[:4] == ["poolid", "name", "numvols", "maxvols"]
    assert long[0]["volretention"] == "31536000" and long[0]["labeltype"] == "0"
    with pytest.raises(CatalogError):
        cat.create_pool("Bad", PoolType="Nonsense")


def test_sync_pools_from_resources(cat):
    resources = [
        {"Name": "Scratch", "Pool Type": "Scratch"},
        {"Name": "Full", "Pool Type": "Backup", "Recycle": "yes", "Auto Prune": True,
         "Volume Retention": 31536000, "Maximum Volume Bytes": 53687091200,
         "Maximum Volumes": 100, "Label Format": "Full-", "Next Pool": "Copy",
         "Scratch Pool": "Scratch", "Action On Purge": "Truncate"},
        {"Name": "Copy", "Pool Type": "Copy", "Label Type": "ANSI"},
    ]
    ids = cat.sync_pools(resources)
    assert set(ids) == {"Scratch", "Full", "Copy"}
    full = cat.get_pool("Full")
    assert full["NextPoolId"] == ids["Copy"] and full["ScratchPoolId"] == ids["Scratch"]
    assert full["MaxVolBytes"] == 53687091200 and full["ActionOnPurge"] == 1
    assert full["VolRetention"] == 31536000 and full["Recycle"] == 1
    assert cat.get_pool("Copy")["LabelType"] == 1
    assert cat.get_pool("Scratch")["VolRetention"] == 365 * 86400
    resources[1]["Maximum Volumes"] = 3
    assert cat.sync_pools(resources) == ids
    assert cat.get_pool("Full")["MaxVols"] == 3
    assert len(cat.list_pools()) == 3


# ------------------------------------------------ Storage, MediaType, Device


def test_storage_mediatype_device(cat):
    sid = cat.get_or_create_storage("File")
    assert cat.get_or_create_storage("File") == sid
    cat.get_or_create_storage("File", autochanger=True)
    assert cat.get_storage("File")["AutoChanger"] == 1
    assert cat.get_storage(storage_id=sid)["Name"] == "File"
    mt = cat.get_or_create_mediatype("File")
    assert cat.get_or_create_mediatype("File") == mt
    dev = cat.get_or_create_device("FileStorage0001", mt, sid)
    assert cat.get_or_create_device("FileStorage0001", mt, sid) == dev
    assert cat.get_or_create_device("FileStorage0002", mt, sid) != dev


# ------------------------------------------------------------------- Media


def test_media_lifecycle(cat):
    pid = _setup_full_pool(cat)
    sid = cat.get_or_create_storage("File")
    mid = cat.create_media("Full-0001", pid, "File", StorageId=sid, LabelDate="2026-11-22 00:36:38")
    rec = cat.get_media("Full-0001")
    assert rec["MediaId"] == mid and rec["VolStatus"] == "Append" and rec["Enabled"] == 1
    # limits come from the pool
    assert rec["VolRetention"] == 31536000 and rec["MaxVolBytes"] == 53687091200
    assert rec["Recycle"] == 1 and rec["MediaTypeId"] > 0
    assert cat.get_pool("Full")["NumVols"] == 1
    # the SD's UpdateMedia after writing
    cat.update_media(mid, VolJobs=1, VolFiles=0, VolBlocks=4, VolBytes=2435766, VolMounts=1,
                     VolWrites=4, LastWritten=1795307798, FirstWritten="2026-11-22 00:36:38",
                     VolStatus="Append", EndBlock=2435765)
    rec = cat.get_media(media_id=mid)
    assert rec["VolBytes"] == 2435766 and rec["VolBlocks"] == 4
    assert rec["LastWritten"] and len(rec["LastWritten"]) == 19
    with pytest.raises(CatalogError):
        cat.update_media(mid, VolStatus="NotAStatus")
    with pytest.raises(CatalogError):
        cat.create_media("Full-0001", pid, "File")  # unique volume name
    # moving between pools keeps NumVols right
    other = cat.create_pool("Other")
    cat.update_media(mid, PoolId=other)
    assert cat.get_pool("Full")["NumVols"] == 0 and cat.get_pool("Other")["NumVols"] == 1
    cat.delete_media(mid)
    assert cat.get_media("Full-0001") is None
    assert cat.get_pool("Other")["NumVols"] == 0


def test_find_next_volume(cat):
    pid = _setup_full_pool(cat)
    assert cat.find_next_volume(pid, "File") is None
    a = cat.create_media("A", pid, "File", LastWritten="2026-01-01 00:00:00")
    b = cat.create_media("B", pid, "File", LastWritten="2026-02-01 00:00:00")
    c = cat.create_media("C", pid, "File")  # never written
    cat.create_media("T", pid, "LTO")       # other media type
    d = cat.create_media("D", pid, "File", Enabled=0)  # disabled
    # most recently written Append volume first, never-written last
    assert cat.find_next_volume(pid, "File")["MediaId"] == b
    assert cat.find_next_volume(pid, "File", index=2)["MediaId"] == a
    assert cat.find_next_volume(pid, "File", index=3)["MediaId"] == c
    assert cat.find_next_volume(pid, "File", index=4) is None
    assert cat.find_next_volume(pid, "File", exclude=["B"])["MediaId"] == a
    cat.update_media(a, VolStatus="Purged")
    cat.update_media(b, VolStatus="Purged")
    assert cat.find_next_volume(pid, "File", "Purged")["MediaId"] == a  # oldest first
    assert cat.find_next_volume(pid, "File")["MediaId"] == c
    assert d and cat.find_next_volume(pid, "LTO")["VolumeName"] == "T"


# --------------------------------------------------------------------- Job


def test_job_create_start_end(cat):
    cid = cat.get_or_create_client("bareos-fd")
    fs = cat.get_or_create_fileset("SelfTest", "md5")
    pid = _setup_full_pool(cat)
    jid = cat.create_job("backup-bareos-fd.2026-11-22_00.36.36_03", "backup-bareos-fd", "B", "F",
                         ClientId=cid, FileSetId=fs, PoolId=pid, SchedTime="2026-11-22 00:36:36")
    rec = cat.get_job(jid)
    assert rec["JobStatus"] == "C" and rec["SchedTime"] == "2026-11-22 00:36:36"
    assert rec["StartTime"] is None and rec["JobTDate"] > 0
    cat.start_job(jid, "2026-11-22 00:36:38", VolSessionId=1, VolSessionTime=1795307793)
    rec = cat.get_job(job="backup-bareos-fd.2026-11-22_00.36.36_03")
    assert rec["JobStatus"] == "R" and rec["StartTime"] == "2026-11-22 00:36:38"
    assert rec["VolSessionId"] == 1
    cat.end_job(jid, "T", "2026-11-22 00:36:38", JobFiles=410, JobBytes=2364779,
                ReadBytes=2364779, JobErrors=0)
    rec = cat.get_job(jid)
    assert rec["JobStatus"] == "T" and rec["EndTime"] == rec["RealEndTime"] == "2026-11-22 00:36:38"
    assert rec["JobFiles"] == 410 and rec["JobBytes"] == 2364779
    jid2 = cat.create_job("x.2", "x", "R", " ")
    assert jid2 > jid
    cat.update_job(jid2, Comment="restore")
    assert cat.get_job(jid2)["Comment"] == "restore"


def test_cleanup_stale_jobs(cat):
    c = cat.create_job("a.1", "a", "B", "F", SchedTime="2026-01-01 10:00:00")
    r = cat.create_job("b.1", "b", "B", "F")
    cat.start_job(r, "2026-01-01 11:00:00")
    t = cat.create_job("c.1", "c", "B", "F")
    cat.end_job(t, "T")
    assert cat.cleanup_stale_jobs() == 2
    assert cat.get_job(c)["JobStatus"] == "f" and cat.get_job(c)["EndTime"] == "2026-01-01 10:00:00"
    assert cat.get_job(r)["JobStatus"] == "f" and cat.get_job(r)["EndTime"] == "2026-01-01 11:00:00"
    assert cat.get_job(t)["JobStatus"] == "T"


def _backup(cat, name, level, start, status="T", cid=1, fs=1):
    jid = cat.create_job(f"{name}.{start}", name, "B", level, ClientId=cid, FileSetId=fs)
    cat.start_job(jid, start)
    cat.end_job(jid, status, start)
    return jid


def test_level_logic(cat):
    n = "backup-bareos-fd"
    assert cat.find_job_start_time(n, 1, 1, "I") is None
    assert cat.find_job_start_time(n, 1, 1, "D") is None
    _backup(cat, n, "F", "2026-01-01 00:00:00", status="f")  # failed Full does not count
    assert cat.find_job_start_time(n, 1, 1, "I") is None
    full = _backup(cat, n, "F", "2026-01-02 00:00:00")
    _backup(cat, n, "F", "2026-01-09 00:00:00", fs=2)          # other fileset
    inc1 = _backup(cat, n, "I", "2026-01-03 00:00:00")
    diff = _backup(cat, n, "D", "2026-01-04 00:00:00", status="W")
    inc2 = _backup(cat, n, "I", "2026-01-05 00:00:00")
    inc3 = _backup(cat, n, "I", "2026-01-06 00:00:00")
    assert cat.find_job_start_time(n, 1, 1, "D") == ("2026-01-02 00:00:00", f"{n}.2026-01-02 00:00:00")
    assert cat.find_job_start_time(n, 1, 1, "I")[0] == "2026-01-06 00:00:00"
    assert cat.find_last_job_start_time(n, 1, 1, "D")[0] == "2026-01-04 00:00:00"
    assert cat.find_last_job_start_time(n, 2, 1, "F") is None
    assert cat.find_failed_job_since(n, 1, 1, "2025-12-31 00:00:00") == "F"
    assert cat.find_failed_job_since(n, 1, 1, "2026-01-02 00:00:00") is None
    last = cat.find_last_jobid(n)
    assert cat.get_job(last)["StartTime"] == "2026-01-09 00:00:00"  # the fileset-2 Full
    assert cat.find_last_jobid(client_id=1) == last
    assert cat.accurate_jobids(1, 1, "F") == [full]
    assert cat.accurate_jobids(1, 1, "D") == [full, diff]
    assert cat.accurate_jobids(1, 1, "I") == [full, diff, inc2, inc3]  # inc1 precedes diff
    assert inc1 not in cat.accurate_jobids(1, 1, "I")
    assert cat.accurate_jobids(1, 1, "I", before="2026-01-05 12:00:00") == [full, diff, inc2]


def test_accurate_jobids_include_jobs_of_this_second(cat):
    """Jobs a second apart or less: the finished ones of the current second
    belong to the base of the next accurate Incremental."""
    from bareos.cats.catalog import now_str

    n = "fast-job"
    now = now_str()
    full = _backup(cat, n, "F", now)
    inc = _backup(cat, n, "I", now)
    assert cat.accurate_jobids(1, 1, "I") == [full, inc]
    assert cat.accurate_jobids(1, 1, "I", before=now) == []     # an explicit time: before it


# ---------------------------------------------------------------- JobMedia


def test_jobmedia(cat):
    pid = _setup_full_pool(cat)
    m1 = cat.create_media("Full-0001", pid, "File")
    m2 = cat.create_media("Full-0002", pid, "File")
    jid = cat.create_job("j.1", "j", "B", "F")
    cat.create_jobmedia(jid, m1, 0, 0)  # placeholder after labeling
    cat.create_jobmedia(jid, m1, 1, 300, 0, 0, 200, 999999, job_bytes=1000)
    cat.create_jobmedia(jid, m2, 300, 410, 0, 0, 100, 555)
    assert cat.delete_null_jobmedia(jid) == 1
    rows = cat.get_jobmedia(jid)
    assert [(r["VolumeName"], r["FirstIndex"], r["LastIndex"]) for r in rows] == [
        ("Full-0001", 1, 300), ("Full-0002", 300, 410)]
    assert [r["VolIndex"] for r in rows] == [2, 3]
    assert cat.get_media(media_id=m1)["EndBlock"] == 999999
    assert cat.get_job_volume_names(jid) == ["Full-0001", "Full-0002"]
    assert cat.list_jobmedia(jid) == [
        {"jobid": str(jid), "volumename": "Full-0001", "firstindex": "1", "lastindex": "300"},
        {"jobid": str(jid), "volumename": "Full-0002", "firstindex": "300", "lastindex": "410"},
    ]
    long = cat.list_jobmedia(jid, long=True)
    assert list(long[0]) == ["jobmediaid", "jobid", "mediaid", "volumename", "firstindex",
                             "lastindex", "startfile", "endfile", "startblock", "endblock"]
    assert long[0]["endblock"] == "999999"
    assert cat.list_volumes(volume_name="Full-0001", long=True)[0]["endblock"] == "999999"


# -------------------------------------------------------------- Attributes


def test_split_filename():
    assert split_filename("/etc/passwd") == ("/etc/", "passwd")
    assert split_filename("/etc/") == ("/etc/", "")
    assert split_filename("/") == ("/", "")
    assert split_filename("c:/x/y.txt") == ("c:/x/", "y.txt")
    assert split_filename("plain") == ("", "plain")


def test_insert_attributes(cat):
    jid = cat.create_job("j.1", "j", "B", "F")
    names = [
        "/data/", "/data/a.txt", "/data/sub/", "/data/sub/b.bin",
        "/data/odd\tname\nwith\\chars", "/data/ünïcödé €", "/data/sub/'quote\"",
    ]
    rows = [(n, LSTAT, "0" if n.endswith("/") else f"digest{i}", i + 1) for i, n in enumerate(names)]
    rows.append(("/data/gone.txt", LSTAT, "0", 0))  # deleted in accurate mode
    assert cat.insert_attributes(jid, rows) == len(rows)
    assert cat.insert_attributes(jid, []) == 0
    files = cat.get_files(jid)
    assert [f["Path"] + f["Name"] for f in files] == names + ["/data/gone.txt"]
    by_name = {f["Path"] + f["Name"]: f for f in files}
    assert by_name["/data/"]["Name"] == "" and by_name["/data/"]["Path"] == "/data/"
    assert by_name["/data/a.txt"]["Md5"] == "digest1" and by_name["/data/a.txt"]["LStat"] == LSTAT
    assert by_name["/data/gone.txt"]["FileIndex"] == 0
    assert cat.count_files(jid) == len(rows)
    assert [r["filename"] for r in cat.list_files(jid)] == names + ["/data/gone.txt"]
    # paths are shared between jobs
    jid2 = cat.create_job("j.2", "j", "B", "I")
    cat.insert_attributes(jid2, [("/data/a.txt", LSTAT, "x", 1, 2, 7, 9)])
    assert cat.sql("SELECT COUNT(*) FROM Path")[1] == [["2"]]
    f = cat.get_files(jid2)[0]
    assert (f["DeltaSeq"], f["Fhinfo"], f["Fhnode"]) == (2, 7, 9)
    cat.purge_files(jid)
    assert cat.count_files(jid) == 0 and cat.get_job(jid)["PurgedFiles"] == 1
    assert cat.count_files(jid2) == 1


def test_attribute_batch_many_rows(cat):
    jid = cat.create_job("big.1", "big", "B", "F")
    n = 50_000
    with cat.attribute_batch(jid, batch_size=7000) as batch:
        for i in range(n):
            d = i // 100
            if i % 100 == 0:
                batch.add(f"/big/dir{d:04d}/", LSTAT, "0", i + 1)
            else:
                batch.add(f"/big/dir{d:04d}/file{i:06d}", LSTAT, f"md5-{i}", i + 1)
        assert batch.count == 49_000  # seven full batches committed already
    assert batch.count == n
    assert cat.count_files(jid) == n
    assert cat.sql("SELECT COUNT(*) FROM Path")[1] == [[str(n // 100)]]
    cols, rows = cat.sql(
        "SELECT File.FileIndex, Path.Path, File.Name, File.Md5 FROM File JOIN Path "
        "ON Path.PathId = File.PathId WHERE File.JobId = %d AND File.FileIndex = 12346" % jid)
    assert rows == [["12346", "/big/dir0123/", "file012345", "md5-12345"]]


def test_failed_batch_is_rolled_back(cat):
    jid = cat.create_job("j.1", "j", "B", "F")
    with pytest.raises((CatalogError, TypeError, ValueError)):
        cat.insert_attributes(jid, [("/ok", LSTAT, "0", 1), ("/bad", LSTAT, "0", "notanint")])
    assert cat.count_files(jid) == 0


# --------------------------------------------------------- Log, objects, ...


def test_job_log(cat):
    jid = cat.create_job("j.1", "j", "B", "F")
    cat.add_log(jid, "bareos-dir JobId 1: Start Backup JobId 1\n", "2026-11-22 00:36:38")
    cat.add_log(jid, "bareos-sd JobId 1: Elapsed time=00:00:01\n")
    log = cat.list_joblog(jid)
    assert log[0] == {"time": "2026-11-22 00:36:38",
                      "logtext": "bareos-dir JobId 1: Start Backup JobId 1\n"}
    assert len(log) == 2 and list(log[1]) == ["time", "logtext"]
    assert cat.list_joblog(jid + 1) == []


def test_restore_objects(cat):
    jid = cat.create_job("j.1", "j", "B", "F")
    blob = bytes(range(256)) * 10
    oid = cat.create_restore_object(jid, "/@MSSQL/db", blob, "python:module=x",
                                    file_index=3, object_index=1, object_type=27,
                                    object_full_length=9999, compression=1)
    cat.create_restore_object(jid, "second", b"\x00abc", object_type=28, object_index=2)
    objs = cat.get_restore_objects(jid)
    assert [o["RestoreObjectId"] for o in objs][0] == oid
    o = objs[0]
    assert bytes(o["RestoreObject"]) == blob and o["ObjectLength"] == len(blob)
    assert o["ObjectFullLength"] == 9999 and o["ObjectCompression"] == 1
    assert o["PluginName"] == "python:module=x" and o["FileIndex"] == 3
    assert [x["ObjectName"] for x in cat.get_restore_objects([jid], object_type=28)] == ["second"]
    assert cat.get_restore_objects([]) == []


def test_counters(cat):
    assert cat.get_counter("vol") is None
    cat.create_counter("vol", 1, 100, wrap_counter="")
    assert cat.get_counter("vol")["CurrentValue"] == 1
    cat.update_counter("vol", CurrentValue=42)
    rec = cat.get_counter("vol")
    assert (rec["MinValue"], rec["MaxValue"], rec["CurrentValue"]) == (1, 100, 42)
    with pytest.raises(CatalogError):
        cat.create_counter("vol")


def test_delete_job(cat):
    pid = _setup_full_pool(cat)
    mid = cat.create_media("V", pid, "File")
    jid = cat.create_job("j.1", "j", "B", "F")
    cat.insert_attributes(jid, [("/a", LSTAT, "0", 1)])
    cat.create_jobmedia(jid, mid, 1, 1)
    cat.add_log(jid, "x")
    cat.delete_job(jid)
    assert cat.get_job(jid) is None and cat.count_files(jid) == 0
    assert cat.list_jobmedia(jid) == [] and cat.list_joblog(jid) == []


# ------------------------------------------------------------ transactions


def test_transaction_groups_and_rolls_back(cat):
    with pytest.raises(RuntimeError):
        with cat.transaction():
            cat.get_or_create_client("a-fd")
            cat.create_job("j.1", "j", "B", "F")
            raise RuntimeError("boom")
    assert cat.get_client("a-fd") is None
    assert cat.list_jobs() == []
    with cat.transaction() as tx:
        cid = cat.get_or_create_client("a-fd")
        tx.execute("UPDATE Client SET UName = ? WHERE ClientId = ?", ("u", cid))
    assert cat.get_client("a-fd")["UName"] == "u"


# -------------------------------------------------------------- raw .sql


def test_raw_sql(cat):
    cat.get_or_create_client("bareos-fd", file_retention=5)
    cols, rows = cat.sql("SELECT ClientId, Name, FileRetention, UName FROM Client")
    assert cols == ["clientid", "name", "fileretention", "uname"]
    assert rows == [["1", "bareos-fd", "5", ""]]
    assert cat.sql("UPDATE Client SET FileRetention = 6") == ([], [])
    assert cat.sql("SELECT FileRetention FROM Client WHERE Name = ?", ["bareos-fd"])[1] == [["6"]]
    cols, rows = cat.sql("SELECT NULL AS n, 'a%b' AS pct")
    assert cols == ["n", "pct"] and rows == [["", "a%b"]]
    with pytest.raises(CatalogError):
        cat.sql("SELECT * FROM NoSuchTable")
    # the connection is still usable after an error
    assert cat.sql("SELECT COUNT(*) FROM Client")[1] == [["1"]]


# ------------------------------------------------- restore selection, purge


def test_select_recent_files(cat):
    full = cat.create_job("j.1", "j", "B", "F", JobTDate=100)
    inc = cat.create_job("j.2", "j", "B", "I", JobTDate=200)
    cat.insert_attributes(full, [("/d/", LSTAT, "0", 1), ("/d/a", LSTAT, "a1", 2),
                                 ("/d/b", LSTAT, "b1", 3), ("/d/c", LSTAT, "c1", 4)])
    cat.insert_attributes(inc, [("/d/a", LSTAT, "a2", 1),   # changed
                                ("/d/c", LSTAT, "0", 0),    # deleted
                                ("/d/e", LSTAT, "e2", 2)])  # new
    sel = cat.select_recent_files([full, inc])
    got = [(r["JobId"], r["FileIndex"], r["Path"] + r["Name"], r["Md5"]) for r in sel]
    assert got == [(full, 1, "/d/", "0"), (full, 3, "/d/b", "b1"),
                   (inc, 1, "/d/a", "a2"), (inc, 2, "/d/e", "e2")]
    assert [r["Name"] for r in cat.select_recent_files([full])] == ["", "a", "b", "c"]
    assert cat.select_recent_files([]) == []


def test_purge_media(cat):
    pid = _setup_full_pool(cat)
    m1 = cat.create_media("V1", pid, "File")
    m2 = cat.create_media("V2", pid, "File")
    j1 = cat.create_job("j.1", "j", "B", "F")
    j2 = cat.create_job("j.2", "j", "B", "F")
    cat.insert_attributes(j1, [("/a", LSTAT, "0", 1)])
    cat.create_jobmedia(j1, m1, 1, 1)
    cat.create_jobmedia(j2, m2, 1, 1)
    assert cat.get_volume_jobids(m1) == [j1]
    assert cat.purge_media(m1) == [j1]
    assert cat.get_media(media_id=m1)["VolStatus"] == "Purged"
    assert cat.get_job(j1) is None and cat.count_files(j1) == 0
    assert cat.get_job(j2) is not None and cat.get_volume_jobids(m2) == [j2]
