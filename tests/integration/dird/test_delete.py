"""`delete volume=` and `delete jobid=` (lists and ranges) on the golden catalog."""

from __future__ import annotations

from tests.integration.dird.test_list import call0, call2, gdir  # noqa: F401


def _jobids(d):
    return [j["jobid"] for j in call2(d, "list jobs")["jobs"]]


def test_delete_jobid_list_and_range(gdir):  # noqa: F811
    c = gdir.catalog
    for n in range(3, 8):
        c.create_job(f"j.{n}", "backup-bareos-fd", "B", "F")
    text = call0(gdir, "delete jobid=3,5-6")
    assert "Jobid 3 and associated records deleted from the catalog.\n" in text
    assert "Jobid 6 and associated records deleted from the catalog.\n" in text
    assert _jobids(gdir) == ["1", "2", "4", "7"]
    r = call2(gdir, "delete jobid=7")
    assert r == {"deleted": {"jobids": ["7"]}}
    text = call0(gdir, "delete jobid=x")
    assert "Illegal JobId x ignored" in text
    assert "Illegal JobId range 9 - 8 should define increasing JobIds" in call0(gdir, "delete jobid=9-8")


def test_delete_volume_with_its_jobs(gdir):  # noqa: F811
    text = call0(gdir, "delete volume=Full-0001 yes")
    assert "This command will delete volume Full-0001" in text
    assert "Deleted 1 jobs and associated records deleted from the catalog (jobids: 1).\n" in text
    assert text.endswith("Volume Full-0001 deleted.\n")
    assert _jobids(gdir) == ["2"]
    assert call2(gdir, "list volumes")["volumes"]["full"] == []
    assert "jobid not found in db" in call0(gdir, "list joblog jobid=1")
    assert 'Media record for Volume "Nope" not found.' in call0(gdir, "delete volume=Nope yes")


def test_delete_volume_json(gdir):  # noqa: F811
    r = call2(gdir, "delete volume=Full-0001 yes")
    assert r == {"deleted": {"jobids": ["1"], "volumes": ["Full-0001"]}}
