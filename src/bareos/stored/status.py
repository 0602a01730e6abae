"""``status`` and ``.status`` of the Storage Daemon (Bareos's stored/status.cc).

The text has the shape of Bareos's report: header, job inventory, jobs
waiting for a drive, terminated jobs, devices (autochangers first), used
volumes, spooling.
"""

from __future__ import annotations

import time

from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix
from bareos.lib.jobcodes import (
    JS_CANCELED, JS_CREATED, JS_DIFFERENCES, JS_ERROR_TERMINATED, JS_FATAL_ERROR,
    JS_TERMINATED, JS_WAIT_FD, JS_WAIT_MEDIA, JS_WAIT_MOUNT, JS_WARNINGS, job_level_name,
    job_type_name,
)
from bareos.lib.version import BDATE, VERSION
from bareos.stored import spool, wait
from bareos.stored.device import (
    BST_DOING_ACQUIRE, BST_MOUNT, BST_NOT_BLOCKED, BST_UNMOUNTED, BST_UNMOUNTED_WAITING_FOR_SYSOP,
    BST_WAITING_FOR_SYSOP, BST_WRITING_LABEL,
)

_LEVELS = {"B": "Base", "F": "Full", "I": "Incremental", "D": "Differential", "S": "Since",
           "C": "Verify Catalog", "V": "Init Catalog", "O": "Volume to Catalog",
           "d": "Disk to Catalog", "A": "Data", " ": " "}


def _bstrftime(t: float) -> str:
    return time.strftime("%d-%b-%y %H:%M", time.localtime(t))


def _short_job_name(job: str) -> str:
    for _ in range(3):
        if "." in job:
            job = job.rsplit(".", 1)[0]
    return job


def header(sd) -> str:
    out = [f"{sd.name} Version: {VERSION} ({BDATE}) {sd.os_info} \n",
           f"Daemon started {_bstrftime(sd.start_time)}. Jobs: run={sd.jobs_run}, "
           f"running={len(sd.running_jobs())}, self-compiled binary\n",
           f" Sizes: boffset_t=8 size_t=8 int32_t=4 int64_t=8 "
           f"bwlimit={edit_uint64_with_commas(sd.max_bandwidth // 1024)}kB/s\n"]
    if sd.secure_erase_command:
        out.append(f" secure erase command='{sd.secure_erase_command}'\n")
    return "".join(out)


def running(sd, api: bool = False) -> str:
    out = [] if api else ["\nJob inventory:\n\n"]
    found = False
    for job in sd.running_jobs():
        if job.status == JS_WAIT_FD:
            out.append(f"{job_type_name(job.job_type)} Job {job.job} waiting for Client connection.\n")
        dcr = job.write_dcr
        rdev = job.read_device
        if dcr is None and rdev is None:
            continue
        found = True
        out.append(f"JobId={job.job_id} Level={job_level_name(job.job_level)} "
                   f"Type={job_type_name(job.job_type)} Name={_short_job_name(job.job)} "
                   f"Status={_status_text(job.status)}\n")
        if rdev is not None:
            pool = job.read_store.pool_name if job.read_store else ""
            out.append(f'Reading: Volume="{rdev.volume_name}"\n    pool="{pool}" '
                       f"device={rdev.print_name()}\n")
        if dcr is not None:
            volume = dcr.dev.volume_name
            for w in wait.waiters(dcr.dev):
                if w.job is job:
                    volume = w.volume
            out.append(f'Writing: Volume="{volume}"\n    pool="{dcr.store.pool_name}" '
                       f"device={dcr.dev.print_name()}\n")
            sp = dcr.spool
            out.append(f"    spooling={int(bool(sp and sp.spooling))} "
                       f"despooling={int(bool(sp and sp.despooling))} "
                       f"despool_wait={int(bool(sp and sp.despool_wait))}\n")
        elapsed = max(1, int(time.time() - (job.start_time or job.created)))
        rate = job.bytes // elapsed
        out.append(f"    Files={edit_uint64_with_commas(job.files)} "
                   f"Bytes={edit_uint64_with_commas(job.bytes)} "
                   f"AveBytes/sec={edit_uint64_with_commas(rate)} "
                   f"LastBytes/sec={edit_uint64_with_commas(rate)}\n")
        if job.fd is not None:
            out.append(f"    FDReadSeqNo=0 in_msg=0 out_msg=0 fd={_fileno(job.fd)}\n\n")
        else:
            out.append("    FDSocket closed\n\n")
    if not found and not api:
        out.append("No Jobs running.\n")
    if not api:
        out.append("====\n")
    return "".join(out)


def _fileno(bs) -> int:
    try:
        return bs.fileno()
    except (OSError, ValueError):
        return -1


# Bareos's JobstatusToAscii
_JOB_STATUS_TEXT = {
    "C": "Created", "R": "Running", "B": "Blocked", "T": "OK", "I": "Error: incomplete job",
    "f": "Fatal Error", "E": "Error", "e": "Non-fatal error", "W": "OK -- with warnings",
    "A": "Canceled", "D": "Verify differences", "F": "Waiting on FD", "S": "Wait on SD",
    "m": "Wait for new Volume", "M": "Waiting for mount", "s": "Waiting for Storage resource",
    "j": "Waiting for Job resource", "c": "Waiting for Client resource",
    "d": "Waiting on Max Jobs", "t": "Waiting for Start Time", "p": "Waiting on Priority",
    "L": "SD committing Data", "l": "SD despooling Data", "a": "SD despooling Attributes",
    "i": "Dir inserting Attributes",
}


def _status_text(code: str) -> str:
    return _JOB_STATUS_TEXT.get(code, "Unknown status")


def waiting(sd, api: bool = False) -> str:
    out = [] if api else ["\nJobs waiting to reserve a drive:\n"]
    waiting_ids = getattr(sd, "waiting_jobs", set())
    for job in sd.running_jobs():
        if job.wait_reason:
            out.append("   " + job.wait_reason)
        elif job.job_id in waiting_ids:
            append = any(s.append for s in job.stores)
            for text in sd.devices.reserve_messages(job.stores, append, job.job_id):
                out.append("   " + text)
    if not api:
        out.append("====\n")
    return "".join(out)


def terminated(sd, api: bool = False) -> str:
    out = [] if api else ["\nTerminated Jobs:\n"]
    results = sd.recent_results()
    if not results:
        if not api:
            out.append("====\n")
        return "".join(out)
    if not api:
        out.append(" JobId  Level    Files      Bytes   Status   Finished        Name \n")
        out.append("===================================================================\n")
    for r in results:
        level = "    " if r.job_type in ("D", "R") else _LEVELS.get(r.job_level, "Unknown Job Level")[:4]
        termstat = {JS_CREATED: "Created", JS_FATAL_ERROR: "Error", JS_ERROR_TERMINATED: "Error",
                    JS_DIFFERENCES: "Diffs", JS_CANCELED: "Cancel", JS_TERMINATED: "OK",
                    JS_WARNINGS: "OK -- with warnings"}.get(r.status, "Other")
        name = _short_job_name(r.job)
        files = edit_uint64_with_commas(r.files)
        size = edit_uint64_with_suffix(r.bytes)
        dt = _bstrftime(r.end_time)
        if api:
            out.append(f"{r.job_id:6d}\t{level:<6s}\t{files:>8s}\t{size:>10s}\t{termstat:<7s}\t{dt:<8s}\t{name}\n")
        else:
            out.append(f"{r.job_id:6d}  {level:<6s} {files:>8s} {size:>10s}  {termstat:<7s}  {dt:<8s} {name}\n")
    if not api:
        out.append("====\n")
    return "".join(out)


def device_status(sd, names: str | None = None, api: bool = False) -> str:
    out = [] if api else ["\nDevice status:\n"]
    wanted = set(n.strip() for n in names.split(",")) if names else None
    for ch in sd.devices.changers.values():
        if wanted and ch.name not in wanted:
            continue
        out.append(f'Autochanger "{ch.name}" with devices:\n')
        for d in ch.devices:
            out.append(f"   {d.print_name()}\n")
    for dev in sd.devices.listed:
        if wanted and dev.name not in wanted:
            continue
        if dev.is_open:
            if dev.label is not None:
                out.append(f"\nDevice {dev.print_name()} is {_STATE.get(dev.blocked, 'unknown state')}:\n"
                           f"    Volume:      {dev.volume_name}\n"
                           f"    Pool:        {dev.pool_name or '*unknown*'}\n"
                           f"    Media type:  {dev.media_type}\n")
            else:
                out.append(f"\nDevice {dev.print_name()} open but no Bareos volume is currently mounted.\n")
            out.append(blocked_status(dev))
            if dev.mode == "append" and dev.vol is not None:
                blocks = max(1, dev.vol.blocks)
                out.append(f"    Total Bytes={edit_uint64_with_commas(dev.vol.bytes)} "
                           f"Blocks={edit_uint64_with_commas(dev.vol.blocks)} "
                           f"Bytes/block={edit_uint64_with_commas(dev.vol.bytes // blocks)}\n")
            else:
                reads = max(1, dev.read_blocks)
                out.append(f"    Total Bytes Read={edit_uint64_with_commas(dev.read_bytes)} "
                           f"Blocks Read={edit_uint64_with_commas(dev.read_blocks)} "
                           f"Bytes/block={edit_uint64_with_commas(dev.read_bytes // reads if dev.read_bytes else 0)}\n")
            f, b = dev.position >> 32, dev.position & 0xFFFFFFFF
            out.append(f"    Positioned at File={edit_uint64_with_commas(f)} "
                       f"Block={edit_uint64_with_commas(b)}\n")
        else:
            out.append(f"\nDevice {dev.print_name()} is not open.\n")
            out.append(blocked_status(dev))
        if dev.settings.autochanger:
            drive = dev.settings.logical_drive
            if dev.slot > 0:
                state = "is" if dev.is_open else "was last"
                out.append(f"    Slot {dev.slot} {state} loaded in drive {drive}.\n")
            else:
                out.append(f"    Drive {drive} is not loaded.\n")
        if not api:
            out.append("==\n")
    if not api:
        out.append("====\n\n")
    return "".join(out)


# the state word of an open, labelled device
_STATE = {BST_NOT_BLOCKED: "mounted with", BST_MOUNT: "waiting for",
          BST_WRITING_LABEL: "being labeled with", BST_DOING_ACQUIRE: "being acquired with",
          BST_UNMOUNTED: "waiting for sysop intervention",
          BST_WAITING_FOR_SYSOP: "waiting for sysop intervention",
          BST_UNMOUNTED_WAITING_FOR_SYSOP: "waiting for sysop intervention"}


def blocked_status(dev) -> str:
    """Why a device is blocked (Bareos's SendBlockedStatus), "" when it is not."""
    b = dev.blocked
    if b == BST_UNMOUNTED:
        return "    Device is BLOCKED. User unmounted.\n"
    if b == BST_UNMOUNTED_WAITING_FOR_SYSOP:
        return "    Device is BLOCKED. User unmounted during wait for media/mount.\n"
    if b == BST_WAITING_FOR_SYSOP:
        out = []
        for w in wait.waiters(dev):
            if w.job.status == JS_WAIT_MOUNT:
                out.append(f'    Device is BLOCKED waiting for mount of volume "{w.volume}",\n'
                           f"       Pool:        {w.pool_name}\n"
                           f"       Media type:  {w.media_type}\n")
            elif w.job.status == JS_WAIT_MEDIA:
                out.append("    Device is BLOCKED waiting to create a volume for:\n"
                           f"       Pool:        {w.pool_name}\n"
                           f"       Media type:  {w.media_type}\n")
        return "".join(out) or "    Device is BLOCKED waiting for media.\n"
    if b == BST_DOING_ACQUIRE:
        return "    Device is being initialized.\n"
    if b == BST_WRITING_LABEL:
        return "    Device is blocked labeling a Volume.\n"
    return ""


def volumes(sd, api: bool = False) -> str:
    out = []
    for dev in sd.devices.listed:
        if dev.volume_name and dev.mode == "append":
            out.append(f"{dev.volume_name} on device {dev.print_name()}\n")
            out.append(f"    Reader=0 writers={dev.num_writers} reserves={dev.num_reserved} "
                       f"volinuse={int(bool(dev.num_writers))}\n")
        elif dev.volume_name and dev.mode == "read":
            out.append(f"Read volume: {dev.volume_name} on device {dev.print_name()}\n")
            out.append(f"    Reader=1 writers=0 reserves={dev.num_reserved} volinuse=1 "
                       f"JobId={dev.attached_jobs[0] if dev.attached_jobs else 0}\n")
    return "".join(out)


def status_text(sd, devices: str | None = None) -> str:
    """The report ``status storage`` shows (after the leading empty line)."""
    parts = [header(sd), running(sd), waiting(sd), terminated(sd), device_status(sd, devices),
             "Used Volume status:\n", volumes(sd), "====\n\n", spool.STATS.text(), "====\n\n"]
    return "".join(parts)


def dot_status(sd, what: str) -> str | None:
    w = what.lower()
    if w == "current":
        lines = ["3000 OK .status\n"]
        for job in sd.running_jobs():
            if job.job_id:
                lines.append(f"JobId={job.job_id} JobStatus={job.status} JobErrors={job.errors}\n")
        return "".join(lines)
    if w == "last":
        lines = ["3000 OK .status\n"]
        res = sd.recent_results()
        if res:
            r = res[-1]
            lines.append(f"JobId={r.job_id} JobStatus={r.status} JobErrors={r.errors}\n")
        return "".join(lines)
    if w == "header":
        return header(sd)
    if w == "running":
        return running(sd, api=True)
    if w == "waitreservation":
        return waiting(sd, api=True)
    if w == "devices":
        return device_status(sd, None, api=True)
    if w == "volumes":
        return volumes(sd, api=True)
    if w == "spooling":
        return spool.STATS.text()
    if w == "terminated":
        return terminated(sd, api=True)
    return None
