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
