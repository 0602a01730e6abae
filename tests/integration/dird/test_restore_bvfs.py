"""The `.bvfs_*` commands (bareos-webui's file browser and restore path) on a
real Director with a SQLite catalog."""

from __future__ import annotations

import pytest

from bareos.lib import bsr as libbsr
from bareos.lib import tls
from tests.integration.dird.restore_helpers import (  # noqa: F401 (fixtures)
    BASE,
    connect,
    director_config_dir,
    fill_golden_job,
    jobs,
)

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")



def _path_id(director, path):
    _c, rows = director.catalog.sql("SELECT PathId FROM Path WHERE Path = ?", (path,))
    return int(rows[0][0])


def test_update_lsdirs_lsfiles_text_and_json(director):
    jid = fill_golden_job(director)
    con = connect(director)
    jcon = connect(director, json=True)
    try:
        con.call(f".bvfs_update jobid={jid}")
        _c, rows = director.catalog.sql("SELECT HasCache FROM Job WHERE JobId = ?", (jid,))
        assert rows == [["1"]]
        root = con.call(f".bvfs_lsdirs jobid={jid} path=").decode().splitlines()
        names = [ln.split("\t")[4] for ln in root if "\t" in ln]
        assert names == [".", "/"]
        top = con.call(f".bvfs_lsdirs jobid={jid} path={BASE}").decode().splitlines()
        names = [ln.split("\t")[4] for ln in top if "\t" in ln]
        assert names == [".", "..", "cats/", "findlib/", "lib/"]
        lib = [ln.split("\t") for ln in top if ln.endswith("\tlib/")][0]
        assert int(lib[2]) == jid and int(lib[1]) > 0  # the directory entry of lib/
        files = con.call(f".bvfs_lsfiles jobid={jid} path={BASE}lib/").decode().splitlines()
        assert len([f for f in files if "\t" in f]) == 206
        assert files[0].split("\t")[4] < files[1].split("\t")[4]
        pid = _path_id(director, BASE + "lib/")
        result = jcon.call(f".bvfs_lsfiles jobid={jid} pathid={pid} limit=5 offset=1")
        entries = result["files"]
        assert len(entries) == 5
        e = entries[0]
        assert e["type"] == "F" and e["pathid"] == pid and e["jobid"] == jid
        assert set(e["stat"]) == {"dev", "ino", "mode", "nlink", "uid", "gid", "user", "group",
                                  "rdev", "size", "atime", "mtime", "ctime"}
        assert e["stat"]["mode"] == 0o100644 and e["linkfileindex"] == 0
        dirs = jcon.call(f".bvfs_lsdirs jobid={jid} path={BASE}")["directories"]
        assert [d["name"] for d in dirs] == [".", "..", "cats/", "findlib/", "lib/"]
        assert dirs[4]["fullpath"] == BASE + "lib/"
    finally:
        con.close()
        jcon.close()


def test_get_jobids_versions_restore_cleanup(director, jobs):
    full = fill_golden_job(director, start="2026-11-01 10:00:00")
    inc = fill_golden_job(director, [BASE + "lib/", BASE + "lib/tree.h", BASE],
                          level="I", start="2026-11-10 10:00:00", vol_session_id=2)
    con = connect(director)
    jcon = connect(director, json=True)
    try:
        # Bareos prints the catalog in use once per session in API 0
        assert con.call(f".bvfs_get_jobids jobid={inc}").decode() == (
            f'Using Catalog "MyCatalog"\n{full},{inc}\n')
        assert jcon.call(f".bvfs_get_jobids jobid={inc}") == {
            "jobids": [{"id": str(full)}, {"id": str(inc)}]}
        con.call(".bvfs_update")
        pid = _path_id(director, BASE + "lib/")
        versions = jcon.call(f".bvfs_versions jobid=0 client=bareos-fd pathid={pid} "
                             "fname=tree.h")["versions"]
        assert [v["jobid"] for v in versions] == [inc, full]
        assert versions[0]["volumename"] == "Full-0001"
        lsf = jcon.call(f".bvfs_lsfiles jobid={full},{inc} pathid={pid}")["files"]
        tree_h = [f for f in lsf if f["name"] == "tree.h"]
        assert tree_h and tree_h[0]["jobid"] == inc
        fileid = tree_h[0]["fileid"]
        cats = _path_id(director, BASE + "cats/")
        out = con.call(f".bvfs_restore path=b2123 jobid={full},{inc} fileid={fileid} "
                       f"dirid={cats}").decode()
        assert out == "OK\n"
        _c, rows = director.catalog.sql("SELECT COUNT(*) FROM b2123")
        restored = int(rows[0][0])
        assert restored > 1
        out = con.call("restore file=?b2123 client=bareos-fd where=/tmp/w yes").decode()
        assert f"{restored} files selected to be restored." in out
        assert con.call(".bvfs_cleanup path=b2123").decode() == ""
        with pytest.raises(Exception):
            director.catalog.sql("SELECT COUNT(*) FROM b2123")
        assert con.call(".bvfs_clear_cache yes").decode() == "OK\n"
        _c, rows = director.catalog.sql("SELECT COUNT(*) FROM PathVisibility")
        assert rows == [["0"]]
    finally:
        con.close()
        jcon.close()
    (jcr,) = jobs
    entries = libbsr.parse_bsr(jcr.bootstrap).entries
    assert sum(e.count for e in entries) == restored
    assert any(e.sessids == [(2, 2)] for e in entries)


def test_bvfs_argument_errors(director):
    fill_golden_job(director)
    con = connect(director)
    try:
        assert "Can't find jobid, pathid or path argument" in con.call(".bvfs_lsdirs").decode()
        assert "Can't find 'yes' argument" in con.call(".bvfs_clear_cache").decode()
        assert "Can't find path argument" in con.call(".bvfs_cleanup").decode()
        assert "Can't find ujobid or jobid argument" in con.call(".bvfs_get_jobids").decode()
        assert "Can't find client or fname argument" in con.call(
            ".bvfs_versions jobid=1 pathid=1").decode()
        assert "Can't create restore list" in con.call(
            ".bvfs_restore path=evil jobid=1 fileid=1").decode()
    finally:
        con.close()
