"""The real python-bareos 25.1.1 (DirectorConsoleJson) against a site of our
three daemons with real backups: run/wait, list/llist jobs, list files,
list volumes answer with the keys and kinds of values a real Bareos 25
Director gives (key sets compared with the golden API 2 transcripts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compat.conftest import run_script
from tests.integration.e2e.conftest import Site, needs_psk

pytestmark = [pytest.mark.compat, needs_psk]

GOLDEN = Path("/work/shared/reference/golden")

SCRIPT = r'''
import json, sys, warnings
warnings.simplefilter("ignore")
import bareos.bsock
port, password = int(sys.argv[1]), sys.argv[2]
c = bareos.bsock.DirectorConsoleJson(address="127.0.0.1", port=port,
                                     password=bareos.bsock.Password(password))
out = {}
out["run"] = c.call("run job=backup-bareos-fd level=Full yes")
jobid = out["run"]["run"]["jobid"]
out["wait"] = c.call("wait jobid=%s" % jobid)
open(sys.argv[3], "w").write("new after the Full\n")
out["run_inc"] = c.call("run job=backup-bareos-fd level=Incremental yes")
out["wait_inc"] = c.call("wait jobid=%s" % out["run_inc"]["run"]["jobid"])
out["list_jobs"] = c.call("list jobs")
out["llist_jobs"] = c.call("llist jobs")
out["list_files"] = c.call("list files jobid=%s" % jobid)
out["list_volumes"] = c.call("list volumes")
out["llist_volumes"] = c.call("llist volumes")
out["list_jobid"] = c.call("list jobid=%s" % jobid)
c.close()
print(json.dumps(out))
'''


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text())["result"]


@pytest.fixture
def site(tmp_path):
    src = tmp_path / "data"
    (src / "sub").mkdir(parents=True)
    for i in range(4):
        (src / "sub" / f"f{i}.txt").write_text(f"file {i}\n" * 100)
    (src / "top.txt").write_text("top\n")
    s = Site(tmp_path / "site", src)
    s.start()
    yield s
    s.stop()


def test_python_bareos_run_wait_list_against_real_backups(site, compat_python):
    r = run_script(compat_python, SCRIPT, str(site.values["dir_port"]), site.values["dir_password"],
                   str(site.backup_dir / "new.txt"), timeout=300)
    # run: {"run": {"jobid": "<n>"}} with the JobId as a string, as Bareos answers
    assert set(r["run"]) == set(golden("run-yes.api2.json")) == {"run"}
    jobid = r["run"]["run"]["jobid"]
    assert isinstance(jobid, str) and jobid.isdigit()
    # wait: {"job": {"jobid": n, "jobstatuslong": "OK", "jobstatus": "T", "exitstatus": 0}}
    assert r["wait"] == {"job": {"jobid": int(jobid), "jobstatuslong": "OK", "jobstatus": "T",
                                 "exitstatus": 0}}
    assert r["wait_inc"]["job"]["jobstatus"] == "T"

    # list jobs / llist jobs: the same keys per job, every value a string
    for ours, gold in (("list_jobs", "list-jobs.api2.json"), ("llist_jobs", "llist-jobs.api2.json"),
                       ("list_jobid", "list-jobid-1.api2.json")):
        want = set(golden(gold)["jobs"][0])
        jobs = r[ours]["jobs"]
        assert jobs, r[ours]
        for job in jobs:
            assert set(job) == want, (ours, sorted(set(job) ^ want))
            assert all(isinstance(v, str) for v in job.values()), (ours, job)
    full = [j for j in r["list_jobs"]["jobs"] if j["jobid"] == jobid][0]
    assert (full["type"], full["level"], full["jobstatus"], full["name"], full["client"]) == \
        ("B", "F", "T", "backup-bareos-fd", "bareos-fd")
    assert int(full["jobfiles"]) == 7          # data/, sub/, 4 files, top.txt
    inc = [j for j in r["llist_jobs"]["jobs"] if j["jobid"] == r["run_inc"]["run"]["jobid"]][0]
    assert inc["level"] == "I" and inc["poolname"] == "Incremental" and inc["fileset"] == "Quickstart"

    # list files jobid=: {"filenames": [{"filename": ...}]}, directories end in "/"
    names = r["list_files"]["filenames"]
    assert all(set(f) == {"filename"} for f in names)
    assert set(golden("list-files-jobid-1.api2.json")) == set(r["list_files"]) == {"filenames"}
    got = {f["filename"] for f in names}
    src = str(site.backup_dir)
    assert {f"{src}/", f"{src}/sub/", f"{src}/top.txt", f"{src}/sub/f0.txt"} <= got

    # list/llist volumes: grouped by pool name (lowercase), volumes with Bareos's keys
    for ours, gold in (("list_volumes", "list-volumes.api2.json"),
                       ("llist_volumes", "llist-volumes.api2.json")):
        want = set(golden(gold)["volumes"]["full"][0])
        pools = r[ours]["volumes"]
        assert {"full", "incremental"} <= set(pools), pools
        vols = [v for vs in pools.values() for v in vs]
        assert {v["volumename"] for v in vols} == {"Full-0001", "Incremental-0001"}
        for v in vols:
            assert set(v) == want, (ours, sorted(set(v) ^ want))
            assert all(isinstance(x, str) for x in v.values()), (ours, v)
        assert pools["full"][0]["volstatus"] == "Append"
        assert pools["full"][0]["mediatype"] == "File"
