"""The volume tools as separate processes (``python -m bareos.tools.*``),
and -- once the Storage Daemon can append -- on a volume our SD wrote."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.unit.tools.conftest import tree_snapshot
from tests.unit.tools.volfactory import JobInfo, VolumeBuilder, make_tree, write_sd_config


def _run(module, *args):
    return subprocess.run([sys.executable, "-m", f"bareos.tools.{module}", *args],
                          capture_output=True, text=True, timeout=120)


def test_bls_bextract_bscan_processes(tmp_path):
    src = str(tmp_path / "src")
    make_tree(src)
    store = tmp_path / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "Full-0001"))
    job = vb.backup_tree(src, JobInfo(1, "backup.2024-01-01_00.00.00_01"))
    vb.close()
    conf = str(tmp_path / "conf")
    write_sd_config(conf, str(store))

    r = _run("bls", "-c", conf, "-V", "Full-0001", "FileStorage")
    assert r.returncode == 0, r.stderr
    assert f"{len(job.files)} files and directories found." in r.stdout

    out = tmp_path / "out"
    out.mkdir()
    r = _run("bextract", "-c", conf, "-V", "Full-0001", "FileStorage", str(out))
    assert r.returncode == 0, r.stderr
    assert tree_snapshot(os.path.join(str(out), src.lstrip("/"))) == tree_snapshot(src)

    db = tmp_path / "cat.db"
    r = _run("bscan", "-s", "-B", "sqlite3", "--db-file", str(db), "-c", conf,
             "-V", "Full-0001", "FileStorage")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT COUNT(*) FROM File").fetchone()[0] == len(job.files)
        assert con.execute("SELECT Job, JobStatus FROM Job").fetchall() == [(job.job, "T")]
    finally:
        con.close()

    junk = tmp_path / "junk"
    junk.write_text("hello\n" * 100)
    r = _run("bls", str(junk))
    assert r.returncode == 1 and "not a Bareos volume" in r.stderr


def _sd_missing() -> str | None:
    """None when the real bareos-sd and its test toys are there, else why not."""
    try:
        from bareos.stored.daemon import StorageDaemon  # noqa: F401
        from tests.integration.stored.test_sd_backup_restore import run_backup  # noqa: F401
    except ImportError as exc:
        return f"bareos-sd append path not available: {exc}"
    return None


def _fd_records(root: str):
    """What a File Daemon sends for ``root``: per file (stream, data) items,
    depth first, directories after their contents, hard links as LNKSAVED."""
    import hashlib
    import stat as S

    from bareos.lib.stat import encode_attributes, encode_stat
    from bareos.lib.streams import (FT_DIREND, FT_LNK, FT_LNKSAVED, FT_REG, FT_REGE, FT_SPEC,
                                    STREAM_FILE_DATA, STREAM_MD5_DIGEST,
                                    STREAM_UNIX_ATTRIBUTES)
    files, seen = [], {}

    def save(path):
        fi = len(files) + 1
        st = os.lstat(path)
        link, lfi, name = "", 0, path
        if S.S_ISDIR(st.st_mode):
            ft, name = FT_DIREND, path + "/"
        elif S.S_ISLNK(st.st_mode):
            ft, link = FT_LNK, os.readlink(path)
        elif S.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in seen:
                ft, (lfi, link) = FT_LNKSAVED, seen[key]
            else:
                seen[key] = (fi, path)
                ft = FT_REG if st.st_size else FT_REGE
        else:
            ft = FT_SPEC
        items = [(STREAM_UNIX_ATTRIBUTES,
                  encode_attributes(fi, ft, name, encode_stat(st, lfi, STREAM_FILE_DATA), link))]
        if ft == FT_REG:
            data = open(path, "rb").read()
            items.append((STREAM_FILE_DATA, [data[i:i + 65536]
                                             for i in range(0, len(data), 65536)]))
            items.append((STREAM_MD5_DIGEST, hashlib.md5(data).digest()))
        files.append(items)

    def walk(d):
        for n in sorted(os.listdir(d)):
            p = os.path.join(d, n)
            walk(p) if os.path.isdir(p) and not os.path.islink(p) else save(p)
        save(d)

    walk(root)
    return files


@pytest.mark.skipif(_sd_missing() is not None, reason=str(_sd_missing()))
def test_volume_written_by_our_sd(tmp_path):
    """A backup through the real bareos-sd (the test plays Director and FD),
    then bls, bextract and bscan on the volume it wrote."""
    from bareos.lib.config import load_config_text
    from bareos.stored.config import SCHEMA
    from bareos.stored.daemon import StorageDaemon
    from tests.integration.stored.test_sd_backup_restore import run_backup
    from tests.integration.stored.toys import sd_config

    src = str(tmp_path / "src")
    make_tree(src)
    files = _fd_records(src)
    work, archive = tmp_path / "work", tmp_path / "storage"
    work.mkdir()
    archive.mkdir()
    text = sd_config(str(work), str(archive))
    cfg = load_config_text(text, SCHEMA)
    sd = StorageDaemon(cfg)
    sd.start([("127.0.0.1", 0)])
    try:
        run_backup(sd, 1, "bk.2026-01-01_00.00.00_01", files)
    finally:
        sd.shutdown()
    vols = sorted(os.listdir(archive))
    assert vols, "the SD wrote no volume"
    conf = tmp_path / "conf"
    (conf / "bareos-sd.d").mkdir(parents=True)
    (conf / "bareos-sd.conf").write_text(text)
    r = _run("bls", "-c", str(conf / "bareos-sd.conf"), "-V", "|".join(vols), "FileStorage")
    assert r.returncode == 0, r.stderr
    assert f"{len(files)} files and directories found." in r.stdout
    out = tmp_path / "out"
    out.mkdir()
    r = _run("bextract", "-V", "|".join(vols), str(archive), str(out))
    assert r.returncode == 0, r.stderr
    assert "Error" not in r.stdout, r.stdout
    assert tree_snapshot(os.path.join(str(out), src.lstrip("/"))) == tree_snapshot(src)
    db = tmp_path / "cat.db"
    r = _run("bscan", "-s", "-B", "sqlite3", "--db-file", str(db), "-V", "|".join(vols),
             str(archive))
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT COUNT(*) FROM File").fetchone()[0] == len(files)
        assert con.execute("SELECT Job, JobStatus, JobFiles FROM Job").fetchall() == \
            [("bk.2026-01-01_00.00.00_01", "T", len(files))]
        assert con.execute("SELECT COUNT(*) FROM File WHERE Md5 != '0'").fetchone()[0] >= 3
    finally:
        con.close()
