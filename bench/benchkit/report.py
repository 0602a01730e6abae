"""Medians, ratios and verdicts; JSON, Markdown and the bar chart."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RSS_LIMIT_MIB = 100


def _median(xs):
    return statistics.median(xs) if xs else None


def _summary(samples: list[dict]) -> dict | None:
    if not samples:
        return None
    daemons = sorted({d for s in samples for d in s["cpu"]})
    return {
        "n": len(samples),
        "seconds": round(_median([s["seconds"] for s in samples]), 3),
        "all_seconds": [s["seconds"] for s in samples],
        "cpu": {d: round(_median([s["cpu"].get(d, 0) for s in samples]), 2) for d in daemons},
        "rss_mib": {d: max(s["rss_mib"].get(d, 0) for s in samples) for d in daemons},
        "files": samples[-1]["files"], "bytes": samples[-1]["bytes"],
    }


def _rate(unit: str, seconds: float, meta: dict) -> float | None:
    if not seconds:
        return None
    d = meta["dataset"]
    if unit == "MB/s":
        return d["large_bytes"] / 1e6 / seconds
    if unit == "files/s":
        return d["small_entries"] / seconds
    return None


def build(tasks: dict, samples: dict, meta: dict, limits: dict) -> dict:
    rows = []
    for task, (label, _dset, _kind, _comp, target, unit) in tasks.items():
        ours = _summary(samples[task]["ours"])
        bac = _summary(samples[task]["bacula"])
        if not ours and not bac and not any(f" {task}:" in e for e in meta["errors"]):
            continue  # not run
        row = {"task": task, "label": label, "unit": unit, "target": target, "ours": ours, "bacula": bac}
        for who, s in (("ours", ours), ("bacula", bac)):
            if s:
                r = _rate(unit, s["seconds"], meta)
                s["rate"] = round(r, 1) if r is not None else None
        if ours and bac and bac["seconds"]:
            ratio = ours["seconds"] / bac["seconds"]
            row["ratio"] = round(ratio, 3)
            speed = f"{1 / ratio:.2f}x faster" if ratio < 1 else f"{ratio:.2f}x slower"
            row["met"] = ratio <= target
            row["verdict"] = (f"{'met' if ratio <= target else 'MISSED'}: ours {speed} than Bacula "
                              f"(time ratio {ratio:.2f}, target <= {target})")
        elif ours:
            row["ratio"] = None
            row["met"] = None
            row["verdict"] = "ours only (no Bacula figure)"
        else:
            row["ratio"] = None
            row["met"] = None
            row["verdict"] = "no result (failed)"
        rows.append(row)
    peak = {}
    for row in rows:
        if row["ours"]:
            for d, v in row["ours"]["rss_mib"].items():
                peak[d] = max(peak.get(d, 0), v)
    return {"meta": meta, "limits": limits, "tasks": rows, "ours_peak_rss_mib": peak,
            "ours_rss_within_limit": all(v <= RSS_LIMIT_MIB for v in peak.values()) if peak else None}


def _fmt_rate(s: dict | None, unit: str) -> str:
    if not s:
        return "-"
    if unit == "s" or s.get("rate") is None:
        return f"{s['seconds']:.2f} s"
    return f"{s['seconds']:.2f} s, {s['rate']:,.0f} {unit}"


def _fmt_daemons(s: dict | None, key: str, fmt: str) -> str:
    if not s:
        return "-"
    return " / ".join(fmt.format(s[key].get(d, 0)) for d in ("dir", "sd", "fd"))


def markdown(res: dict) -> str:
    m = res["meta"]
    d = m["dataset"]
    lines = [
        f"# bareos-py {'against Bacula' if not m['bacula'].startswith('Bacula not measured') else 'alone'}, "
        f"{m['date']}",
        "",
        f"Machine: {m['cpus']} CPUs, Linux {m['kernel']}, Python {m['python']}. "
        f"{'Quick run' if m['quick'] else 'Full run'}: {m['rounds_done']['main']} round(s) of the main tasks and "
        f"{m['rounds_done']['compression']} of the LZ4/GZIP ones (each on fresh daemons and catalogs, "
        f"alternating which system goes first), medians; "
        f"{m['elapsed_s']} s in all.",
        f"Dataset: large = {d['large_files']} x {d['large_mib']} MiB (half text-like, half random); "
        f"small = {d['small_files']:,} files of {d['min_kib']}-{d['max_kib']} KiB in {d['top_dirs'] * d['sub_dirs']} "
        f"directories + as many empty files and symlinks ({d['small_entries']:,} entries, "
        f"{d['small_bytes'] / 2**20:,.0f} MiB); mutation = 1 KiB rewritten in {d['mutate_share']:.0%} of the "
        f"small files, {d['append_mib']} MiB appended to one large file. Signature MD5 everywhere.",
        f"Ours: {m['ours']}. Bacula: {m['bacula']}.",
        "Time of a job: from `run`/`restore` on an open console to its report in the log. "
        "Ratio = ours/Bacula time (lower is better). CPU and peak RSS per daemon: Director / SD / FD.",
        "",
        "| task | ours | Bacula | ratio | ours CPU s | Bacula CPU s | ours peak RSS MiB | Bacula peak RSS MiB | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["tasks"]:
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "-"
        lines.append(
            f"| {r['label']} | {_fmt_rate(r['ours'], r['unit'])} | {_fmt_rate(r['bacula'], r['unit'])} | {ratio} "
            f"| {_fmt_daemons(r['ours'], 'cpu', '{:.1f}')} | {_fmt_daemons(r['bacula'], 'cpu', '{:.1f}')} "
            f"| {_fmt_daemons(r['ours'], 'rss_mib', '{:.0f}')} | {_fmt_daemons(r['bacula'], 'rss_mib', '{:.0f}')} "
            f"| {r['verdict']} |")
    peak = res["ours_peak_rss_mib"]
    if peak:
        lines += ["", f"Peak RSS of our daemons over all jobs: "
                  + ", ".join(f"{k} {v:.0f} MiB" for k, v in sorted(peak.items()))
                  + f" (target <= {RSS_LIMIT_MIB} MiB: {'met' if res['ours_rss_within_limit'] else 'MISSED'})."]
    lim = res["limits"]
    lines += ["", "Limits of this machine, measured in the same run (Python):", "",
              "| what | figure |", "|---|---|",
              f"| read the large files (readinto 1 MiB, page cache) | {lim['read_large_MBps']:,} MB/s |",
              f"| read every small file whole | {lim['read_small_files_per_s']:,} files/s |",
              f"| scandir + lstat of the small tree | {lim['scandir_lstat_entries_per_s']:,} entries/s |",
              *([f"| create the small tree's files (open, write, futimens, close; one thread) | "
                 f"{lim['create_small_files_per_s']:,} files/s |"] if "create_small_files_per_s" in lim else []),
              f"| MD5 of 1 MiB buffers, one core | {lim['md5_1MiB_MBps']:,} MB/s |",
              f"| loopback TCP, one stream, 1 MiB sends | {lim['loopback_tcp_1MiB_MBps']:,} MB/s |",
              f"| SQLite, 50,500 rows in one transaction | {lim['sqlite_inserts_per_s']:,} rows/s |"]
    lines += ["", "Every restore was compared with its source (content, type, mode, mtime, link targets)"
              + (" and found identical." if not m["errors"] else "; see the errors below.")]
    if m.get("notes"):
        lines += ["", "Notes:", ""] + [f"- {n.splitlines()[0]}" for n in m["notes"]]
    if m.get("rounds_note"):
        lines += ["", f"Note: {m['rounds_note']}."]
    if m["errors"] or m.get("interrupted"):
        lines += ["", "Errors:", ""] + [f"- {e.splitlines()[0]}" for e in m["errors"]]
        if m.get("interrupted"):
            lines.append(f"- {m['interrupted']}")
    lines += ["", "Seconds of every round (ours; Bacula):", ""]
    for r in res["tasks"]:
        o = r["ours"]["all_seconds"] if r["ours"] else []
        b = r["bacula"]["all_seconds"] if r["bacula"] else []
        lines.append(f"- {r['task']}: {o}; {b}")
    return "\n".join(lines) + "\n"


def _plot_python(workdir: Path, log) -> str | None:
    try:
        import matplotlib  # noqa: F401
        return sys.executable
    except ImportError:
        pass
    venv = workdir / "venv-plot"
    py = venv / "bin" / "python"
    try:
        if not py.exists():
            log(f"matplotlib missing: installing it into {venv}")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        r = subprocess.run([str(py), "-c", "import matplotlib"], capture_output=True)
        if r.returncode:
            subprocess.run([str(py), "-m", "pip", "install", "-q", "matplotlib"], check=True, timeout=600)
        return str(py)
    except (OSError, subprocess.SubprocessError) as e:
        log(f"no chart: cannot get matplotlib ({e})")
        return None


def write(res: dict, results: Path, stem: str, log, workdir: Path) -> Path:
    results.mkdir(parents=True, exist_ok=True)
    js = results / f"{stem}.json"
    js.write_text(json.dumps(res, indent=1) + "\n")
    md = results / f"{stem}.md"
    md.write_text(markdown(res))
    py = _plot_python(workdir, log)
    if py:
        png = results / f"{stem}.png"
        r = subprocess.run([py, str(HERE / "plot.py"), str(js), str(png)], capture_output=True, text=True,
                           timeout=300)
        if r.returncode:
            log(f"no chart: {r.stderr[-500:]}")
        else:
            log(f"chart: {png}")
    log(f"results: {js}, {md}")
    return md
