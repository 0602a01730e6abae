"""Our daemons alone on compare.py's dataset: seconds, CPU seconds and peak
RSS per daemon of chosen backup jobs, any compression (compare.py has no
ours-only mode).

    python bench/bench_ours_jobs.py [--quick] [--rounds N] \
        [--jobs full:large:none,full:large:lz4,full:large:gzip,full:small:none,incr:small:none]

A job is ``level:dataset:compression`` with level ``full``, ``incr`` or
``restore`` (all files of the last backup of that dataset and compression in
this round, verified against the source).  The daemons and the catalog are
fresh for each round.  Restored trees are kept under ``--keep`` (default
<workdir>/restored-ours) and not deleted: on an ext4 without journal,
deleting ~50,000 files slows the file creation of the next minutes (see
README.md); delete them yourself when no benchmark runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from benchkit import dataset as dsmod  # noqa: E402
from benchkit import systems  # noqa: E402
from compare import ensure_python_deps, log, verify_restore  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--jobs", default="full:large:none,full:small:none")
    ap.add_argument("--workdir", default="/var/tmp/bareos-py-bench")
    ap.add_argument("--keep", default=None, help="where restored trees are left")
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    keep = Path(args.keep) if args.keep else work / "restored-ours"
    keep.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    ensure_python_deps(work)
    spec = dsmod.QUICK if args.quick else dsmod.FULL
    ds = dsmod.Dataset(work / ("dataset-quick" if args.quick else "dataset"), spec)
    ds.ensure(log)
    jobs = [tuple(j.split(":")) for j in args.jobs.split(",")]
    ds_paths = {"large": ds.large, "small": ds.small}
    results: dict[str, list] = {}
    for rnd in range(args.rounds):
        s = systems.Ours(work / "jobs-ours", {"large": ds.large, "small": ds.small}, 900)
        try:
            s.configure()
            s.start()
            last: dict[tuple[str, str], int] = {}
            for level, dset, comp in jobs:
                if level == "restore":
                    where = Path(tempfile.mkdtemp(prefix=f"{dset}-{comp}-", dir=keep))
                    r = s.restore(last[(dset, comp)], where)
                    problems = verify_restore(ds_paths[dset], where)
                    if problems:
                        raise SystemExit(f"restore of {dset} differs from its source: {problems[:5]}")
                else:
                    r = s.backup(dset, comp, "Full" if level == "full" else "Incremental")
                    last[(dset, comp)] = r.jobid
                key = f"{level}:{dset}:{comp}"
                results.setdefault(key, []).append(r)
                log(f"round {rnd + 1}: {key}: {r.seconds:.2f} s, CPU {r.cpu} (system {r.cpu_sys}), "
                    f"peak RSS MiB {r.rss}")
        finally:
            s.stop()
            shutil.rmtree(s.base, ignore_errors=True)
    print("| job | seconds (median) | CPU s dir / sd / fd (median) | of which system | rounds |")
    print("|---|---|---|---|---|")
    for key, rs in results.items():
        secs = statistics.median(r.seconds for r in rs)
        cpu = {d: statistics.median(r.cpu.get(d, 0.0) for r in rs) for d in ("dir", "sd", "fd")}
        sy = {d: statistics.median(r.cpu_sys.get(d, 0.0) for r in rs) for d in ("dir", "sd", "fd")}
        print(f"| {key} | {secs:.2f} | {cpu['dir']:.2f} / {cpu['sd']:.2f} / {cpu['fd']:.2f} | "
              f"{sy['dir']:.2f} / {sy['sd']:.2f} / {sy['fd']:.2f} | "
              f"{', '.join(f'{r.seconds:.2f}' for r in rs)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
