"""File-attribute insert rate of the catalog backends.

    python bench/bench_catalog.py [--rows 100000] [--batch 20000] [--backend sqlite|postgresql|all]

Inserts --rows file attribute rows (100 files per directory, realistic
LStat and digest strings) for one job through `Catalog.attribute_batch`, as
the Director does while a backup runs, and prints rows/s per backend.
PostgreSQL runs on a throw-away server started with tests/pgserver.py
(fsync off there, so its figure is an upper bound for a real server).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from bareos.cats import CatalogParams, open_catalog  # noqa: E402

LSTAT = "P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C"


def run(params: CatalogParams, rows: int, batch: int) -> tuple[float, float]:
    cat = open_catalog(params)
    try:
        jid = cat.create_job("bench.1", "bench", "B", "F")
        t0 = time.perf_counter()
        with cat.attribute_batch(jid, batch_size=batch) as b:
            for i in range(rows):
                d = i // 100
                if i % 100 == 0:
                    b.add(f"/bench/data/dir{d:05d}/", LSTAT, "0", i + 1)
                else:
                    b.add(f"/bench/data/dir{d:05d}/file-{i:07d}.dat", LSTAT,
                          "kq3+8NUCn5Ab9kVfaT3q9g", i + 1)
        elapsed = time.perf_counter() - t0
        assert cat.count_files(jid) == rows
        t1 = time.perf_counter()
        listed = len(cat.list_files(jid))
        list_elapsed = time.perf_counter() - t1
        assert listed == rows
        return elapsed, list_elapsed
    finally:
        cat.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    args = ap.parse_args()

    if args.backend in ("sqlite", "all"):
        for sync in ("FULL", "NORMAL"):
            with tempfile.TemporaryDirectory() as d:
                from bareos.cats.sqlite import SQLiteCatalog

                p = CatalogParams(driver="sqlite3", working_directory=d)
                cat = SQLiteCatalog(p, synchronous=sync)
                cat.ensure_schema()
                cat.close()
                if sync == "NORMAL":
                    # measure through a catalog opened with that setting
                    cat = SQLiteCatalog(p, synchronous=sync)
                    jid = cat.create_job("bench.1", "bench", "B", "F")
                    t0 = time.perf_counter()
                    with cat.attribute_batch(jid, batch_size=args.batch) as b:
                        for i in range(args.rows):
                            b.add(f"/bench/data/dir{i // 100:05d}/file-{i:07d}.dat", LSTAT,
                                  "kq3+8NUCn5Ab9kVfaT3q9g", i + 1)
                    el = time.perf_counter() - t0
                    cat.close()
                    print(f"sqlite3 (synchronous=NORMAL): {args.rows} rows in {el:.2f} s = "
                          f"{args.rows / el:,.0f} rows/s")
                else:
                    el, lel = run(p, args.rows, args.batch)
                    print(f"sqlite3 (WAL, synchronous=FULL, default): {args.rows} rows in "
                          f"{el:.2f} s = {args.rows / el:,.0f} rows/s; list files "
                          f"{args.rows / lel:,.0f} rows/s")

    if args.backend in ("postgresql", "all"):
        from pgserver import PgServer, pg_unavailable_reason

        reason = pg_unavailable_reason()
        if reason:
            print(f"postgresql: skipped ({reason})")
        else:
            with PgServer() as srv:
                srv.create_database("bench")
                p = CatalogParams(driver="postgresql", name="bench", address=srv.host,
                                  port=srv.port, user="bareos")
                el, lel = run(p, args.rows, args.batch)
                print(f"postgresql (COPY + INSERT..SELECT, fsync off): {args.rows} rows in "
                      f"{el:.2f} s = {args.rows / el:,.0f} rows/s; list files "
                      f"{args.rows / lel:,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
