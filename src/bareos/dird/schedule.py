"""Schedule ``Run =`` specifications: parsing into bit masks and run times.

The grammar is Bareos's (see the Director manual, Schedule resource, ``Run``):
job overrides first (``Level=Full Pool=Weekly Storage=... Messages=...
Priority=... SpoolData=yes Accurate=no FullPool=... IncrementalPool=...
DifferentialPool=... NextPool=... MaxRunSchedTime=...`` and the bare level
names of old), then the date/time specification: ``on``, ``at HH:MM[am|pm]``,
weekday and month names and ranges (``mon-fri``, ``jan-mar``), days of the
month and their ranges (``1``, ``2-31``), week of the month (``1st``..``5th``,
``first``..``fifth``, ``last``, ranges ``2nd-5th``), week of the year
(``w00``..``w53`` and ``w01-w10``), modulo forms (``1/2`` for days of the month,
``w01/w02`` for weeks), and ``hourly``/``daily``/``weekly``/``monthly``.

A parsed run is a :class:`RunSpec`: six masks (hour, mday, month, wday, wom,
woy; int bit sets, zero based, Sunday = bit 0), the ``last`` flag, the minute,
and the overrides.  The mask semantics follow Bareos, quirks included (a
specification without ``at`` runs at the start of *every* hour of the matching
days, ``weekly`` does not restrict the weekday, and so on).

Times are local wall-clock times.  Every function that turns a date into an
instant takes ``tz``: ``None`` means the process's local time zone, or a
``datetime.tzinfo`` (e.g. ``zoneinfo.ZoneInfo("Europe/Berlin")``).  Run times are
computed per *local calendar day and hour*, so a daylight-saving change neither
doubles nor drops a run: a wall time that occurs twice (autumn) is taken at its
first occurrence, a wall time that does not exist (spring) is moved forward by
the size of the gap (02:30 becomes 03:30).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bareos.lib import jobcodes
from bareos.lib.config.units import parse_duration

__all__ = [
    "RunSpec", "RunSpecError", "parse_run", "schedule_runs", "runs_or_none", "check_schedules",
    "LocalDay", "local_day", "wall_time", "week_of_year", "triggers_on_day",
    "triggers_on_day_and_hour", "next_schedule_time", "fire_times",
    "bstrftime_wd", "bstrftime_nc", "format_run", "format_run_text",
]

ALL_HOURS = (1 << 24) - 1
ALL_MDAYS = (1 << 31) - 1
ALL_MONTHS = (1 << 12) - 1
ALL_WDAYS = (1 << 7) - 1
ALL_WOMS = (1 << 5) - 1
ALL_WOYS = (1 << 54) - 1


class RunSpecError(ValueError):
    """A ``Run =`` value that Bareos would refuse; the message is Bareos's."""


# -- the keyword table of the date/time part -----------------------------------

S_NONE, S_RANGE, S_MDAY, S_MONTH, S_TIME, S_AT, S_WDAY = range(7)
S_DAILY, S_WEEKLY, S_MONTHLY, S_HOURLY, S_WOM, S_WOY, S_LAST, S_MODULO = range(7, 15)

_WDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july",
           "august", "september", "october", "november", "december")

KEYWORDS: dict[str, tuple[int, int]] = {"on": (S_NONE, 0), "at": (S_AT, 0),
                                        "last": (S_LAST, 0)}
for _i, _n in enumerate(_WDAYS):
    KEYWORDS[_n[:3]] = (S_WDAY, _i)
    KEYWORDS[_n] = (S_WDAY, _i)
for _i, _n in enumerate(_MONTHS):
    KEYWORDS[_n[:3]] = (S_MONTH, _i)
    KEYWORDS[_n] = (S_MONTH, _i)
KEYWORDS.update({"daily": (S_DAILY, 0), "weekly": (S_WEEKLY, 0),
                 "monthly": (S_MONTHLY, 0), "hourly": (S_HOURLY, 0)})
for _i, (_a, _b) in enumerate((("1st", "first"), ("2nd", "second"), ("3rd", "third"),
                               ("4th", "fourth"), ("5th", "fifth"))):
    KEYWORDS[_a] = (S_WOM, _i)
    KEYWORDS[_b] = (S_WOM, _i)

# Override keywords (the left-hand sides permitted before the date/time part).
OVERRIDE_KEYWORDS = ("pool", "fullpool", "incrementalpool", "differentialpool",
                     "nextpool", "level", "storage", "messages", "priority",
                     "spooldata", "maxrunschedtime", "accurate")


@dataclass
class RunSpec:
    """One parsed ``Run =`` line."""

    text: str = ""
    # overrides (None / 0: not given)
    level: str | None = None          # level code (jobcodes.L_*)
    job_type: str | None = None       # job type the level name belongs to
    pool: str | None = None
    full_pool: str | None = None
    incremental_pool: str | None = None
    differential_pool: str | None = None
    next_pool: str | None = None
    storage: str | None = None
    messages: str | None = None
    priority: int = 0
    spool_data: bool | None = None
    accurate: bool | None = None
    max_run_sched_time: int | None = None
    # the date/time masks
    hour: int = ALL_HOURS
    mday: int = ALL_MDAYS
    month: int = ALL_MONTHS
    wday: int = ALL_WDAYS
    wom: int = ALL_WOMS
    woy: int = ALL_WOYS
    last_7days_of_month: bool = False
    minute: int = 0
    # the instant this run last fired (the scheduler's bookkeeping)
    scheduled_last: float = field(default=0.0, compare=False, repr=False)

    # -- overrides as values --------------------------------------------------
    @property
    def level_name(self) -> str | None:
        return jobcodes.job_level_name(self.level) if self.level else None

    def overrides(self) -> dict:
        """The overrides that were given, keyed as the ``run`` command names them."""
        out: dict = {}
        if self.level:
            out["level"] = self.level_name
        for key in ("pool", "full_pool", "incremental_pool", "differential_pool",
                    "next_pool", "storage", "messages"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.priority:
            out["priority"] = self.priority
        if self.spool_data is not None:
            out["spool_data"] = self.spool_data
        if self.accurate is not None:
            out["accurate"] = self.accurate
        if self.max_run_sched_time is not None:
            out["max_run_sched_time"] = self.max_run_sched_time
        return out

    def overrides_text(self) -> str:
        """The ``Overrides`` column of ``status scheduler``."""
        parts = []
        if self.level:
            parts.append(f"Level={self.level_name}")
        if self.priority:
            parts.append(f"Priority={self.priority}")
        if self.spool_data is not None:
            parts.append(f"Spool Data={int(self.spool_data)}")
        if self.accurate is not None:
            parts.append(f"Accurate={int(self.accurate)}")
        if self.pool:
            parts.append(f"Pool={self.pool}")
        if self.storage:
            parts.append(f"Storage={self.storage}")
        if self.messages:
            parts.append(f"Messages={self.messages}")
        return " ".join(parts)

    # -- masks ----------------------------------------------------------------
    @staticmethod
    def bits(mask: int, width: int) -> list[int]:
        return [i for i in range(width) if mask >> i & 1]

    def hours(self) -> list[int]:
        return self.bits(self.hour, 24)

    def triggers_on_day(self, day: "LocalDay") -> bool:
        return triggers_on_day(self, day)

    def triggers_on_day_and_hour(self, t: float, tz=None) -> bool:
        return triggers_on_day_and_hour(self, t, tz)

    def next_schedule_time(self, start: float, ndays: int, tz=None) -> int | None:
        return next_schedule_time(self, start, ndays, tz)

    def fire_times(self, start: float, stop: float, tz=None):
        return fire_times(self, start, stop, tz)

    def __hash__(self) -> int:
        return id(self)


# -- tokens -----------------------------------------------------------------

T_WORD, T_NUMBER, T_QUOTED, T_EQUALS, T_COMMA, T_EOL = (
    "BCT_UNQUOTED_STRING", "BCT_NUMBER", "BCT_QUOTED_STRING", "BCT_EQUALS",
    "BCT_COMMA", "BCT_EOL")

_WORD_END = set(" \t\r\n=,;\"#{}")


def _tokenize(text: str) -> list[tuple[str, str]]:
    """Split a ``Run`` value as Bareos's lexer does in ``NoIdent`` mode."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "=":
            out.append((T_EQUALS, "="))
            i += 1
        elif c == ",":
            out.append((T_COMMA, ","))
            i += 1
        elif c in ";#":
            break
        elif c == '"':
            j = i + 1
            buf = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            out.append((T_QUOTED, "".join(buf)))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in _WORD_END:
                j += 1
            word = text[i:j]
            if word.isdigit() and word.isascii():
                out.append((T_NUMBER, word))
            else:
                out.append((T_WORD, word))
            i = j
    out.append((T_EOL, ""))
    return out


def _is_an_integer(s: str) -> bool:
    return bool(s) and s.isascii() and s.isdigit()


def _atoi(s: str) -> int:
    """C's atoi: optional blanks and sign, then digits; 0 when there are none."""
    s = s.lstrip(" \t\n\r\f\v")
    sign = 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    digits = ""
    for ch in s:
        if "0" <= ch <= "9":
            digits += ch
        else:
            break
    return sign * int(digits) if digits else 0


def _bit_range(lo: int, hi: int) -> int:
    return ((1 << (hi - lo + 1)) - 1) << lo


def _level_by_name(name: str) -> tuple[str, str] | None:
    for lname, code, jtype in jobcodes.JOB_LEVELS:
        if lname.lower() == name.lower():
            return code, jtype
    return None


def _parse_yes_no(value: str) -> bool:
    v = value.lower()
    if v in ("yes", "true"):
        return True
    if v in ("no", "false"):
        return False
    raise RunSpecError(f"Expect a YES or NO, got: {value}")


# -- the parser ---------------------------------------------------------------

def parse_run(text: str) -> RunSpec:
    """Parse one ``Run =`` value; raises :class:`RunSpecError` with Bareos's message."""
    run = RunSpec(text=text)
    toks = _tokenize(text)
    pos = 0

    def next_tok():
        nonlocal pos
        tok = toks[pos]
        if tok[0] != T_EOL:
            pos += 1
        return tok

    def expect_name():
        kind, value = next_tok()
        if kind not in (T_WORD, T_QUOTED):
            raise RunSpecError(f"expected a name, got {kind}: {value}")
        return kind, value

    # Job overrides and (old style) bare level names.
    kind, value = expect_name()
    while True:
        key = value.lower()
        if key in OVERRIDE_KEYWORDS:
            ek, ev = next_tok()
            if ek != T_EQUALS:
                raise RunSpecError(f"Expected an equals, got: {ev}")
            _store_override(run, key, next_tok)
        else:
            lv = _level_by_name(value)
            if lv is None:
                break
            run.level, run.job_type = lv
        kind, value = expect_name()

    have = {"hour": False, "mday": False, "wday": False, "month": False,
            "wom": False, "woy": False, "at": False}

    def clear(mask: str) -> None:
        if not have[mask]:
            setattr(run, mask, 0)
            have[mask] = True

    def setbits(mask: str, bits: int) -> None:
        setattr(run, mask, getattr(run, mask) | bits)

    while kind != T_EOL:
        if kind == T_NUMBER:
            state = S_MDAY
            code = int(value) - 1
            if code < 0 or code > 30:
                raise RunSpecError("Day number out of range (1-31)")
        elif kind == T_WORD:
            low = value.lower()
            if "-" in value:
                state = S_RANGE
            elif ":" in value:
                state = S_TIME
            elif "/" in value:
                state = S_MODULO
            elif len(value) == 3 and low[0] == "w" and _is_an_integer(value[1:]):
                code = int(value[1:])
                if code > 53:
                    raise RunSpecError("Week number out of range (0-53)")
                state = S_WOY
            elif low in KEYWORDS:
                state, code = KEYWORDS[low]
            else:
                raise RunSpecError(f"Job type field: {value} in run record not found")
        elif kind == T_COMMA:
            kind, value = next_tok()
            continue
        else:
            raise RunSpecError(f"Unexpected token: {kind}:{value}")

        if state == S_NONE:
            pass
        elif state == S_MDAY:
            clear("mday")
            setbits("mday", 1 << code)
        elif state == S_MONTH:
            clear("month")
            setbits("month", 1 << code)
        elif state == S_WDAY:
            clear("wday")
            setbits("wday", 1 << code)
        elif state == S_WOM:
            clear("wom")
            setbits("wom", 1 << code)
        elif state == S_WOY:
            clear("woy")
            setbits("woy", 1 << code)
        elif state == S_TIME:
            _parse_time(run, value, have)
        elif state == S_AT:
            have["at"] = True
        elif state == S_LAST:
            run.last_7days_of_month = True
            clear("wom")
        elif state == S_MODULO:
            _parse_modulo(run, value, clear, setbits)
        elif state == S_RANGE:
            _parse_range(run, value, clear, setbits)
        elif state == S_HOURLY:
            have["hour"] = True
            run.hour = ALL_HOURS
        elif state == S_WEEKLY:
            have["mday"] = have["wom"] = have["woy"] = True
            run.mday, run.wom, run.woy = ALL_MDAYS, ALL_WOMS, ALL_WOYS
        elif state == S_DAILY:
            have["mday"] = True
            run.wday = ALL_WDAYS
        elif state == S_MONTHLY:
            have["month"] = True
            run.month = ALL_MONTHS
        kind, value = next_tok()
    return run


def _store_override(run: RunSpec, key: str, next_tok) -> None:
    kind, value = next_tok()
    if key == "maxrunschedtime":
        secs = parse_duration(value) if kind in (T_WORD, T_QUOTED, T_NUMBER) else None
        if secs is None:
            raise RunSpecError(f"expected a time period, got: {value}")
        run.max_run_sched_time = secs
        return
    if key == "priority":
        if kind != T_NUMBER:
            raise RunSpecError(f"expected a positive integer number, got: {value}")
        run.priority = int(value)
        return
    if kind not in (T_WORD, T_QUOTED):
        raise RunSpecError(f"expected a name, got {kind}: {value}")
    if key == "level":
        lv = _level_by_name(value)
        if lv is None:
            raise RunSpecError(f"Job level field: {value} not found in run record")
        run.level, run.job_type = lv
    elif key == "spooldata":
        run.spool_data = _parse_yes_no(value)
    elif key == "accurate":
        run.accurate = _parse_yes_no(value)
    else:
        attr = {"pool": "pool", "fullpool": "full_pool",
                "incrementalpool": "incremental_pool",
                "differentialpool": "differential_pool", "nextpool": "next_pool",
                "storage": "storage", "messages": "messages"}[key]
        setattr(run, attr, value)


def _parse_time(run: RunSpec, value: str, have: dict) -> None:
    if not have["at"]:
        raise RunSpecError("Time must be preceded by keyword AT.")
    if not have["hour"]:
        run.hour = 0
    hour_s, _, p = value.partition(":")
    hour = _atoi(hour_s)
    minute = _atoi(p)
    rest = p[2:] if len(p) >= 2 else p
    pm = am = False
    if rest.lower() == "pm":
        pm = True
    elif rest.lower() == "am":
        am = True
    elif len(p) != 2:
        raise RunSpecError("Bad time specification.")
    # 12am is midnight, 12pm noon (Bareos's reading of NIST)
    if pm:
        if hour != 12:
            hour += 12
    elif am and hour == 12:
        hour -= 12
    if hour < 0 or hour > 23 or minute < 0 or minute > 59:
        raise RunSpecError("Bad time specification.")
    run.hour |= 1 << hour
    run.minute = minute
    have["hour"] = True


def _is_week(s: str) -> bool:
    return len(s) == 3 and s[0] in "wW" and _is_an_integer(s[1:])


def _parse_modulo(run: RunSpec, value: str, clear, setbits) -> None:
    a, _, b = value.partition("/")
    if _is_an_integer(a) and _is_an_integer(b):
        code = int(a) - 1
        code2 = int(b)
        # (Bareos divides by a zero modulo; we refuse it)
        if code < 0 or code > 30 or code2 <= 0 or code2 > 30:
            raise RunSpecError("Bad day specification in modulo.")
        if code > code2:
            raise RunSpecError("Bad day specification, offset must always be <= than modulo.")
        clear("mday")
        bits = 0
        for i in range(31):
            if i % code2 == 0 and i + code <= 30:
                bits |= 1 << (i + code)
        setbits("mday", bits)
    elif _is_week(a) and _is_week(b):
        code = int(a[1:])
        code2 = int(b[1:])
        if code > 53:
            raise RunSpecError("Week number out of range (0-53) in modulo")
        if code2 <= 0 or code2 > 53:
            raise RunSpecError("Week interval out of range (1-53) in modulo")
        if code > code2:
            raise RunSpecError("Bad week number specification in modulo, offset must "
                               "always be <= than modulo.")
        clear("woy")
        bits = 0
        for week in range(code, 54, code2):
            bits |= 1 << week
        setbits("woy", bits)
    else:
        raise RunSpecError("Bad modulo time specification. Format for weekdays is "
                           "'01/02', for yearweeks is 'w01/w02'.")


def _wrap_range(code: int, code2: int, top: int) -> int:
    if code < code2:
        return _bit_range(code, code2)
    return _bit_range(code, top) | _bit_range(0, code2)


def _parse_range(run: RunSpec, value: str, clear, setbits) -> None:
    a, _, b = value.partition("-")
    if _is_an_integer(a) and _is_an_integer(b):
        code, code2 = int(a) - 1, int(b) - 1
        if not (0 <= code <= 30 and 0 <= code2 <= 30):
            raise RunSpecError("Bad day range specification.")
        clear("mday")
        setbits("mday", _wrap_range(code, code2, 30))
        return
    if _is_week(a) and _is_week(b):
        code, code2 = int(a[1:]), int(b[1:])
        if code > 53 or code2 > 53:
            raise RunSpecError("Week number out of range (0-53)")
        clear("woy")
        setbits("woy", _wrap_range(code, code2, 53))
        return
    first = KEYWORDS.get(a.lower())
    if first is None or first[0] not in (S_MONTH, S_WDAY, S_WOM):
        raise RunSpecError("Invalid month, week or position day range")
    second = KEYWORDS.get(b.lower())
    if second is None or second[0] != first[0] or second[1] == first[1]:
        raise RunSpecError("Invalid month, weekday or position range")
    state, code = first
    code2 = second[1]
    if state == S_WDAY:
        clear("wday")
        setbits("wday", _wrap_range(code, code2, 6))
    elif state == S_MONTH:
        clear("month")
        setbits("month", _wrap_range(code, code2, 11))
    else:
        clear("wom")
        setbits("wom", _wrap_range(code, code2, 4))


# -- configuration --------------------------------------------------------------

def schedule_runs(schedule_res) -> list[RunSpec]:
    """The parsed runs of a Schedule resource (cached on the resource).

    Raises ``ConfigError`` naming the resource's file and line and the ``Run``
    directive when a value is not valid.
    """
    texts = list(schedule_res.get("Run") or [])
    cache = getattr(schedule_res, "_parsed_runs", None)
    if cache is not None and cache[0] == texts:
        return cache[1]
    runs = []
    for text in texts:
        try:
            runs.append(parse_run(text))
        except RunSpecError as exc:
            from bareos.lib.config import ConfigError
            raise ConfigError(getattr(schedule_res, "source_file", None),
                              getattr(schedule_res, "source_line", None), "Run",
                              f"{exc} (in \"{text}\")",
                              resource=f'Schedule "{schedule_res.name}"') from None
    try:
        schedule_res._parsed_runs = (texts, runs)
    except AttributeError:  # pragma: no cover - resources without a __dict__
        pass
    return runs


def runs_or_none(schedule_res) -> list[RunSpec]:
    """``schedule_runs`` for listings: a Schedule with a bad Run line (one added
    at run time) lists nothing instead of failing the command."""
    try:
        return schedule_runs(schedule_res)
    except Exception:  # ConfigError
        import logging
        logging.getLogger("bareos.dird.schedule").exception(
            "Schedule %s has an invalid Run line", getattr(schedule_res, "name", "?"))
        return []


def check_schedules(config) -> list:
    """Every problem of the Schedules' ``Run`` lines: bad syntax, and pools,
    storages and messages resources that do not exist (as Bareos checks them
    when it loads the configuration). Returns a list of ``ConfigError``."""
    from bareos.lib.config import ConfigError
    errors = []
    for sched in config.resources("Schedule"):
        try:
            runs = schedule_runs(sched)
        except ConfigError as exc:
            errors.append(exc)
            continue
        for run in runs:
            refs = [("Pool", run.pool), ("Pool", run.full_pool),
                    ("Pool", run.incremental_pool), ("Pool", run.differential_pool),
                    ("Pool", run.next_pool), ("Storage", run.storage),
                    ("Messages", run.messages)]
            for rtype, name in refs:
                if name is not None and config.get(rtype, name) is None:
                    errors.append(ConfigError(
                        sched.source_file, sched.source_line, "Run",
                        f"Could not find specified {rtype} Resource: {name}",
                        resource=f'Schedule "{sched.name}"'))
    return errors


# -- local calendar -------------------------------------------------------------

@dataclass(frozen=True)
class LocalDay:
    """A local calendar day with the fields the masks test (all zero based)."""

    year: int
    month: int          # 0-11
    mday: int           # 0-30
    wday: int           # 0 = Sunday
    yday: int           # 0-365
    woy: int            # Bareos's week of the year, 0-53

    @property
    def date(self) -> date:
        return date(self.year, self.month + 1, self.mday + 1)

    @property
    def week_of_month(self) -> int:
        return self.mday // 7

    @property
    def on_last_7days_of_month(self) -> bool:
        return _last_yday_of_month(self.year - 1900, self.month) - 7 < self.yday

    @classmethod
    def of(cls, d: date) -> "LocalDay":
        return cls(d.year, d.month - 1, d.day - 1, (d.weekday() + 1) % 7,
                   d.timetuple().tm_yday - 1, week_of_year(d))


def _is_leap(year: int) -> bool:
    return year % 400 == 0 or (year % 100 != 0 and year % 4 == 0)


_LAST_YDAY = (30, 58, 89, 119, 150, 180, 211, 242, 272, 303, 333, 364)


def _last_yday_of_month(tm_year: int, month: int) -> int:
    # Bareos tests the leap year on tm_year (years since 1900); that differs
    # from the calendar only for 2000, which we keep as Bareos has it.
    return _LAST_YDAY[month] + (1 if _is_leap(tm_year) and month >= 1 else 0)


def week_of_year(d: date) -> int:
    """Bareos's week of the year: ISO week numbers, with w00 for the days of
    January before the first ISO week (and 53 for late December days that
    ISO counts as week 1 of the next year)."""
    yday = d.timetuple().tm_yday - 1
    jan4_wday = (date(d.year, 1, 4).weekday() + 1) % 7
    fty = 1 - jan4_wday
    if fty <= 0:
        fty += 7
    woy = yday - fty + 4
    if woy < 0:
        return 0
    return 1 + woy // 7


def _local_datetime(t: float, tz) -> datetime:
    if tz is None:
        return datetime.fromtimestamp(t)
    return datetime.fromtimestamp(t, tz)


def local_day(t: float, tz=None) -> LocalDay:
    return LocalDay.of(_local_datetime(t, tz).date())


def local_hour(t: float, tz=None) -> int:
    return _local_datetime(t, tz).hour


def wall_time(d: date, hour: int, minute: int, tz=None) -> int:
    """The instant of a local wall time; the first one when it occurs twice,
    shifted forward by the gap when it does not exist (PEP 495 ``fold=0``)."""
    naive = datetime(d.year, d.month, d.day, hour, minute)
    if tz is not None:
        naive = naive.replace(tzinfo=tz)
    return int(naive.timestamp())


def bstrftime_wd(t: float) -> str:
    """``Mon 23-Nov-2026 21:10`` (local time, C locale names)."""
    lt = _time.localtime(t)
    return "%s %02d-%s-%04d %02d:%02d" % (
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[lt.tm_wday], lt.tm_mday,
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
         "Nov", "Dec")[lt.tm_mon - 1], lt.tm_year, lt.tm_hour, lt.tm_min)


def bstrftime_nc(t: float) -> str:
    """``23-Nov-26 21:10`` (local time, C locale names)."""
    return bstrftime_wd(t)[4:11] + bstrftime_wd(t)[13:]


# -- matching and run times -------------------------------------------------------

def triggers_on_day(run: RunSpec, day: LocalDay) -> bool:
    return bool(run.mday >> day.mday & 1
                and run.wday >> day.wday & 1
                and run.month >> day.month & 1
                and (run.wom >> day.week_of_month & 1
                     or (day.on_last_7days_of_month and run.last_7days_of_month))
                and run.woy >> day.woy & 1)


def triggers_on_day_and_hour(run: RunSpec, t: float, tz=None) -> bool:
    dt = _local_datetime(t, tz)
    return triggers_on_day(run, LocalDay.of(dt.date())) and bool(run.hour >> dt.hour & 1)


def next_schedule_time(run: RunSpec, start: float, ndays: int, tz=None) -> int | None:
    """The first run time on the day of ``start`` (from its hour on) or on one
    of the ``ndays`` days after it, as ``status director`` lists them.  Like
    Bareos, a run earlier in the current hour counts."""
    now = _local_datetime(start, tz)
    day0 = now.date()
    for d in range(ndays + 1):
        day = day0 + timedelta(days=d)
        if not triggers_on_day(run, LocalDay.of(day)):
            continue
        for h in range(now.hour if d == 0 else 0, 24):
            if run.hour >> h & 1:
                return wall_time(day, h, run.minute, tz)
    return None


def fire_times(run: RunSpec, start: float, stop: float | None = None, tz=None):
    """Run times in ``[start, stop)`` in order (endless when ``stop`` is None):
    one per matching local day and hour, at the run's minute."""
    if run.hour == 0 or run.mday == 0 or run.wday == 0 or run.month == 0 or \
            run.woy == 0 or (run.wom == 0 and not run.last_7days_of_month):
        return
    hours = run.hours()
    day = _local_datetime(start, tz).date() - timedelta(days=1)
    idle = 0
    last = None
    while True:
        if stop is not None and wall_time(day, 0, 0, tz) >= stop + 86400:
            return
        if triggers_on_day(run, LocalDay.of(day)):
            idle = 0
            for h in hours:
                t = wall_time(day, h, run.minute, tz)
                if t < start:
                    continue
                if stop is not None and t >= stop:
                    return
                if last is not None and t <= last:
                    continue  # a time moved past a DST gap onto the next hour's
                last = t
                yield t
        else:
            idle += 1
            if idle > 366 * 8:  # no matching day in years (e.g. w53 + Feb): give up
                return
        day += timedelta(days=1)


# -- printing (show schedule) ------------------------------------------------------

_WDAY_ABBR = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
               "Nov", "Dec")
_ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")


def _intervals(mask: int, width: int, name) -> str:
    """``a,b-c`` for the set bits (runs of three or more as ranges), or "" when
    every bit is set."""
    if mask & ((1 << width) - 1) == (1 << width) - 1:
        return ""
    parts = []
    i = 0
    while i < width:
        if mask >> i & 1:
            j = i
            while j + 1 < width and mask >> (j + 1) & 1:
                j += 1
            parts.append(name(i) if j == i else f"{name(i)}-{name(j)}")
            i = j + 1
        else:
            i += 1
    # (Bareos prints a two-item range that ends on the last item as its first
    # item only, e.g. "fri-sat" as "Fri"; we print both)
    return ",".join(parts) + " " if parts else ""


def format_run(run: RunSpec) -> str:
    """A run as ``show schedule`` prints it (Bareos rebuilds the text from the
    masks: ``Full 1st Sat at 21:00``)."""
    out = []
    for attr, key in (("pool", "pool"), ("full_pool", "fullpool"),
                      ("incremental_pool", "incrementalpool"),
                      ("differential_pool", "differentialpool"), ("next_pool", "nextpool")):
        value = getattr(run, attr)
        if value:
            out.append(f'{key}="{value}" ')
    if run.level:
        out.append(f"{run.level_name} ")
    if run.storage:
        out.append(f'storage="{run.storage}" ')
    if run.messages:
        out.append(f'messages="{run.messages}" ')
    if run.priority and run.priority != 10:
        out.append(f"priority={run.priority} ")
    if run.max_run_sched_time:
        out.append(f"maxrunschedtime={run.max_run_sched_time} ")
    if run.accurate:
        out.append('accurate="yes" ')
    mdays = _intervals(run.mday, 31, lambda i: str(i + 1))
    out.append("on " + mdays if mdays else "")
    out.append(_intervals(run.wom, 5, lambda i: _ORDINALS[i]))
    if run.last_7days_of_month:
        out.append("last ")
    out.append(_intervals(run.wday, 7, lambda i: _WDAY_ABBR[i]))
    out.append(_intervals(run.month, 12, lambda i: _MONTH_ABBR[i]))
    out.append(_intervals(run.woy, 54, lambda i: f"w{i:02d}"))
    # Bareos glues several times together ("at 01:10at 13:10") and prints days
    # of the month bare ("1,15 at ..."); neither reads back, so we separate
    # the times and put "on" before the days
    return "".join(out) + " ".join(f"at {h:02d}:{run.minute:02d}" for h in run.hours())


def format_run_text(text: str) -> str:
    """``format_run`` of a ``Run =`` value; the text itself when it does not parse."""
    try:
        return format_run(parse_run(text))
    except RunSpecError:
        return text
