"""Volume choice for the SD's FindMedia/GetVolInfo (catreq) with Bareos's
recycling: appendable first, then Recycle, oldest Purged, pruning expired
volumes, Scratch pool, new volumes, Purge/Recycle Oldest Volume; volume
limits marking volumes Full/Used.  A real Director configuration (the
golden tree) and a real SQLite catalog."""

from __future__ import annotations

import time

import pytest

from bareos.dird import retention
from bareos.dird.catreq import CatalogService
from bareos.dird.jcr import Jcr

from tests.conftest import write_director_config

DAY = 86400
OLD = time.time() - 400 * DAY          # older than the Full pool's 365 days


def _director(tmp_path, extra: dict[str, str] | None = None):
    from bareos.dird.config import SCHEMA
    from bareos.dird.director import Director
    from bareos.lib.config import load_config

    etc = write_director_config(tmp_path, sqlite=True)
    for name, text in (extra or {}).items():
        (etc / "bareos-dir.d" / "pool" / f"{name}.conf").write_text(text)
    d = Director(load_config(str(etc), SCHEMA), config_path=str(etc))
    d.catalog.sync_pools(d.resources("Pool"))
    return d


@pytest.fixture
def d(tmp_path):
    director = _director(tmp_path)
    yield director
    director.catalog.close()


def _svc(d, pool="Full"):
    jcr = Jcr(director=d, job_res=d.get("Job", "backup-bareos-fd"))
    jcr.pool = d.get("Pool", pool)
    jcr.pool_id = int(d.catalog.get_pool(pool)["PoolId"])
    return CatalogService(jcr, d.catalog)


def _find(svc, pool="Full", index=1, unwanted=""):
    return svc.cat_req(f"CatReq Job=x FindMedia={index} pool_name={pool} media_type=File "
                       f"unwanted_volumes={unwanted}\n")


def _vol(reply: str) -> str:
    assert reply.startswith("1000 OK VolName="), reply
    return reply.split()[2].split("=", 1)[1]


def _job_on(cat, media_id, when, name="backup-bareos-fd", files=10):
    jid = cat.create_job(f"{name}.{when}", name, "B", "F", SchedTime=when)
    cat.start_job(jid, when, JobTDate=int(when))
    cat.create_jobmedia(jid, media_id, 1, files, 0, 0, 0, 100)
    cat.end_job(jid, "T", when, JobFiles=files)
    return jid


def _full_volume(cat, name, pool="Full", when=OLD, status="Full", **cols):
    pid = cat.get_pool(pool)["PoolId"]
    mid = cat.create_media(name, pid, "File", VolStatus=status, **cols)
    cat.update_media(mid, FirstWritten=when, LastWritten=when, VolJobs=1, VolBytes=1000)
    return mid


def test_new_volume_from_label_format(d):
    reply = _find(_svc(d))
    assert _vol(reply) == "Full-0001"
    m = d.catalog.get_media("Full-0001")
    assert m["VolStatus"] == "Append"
    # asked again: the same appendable volume
    assert _vol(_find(_svc(d))) == "Full-0001"
    # unwanted: a second one is created
    assert _vol(_find(_svc(d), unwanted="Full-0001")) == "Full-0002"


def test_oldest_purged_volume_is_recycled(d):
    cat = d.catalog
    a = _full_volume(cat, "P-old", status="Purged", when=OLD)
    _full_volume(cat, "P-new", status="Purged", when=time.time() - DAY)
    reply = _find(_svc(d))
    assert _vol(reply) == "P-old"
    m = cat.get_media(media_id=a)
    assert m["VolStatus"] == "Recycle"
    assert (int(m["VolJobs"]), int(m["VolBytes"]), int(m["RecycleCount"])) == (0, 1, 1)
    assert not m["FirstWritten"] and not m["LastWritten"]
    assert "VolStatus=Recycle" in reply


def test_expired_full_volume_is_pruned_and_recycled(d):
    cat = d.catalog
    mid = _full_volume(cat, "Full-0001")
    old_job = _job_on(cat, mid, OLD)
    keep = _full_volume(cat, "Full-0002", when=time.time() - DAY)
    young = _job_on(cat, keep, time.time() - DAY)
    assert _vol(_find(_svc(d))) == "Full-0001"
    assert cat.get_job(old_job) is None
    assert cat.get_media(media_id=mid)["VolStatus"] == "Recycle"
    assert cat.get_job(young) is not None
    assert cat.get_media(media_id=keep)["VolStatus"] == "Full"


def test_no_prune_without_autoprune(tmp_path):
    d = _director(tmp_path, {"Full": 'Pool {\n  Name = Full\n  Pool Type = Backup\n  Recycle = yes\n'
                                      '  AutoPrune = no\n  Volume Retention = 1 days\n'
                                      '  Label Format = "Full-"\n}\n'})
    cat = d.catalog
    mid = _full_volume(cat, "Full-0001")
    jid = _job_on(cat, mid, OLD)
    # not pruned: a new volume is made instead
    assert _vol(_find(_svc(d))) == "Full-0002"
    assert cat.get_job(jid) is not None
    assert cat.get_media(media_id=mid)["VolStatus"] == "Full"


def test_volume_limits_mark_full_and_used(d):
    cat = d.catalog
    pid = cat.get_pool("Full")["PoolId"]
    jobs = cat.create_media("Jobs-1", pid, "File", MaxVolJobs=2)
    cat.update_media(jobs, VolJobs=2, LastWritten=time.time(), FirstWritten=time.time())
    big = cat.create_media("Bytes-1", pid, "File", MaxVolBytes=1000)
    cat.update_media(big, VolJobs=1, VolBytes=5000, LastWritten=time.time() - 10,
                     FirstWritten=time.time() - 10)
    dur = cat.create_media("Dur-1", pid, "File", VolUseDuration=DAY)
    cat.update_media(dur, VolJobs=1, VolBytes=10, FirstWritten=time.time() - 2 * DAY,
                     LastWritten=time.time() - 20)
    for mid in (jobs, big, dur):  # young data: nothing to prune
        _job_on(cat, mid, time.time() - 60)
    assert _vol(_find(_svc(d))) == "Full-0004"
    assert cat.get_media(media_id=jobs)["VolStatus"] == "Used"
    assert cat.get_media(media_id=big)["VolStatus"] == "Full"
    assert cat.get_media(media_id=dur)["VolStatus"] == "Used"


def test_scratch_pool_volume_is_taken(d):
    cat = d.catalog
    scratch = cat.get_pool("Scratch")["PoolId"]
    # no Label Format in this pool: only Scratch can help
    incr_pid = cat.get_pool("Incremental")["PoolId"]
    cat.update_pool(incr_pid, LabelFormat="*")
    sid = cat.create_media("Scratch-1", scratch, "File", VolStatus="Append")
    reply = _find(_svc(d, "Incremental"), pool="Incremental")
    assert _vol(reply) == "Scratch-1"
    assert int(cat.get_media(media_id=sid)["PoolId"]) == incr_pid


def test_purge_oldest_volume(tmp_path):
    d = _director(tmp_path, {"Tight": 'Pool {\n  Name = Tight\n  Pool Type = Backup\n'
                                       '  Maximum Volumes = 2\n  Purge Oldest Volume = yes\n'
                                       '  Volume Retention = 365 days\n  Label Format = "Tight-"\n}\n'})
    cat = d.catalog
    now = time.time()
    a = _full_volume(cat, "Tight-0001", pool="Tight", when=now - 2 * DAY)
    b = _full_volume(cat, "Tight-0002", pool="Tight", when=now - DAY)
    ja = _job_on(cat, a, now - 2 * DAY)
    jb = _job_on(cat, b, now - DAY)
    assert _vol(_find(_svc(d, "Tight"), pool="Tight")) == "Tight-0001"
    assert cat.get_job(ja) is None
    assert cat.get_job(jb) is not None
    assert cat.get_media(media_id=a)["VolStatus"] == "Recycle"


def test_recycle_oldest_volume_respects_retention(tmp_path):
    d = _director(tmp_path, {"Tight": 'Pool {\n  Name = Tight\n  Pool Type = Backup\n'
                                       '  Maximum Volumes = 1\n  Recycle Oldest Volume = yes\n'
                                       '  AutoPrune = no\n'
                                       '  Volume Retention = 365 days\n  Label Format = "Tight-"\n}\n'})
    cat = d.catalog
    a = _full_volume(cat, "Tight-0001", pool="Tight", when=time.time() - DAY)
    ja = _job_on(cat, a, time.time() - DAY)
    # the data is younger than the retention: no volume
    assert _find(_svc(d, "Tight"), pool="Tight") == "1901 No Media.\n"
    assert cat.get_job(ja) is not None
    cat.update_media(a, VolRetention=60)
    cat.update_job(ja, JobTDate=int(time.time() - 3600))
    assert _vol(_find(_svc(d, "Tight"), pool="Tight")) == "Tight-0001"
    assert cat.get_job(ja) is None


def test_get_vol_info_recycles_current_purged_volume(d):
    cat = d.catalog
    mid = _full_volume(cat, "Full-0007", status="Purged")
    svc = _svc(d)
    reply = svc.cat_req("CatReq Job=x GetVolInfo VolName=Full-0007 write=1\n")
    assert "VolStatus=Recycle" in reply
    assert cat.get_media(media_id=mid)["VolStatus"] == "Recycle"
    full = _full_volume(cat, "Full-0008")
    _job_on(cat, full, time.time())
    reply = svc.cat_req("CatReq Job=x GetVolInfo VolName=Full-0008 write=1\n")
    assert reply == ('1998 Volume "Full-0008" catalog status is Full, but should be Append, '
                     "Purged or Recycle.\n")
    # reading is always fine
    assert svc.cat_req("CatReq Job=x GetVolInfo VolName=Full-0008 write=0\n").startswith("1000 OK")


def test_recycle_current_volume(tmp_path):
    d = _director(tmp_path, {"Full": 'Pool {\n  Name = Full\n  Pool Type = Backup\n'
                                      '  Recycle Current Volume = yes\n  Volume Retention = 1 days\n'
                                      '  Label Format = "Full-"\n}\n'})
    cat = d.catalog
    mid = _full_volume(cat, "Full-0001")
    jid = _job_on(cat, mid, OLD)
    reply = _svc(d).cat_req("CatReq Job=x GetVolInfo VolName=Full-0001 write=1\n")
    assert "VolStatus=Recycle" in reply
    assert cat.get_job(jid) is None


def test_prune_volume_messages(d):
    cat = d.catalog
    mid = _full_volume(cat, "Full-0001")
    j1 = _job_on(cat, mid, OLD)
    r = retention.ListReporter()
    media = cat.get_media(media_id=mid)
    assert retention.prune_volume(cat, r, media) is True
    assert r.text == (
        f'Volume "Full-0001" has Volume Retention of 31536000 sec. and has 1 jobs that will be pruned\n'
        "Pruning volume Full-0001: 1 Jobs have expired and can be pruned.\n"
        f"Purging the following 1 JobIds: {j1}\n"
        'There are no more Jobs associated with Volume "Full-0001". Marking it purged.\n'
        'Volume "Full-0001" contains no jobs after pruning.\n')
    r = retention.ListReporter()
    app = cat.create_media("A-1", cat.get_pool("Full")["PoolId"], "File")
    assert retention.prune_volume(cat, r, cat.get_media(media_id=app)) is False
    assert r.text == ("Pruning volume A-1: cannot prune as Volstatus is Append but needs to be "
                      "Full or Used.\n")


def test_recycle_pool_move_on_purge(d):
    cat = d.catalog
    scratch = cat.get_pool("Scratch")["PoolId"]
    mid = _full_volume(cat, "Full-0001", RecyclePoolId=scratch)
    _job_on(cat, mid, OLD)
    r = retention.ListReporter(jobid=5)
    assert retention.prune_volume(cat, r, cat.get_media(media_id=mid))
    m = cat.get_media(media_id=mid)
    assert (m["VolStatus"], int(m["PoolId"])) == ("Purged", scratch)
    assert 'All records pruned from Volume "Full-0001"; marking it "Purged"\n' in r.text


def test_edit_utime():
    assert retention.edit_utime(15552000) == "6 months "
    assert retention.edit_utime(5184000) == "2 months "
    assert retention.edit_utime(0) == "0 secs"
    assert retention.edit_utime(31536000 + 86400 + 61) == "1 year 1 day 1 min 1 sec"


def test_concurrent_jobs_each_get_their_own_new_volume(d):
    """Jobs that all need a new volume at the same moment get distinct
    volumes: the label-format name is chosen and created under one lock (two
    jobs creating the same "Full-0002" failed one of them)."""
    import threading

    n = 8
    # the SD's unwanted list: volumes in use by other jobs (here: any name)
    unwanted = ",".join(f"Full-{i:04d}" for i in range(1, 2 * n + 1))
    barrier = threading.Barrier(n)
    replies: list[str] = []
    lock = threading.Lock()

    def job() -> None:
        svc = _svc(d)
        barrier.wait()
        r = _find(svc, unwanted=unwanted)
        with lock:
            replies.append(r)

    threads = [threading.Thread(target=job) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(replies) == n
    assert all(r.startswith("1000 OK VolName=") for r in replies), replies
    names = [_vol(r) for r in replies]
    assert len(set(names)) == n, names
    assert all(d.catalog.get_media(v) is not None for v in names)
