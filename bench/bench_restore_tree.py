"""How long the restore selection tree takes for a big job.

    python bench/bench_restore_tree.py [--files 1000000] [--per-dir 50] [--db PATH]

Fills a SQLite catalog with one Full job of --files catalogued entries
(--per-dir files per directory, three directory levels, realistic LStat
strings), then measures what `restore` does with it: the streaming query and
the tree build (`bareos.dird.tree.build_tree`), `mark *` from the root, the
FileIndex selection for the bootstrap, and peak memory of the tree.  The
catalog is kept in --db (reused when it exists) so repeated runs skip the
fill.  Not part of the test suite.

Measured (2-core test machine shared with other work, Python 3.11, SQLite,
1,000,000 entries in 20,000 directories): query + fetch 1.5 s, tree build
(query included) 3.6 s = ~280,000 rows/s, `mark *` 0.7 s, bootstrap
selection 1.1 s; the tree holds ~58 MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc

from bareos.cats import open_catalog
from bareos.dird.tree import RestoreTree, build_tree, tree_groups

LSTAT_FILE = "P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C"
LSTAT_DIR = "P0D BJAEx EHt C Po Po A BAA BAA I BdGwCZ BdGwCZ BdGwCZ A A 5"


def fill(cat, files: int, per_dir: int) -> int:
    jid = cat.create_job("bench-restore.1", "bench-restore", "B", "F")
    t0 = time.perf_counter()
    fi = 0
    with cat.attribute_batch(jid, batch_size=50_000) as b:
        d = 0
        while fi < files:
            top, mid, low = d // 10_000, (d // 100) % 100, d % 100
            base = f"/bench/data/t{top:03d}/m{mid:03d}/d{low:03d}/"
            for k in range(min(per_dir - 1, files - fi - 1)):
                fi += 1
                b.add(f"{base}file-{k:05d}.dat", LSTAT_FILE, "kq3+8NUCn5Ab9kVfaT3q9g", fi)
            fi += 1
            b.add(base, LSTAT_DIR, "0", fi)
            d += 1
    cat.end_job(jid, "T", JobFiles=fi)
    print(f"filled {fi:,} entries in {time.perf_counter() - t0:.1f} s")
    return jid


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1_000_000)
    ap.add_argument("--per-dir", type=int, default=50)
    ap.add_argument("--db", default=None, help="SQLite file to keep the catalog in")
    ap.add_argument("--memory", action="store_true", help="also measure peak memory (slower)")
    args = ap.parse_args()

    path = args.db or os.path.join(tempfile.mkdtemp(prefix="bench-tree-"), "bench.db")
    cat = open_catalog(driver="sqlite3", path=path)
    try:
        row = cat.get_job(job="bench-restore.1")
        if row is not None and int(row["JobFiles"] or 0) == args.files:
            jid = int(row["JobId"])
        else:
            if row is not None:
                print("existing catalog has another size; use another --db", file=sys.stderr)
                return 2
            jid = fill(cat, args.files, args.per_dir)

        t0 = time.perf_counter()
        n = sum(1 for _ in tree_groups(cat, [jid]))
        t_query = time.perf_counter() - t0

        t0 = time.perf_counter()
        tree = build_tree(cat, [jid])
        t_build = time.perf_counter() - t0

        t0 = time.perf_counter()
        tree.node = 0
        marked = tree.mark_elements(["*"])
        t_mark = time.perf_counter() - t0

        t0 = time.perf_counter()
        sel, selected = tree.selection()
        t_sel = time.perf_counter() - t0

        print(f"query + fetch only:                {n:,} directory groups in {t_query:.2f} s")
        print(f"tree build (query + insert):       {tree.cnt:,} rows, {len(tree) - 1:,} nodes "
              f"in {t_build:.2f} s ({tree.cnt / t_build:,.0f} rows/s)")
        print(f"mark * from /:                     {marked:,} nodes in {t_mark:.2f} s")
        print(f"selection for the bootstrap:       {selected:,} entries in {t_sel:.2f} s")
        if args.memory:
            del tree
            tracemalloc.start()
            t = RestoreTree()
            t.add_groups(tree_groups(cat, [jid]), jobid=jid)
            cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"tree memory: {cur / 1e6:.0f} MB held, {peak / 1e6:.0f} MB peak while building")
    finally:
        cat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
