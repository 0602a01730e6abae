"""Where our daemons spend their CPU on the benchmark's jobs (py-spy).

    python bench/profile_ours.py [--quick] [--tasks full_small,restore_small] [--py-spy PATH]

Runs our three daemons as bench/compare.py does, attaches ``py-spy record``
to each for every job of --tasks and prints, per daemon, the functions with
the most samples on CPU (self and inclusive).  Collapsed stacks are kept in
the work directory (profile-<task>-<daemon>.txt) for flame graphs.
py-spy is installed into the bench's venv-plot if it is not on PATH.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from benchkit import dataset as dsmod  # noqa: E402
from benchkit import systems  # noqa: E402
from compare import ensure_python_deps, log  # noqa: E402


def find_py_spy(work: Path, given: str | None) -> str:
    if given:
        return given
    found = shutil.which("py-spy")
    if found:
        return found
    venv = work / "venv-plot"
    exe = venv / "bin" / "py-spy"
    if not exe.exists():
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "py-spy"], check=True)
    return str(exe)


def summarize(path: Path, top: int = 12) -> str:
    self_c: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        total += n
        frames = stack.split(";")
        self_c[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    if not total:
        return "  (no samples)\n"
    out = [f"  {total} samples on CPU; self:"]
    out += [f"    {100 * c / total:5.1f}%  {f}" for f, c in self_c.most_common(top)]
    out.append("  inclusive:")
    out += [f"    {100 * c / total:5.1f}%  {f}" for f, c in incl.most_common(top + 8)[:top + 8]]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tasks", default="full_large,full_small,restore_small,restore_large")
    ap.add_argument("--workdir", default="/var/tmp/bareos-py-bench")
    ap.add_argument("--py-spy", default=None)
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    ensure_python_deps(work)
    spy = find_py_spy(work, args.py_spy)
    spec = dsmod.QUICK if args.quick else dsmod.FULL
    ds = dsmod.Dataset(work / ("dataset-quick" if args.quick else "dataset"), spec)
    ds.ensure(log)
    s = systems.Ours(work / "profile-ours", {"large": ds.large, "small": ds.small}, 900)
    fulls = {}
    report = []
    try:
        s.configure()
        s.start()
        for task in args.tasks.split(","):
            dset = "large" if "large" in task else "small"
            spies = {}
            for name, p in s.procs.items():
                out = work / f"profile-{task}-{name}.txt"
                spies[name] = (subprocess.Popen([spy, "record", "--pid", str(p.pid), "--rate", "200",
                                                 "--format", "raw", "-o", str(out), "--nolineno", "--nonblocking"],
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out)
            time.sleep(1.0)
            try:
                if task.startswith("full"):
                    r = s.backup(dset, "none", "Full")
                    fulls[dset] = r.jobid
                elif task.startswith("restore"):
                    if dset not in fulls:
                        fulls[dset] = s.backup(dset, "none", "Full").jobid
                    where = s.base / "restores" / task
                    r = s.restore(fulls[dset], where)
                    shutil.rmtree(where, ignore_errors=True)
                else:
                    r = s.backup(dset, "none", "Incremental")
            finally:
                for name, (proc, _out) in spies.items():
                    proc.send_signal(signal.SIGINT)
                for name, (proc, _out) in spies.items():
                    try:
                        proc.wait(30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
            head = f"== {task}: {r.seconds:.2f} s, CPU {r.cpu}, peak RSS MiB {r.rss}"
            log(head)
            report.append(head)
            for name, (_proc, out) in spies.items():
                text = summarize(out) if out.exists() else "  (no profile)\n"
                report.append(f"-- {name}\n{text}")
    finally:
        s.stop()
        shutil.rmtree(s.base, ignore_errors=True)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
