"""Bootstrap (BSR) files the Director writes: from the catalog's JobMedia rows
of the jobs to restore, optionally limited to chosen FileIndexes."""

from __future__ import annotations

from collections import OrderedDict


def _ranges(indexes: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in sorted(set(indexes)):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _storage_name(director, media: dict) -> str:
    cat = director.catalog
    sid = media.get("StorageId")
    if sid:
        row = cat.get_storage(storage_id=sid)
        if row:
            return row["Name"]
    mtype = media.get("MediaType")
    for res in director.resources("Storage"):
        if res.get("Media Type") == mtype:
            return res.name
    stores = director.resources("Storage")
    return stores[0].name if stores else ""


def bootstrap_for_jobs(catalog, jobids, director, file_indexes: dict[int, list[int]] | None = None) -> str:
    """BSR text for *jobids*; *file_indexes* maps JobId to the chosen FileIndexes
    (None: every file of the job)."""
    parts = []
    for jobid in jobids:
        job = catalog.get_job(job_id=jobid)
        if job is None:
            continue
        chosen = None if file_indexes is None else file_indexes.get(jobid)
        if chosen is not None and not chosen:
            continue
        for jm in catalog.get_jobmedia(jobid):
            first, last = int(jm["FirstIndex"]), int(jm["LastIndex"])
            if chosen is None:
                ranges = [(first, last)] if last >= first and last > 0 else []
            else:
                ranges = [(a, b) for a, b in _ranges([i for i in chosen if first <= i <= last])]
            if not ranges:
                continue
            media = catalog.get_media(media_id=jm["MediaId"]) or {}
            start = (int(jm["StartFile"] or 0) << 32) | int(jm["StartBlock"] or 0)
            end = (int(jm["EndFile"] or 0) << 32) | int(jm["EndBlock"] or 0)
            lines = [
                f'Storage="{_storage_name(director, media)}"',
                f'Volume="{jm["VolumeName"]}"',
                f'MediaType="{jm.get("MediaType") or media.get("MediaType") or ""}"',
                f"VolSessionId={job['VolSessionId']}",
                f"VolSessionTime={job['VolSessionTime']}",
                f"VolAddr={start}-{end}",
            ]
            count = 0
            for a, b in ranges:
                lines.append(f"FileIndex={a}" if a == b else f"FileIndex={a}-{b}")
                count += b - a + 1
            lines.append(f"Count={count}")
            parts.append("\n".join(lines) + "\n")
    return "".join(parts)


def split_by_storage(text: str) -> list[tuple[str, str]]:
    """Split a BSR into parts per ``Storage=`` (in order of first appearance)."""
    groups: "OrderedDict[str, list[str]]" = OrderedDict()
    current = ""
    block: list[str] = []

    def flush():
        if block:
            groups.setdefault(current, []).extend(block)

    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.lower().startswith("storage="):
            flush()
            block = [line]
            current = stripped.split("=", 1)[1].strip().strip('"')
            continue
        block.append(line)
    flush()
    return [(name, "".join(lines)) for name, lines in groups.items()]


# ------------------------------------------------------------------ restore


def fileindex_ranges(indexes) -> list[tuple[int, int]]:
    """Sorted, merged (first, last) ranges of FileIndexes (0 is skipped)."""
    return [(a, b) for a, b in _ranges([i for i in indexes if i])]


class RestoreBootstrap:
    """The bootstrap of a restore (Bareos's WriteBsr): text, how many files it
    selects, and the volume lines `restore` shows."""

    def __init__(self, text: str, count: int, volumes: list[tuple[str, str, str, bool]],
                 storages: list[str]):
        self.text = text
        self.count = count
        self.volumes = volumes        # (VolumeName, Storage, Device, online)
        self.storages = storages      # Storage names in order of appearance


def _first_device(director, storage_name: str) -> str:
    res = director.get("Storage", storage_name) if storage_name else None
    if res is None:
        return ""
    dev = res.get("Device")
    if isinstance(dev, list):
        dev = dev[0] if dev else ""
    return dev or ""


def restore_bootstrap(catalog, director, jobids: list[int],
                      file_indexes: dict[int, list[int] | None],
                      fileregex: str | None = None) -> RestoreBootstrap:
    """Build the restore BSR: for every JobId (in the given order) that has
    selected files, one entry per JobMedia row whose FileIndex range meets the
    selection, FileIndexes clipped to the row.  ``file_indexes[jobid] = None``
    selects every file of the job."""
    parts: list[str] = []
    volumes: list[tuple[str, str, str, bool]] = []
    storages: list[str] = []
    total = 0
    first = True
    last_index = 0
    last_job = None
    storage_names: dict[int, str] = {}
    seen_jobs: set[int] = set()
    for jobid in jobids:
        jobid = int(jobid)
        if jobid in seen_jobs or jobid not in file_indexes:
            continue
        seen_jobs.add(jobid)
        job = catalog.get_job(job_id=jobid)
        if job is None or not int(job.get("JobFiles") or 0):
            continue
        chosen = file_indexes[jobid]
        ranges = [(1, 2**31 - 1)] if chosen is None else fileindex_ranges(chosen)
        if not ranges:
            continue
        this_job = (job["VolSessionId"], job["VolSessionTime"])
        if this_job != last_job:
            last_index = 0
        last_job = this_job
        for jm in catalog.get_jobmedia(jobid):
            fidx, lidx = int(jm["FirstIndex"] or 0), int(jm["LastIndex"] or 0)
            if not any(a <= lidx and b >= fidx for a, b in ranges):
                continue
            media = catalog.get_media(media_id=jm["MediaId"]) or {}
            sid = int(media.get("StorageId") or 0)
            if sid not in storage_names:
                row = catalog.get_storage(storage_id=sid) if sid else None
                storage_names[sid] = row["Name"] if row else ""
            storage = storage_names[sid] or _storage_name(director, media)
            device = _first_device(director, storage)
            slot = int(media.get("Slot") or 0)
            lines = [f'Storage="{storage}"', f'Volume="{jm["VolumeName"]}"',
                     f'MediaType="{jm.get("MediaType") or media.get("MediaType") or ""}"']
            if fileregex:
                lines.append(f"FileRegex={fileregex}")
            if device:
                lines.append(f'Device="{device}"')
            if slot > 0:
                lines.append(f"Slot={slot}")
            start = (int(jm["StartFile"] or 0) << 32) | int(jm["StartBlock"] or 0)
            end = (int(jm["EndFile"] or 0) << 32) | int(jm["EndBlock"] or 0)
            lines += [f"VolSessionId={job['VolSessionId']}",
                      f"VolSessionTime={job['VolSessionTime']}",
                      f"VolAddr={start}-{end}"]
            count = 0
            lo = hi = None
            for a, b in ranges:
                a, b = max(a, fidx), min(b, lidx)
                if a > b:
                    continue
                lo = a if lo is None else lo
                hi = b
                lines.append(f"FileIndex={a}" if a == b else f"FileIndex={a}-{b}")
                count += b - a + 1
            if count:
                lines.append(f"Count={count}")
            parts.append("\n".join(lines) + "\n")
            total += count
            if not first and count > 0 and lo is not None and last_index == lo:
                total -= 1
            first = False
            last_index = hi if hi is not None else lidx
            volumes.append((jm["VolumeName"], storage, device,
                            bool(int(media.get("InChanger") or 0) and slot)))
            if storage not in storages:
                storages.append(storage)
    return RestoreBootstrap("".join(parts), total, volumes, storages)
