"""What this machine allows, measured in the same run as the jobs."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

MiB = 1024 * 1024


def read_large(paths: list[Path]) -> float:
    """MB/s reading the large files with readinto(1 MiB)."""
    buf = bytearray(MiB)
    view = memoryview(buf)
    total = 0
    t0 = time.perf_counter()
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while True:
                n = f.readinto(view)
                if not n:
                    break
                total += n
    return total / 1e6 / (time.perf_counter() - t0)


def read_small(root: Path) -> tuple[float, float]:
    """(files/s, entries/s of scandir+lstat) reading every small file whole."""
    t0 = time.perf_counter()
    entries = 0
    stack = [str(root)]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            for e in it:
                entries += 1
                e.stat(follow_symlinks=False)
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
    walk = entries / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    files = 0
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                continue
            with open(p, "rb") as f:
                f.read()
            files += 1
    return files / (time.perf_counter() - t0), walk


def create_small(root: Path, dest: Path) -> float:
    """files/s making a copy of the small tree's shape in *dest* in one
    thread: every directory, every regular file with its size (open
    O_CREAT|O_EXCL, one write, futimens, close) and every symlink: the least
    a File Daemon's restore of it costs in system calls.  *dest* is left in
    place (deleting ~50,000 files slows the file creation of the next
    minutes on an ext4 without journal); the caller removes it at the end."""
    dirs: list[str] = []
    files: list[tuple[str, int, int]] = []
    links: list[tuple[str, str]] = []
    base = len(str(root))
    for dirpath, _dirs, names in os.walk(root):
        rel = dirpath[base:]
        dirs.append(rel)
        for n in names:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if os.path.islink(p):
                links.append((f"{rel}/{n}", os.readlink(p)))
            else:
                files.append((f"{rel}/{n}", st.st_size, st.st_mtime_ns))
    buf = bytes(max((f[1] for f in files), default=0))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    out = str(dest)
    t0 = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    for d in dirs[1:]:
        os.mkdir(out + d)
    for rel, size, mtime in files:
        fd = os.open(out + rel, flags, 0o644)
        if size:
            os.write(fd, buf[:size])
        os.utime(fd, ns=(mtime, mtime))
        os.close(fd)
    for rel, target in links:
        os.symlink(target, out + rel)
    return (len(files) + len(links)) / (time.perf_counter() - t0)


def _fresh_dir(parent: Path, prefix: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def md5_rate(mib: int = 256) -> float:
    buf = os.urandom(MiB)
    t0 = time.perf_counter()
    h = hashlib.md5()
    for _ in range(mib):
        h.update(buf)
    h.hexdigest()
    return mib * MiB / 1e6 / (time.perf_counter() - t0)


def loopback_rate(mib: int = 1024) -> float:
    """One TCP stream over 127.0.0.1, 1 MiB sends, receiver in another thread."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    got = [0]

    def receive():
        c, _ = srv.accept()
        buf = bytearray(MiB)
        v = memoryview(buf)
        while True:
            n = c.recv_into(v)
            if not n:
                break
            got[0] += n
        c.close()

    t = threading.Thread(target=receive, daemon=True)
    t.start()
    s = socket.create_connection(("127.0.0.1", port))
    data = os.urandom(MiB)
    t0 = time.perf_counter()
    for _ in range(mib):
        s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(60)
    dt = time.perf_counter() - t0
    s.close()
    srv.close()
    return got[0] / 1e6 / dt


def sqlite_rate(path: Path, rows: int = 50_500) -> float:
    """Rows/s inserting File-like rows in one transaction (WAL, file on disk)."""
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE f (id INTEGER PRIMARY KEY, fi INTEGER, job INTEGER, path INTEGER, "
                   "name TEXT, lstat TEXT, md5 TEXT)")
        data = [(i, 1, i // 100, f"f{i:06d}.dat", "P0A CCYd IGk B Po Po A EAA BAA I BnIoH3 BnIoH3 BnIoH3 A A C",
                 "1B2M2Y8AsgTpgAmY7PhCfg") for i in range(rows)]
        t0 = time.perf_counter()
        with db:
            db.executemany("INSERT INTO f (fi, job, path, name, lstat, md5) VALUES (?,?,?,?,?,?)", data)
        return rows / (time.perf_counter() - t0)
    finally:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(path) + suffix)
            except OSError:
                pass


def measure(large: list[Path], small: Path, scratch: Path, quick: bool, kept: Path) -> dict:
    small_files, walk = read_small(small)
    return {
        "create_small_files_per_s": round(create_small(small, _fresh_dir(kept, "limits-create-"))),
        "read_large_MBps": round(read_large(large)),
        "read_small_files_per_s": round(small_files),
        "scandir_lstat_entries_per_s": round(walk),
        "md5_1MiB_MBps": round(md5_rate(64 if quick else 256)),
        "loopback_tcp_1MiB_MBps": round(loopback_rate(256 if quick else 1024)),
        "sqlite_inserts_per_s": round(sqlite_rate(scratch / "limits.db")),
    }
