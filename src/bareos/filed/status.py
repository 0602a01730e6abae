"""``status`` and ``.status`` of the File Daemon (text as Bareos 25 prints it)."""

from __future__ import annotations

import time

from bareos.lib import version as v
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix

from .jcr import LEVEL_NAMES

_TYPE_NAMES = {"B": "Backup", "R": "Restore", "V": "Verify", "A": "Admin", "D": "Admin",
               "C": "Copy", "g": "Migrate", " ": "Unknown"}


def bstrftime(t: float) -> str:
    return time.strftime("%d-%b-%y %H:%M", time.localtime(t))


def os_info() -> str:
    return v.distname()[0]


def platform() -> str:
    return v.distname()[1]


def short_date() -> str:
    """``05 December 2025`` -> ``05Dec25``."""
    try:
        day, month, year = v.BDATE.split()
        return f"{day}{month[:3]}{year[2:]}"
    except ValueError:
        return v.BDATE


def header_lines(daemon) -> list[str]:
    res = daemon.client
    lines = [
        f"{daemon.name} Version: {v.VERSION} ({v.BDATE}) {os_info()}\n",
        f"Daemon started {bstrftime(daemon.start_time)}. Jobs: run={daemon.num_jobs_run} "
        f"running={daemon.running_count()}, self-compiled binary\n",
        f" Sizeof: boffset_t=8 size_t=8 debug={daemon.debug_level} trace={int(daemon.trace)} "
        f"bwlimit={edit_uint64_with_commas(int(daemon.max_bandwidth or 0) // 1024)}kB/s\n",
    ]
    if res is not None and res.get("Secure Erase Command"):
        lines.append(f" secure erase command='{res.get('Secure Erase Command')}'\n")
    if daemon.config_warnings:
        lines.append("\nThere are WARNINGS for this filedaemon's configuration!\n"
                     "See output of 'bareos-fd -t' for details.\n")
    return lines


def running_lines(daemon) -> list[str]:
    lines = ["\nRunning Jobs:\n"]
    found = False
    for jcr in daemon.jobs():
        dt = bstrftime(jcr.start_time)
        if jcr.job_id > 0:
            lines.append(f"JobId {jcr.job_id} Job {jcr.job} is running.\n")
            lines.append(f"    {LEVEL_NAMES.get(jcr.level, 'Unknown Job Level')} "
                         f"{_TYPE_NAMES.get(jcr.job_type, 'Unknown')} Job started: {dt}\n")
        elif jcr.director is not None:
            lines.append(f"{jcr.director.name} (director) connected at: {dt}\n")
            continue
        else:
            lines.append(f"Unknown connection, started at: {dt}\n")
            continue
        sec = max(1, int(time.time() - jcr.start_time))
        lines.append(f"    Files={edit_uint64_with_commas(jcr.job_files)} "
                     f"Bytes={edit_uint64_with_commas(jcr.job_bytes)} "
                     f"Bytes/sec={edit_uint64_with_commas(jcr.job_bytes // sec)} "
                     f"Errors={jcr.job_errors}\n"
                     f"    Bwlimit={edit_uint64_with_commas(jcr.max_bandwidth)}\n")
        lines.append(f"    Files Examined={edit_uint64_with_commas(jcr.num_files_examined)}\n")
        if jcr.job_files > 0:
            lines.append(f"    Processing file: {jcr.last_fname}\n")
        found = True
        if jcr.store_bsock is not None:
            lines.append(f"    SDReadSeqNo=0 fd={_fileno(jcr.store_bsock)}\n")
        else:
            lines.append("    SDSocket closed.\n")
    if not found:
        lines.append("No Jobs running.\n")
    lines.append("====\n")
    return lines


def _fileno(bs) -> int:
    try:
        return bs.fileno()
    except Exception:  # noqa: BLE001
        return -1


def _status_word(st: str) -> str:
    return {"C": "Created", "E": "Error", "f": "Error", "D": "Diffs", "A": "Cancel",
            "T": "OK"}.get(st, "Other")


def terminated_lines(daemon, api: bool = False) -> list[str]:
    lines = [] if api else ["\nTerminated Jobs:\n"]
    recent = daemon.recent_jobs()
    if not recent:
        if not api:
            lines.append("====\n")
        return lines
    if not api:
        lines.append(" JobId  Level    Files      Bytes   Status   Finished        Name \n")
        lines.append("======================================================================\n")
    for je in recent:
        if je["type"] in ("R", "A", "D"):
            level = "    "
        else:
            level = LEVEL_NAMES.get(je["level"], "Unknown Job Level")[:4]
        name = je["job"]
        for _ in range(3):
            if "." in name:
                name = name[:name.rfind(".")]
        fmt = "{:6d}\t{:<6}\t{:>8}\t{:>10}\t{:<7}\t{:<8}\t{}\n" if api else \
            "{:6d}  {:<6} {:>8} {:>10}  {:<7}  {:<8} {}\n"
        lines.append(fmt.format(je["jobid"], level, edit_uint64_with_commas(je["files"]),
                                edit_uint64_with_suffix(je["bytes"]), _status_word(je["status"]),
                                bstrftime(je["end"]), name))
    if not api:
        lines.append("====\n")
    return lines


def status_text(daemon) -> list[str]:
    return header_lines(daemon) + running_lines(daemon) + terminated_lines(daemon)
