"""The list queries reproduce a real Bareos 25 Director's catalog listings.

The catalog is filled with the rows the reference Director had when the
golden transcripts were recorded; each ``list``/``llist`` result must equal
the ``result`` part of the golden API 2 JSON, key order included.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("BAREOS_SHARED", REPO.parent / "shared"))
GOLDEN = SHARED / "reference" / "golden"


def golden(name):
    path = GOLDEN / f"{name}.api2.json"
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"golden file missing: {path}")
        pytest.skip(f"golden file missing: {path}")
    return json.loads(path.read_text())["result"]


FILESET_TEXT = (
    'FileSet {\n  Name = "SelfTest"\n  Description = "fileset just to backup some files for '
    'selftest"\n  Include {\n    Options {\n      Signature = "XXH128"\n      HardLinks = No\n'
    '      AclSupport = Yes\n      XattrSupport = Yes\n    }\n    File = '
    '"/srv/bareos-demo/golden-data"\n  }\n}\n\n'
)


@pytest.fixture
def golden_cat(cat):
    """The reference Director's catalog state (JobId 1 backup, JobId 2 restore)."""
    cat.sync_pools([
        {"Name": "Scratch", "Pool Type": "Scratch"},
        {"Name": "Incremental", "Maximum Volumes": 100, "Label Format": "Incremental-"},
        {"Name": "Full", "Maximum Volumes": 100, "Label Format": "Full-",
         "Maximum Volume Bytes": 53687091200},
        {"Name": "Differential", "Maximum Volumes": 100, "Label Format": "Differential-"},
    ])
    cid = cat.get_or_create_client("bareos-fd", file_retention=5184000, job_retention=15552000)
    fs = cat.get_or_create_fileset("SelfTest", "Z4/p5X+pR/cxW3/qm5+btB", FILESET_TEXT,
                                   create_time="2026-11-22 00:36:36")
    sid = cat.get_or_create_storage("File")
    full = cat.get_pool("Full")["PoolId"]
    mid = cat.create_media("Full-0001", full, "File", StorageId=sid,
                           LabelDate="2026-11-22 00:36:38", VolStatus="Append")
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
    return cat


def test_list_jobs(golden_cat):
    assert golden_cat.list_jobs() == golden("list-jobs")["jobs"]
    assert golden_cat.list_jobs(job_id=1) == golden("list-jobid-1")["jobs"]


def test_llist_jobs(golden_cat):
    assert golden_cat.list_jobs(long=True) == golden("llist-jobs")["jobs"]


def test_list_volumes(golden_cat):
    g = golden("list-volumes")["volumes"]
    for pool in ("Incremental", "Differential", "Scratch", "Full"):
        pid = golden_cat.get_pool(pool)["PoolId"]
        assert golden_cat.list_volumes(pool_id=pid) == g[pool.lower()]


def test_llist_volumes(golden_cat):
    g = golden("llist-volumes")["volumes"]
    pid = golden_cat.get_pool("Full")["PoolId"]
    assert golden_cat.list_volumes(long=True, pool_id=pid) == g["full"]


def test_list_pools_clients_filesets_jobmedia(golden_cat):
    assert golden_cat.list_pools() == golden("list-pools")["pools"]
    assert golden_cat.list_clients() == golden("list-clients")["clients"]
    assert golden_cat.list_filesets() == golden("list-filesets")["filesets"]
    assert golden_cat.list_jobmedia(1) == golden("list-jobmedia-jobid-1")["jobmedia"]


def test_list_joblog_and_files_shape(golden_cat):
    g = golden("list-joblog-jobid-1")["joblog"]
    for entry in g:
        golden_cat.add_log(1, entry["logtext"], entry["time"])
    assert golden_cat.list_joblog(1) == g
    names = [f["filename"] for f in golden("list-files-jobid-1")["filenames"]]
    golden_cat.insert_attributes(1, [(n, "A A A A A A A A A A A A A A A A", "0", i + 1)
                                     for i, n in enumerate(names)])
    assert golden_cat.list_files(1) == golden("list-files-jobid-1")["filenames"]


def test_list_jobs_filters(golden_cat):
    c = golden_cat
    assert [j["jobid"] for j in c.list_jobs(job_type=["R"])] == ["2"]
    assert [j["jobid"] for j in c.list_jobs(client="bareos-fd")] == ["1", "2"]
    assert [j["jobid"] for j in c.list_jobs(name="RestoreFiles")] == ["2"]
    assert [j["jobid"] for j in c.list_jobs(volume="Full-0001")] == ["1"]
    assert [j["jobid"] for j in c.list_jobs(pool="Full")] == ["1"]
    assert [j["jobid"] for j in c.list_jobs(job_status=["E"])] == []
    assert [j["jobid"] for j in c.list_jobs(level=["F"], descending=True)] == ["2", "1"]
    assert [j["jobid"] for j in c.list_jobs(limit=1, offset=1)] == ["2"]
    assert [j["jobid"] for j in c.list_jobs(since="2026-11-22 00:36:40")] == ["2"]
    j3 = c.create_job("backup-bareos-fd.3", "backup-bareos-fd", "B", "I")
    c.start_job(j3, "2026-11-22 01:00:00")
    assert [j["jobid"] for j in c.list_jobs(last=True)] == ["2", "3"]
    running = c.list_jobs(job_id=j3)[0]
    assert running["jobstatus"] == "R" and running["duration"] != ""
