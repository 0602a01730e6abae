"""Throughput of the volume format code (run by hand; never a timed test).

    python bench/bench_volume.py [--mib 512] [--record-kib 1024] [--block-size 64512]

Measures, for records of ``--record-kib`` KiB:
  * pack:   RecordWriter only (records -> finished BB02 blocks with CRC), in memory
  * write:  pack + write the blocks to a file + fsync
  * read:   read the file back with read_blocks + RecordReader (CRC checked,
            records reassembled), and a check that every record came back
  * unpack: BlockReader + RecordReader over bytes already in memory
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from bareos.stored.volume import VolumeLabel, label_volume_block
from bareos.stored.volume.block import BlockReader, read_blocks
from bareos.stored.volume.record import RecordReader, RecordWriter


def mbps(nbytes: int, seconds: float) -> str:
    return f"{nbytes / seconds / 1e6:8.1f} MB/s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=512, help="payload volume in MiB")
    ap.add_argument("--record-kib", type=int, default=1024)
    ap.add_argument("--block-size", type=int, default=64512)
    ap.add_argument("--no-checksum", action="store_true")
    args = ap.parse_args()
    checksum = not args.no_checksum
    rec = os.urandom(args.record_kib * 1024)
    nrec = args.mib * 1024 // args.record_kib
    payload = nrec * len(rec)
    print(f"{nrec} records of {len(rec)} bytes, block size {args.block_size}, "
          f"checksum {'on' if checksum else 'off'}")

    # pack only
    w = RecordWriter(args.block_size, vol_session_id=1, vol_session_time=1, checksum=checksum)
    t = time.perf_counter()
    n = 0
    for i in range(nrec):
        for b in w.write(i + 1, 2, rec):
            n += len(b)
    b = w.flush()
    n += len(b) if b else 0
    dt = time.perf_counter() - t
    print(f"pack   {mbps(payload, dt)}  ({n} bytes in {w.blocks_written} blocks)")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "Bench-0001")
        # write
        w = RecordWriter(args.block_size, vol_session_id=1, vol_session_time=1,
                         block_number=1, checksum=checksum)
        t = time.perf_counter()
        with open(path, "wb", buffering=0) as f:
            f.write(label_volume_block(VolumeLabel("Bench-0001", pool_name="Full",
                                                   media_type="File")))
            for i in range(nrec):
                for blk in w.write(i + 1, 2, rec):
                    f.write(blk)
            blk = w.flush()
            if blk is not None:
                f.write(blk)
            os.fsync(f.fileno())
        dt = time.perf_counter() - t
        size = os.path.getsize(path)
        print(f"write  {mbps(payload, dt)}  (file {size} bytes, fsync included)")

        # read back
        t = time.perf_counter()
        rr = RecordReader()
        count = 0
        ok = True
        with open(path, "rb", buffering=0) as f:
            for item in read_blocks(f, checksum=checksum, chunk_size=4 << 20):
                for r in rr.read_block(item):
                    if r.file_index > 0:
                        count += 1
                        if len(r.data) != len(rec):
                            ok = False
        dt = time.perf_counter() - t
        print(f"read   {mbps(payload, dt)}  ({count} records back, "
              f"{'all intact' if ok and count == nrec else 'MISMATCH'})")

        with open(path, "rb") as f:
            raw = f.read()
    # unpack from memory
    t = time.perf_counter()
    br = BlockReader(checksum=checksum)
    rr = RecordReader()
    step = 4 << 20
    count = 0
    for i in range(0, len(raw), step):
        br.feed(raw[i:i + step])
        while (blk := br.next()) is not None:
            count += len(rr.read_block(blk))
    for blk in br.close():
        count += len(rr.read_block(blk))
    dt = time.perf_counter() - t
    print(f"unpack {mbps(payload, dt)}  ({count} records incl. label)")


if __name__ == "__main__":
    main()
