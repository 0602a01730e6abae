"""`update volume=... field=value`, `update pool=`, `update jobid=`, `update stats`;
the changes are checked through `llist volume=` as a console sees them."""

from __future__ import annotations

from tests.integration.dird.test_list import call0, call2, gdir  # noqa: F401


def vol(d):
    return call2(d, "llist volume=Full-0001")["volume"]


def test_update_volume_fields(gdir):  # noqa: F811
    text = call0(gdir, "update volume=Full-0001 volstatus=Used")
    assert "New Volume status is: Used\n" in text
    assert "New retention period is: 1 month 5 days \n" in call0(
        gdir, "update volume=Full-0001 volretention=35days")
    assert "New Max bytes is: 1048576\n" in call0(gdir, "update volume=Full-0001 maxvolbytes=1M")
    call0(gdir, "update volume=Full-0001 maxvolfiles=7 maxvoljobs=3 recycle=no inchanger=yes "
                "slot=5 enabled=no actiononpurge=truncate")
    call0(gdir, "update volume=Full-0001 recyclepool=Scratch")
    v = vol(gdir)
    assert (v["volstatus"], v["volretention"], v["maxvolbytes"], v["maxvolfiles"],
            v["maxvoljobs"], v["recycle"], v["inchanger"], v["slot"], v["enabled"],
            v["recyclepool"]) == ("Used", "3024000", "1048576", "7", "3", "0", "1", "5", "0",
                                  "Scratch")
    text = call0(gdir, "llist volume=Full-0001")
    assert "     volretention: 3,024,000\n" in text and "        volstatus: Used\n" in text
    assert "Invalid VolStatus specified: Bogus" in call0(
        gdir, "update volume=Full-0001 volstatus=Bogus")
    assert "Invalid slot, it must be between 0 and MaxVols=100" in call0(
        gdir, "update volume=Full-0001 slot=101")


def test_update_volume_pool_moves_it(gdir):  # noqa: F811
    assert "New Pool is: Incremental\n" in call0(gdir, "update volume=Full-0001 pool=Incremental")
    vols = call2(gdir, "list volumes")["volumes"]
    assert vols["full"] == [] and vols["incremental"][0]["volumename"] == "Full-0001"
    assert vol(gdir)["pool"] == "Incremental"
    pools = {p["name"]: p["numvols"] for p in call2(gdir, "list pools")["pools"]}
    assert pools["Incremental"] == "1" and pools["Full"] == "0"


def test_update_volume_from_pool(gdir):  # noqa: F811
    call0(gdir, "update volume=Full-0001 volretention=1day maxvolbytes=10")
    text = call0(gdir, "update volume=Full-0001 frompool=yes")
    assert 'Volume defaults updated from "Full" Pool record.' in text
    v = vol(gdir)
    assert v["volretention"] == "31536000" and v["maxvolbytes"] == "53687091200"


def test_update_pool_job_stats(gdir):  # noqa: F811
    gdir.catalog.sql("UPDATE Pool SET MaxVols = 7 WHERE Name = 'Full'")
    text = call0(gdir, "update pool=Full")
    assert "Pool DB record updated from resource." in text and "| Full " in text
    assert [p["maxvols"] for p in call2(gdir, "list pools")["pools"] if p["name"] == "Full"] == ["100"]
    call0(gdir, "update jobid=2 jobname=Renamed starttime=\"2026-11-22 01:00:00\"")
    j = [j for j in call2(gdir, "llist jobs")["jobs"] if j["jobid"] == "2"][0]
    assert j["name"] == "Renamed" and j["starttime"] == "2026-11-22 01:00:00"
    assert j["endtime"] == "2026-11-22 01:00:02" and j["jobtdate"] == str(1795307806 + 1396)
    assert "Neither Client, StartTime" in call0(gdir, "update jobid=2")
    assert "Updating 2 job(s)." in call0(gdir, "update stats")
    assert "Updating 0 job(s)." in call0(gdir, "update stats")
