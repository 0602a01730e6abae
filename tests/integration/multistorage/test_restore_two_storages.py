"""A restore whose selected jobs lie on two Storages (a Full on File, an
Incremental on File2): the Director splits the bootstrap by its Storage=
lines and runs the restore storage by storage, reconnecting the File Daemon
to each Storage Daemon in turn (as Bareos's DoNativeRestoreBootstrap).

Both layouts: File2 as a second device of the same Storage Daemon, and
File2 on a second Storage Daemon process.  Real daemons on 127.0.0.1.
"""

from __future__ import annotations

import os
import re

import pytest

from bareos.quickstart.run import compare_trees

from tests.integration.copymigrate.conftest import (
    SecondSd, configure, joblog, make_tree, needs_psk, query, run, wait,
)

pytestmark = needs_psk


def _change(src):
    (src / "a" / "f2.txt").write_text("changed after the full\n")
    (src / "a" / "new-in-incr.txt").write_text("only in the incremental\n")
    st = os.stat(src / "a" / "f2.txt")
    os.utime(src / "a" / "f2.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 3_000_000_000))


@pytest.mark.parametrize("layout", ["one-sd", "two-sds", "two-sds-passive"])
def test_restore_full_and_incremental_on_two_storages(site_factory, tmp_path, layout):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=7)
    site = site_factory(src)
    sd2 = None
    if layout.startswith("two-sds"):
        sd2 = SecondSd(site)
        configure(site, sd_port=sd2.port)
        sd2.start()
    else:
        configure(site)
    if layout.endswith("passive"):   # the SDs call the FD, for every storage part
        site.add_directives("client/bareos-fd.conf", "Passive = yes")
    site.start()
    con = site.console()
    try:
        full = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, full) == "T", joblog(con, full)
        _change(src)
        incr = run(con, "run job=backup-bareos-fd level=Incremental pool=Copy storage=File2 yes")
        assert wait(con, incr) == "T", joblog(con, incr)
        stores = query(site, "SELECT DISTINCT Job.JobId, Storage.Name FROM Job "
                             "JOIN JobMedia USING (JobId) JOIN Media USING (MediaId) "
                             "JOIN Storage ON Storage.StorageId = Media.StorageId "
                             "WHERE Job.JobId IN (?, ?) ORDER BY Job.JobId", (full, incr))
        assert stores == [(full, "File"), (incr, "File2")], stores

        where = tmp_path / "restored"
        out = con.call(f"restore client=bareos-fd fileset=Quickstart where={where} "
                       "select current all done yes").decode()
        m = re.search(r"Job queued\. JobId=(\d+)", out)
        assert m, out
        rid = int(m.group(1))
        assert wait(con, rid, timeout=120) == "T", joblog(con, rid)
        rlog = joblog(con, rid)
        assert 'Using Device "FileStorage" to read.' in rlog, rlog
        assert 'Using Device "FileStorage2" to read.' in rlog, rlog
        files = 14 + 2 + 2   # tree files and dirs of make_tree, plus the incremental's new file
        m = re.search(r"Files Restored:\s+([\d,]+)", rlog)
        assert m and int(m.group(1).replace(",", "")) >= files - 4, rlog
        assert "Termination:            Restore OK" in rlog, rlog
        if layout.endswith("passive"):
            assert rlog.count("Connected File Daemon at") == 2, rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
        if sd2 is not None:
            sd2.stop()
