"""The File Daemon's backup path alone: CPU seconds to walk, read, hash,
(compress) and frame a tree, with the records written to a pipe that another
process drains (no Director, no SD).

    python bench/bench_fd_backup.py [--options MHAX] [--profile] [--tls] [--since T] PATH...

``--options`` are the FileSet option letters (default ``MAX``: MD5, ACL and
xattr support as the Director sends for ``Signature = MD5``).  ``--tls``
sends through a TLS-PSK socket pair instead of a pipe (the cost of TLS is
then in the figures).  Prints wall and CPU seconds of this process, files,
bytes, and with ``--profile`` the top functions (cProfile).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from bareos.filed.backup import Backup, RecordWriter  # noqa: E402
from bareos.filed.jcr import Jcr  # noqa: E402
from bareos.findlib import fileset as fsm  # noqa: E402
from bareos.lib import bnet  # noqa: E402


class _NoConfig:
    def get(self, rtype, name):
        return None

    def first(self, rtype):
        return None


class _Daemon:
    name = "bench-fd"
    client = None
    config = _NoConfig()
    _local_dests: list = []          # no local Append/File destinations

    def message_wanted(self, t):
        return False


class _PipeSink:
    """Something with ``_sendall`` that writes to a draining child process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["sh", "-c", "cat > /dev/null"], stdin=subprocess.PIPE)
        self.fd = self.proc.stdin.fileno()

    def _sendall(self, data) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


class _TlsSink:
    """A TLS-PSK socket pair on loopback; a thread of ours drains the far end
    (its CPU is counted too, as the SD's reading would be elsewhere)."""

    def __init__(self) -> None:
        from bareos.lib import tls
        key = b"0123456789abcdef0123456789abcdef"
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        settings = tls.TlsSettings()
        ctx = tls.server_context(settings, lambda ident: key)
        holder = {}

        def accept():
            c, _ = srv.accept()
            holder["s"] = tls.server_wrap(c, ctx, settings, handshake_timeout=10)

        t = threading.Thread(target=accept)
        t.start()
        c = socket.create_connection(("127.0.0.1", port))
        self.sock = tls.client_wrap(c, settings, tls.psk_identity("R_JOB", "bench"), key)
        t.join()
        self.peer = holder["s"]
        srv.close()
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _drain(self) -> None:
        try:
            while self.peer.recv(1 << 20):
                pass
        except OSError:
            pass

    def _sendall(self, data) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()
        self.drain.join(5)


def run(paths, options: str, tls: bool, since: float | None = None) -> dict:
    jcr = Jcr(_Daemon(), None)
    items = ["I", f"O {options}", "N"] + [f"F {p}" for p in paths] + ["N"]
    jcr.fileset = fsm.parse_fileset(items)
    jcr.level = "F"
    if since is not None:
        jcr.level = "I"
        jcr.incremental = True
        jcr.since_time = int(since)
    sink = _TlsSink() if tls else _PipeSink()
    w = RecordWriter(sink)
    t0 = time.monotonic()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    ok = Backup(jcr, w, 0).run()
    w.signal(bnet.BNET_EOD)
    w.close()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic() - t0
    sink.close()
    return {"ok": ok, "wall": wall, "cpu": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
            "user": r1.ru_utime - r0.ru_utime, "sys": r1.ru_stime - r0.ru_stime,
            "files": jcr.job_files, "bytes": jcr.job_bytes, "errors": jcr.job_errors}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--options", default="MAX")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--since", type=float, default=None,
                    help="an Incremental since this time (seconds since the epoch; 0 = now)")
    args = ap.parse_args(argv)
    since = None if args.since is None else (args.since or time.time())
    for _ in range(args.rounds):
        if args.profile:
            import cProfile
            import pstats
            prof = cProfile.Profile()
            res = prof.runcall(run, args.paths, args.options, args.tls, since)
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        else:
            res = run(args.paths, args.options, args.tls, since)
        print(f"ok={res['ok']} files={res['files']} bytes={res['bytes']} errors={res['errors']} "
              f"wall={res['wall']:.2f}s cpu={res['cpu']:.2f}s (user {res['user']:.2f}, sys {res['sys']:.2f})",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
