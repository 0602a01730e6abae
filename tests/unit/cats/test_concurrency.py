"""Many threads using one catalog at once (the Director is threaded)."""

from __future__ import annotations

import threading

from bareos.cats import open_catalog

LSTAT = "A A IH/ B A A A A A A A A A A A A"


def _run_threads(n, target):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]


def test_concurrent_jobs_with_shared_paths(cat):
    pid = cat.create_pool("Full")
    cid = cat.get_or_create_client("bareos-fd")
    n_threads, n_files = 8, 2000
    jobids = {}

    def job(i):
        jid = cat.create_job(f"job{i}.1", f"job{i}", "B", "F", ClientId=cid, PoolId=pid)
        jobids[i] = jid
        cat.start_job(jid)
        mid = cat.create_media(f"Vol-{i}", pid, "File")
        with cat.attribute_batch(jid, batch_size=500) as b:
            for k in range(n_files):
                # every thread writes into the same directories: Path rows race
                b.add(f"/shared/d{k % 50}/f{i}_{k}", LSTAT, "0", k + 1)
        cat.create_jobmedia(jid, mid, 1, n_files)
        cat.add_log(jid, f"job {i} done\n")
        cat.end_job(jid, "T", JobFiles=n_files)

    _run_threads(n_threads, job)
    assert len(set(jobids.values())) == n_threads
    for jid in jobids.values():
        assert cat.count_files(jid) == n_files
        assert cat.get_job(jid)["JobStatus"] == "T"
        assert len(cat.list_joblog(jid)) == 1
    assert cat.sql("SELECT COUNT(*) FROM Path")[1] == [["50"]]
    assert cat.get_pool("Full")["NumVols"] == n_threads


def test_concurrent_get_or_create_is_unique(cat):
    barrier = threading.Barrier(8)
    ids = []

    def worker(i):
        barrier.wait()
        ids.append(cat.get_or_create_client("same-fd"))
        ids.append(cat.get_or_create_storage("SameStorage"))

    _run_threads(8, worker)
    assert cat.sql("SELECT COUNT(*) FROM Client")[1] == [["1"]]
    assert cat.sql("SELECT COUNT(*) FROM Storage")[1] == [["1"]]


def test_readers_while_writing(cat):
    jid = cat.create_job("w.1", "w", "B", "F")
    stop = threading.Event()
    seen = []

    def writer(_):
        for k in range(20):
            cat.insert_attributes(jid, [(f"/w/{k}/{x}", LSTAT, "0", k * 100 + x) for x in range(100)])
        stop.set()

    def reader(_):
        while not stop.is_set():
            n = cat.count_files(jid)
            assert n % 100 == 0  # only whole committed batches are visible
            seen.append(n)
            cat.list_jobs()

    def run(i):
        (writer if i == 0 else reader)(i)

    _run_threads(4, run)
    assert cat.count_files(jid) == 2000
    assert seen


def test_two_catalog_objects_same_database(catalog_params):
    a = open_catalog(catalog_params)
    b = open_catalog(catalog_params)
    try:
        jid = a.create_job("x.1", "x", "B", "F")
        a.insert_attributes(jid, [("/p/q", LSTAT, "0", 1)])
        assert b.get_job(jid)["Job"] == "x.1"
        assert b.count_files(jid) == 1
        b.end_job(jid, "T")
        assert a.get_job(jid)["JobStatus"] == "T"
    finally:
        a.close()
        b.close()


def test_sqlite_connections_of_finished_threads_are_closed(tmp_path):
    import gc

    cat = open_catalog(driver="sqlite3", working_directory=str(tmp_path))
    try:
        def work(i):
            cat.create_job(f"t{i}.1", f"t{i}", "B", "F")

        for _ in range(5):
            _run_threads(10, work)
        gc.collect()
        # only the opening thread's connection is left
        assert cat.open_connections() == 1
        assert len(cat.list_jobs()) == 50
    finally:
        cat.close()
    assert cat.open_connections() == 0
