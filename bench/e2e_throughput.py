"""Full backup and restore throughput of our three daemons (issue 4's figures).

    python bench/e2e_throughput.py [--mib 1024] [--rounds 3] [--workdir DIR]

Two data sets: ONE large file (--mib MiB, its first half text-like, its second
half random) and the 50,000 small files of bench/compare.py's dataset (made
there if missing).  For each: a Full backup and a restore of all of it, on
the quick-start configuration (SQLite catalog, file device, TLS-PSK),
Signature MD5, no compression; each restore verified identical.  Prints and
writes bench/results/e2e-throughput.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from benchkit import dataset as dsmod  # noqa: E402
from benchkit import systems  # noqa: E402
from compare import ensure_python_deps, log, verify_restore  # noqa: E402


def make_one(path: Path, mib: int) -> None:
    if path.exists() and path.stat().st_size == mib * dsmod.MiB:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    half = mib // 2
    tmp = path.with_suffix(".part")
    dsmod._write_large(tmp, "text", half, 1)
    rest = path.with_suffix(".rest")
    dsmod._write_large(rest, "random", mib - half, 2)
    with open(tmp, "ab") as out, open(rest, "rb") as f:
        shutil.copyfileobj(f, out, 8 * dsmod.MiB)
    rest.unlink()
    tmp.rename(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024, help="size of the one large file")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default="/var/tmp/bareos-py-bench")
    ap.add_argument("--results", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    ensure_python_deps(work)
    one = work / "dataset-one" / "one" / "big.dat"
    make_one(one, args.mib)
    small = dsmod.Dataset(work / "dataset", dsmod.FULL)
    small.ensure(log)
    entries, small_bytes = small.small_stats()
    sets = {"one": one.parent, "small": small.small}
    samples: dict[str, list[float]] = {"backup_one": [], "restore_one": [], "backup_small": [], "restore_small": []}
    errors = []
    for rnd in range(args.rounds):
        s = systems.Ours(work / "e2e-ours", sets, 900)
        try:
            s.configure()
            s.start()
            for ds in ("one", "small"):
                b = s.backup(ds, "none", "Full")
                where = s.base / "restores" / f"{ds}-{rnd}"
                r = s.restore(b.jobid, where)
                problems = verify_restore(sets[ds], where)
                shutil.rmtree(where, ignore_errors=True)
                if problems:
                    errors.append(f"round {rnd + 1} {ds}: restore differs: {problems[:3]}")
                samples[f"backup_{ds}"].append(b.seconds)
                samples[f"restore_{ds}"].append(r.seconds)
                log(f"round {rnd + 1} {ds}: backup {b.seconds:.2f} s (cpu {b.cpu}, rss {b.rss}), "
                    f"restore {r.seconds:.2f} s (cpu {r.cpu}, rss {r.rss})")
        except Exception as e:  # noqa: BLE001
            errors.append(f"round {rnd + 1}: {e}")
            log(f"FAILED round {rnd + 1}: {e}")
        finally:
            s.stop()
            shutil.rmtree(s.base, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    nbytes = args.mib * dsmod.MiB
    res = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpus": os.cpu_count(), "rounds": args.rounds,
        "one_file_bytes": nbytes, "small_entries": entries, "small_bytes": small_bytes,
        "seconds": {k: round(v, 3) for k, v in med.items()}, "all": samples, "errors": errors,
    }
    lines = [f"# Full backup and restore throughput, bareos-py ({res['date']}, {args.rounds} round(s), medians)", "",
             "Quick-start configuration: SQLite catalog, file device, TLS-PSK; Signature MD5, no compression; "
             "time from `run`/`restore` to the job's report; every restore verified identical.", "",
             "| data | Full backup | Restore |", "|---|---|---|"]
    if "backup_one" in med:
        lines.append(f"| one file of {args.mib} MiB | {med['backup_one']:.2f} s, {nbytes / 1e6 / med['backup_one']:,.0f} MB/s "
                     f"| {med['restore_one']:.2f} s, {nbytes / 1e6 / med['restore_one']:,.0f} MB/s |")
    if "backup_small" in med:
        lines.append(f"| {entries:,} entries ({small_bytes / 2**20:,.0f} MiB; 50,000 files of 1-16 KiB) "
                     f"| {med['backup_small']:.2f} s, {entries / med['backup_small']:,.0f} files/s, "
                     f"{small_bytes / 1e6 / med['backup_small']:,.0f} MB/s "
                     f"| {med['restore_small']:.2f} s, {entries / med['restore_small']:,.0f} files/s, "
                     f"{small_bytes / 1e6 / med['restore_small']:,.0f} MB/s |")
    if errors:
        lines += ["", "Errors:"] + [f"- {e}" for e in errors]
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "e2e-throughput.json").write_text(json.dumps(res, indent=1) + "\n")
    (out / "e2e-throughput.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
