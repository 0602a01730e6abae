"""Bootstrap (BSR) files: parse, write, and decide which records they select.

A BSR is plain text, ``Keyword=value`` items (keywords case-insensitive,
``#`` comments, quoted or bare values).  Every ``Volume=`` starts a new entry
and the following items apply to it::

    Storage="File"
    Volume="Full-0001"          # may be "V1|V2"
    MediaType="File"
    Device="FileStorage"
    Slot=3
    VolSessionId=1
    VolSessionTime=1562050726
    VolAddr=209-822             # disk byte range; tape: VolFile=, VolBlock=
    FileIndex=1-5
    FileIndex=9
    Count=6

Numeric items take comma-separated values and ``a-b`` ranges.  Also
accepted: ``Client``, ``Job``, ``JobId``, ``JobType``, ``JobLevel``,
``Stream``, ``FileRegex``, ``Include``, ``Exclude``.

:class:`BsrMatcher` implements the Storage Daemon's selection: a record
matches when any entry accepts it; entries become *done* once the volume
position, session time or FileIndex has passed all their ranges (or their
``Count`` of files has been read), and when all are done the read can stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bareos.lib.streams import STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX, STREAMMASK_TYPE

__all__ = [
    "BsrError", "BsrVolume", "BsrEntry", "Bsr", "parse_bsr", "load_bsr", "format_bsr",
    "BsrMatcher", "MATCH", "NO_MATCH", "ALL_DONE",
]

MATCH, NO_MATCH, ALL_DONE = 1, 0, -1

_U32_MAX = 0xFFFFFFFF
_I32_MAX = 0x7FFFFFFF
_U64_MAX = 0xFFFFFFFFFFFFFFFF


class BsrError(ValueError):
    """A bootstrap file that cannot be parsed; names file, line and keyword."""

    def __init__(self, message: str, filename: str = "", line: int = 0, keyword: str = ""):
        self.filename = filename
        self.line = line
        self.keyword = keyword
        self.reason = message
        where = f"{filename}:{line}" if filename else f"line {line}"
        kw = f" ({keyword})" if keyword else ""
        super().__init__(f"Bootstrap file error: {where}{kw}: {message}")


@dataclass(slots=True)
class BsrVolume:
    name: str
    media_type: str = ""
    device: str = ""
    slot: int = 0


Range = tuple[int, int]


@dataclass(slots=True)
class BsrEntry:
    volumes: list[BsrVolume] = field(default_factory=list)
    storage: str = ""
    count: int = 0
    sessids: list[Range] = field(default_factory=list)
    sesstimes: list[int] = field(default_factory=list)
    volfiles: list[Range] = field(default_factory=list)
    volblocks: list[Range] = field(default_factory=list)
    voladdrs: list[Range] = field(default_factory=list)
    fileindexes: list[Range] = field(default_factory=list)
    jobids: list[Range] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)
    streams: list[int] = field(default_factory=list)
    fileregex: str | None = None
    line: int = field(default=0, compare=False)   # line of the Volume= that began it

    @property
    def volume_names(self) -> list[str]:
        return [v.name for v in self.volumes]

    def start_address(self) -> int:
        """Where reading for this entry can begin (``GetBsrStartAddr``)."""
        if self.voladdrs:
            return self.voladdrs[0][0]
        if self.volfiles and self.volblocks:
            return (self.volfiles[0][0] << 32) | self.volblocks[0][0]
        return 0


@dataclass(slots=True)
class Bsr:
    entries: list[BsrEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    filename: str = ""

    @property
    def use_fast_rejection(self) -> bool:
        """Every entry names its session: whole blocks can be skipped."""
        return bool(self.entries) and all(e.sesstimes and e.sessids for e in self.entries)

    @property
    def use_positioning(self) -> bool:
        """Every entry has a VolAddr (or VolFile and VolBlock): the reader may seek."""
        return bool(self.entries) and all(
            (e.volfiles and e.volblocks) or e.voladdrs for e in self.entries)

    def volume_list(self) -> list[BsrVolume]:
        """Volumes in the order they are needed, each once (``CreateRestoreVolumeList``)."""
        seen: dict[str, BsrVolume] = {}
        for e in self.entries:
            for v in e.volumes:
                if v.name and v.name not in seen:
                    seen[v.name] = v
        return list(seen.values())


# --- lexer -----------------------------------------------------------------

_EOL = object()


class _Lexer:
    """Tokens of a BSR: names/numbers, quoted strings, '=', ',' and EOL."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename
        self.pos = 0
        self.line = 1
        self.item_line = 0      # line of the keyword being parsed
        self.pushed = None

    def error(self, msg: str, keyword: str = "") -> BsrError:
        return BsrError(msg, self.filename, self.item_line or self.line, keyword)

    def push(self, tok) -> None:
        self.pushed = tok

    def next(self):
        """Return (kind, value): kind in 'word', 'string', '=', ',', 'eol', 'eof'."""
        if self.pushed is not None:
            tok, self.pushed = self.pushed, None
            return tok
        text = self.text
        n = len(text)
        i = self.pos
        while i < n:
            c = text[i]
            if c == "\n":
                self.pos = i + 1
                tok = ("eol", None, self.line)
                self.line += 1
                return tok
            if c in " \t\r":
                i += 1
                continue
            if c == "#":
                j = text.find("\n", i)
                i = n if j < 0 else j
                continue
            if c == ";":
                self.pos = i + 1
                return ("eol", None, self.line)
            if c in "=,":
                self.pos = i + 1
                return (c, c, self.line)
            if c == '"':
                out = []
                i += 1
                while True:
                    if i >= n:
                        raise self.error("unterminated quoted string")
                    c = text[i]
                    if c == "\\" and i + 1 < n:
                        out.append(text[i + 1])
                        i += 2
                        continue
                    if c == '"':
                        i += 1
                        break
                    if c == "\n":
                        raise self.error("unterminated quoted string")
                    out.append(c)
                    i += 1
                self.pos = i
                return ("string", "".join(out), self.line)
            j = i
            while j < n and text[j] not in " \t\r\n=,;#\"":
                j += 1
            self.pos = j
            return ("word", text[i:j], self.line)
        self.pos = n
        return ("eof", None, self.line)

    def skip_to_eol(self) -> None:
        self.pushed = None
        j = self.text.find("\n", self.pos)
        self.pos = len(self.text) if j < 0 else j


def _parse_int(lex: _Lexer, text: str, kw: str, lo: int, hi: int) -> int:
    try:
        v = int(text, 10)
    except ValueError:
        raise lex.error(f"expected a number, got: {text}", kw) from None
    if v < lo or v > hi:
        raise lex.error(f"value {v} out of range", kw)
    return v


def _parse_range(lex: _Lexer, text: str, kw: str, hi: int) -> Range:
    if "-" in text[1:]:
        a, b = text.split("-", 1)
        lo_v = _parse_int(lex, a, kw, 0, hi)
        hi_v = _parse_int(lex, b, kw, 0, hi)
        if hi_v < lo_v:
            raise lex.error(f"range {text} runs backwards", kw)
        return (lo_v, hi_v)
    v = _parse_int(lex, text, kw, 0, hi)
    return (v, v)


def _value(lex: _Lexer, kw: str) -> str:
    kind, val, _ = lex.next()
    if kind not in ("word", "string"):
        raise lex.error(f"expected a value, got: {val if val else kind}", kw)
    return val


def _values(lex: _Lexer, kw: str) -> list[str]:
    out = [_value(lex, kw)]
    while True:
        tok = lex.next()
        if tok[0] != ",":
            lex.push(tok)
            return out
        out.append(_value(lex, kw))


_KEYWORDS = {
    "volume", "mediatype", "client", "job", "jobid", "count", "fileindex", "jobtype",
    "joblevel", "volsessionid", "volsessiontime", "include", "exclude", "volfile",
    "volblock", "voladdr", "stream", "slot", "device", "fileregex", "storage",
}


def parse_bsr(text: str, filename: str = "") -> Bsr:
    """Parse BSR text (``parse_bsr``); raises :class:`BsrError`."""
    lex = _Lexer(text, filename)
    bsr = Bsr(filename=filename)
    cur = BsrEntry()
    pending_storage = ""
    while True:
        kind, word, line = lex.next()
        if kind == "eof":
            break
        if kind == "eol":
            continue
        if kind not in ("word", "string"):
            raise lex.error(f"unexpected {word!r}")
        kw = word.lower()
        lex.item_line = line
        if kw not in _KEYWORDS:
            raise lex.error(f"Keyword {word} not found", word)
        k2, v2, _ = lex.next()
        if k2 != "=":
            raise lex.error(f"expected an equals, got: {v2 if v2 else k2}", word)
        if kw == "volume":
            val = _value(lex, word)
            if cur.volumes:
                bsr.entries.append(cur)
                cur = BsrEntry()
            cur.line = line
            if pending_storage:
                cur.storage, pending_storage = pending_storage, ""
            for name in val.split("|"):
                if name:
                    cur.volumes.append(BsrVolume(name))
        elif kw in ("mediatype", "device"):
            val = _value(lex, word)
            if not cur.volumes:
                bsr.warnings.append(f"{filename}:{line}: {word} \"{val}\" in bsr at "
                                    "inappropriate place")
                continue
            for v in cur.volumes:
                if kw == "mediatype":
                    v.media_type = val
                else:
                    v.device = val
        elif kw == "storage":
            val = _value(lex, word)
            # The Director writes Storage= before the Volume= of its entry.
            if cur.volumes:
                pending_storage = val
            else:
                cur.storage = val
        elif kw == "slot":
            val = _parse_int(lex, _value(lex, word), word, 0, _I32_MAX)
            lex.skip_to_eol()
            if not cur.volumes:
                bsr.warnings.append(f"{filename}:{line}: Slot {val} in bsr at inappropriate place")
                continue
            cur.volumes[0].slot = val
        elif kw == "count":
            cur.count = _parse_int(lex, _value(lex, word), word, 0, _I32_MAX)
            lex.skip_to_eol()
        elif kw in ("client", "job"):
            vals = _values(lex, word)
            (cur.clients if kw == "client" else cur.jobs).extend(vals)
        elif kw in ("jobid", "fileindex", "volsessionid", "volfile", "volblock"):
            target = {"jobid": cur.jobids, "fileindex": cur.fileindexes,
                      "volsessionid": cur.sessids, "volfile": cur.volfiles,
                      "volblock": cur.volblocks}[kw]
            hi = _I32_MAX if kw in ("jobid", "fileindex") else _U32_MAX
            target.extend(_parse_range(lex, v, word, hi) for v in _values(lex, word))
        elif kw == "voladdr":
            cur.voladdrs.extend(_parse_range(lex, v, word, _U64_MAX) for v in _values(lex, word))
        elif kw == "volsessiontime":
            cur.sesstimes.extend(_parse_int(lex, v, word, 0, _U32_MAX)
                                 for v in _values(lex, word))
        elif kw == "stream":
            cur.streams.extend(_parse_int(lex, v, word, -0x80000000, _I32_MAX)
                               for v in _values(lex, word))
        elif kw == "fileregex":
            val = _value(lex, word)
            try:
                re.compile(val)
            except re.error as exc:
                raise lex.error(f"REGEX '{val}' compile error. ERR={exc}", word) from None
            cur.fileregex = val
        elif kw in ("jobtype", "joblevel"):
            _values(lex, word)
            bsr.warnings.append(f"{filename}:{line}: {word} not implemented (ignored)")
        else:  # include, exclude
            lex.skip_to_eol()
    if cur.volumes or cur.fileindexes or cur.sessids or cur.count:
        bsr.entries.append(cur)
    return bsr


def load_bsr(path) -> Bsr:
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return parse_bsr(f.read(), str(path))


# --- writer ----------------------------------------------------------------

def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ranges(rs: list[Range]) -> str:
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in rs)


def format_bsr(bsr: Bsr | list[BsrEntry]) -> str:
    """Write a BSR in the Director's layout (``write_bsr_item``): Storage,
    Volume, MediaType, FileRegex, Device, Slot, VolSessionId, VolSessionTime,
    VolAddr (or VolFile/VolBlock), one FileIndex line per range, Count."""
    entries = bsr.entries if isinstance(bsr, Bsr) else bsr
    out: list[str] = []
    for e in entries:
        if e.storage:
            out.append(f"Storage={_quote(e.storage)}")
        out.append(f"Volume={_quote('|'.join(e.volume_names))}")
        mt = next((v.media_type for v in e.volumes if v.media_type), "")
        if mt:
            out.append(f"MediaType={_quote(mt)}")
        if e.fileregex:
            out.append(f"FileRegex={e.fileregex}")
        dev = next((v.device for v in e.volumes if v.device), "")
        if dev:
            out.append(f"Device={_quote(dev)}")
        if e.volumes and e.volumes[0].slot > 0:
            out.append(f"Slot={e.volumes[0].slot}")
        if e.clients:
            out.append("Client=" + ",".join(_quote(c) for c in e.clients))
        if e.jobs:
            out.append("Job=" + ",".join(_quote(j) for j in e.jobs))
        if e.jobids:
            out.append(f"JobId={_ranges(e.jobids)}")
        if e.sessids:
            out.append(f"VolSessionId={_ranges(e.sessids)}")
        if e.sesstimes:
            out.append("VolSessionTime=" + ",".join(str(t) for t in e.sesstimes))
        if e.voladdrs:
            out.append(f"VolAddr={_ranges(e.voladdrs)}")
        if e.volfiles:
            out.append(f"VolFile={_ranges(e.volfiles)}")
        if e.volblocks:
            out.append(f"VolBlock={_ranges(e.volblocks)}")
        if e.streams:
            out.append("Stream=" + ",".join(str(s) for s in e.streams))
        for r in e.fileindexes:
            out.append(f"FileIndex={_ranges([r])}")
        if e.count:
            out.append(f"Count={e.count}")
    return "".join(line + "\n" for line in out)


# --- matcher ---------------------------------------------------------------

class _EntryState:
    __slots__ = ("done", "found", "last_fi", "skip_file", "sesstime_done", "volfile_done",
                 "voladdr_done", "findex_done", "regex", "vols")

    def __init__(self, e: BsrEntry):
        self.vols = frozenset(v.name for v in e.volumes)   # the entry's volume names
        self.done = False
        self.found = 0
        self.last_fi: int | None = None
        self.skip_file = False
        self.sesstime_done = [False] * len(e.sesstimes)
        self.volfile_done = [False] * len(e.volfiles)
        self.voladdr_done = [False] * len(e.voladdrs)
        self.findex_done = [False] * len(e.fileindexes)
        self.regex = re.compile(e.fileregex) if e.fileregex else None


class BsrMatcher:
    """Decides, record by record, what a BSR selects (``MatchBsr``).

    ``match_block(sid, stime)`` is the fast rejection of whole blocks;
    ``match_record(...)`` returns :data:`MATCH`, :data:`NO_MATCH` or
    :data:`ALL_DONE` (no further record can match: stop reading).  Use it
    for file records (FileIndex > 0); labels are always passed on.
    """

    def __init__(self, bsr: Bsr):
        self.bsr = bsr
        self._state = [_EntryState(e) for e in bsr.entries]
        self.last_entry: BsrEntry | None = None
        # Without Stream= and FileRegex= selections, a record with the same
        # FileIndex, session and block address as the last match matches too
        # (the other records of a file: its data, digest, ACLs...): nothing
        # else in an entry depends on the record.
        self._repeat_ok = not any(e.streams or e.fileregex for e in bsr.entries)
        self._last_key: tuple | None = None

    @property
    def repeats_match(self) -> bool:
        """A record with the FileIndex, session, address and volume of the
        last match matches too (no Stream=/FileRegex= in the BSR): readers may
        skip asking for it."""
        return self._repeat_ok

    @property
    def done(self) -> bool:
        return all(s.done for s in self._state)

    def wants_volume(self, volume_name: str) -> bool:
        return any(not s.done and volume_name in s.vols for s in self._state)

    def match_block(self, vol_session_id: int, vol_session_time: int) -> bool:
        if not self.bsr.use_fast_rejection:
            return True
        for e in self.bsr.entries:
            if e.sesstimes and vol_session_time not in e.sesstimes:
                continue
            if e.sessids and not any(a <= vol_session_id <= b for a, b in e.sessids):
                continue
            return True
        return False

    def match_record(self, volume_name: str, file_index: int, stream: int, *,
                     vol_session_id: int, vol_session_time: int, address: int = 0,
                     data: bytes | None = None, session=None) -> int:
        """``address`` is the record's File<<32|Block (disk: the block's end
        address); ``data`` the record data (for FileRegex on attribute
        records); ``session`` the SessionLabel of the record's job, when
        the BSR selects by JobId/Job/Client."""
        return self.match_fields(volume_name, file_index, stream, vol_session_id,
                                 vol_session_time, address, data, session)

    def match_fields(self, volume_name: str, file_index: int, stream: int, vol_session_id: int,
                     vol_session_time: int, address: int, data=None, session=None) -> int:
        """:meth:`match_record` with positional arguments (the reading loop's)."""
        if self._repeat_ok:
            key = (file_index, vol_session_id, vol_session_time, address, volume_name)
            if key == self._last_key:
                return MATCH
        all_done = True
        for e, st in zip(self.bsr.entries, self._state):
            if self._match_entry(e, st, volume_name, file_index, stream, vol_session_id,
                                 vol_session_time, address, data, session):
                self.last_entry = e
                if self._repeat_ok:
                    self._last_key = key
                return MATCH
            all_done = all_done and st.done
        return ALL_DONE if all_done else NO_MATCH

    def match(self, volume_name: str, rec, session=None, address: int | None = None) -> int:
        """Convenience for :class:`bareos.stored.volume.record.Record` values.

        *address* is the end address of the block being read when the record
        was completed; it is the one to match: a record split over two volumes
        carries the address of its first part, on the previous volume, which
        says nothing about the current volume's VolAddr range."""
        return self.match_record(volume_name, rec.file_index, rec.stream,
                                 vol_session_id=rec.vol_session_id,
                                 vol_session_time=rec.vol_session_time,
                                 address=rec.address if address is None else address,
                                 data=rec.data, session=session)

    @staticmethod
    def _match_entry(e: BsrEntry, st: _EntryState, volume_name, fi, stream, sid, stime,
                     address, data, session) -> bool:
        if st.done:
            return False
        if volume_name not in st.vols:
            return False
        if e.volfiles:
            rfile = address >> 32
            hit = False
            for i, (a, b) in enumerate(e.volfiles):
                if a <= rfile <= b:
                    hit = True
                    break
                if rfile > b:
                    st.volfile_done[i] = True
            if not hit:
                if all(st.volfile_done):
                    st.done = True
                return False
        if e.voladdrs:
            hit = False
            for i, (a, b) in enumerate(e.voladdrs):
                if a <= address <= b:
                    hit = True
                    break
                if address > b:
                    st.voladdr_done[i] = True
            if not hit:
                if all(st.voladdr_done):
                    st.done = True
                return False
        if e.sesstimes:
            hit = False
            for i, t in enumerate(e.sesstimes):
                if t == stime:
                    hit = True
                    break
                if stime > t:
                    st.sesstime_done[i] = True
            if not hit:
                if all(st.sesstime_done):
                    st.done = True
                return False
        if e.sessids and not any(a <= sid <= b for a, b in e.sessids):
            return False
        # Count: the entry is done once its last counted file is behind us.
        if e.count and st.found >= e.count and st.last_fi is not None and fi > st.last_fi:
            st.done = True
            return False
        if e.fileindexes:
            hit = False
            for i, (a, b) in enumerate(e.fileindexes):
                if st.findex_done[i]:
                    continue
                if a <= fi <= b:
                    hit = True
                    break
                if fi > b:
                    st.findex_done[i] = True
            if not hit:
                if all(st.findex_done):
                    st.done = True
                return False
        if st.regex is not None and data is not None and (
                stream & STREAMMASK_TYPE) in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
            from bareos.lib.stat import AttributeFormatError, decode_attributes
            st.skip_file = False
            try:
                attrs = decode_attributes(bytes(data))
            except AttributeFormatError:
                attrs = None
            if attrs is not None and not st.regex.search(attrs.fname):
                st.skip_file = True
        if st.skip_file:
            return False
        if not (e.count and e.fileindexes):
            # Selections Bareos checks only for hand-written BSRs.
            if e.jobids or e.jobs or e.clients:
                if session is None:
                    return False
                if e.jobids and not any(a <= session.job_id <= b for a, b in e.jobids):
                    return False
                if e.jobs and session.job not in e.jobs:
                    return False
                if e.clients and session.client_name not in e.clients:
                    return False
            if e.streams and stream not in e.streams:
                return False
        if fi != st.last_fi:
            st.found += 1
            st.last_fi = fi
        return True
