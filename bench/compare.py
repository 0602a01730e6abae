"""Our daemons against Bacula 9.6, side by side, on the dataset of issue 7.

    python bench/compare.py [--rounds N] [--quick] [--workdir DIR] [--no-bacula]

Generates (once; reused while its parameters match) a deterministic dataset
under the work directory: "large" = 4 files of 256 MiB (two text-like, two
random) and "small" = 50,000 files of 1-16 KiB in 500 directories with 500
empty files and 500 symlinks (``--quick``: 4 x 32 MiB and 5,000 files, one
round).  Each round starts fresh configurations of both systems (own ports on
127.0.0.1, SQLite catalog, file device; ours with TLS-PSK as by default) and
runs every task on ours and on Bacula in turn, alternating which goes first:

    Full of large, Full of small, a no-change Incremental (large set),
    Restore of all of small, Restore of all of large,
    -- mutation: 1 KiB rewritten in 1 % of the small files, 256 MiB appended to one large file --
    Incremental of small, Incremental of large,
    and with LZ4 (Bacula: LZO, it has no LZ4) and with GZIP: Full of large, Full of small,
    Restore of large.

A job's time runs from sending ``run``/``restore`` on an open console to its
report in the log.  Every restore is compared with the source (content, type,
mode, mtime, link targets).  Reported per task: medians of seconds, MB/s or
files/s, ours/Bacula time ratio against the target of issue 7, CPU seconds and
peak RSS of each daemon (/proc; peak reset before every job), and a verdict;
plus the machine's limits measured in the same run.  Results go to
bench/results/ (JSON, Markdown, PNG bar chart).

If Bacula is missing it is installed with apt-get (Debian's 9.6 packages); if
that fails, ours is measured alone and the report says why.  The daemons run in
the foreground as children of this process and are stopped in every case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

from benchkit import dataset as dsmod  # noqa: E402
from benchkit import limits, report, systems  # noqa: E402

# task: (label, dataset, kind, compression, target ratio ours/Bacula time, unit)
TASKS = {
    "full_large": ("Full of large, MD5", "large", "full", "none", 0.67, "MB/s"),
    "full_small": ("Full of small, MD5", "small", "full", "none", 0.5, "files/s"),
    "incr_nochange": ("Incremental, nothing changed (job overhead)", "large", "incr", "none", 0.3, "s"),
    "restore_small": ("Restore of all of small", "small", "restore", "none", 0.5, "files/s"),
    "restore_large": ("Restore of all of large", "large", "restore", "none", 0.85, "MB/s"),
    "incr_small": ("Incremental of small after the mutation", "small", "incr", "none", 0.5, "s"),
    "incr_large": ("Incremental of large after the mutation", "large", "incr", "none", 1.0, "s"),
    "full_large_lz4": ("Full of large, LZ4 (Bacula: LZO)", "large", "full", "lz4", 1.0, "MB/s"),
    "full_small_lz4": ("Full of small, LZ4 (Bacula: LZO)", "small", "full", "lz4", 1.0, "files/s"),
    "restore_large_lz4": ("Restore of large, LZ4 (Bacula: LZO)", "large", "restore", "lz4", 1.0, "MB/s"),
    "full_large_gzip": ("Full of large, GZIP", "large", "full", "gzip", 1.0, "MB/s"),
    "full_small_gzip": ("Full of small, GZIP", "small", "full", "gzip", 1.0, "files/s"),
    "restore_large_gzip": ("Restore of large, GZIP", "large", "restore", "gzip", 1.0, "MB/s"),
}
BEFORE_MUTATION = ["full_large", "full_small", "incr_nochange", "restore_small", "restore_large"]
AFTER_MUTATION = ["incr_small", "incr_large"]
COMPRESSED = ["full_large_lz4", "restore_large_lz4", "full_large_gzip", "restore_large_gzip"]
COMPRESSED_SMALL = ["full_small_lz4", "full_small_gzip"]


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S ") + msg, flush=True)


def ensure_python_deps(workdir: Path) -> None:
    """Re-run in a venv of our own when this interpreter cannot run the daemons."""
    try:
        import bareos.dird.daemon  # noqa: F401
        import bareos.filed.daemon  # noqa: F401
        import bareos.stored.daemon  # noqa: F401
        from bareos.lib import tls
        if not tls.psk_available():
            raise ImportError("no TLS-PSK")
        return
    except ImportError as e:
        if os.environ.get("BENCH_VENV_DONE"):
            raise SystemExit(f"cannot import the project even in the bench venv: {e}")
        venv = workdir / "venv"
        log(f"this Python cannot run the daemons ({e}); making {venv}")
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", str(REPO)],
                       check=True)
        env = dict(os.environ, BENCH_VENV_DONE="1")
        os.execve(str(venv / "bin" / "python"), [str(venv / "bin" / "python"), *sys.argv], env)


def verify_restore(src: Path, where: Path) -> list[str]:
    from benchkit.verify import compare_trees

    restored = Path(str(where) + str(src))
    if not restored.exists():
        return [f"nothing restored at {restored}"]
    return compare_trees(src, restored)


class Runner:
    def __init__(self, args, ds: dsmod.Dataset, work: Path, with_bacula: bool):
        self.args = args
        self.ds = ds
        self.work = work
        self.with_bacula = with_bacula
        self.samples: dict[str, dict[str, list[dict]]] = {t: {"ours": [], "bacula": []} for t in TASKS}
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.part_seconds: dict[str, float] = {}
        self.kept = work / "restored"

    def systems(self) -> list[systems.System]:
        sets = {"large": self.ds.large, "small": self.ds.small}
        out = [systems.Ours(self.work / "ours", sets, self.args.job_timeout)]
        if self.with_bacula:
            out.append(systems.Bacula(self.work / "bacula", sets, self.args.job_timeout))
        return out

    def one(self, sysobj: systems.System, task: str, rnd: int, fulls: dict) -> None:
        label, dset, kind, comp, _target, _unit = TASKS[task]
        try:
            if kind == "full":
                r = sysobj.backup(dset, comp, "Full")
                fulls[(sysobj.name, dset, comp)] = r.jobid
            elif kind == "incr":
                r = sysobj.backup(dset, comp, "Incremental")
            else:
                jobid = fulls[(sysobj.name, dset, comp)]
                # Restored trees stay until the whole run has ended: deleting 50,000
                # files makes the next file creations on this ext4 (no journal) scan
                # the recently freed inodes for minutes, which would slow whichever
                # restore comes next (either system) by a factor of up to five.
                where = self.kept / f"{sysobj.name}-{task}-r{rnd}"
                r = sysobj.restore(jobid, where)
                t = time.perf_counter()
                problems = verify_restore(self.ds.large if dset == "large" else self.ds.small, where)
                if problems:
                    raise systems.JobFailed(f"restore {r.jobid} differs from the source: "
                                            f"{len(problems)} problems, e.g. {problems[:3]}")
                log(f"    verified identical ({time.perf_counter() - t:.1f} s)")
        except Exception as e:  # noqa: BLE001 - recorded, the run goes on
            msg = f"round {rnd + 1} {sysobj.label} {task}: {e}"
            self.errors.append(msg)
            log("    FAILED " + msg.splitlines()[0])
            return
        self.samples[task][sysobj.name].append(
            {"round": rnd, "jobid": r.jobid, "seconds": round(r.seconds, 3), "files": r.files,
             "bytes": r.bytes, "cpu": r.cpu, "rss_mib": r.rss})
        log(f"  {sysobj.label:9s} {task:18s} {r.seconds:8.2f} s  files={r.files} bytes={r.bytes} "
            f"cpu={r.cpu} rss={r.rss}")

    def round(self, rnd: int, phase: str) -> float:
        """One round of the main tasks (phase 'main') or of the LZ4/GZIP ones
        ('compression'), on fresh configurations of both systems; its seconds."""
        syss = self.systems()
        if rnd % 2 == 1:
            syss.reverse()
        fulls: dict = {}
        t_start = time.time()
        try:
            self.ds.reset()
            for s in list(syss):
                try:
                    s.configure()
                    s.start()
                except Exception as e:  # noqa: BLE001 - the other system is still measured
                    msg = f"{phase} round {rnd + 1} {s.label}: could not start: {e}"
                    self.errors.append(msg)
                    log("FAILED " + msg)
                    s.stop()
                    syss.remove(s)
                self.notes.extend(f"{phase} round {rnd + 1} {s.label}: {r}" for r in s.console_retries)
            if not syss:
                return time.time() - t_start
            log(f"{phase} round {rnd + 1}: " + " then ".join(s.label for s in syss))
            if phase == "main":
                for task in BEFORE_MUTATION:
                    for s in syss:
                        self.one(s, task, rnd, fulls)
                m = self.ds.mutate()
                log(f"  mutation: {m}")
                for task in AFTER_MUTATION:
                    for s in syss:
                        self.one(s, task, rnd, fulls)
            else:
                for task in COMPRESSED + (COMPRESSED_SMALL if self.args.compress_small else []):
                    for s in syss:
                        self.one(s, task, rnd, fulls)
        finally:
            for s in syss:
                s.stop()
            self.ds.reset()
            if not self.args.keep:
                for s in syss:
                    shutil.rmtree(s.base, ignore_errors=True)
        return time.time() - t_start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="compare.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 3; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="small dataset (4 x 32 MiB, 5,000 files), 1 round")
    ap.add_argument("--workdir", default=None,
                    help="dataset and daemons' files (default /var/tmp/bareos-py-bench, else bench/data)")
    ap.add_argument("--results", default=str(HERE / "results"), help="where the reports go")
    ap.add_argument("--no-bacula", action="store_true", help="measure ours only")
    ap.add_argument("--no-compression", action="store_true", help="skip the LZ4/GZIP tasks")
    ap.add_argument("--compress-small", action="store_true",
                    help="also Full of small with LZ4 and GZIP (slow: adds minutes)")
    ap.add_argument("--budget", type=float, default=None,
                    help="minutes: start no round that would end past this (default 19; quick 15)")
    ap.add_argument("--job-timeout", type=float, default=None, help="seconds per job (default 900; quick 300)")
    ap.add_argument("--keep", action="store_true", help="keep the daemons' directories (volumes, catalogs)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 3)
    args.job_timeout = args.job_timeout or (300 if args.quick else 900)
    if args.workdir:
        work = Path(args.workdir).resolve()
    elif os.access("/var/tmp", os.W_OK):
        work = Path("/var/tmp/bareos-py-bench")
    else:
        work = HERE / "data"
    work.mkdir(parents=True, exist_ok=True)
    ensure_python_deps(work)

    # SIGTERM/SIGHUP become KeyboardInterrupt so that the finally blocks stop the daemons
    def _interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)

    started = time.time()
    spec = dsmod.QUICK if args.quick else dsmod.FULL
    ds = dsmod.Dataset(work / ("dataset-quick" if args.quick else "dataset"), spec)
    t = time.perf_counter()
    made = ds.ensure(log)
    log(f"dataset {'made' if made else 'reused'} in {time.perf_counter() - t:.1f} s at {ds.root}")

    bacula_note = None
    if args.no_bacula:
        bacula_note = "Bacula not measured (--no-bacula)"
    else:
        why = systems.install_bacula(log)
        if why:
            bacula_note = f"Bacula not measured: {why}"
    if bacula_note:
        log(bacula_note)

    log("measuring the machine's limits")
    lim = limits.measure(sorted(ds.large.iterdir()), ds.small, work, args.quick, work / "restored")
    log(f"  {lim}")

    runner = Runner(args, ds, work, with_bacula=bacula_note is None)
    interrupted = None
    budget = 60 * (args.budget or (15 if args.quick else 19))
    skipped: list[str] = []
    rounds_done = {"main": 0, "compression": 0}
    try:
        # the main tasks first, all rounds (the budget permitting); then the LZ4/GZIP tasks
        phases = [("main", rounds)] + ([] if args.no_compression else [("compression", rounds)])
        first_main = 0.0
        for phase, n in phases:
            took = 0.0
            for rnd in range(n):
                left = started + budget - time.time()
                # keep room for one round of the LZ4/GZIP tasks (about as long as a main round)
                reserve = first_main if (phase == "main" and not args.no_compression) else 0.0
                if rnd > 0 and took * 1.1 + 10 + reserve > left:
                    skipped.append(f"{phase} tasks: {rnd} of {n} rounds; another ({took:.0f} s) would pass "
                                   f"the {budget / 60:.0f}-minute budget")
                    log(skipped[-1])
                    break
                if phase == "compression" and rnd == 0 and left < 60:
                    skipped.append("LZ4/GZIP tasks not run: the time budget is spent")
                    log(skipped[-1])
                    break
                took = runner.round(rnd, phase)
                rounds_done[phase] = rnd + 1
                if phase == "main" and rnd == 0:
                    first_main = took
    except KeyboardInterrupt as e:
        interrupted = f"interrupted: {e}"
        log(interrupted)
    finally:
        shutil.rmtree(runner.kept, ignore_errors=True)
    entries, small_bytes = ds.small_stats()
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
        "kernel": platform.release(),
        "quick": args.quick, "rounds": rounds, "elapsed_s": round(time.time() - started),
        "dataset": {**dsmod.asdict(spec), "large_bytes": spec.large_files * spec.large_mib * dsmod.MiB,
                    "small_entries": entries, "small_bytes": small_bytes},
        "bacula": bacula_note or f"Bacula {systems.bacula_version()} (Debian), no TLS (9.6 has no TLS-PSK)",
        "ours": "bareos-py, TLS-PSK between all daemons and the console",
        "rounds_done": rounds_done, "rounds_note": "; ".join(skipped) or None,
        "errors": runner.errors, "notes": runner.notes, "interrupted": interrupted,
    }
    res = report.build(TASKS, runner.samples, meta, lim)
    out = report.write(res, Path(args.results), "compare-quick" if args.quick else "compare", log, work)
    print()
    print(out.read_text())
    return 0 if not runner.errors and not interrupted else 1


if __name__ == "__main__":
    sys.exit(main())
