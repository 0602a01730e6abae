"""Storage Daemon write throughput (run by hand; never a timed test).

    python bench/bench_sd.py [--mib 512] [--record-kib 1024] [--tls]

Starts a real bareos-sd (StorageDaemon) on 127.0.0.1 with a file device,
plays the Director (job, JIT reservation, catalog answers) and the File
Daemon (data channel, one stream of records of --record-kib KiB) over
loopback; the FD side runs in a forked process) and reports the SD's write rate: from ``append data`` until the
SD answered ``3000 OK append data`` (volume fsynced, JobMedia written).
"""

from __future__ import annotations

import argparse
import os
import sys
import multiprocessing
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from bareos.lib import bnet  # noqa: E402
from bareos.lib.config import load_config_text  # noqa: E402
from bareos.stored.config import SCHEMA  # noqa: E402
from bareos.stored.daemon import StorageDaemon  # noqa: E402
from tests.integration.stored.toys import ToyDirector, ToyFD, sd_config  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=512, help="payload in MiB")
    ap.add_argument("--record-kib", type=int, default=1024)
    ap.add_argument("--tls", action="store_true", help="TLS-PSK on both connections")
    args = ap.parse_args()
    rec = os.urandom(args.record_kib * 1024)
    nrec = args.mib * 1024 // args.record_kib
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "work")
        archive = os.path.join(tmp, "storage")
        os.mkdir(work)
        os.mkdir(archive)
        cfg = load_config_text(sd_config(work, archive, tls_enable=args.tls), SCHEMA)
        sd = StorageDaemon(cfg).start([("127.0.0.1", 0)])
        try:
            d = ToyDirector(sd.port, use_tls=args.tls)
            job = "bench.2026-01-01_00.00.00_01"
            _, _, key = d.job(1, job)
            d.use()
            timing = multiprocessing.get_context("fork").Queue()

            def fd_side():
                fd = ToyFD(sd.port, job, key, use_tls=args.tls)
                fd.bs.send("append open session\n")
                fd.text()
                fd.bs.send("append data 1\n")
                fd.text()
                t0 = time.perf_counter()
                fd.bs.send("1 1 0")
                fd.bs.send(b"1 3 /bench\x00AAAA\x00\x00\x00\x00")
                fd.bs.signal(bnet.BNET_EOD)
                fd.bs.send("1 2 0")
                for _ in range(nrec):
                    fd.bs.send(rec)
                fd.bs.signal(bnet.BNET_EOD)
                fd.bs.signal(bnet.BNET_EOD)
                reply = fd.text()
                timing.put(time.perf_counter() - t0)
                assert reply == "3000 OK append data\n", reply
                fd.bs.send("append end session 1\n")
                fd.text()
                fd.bs.send("append close session 1\n")
                fd.text()
                fd.bs.recv()
                fd.bs.signal(bnet.BNET_TERMINATE)

            # the File Daemon runs in its own process, as in real life
            t = multiprocessing.get_context("fork").Process(target=fd_side)
            t.start()
            end = d.run_and_serve()
            elapsed = timing.get(timeout=600)
            t.join()
            payload = nrec * len(rec)
            size = sum(os.path.getsize(os.path.join(archive, f)) for f in os.listdir(archive))
            print(f"{nrec} records of {len(rec)} bytes ({args.mib} MiB), TLS-PSK: {args.tls}, "
                  f"Python {sys.version.split()[0]}")
            print(f"SD write: {payload / elapsed / 1e6:8.1f} MB/s "
                  f"({elapsed:.2f} s, volume {size} bytes)")
            print(end.strip())
        finally:
            sd.shutdown()


if __name__ == "__main__":
    main()
