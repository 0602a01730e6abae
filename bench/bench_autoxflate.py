"""SD deflate throughput per algorithm (autoxflate-sd's write path).

Runs the Xflater on 256 KiB records (the FD's default buffer) of a
half-compressible payload and prints MB/s and the ratio per algorithm.
Run by hand: ``python bench/bench_autoxflate.py [MiB]``.
"""

from __future__ import annotations

import os
import sys
import time

from bareos.lib.streams import STREAM_FILE_DATA
from bareos.plugins.autoxflate import ALGORITHMS, Xflater


def payload(size: int) -> bytes:
    text = b"".join(b"%08d some log line with a little entropy %d\n" % (i, i * 7919 % 1000)
                    for i in range(size // 96))
    return (text + os.urandom(size))[:size]


def main(argv=None) -> int:
    mib = int((argv or sys.argv[1:] or ["64"])[0])
    rec = 256 * 1024
    block = payload(8 * rec)
    records = [block[i:i + rec] for i in range(0, len(block), rec)]
    total = mib * 1024 * 1024
    print(f"{'algorithm':10} {'MB/s':>8} {'ratio':>8}")
    for name in ALGORITHMS:
        fl = Xflater("bench", {"Auto Deflate": "out", "Auto Deflate Algorithm": name}, lambda t, m: None)
        if not fl.active:
            print(f"{name:10} {'n/a':>8}")
            continue
        done = 0
        t0 = time.perf_counter()
        while done < total:
            for r in records:
                fl.translate(STREAM_FILE_DATA, r, True)
                done += len(r)
        dt = time.perf_counter() - t0
        ratio = fl.deflate_bytes_out * 100.0 / fl.deflate_bytes_in
        print(f"{name:10} {done / dt / 1e6:8.1f} {ratio:7.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
