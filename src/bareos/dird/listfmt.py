"""Catalog query results printed as the Director prints them.

Bareos prints every catalog listing through one routine: a table with
``+---+`` borders (horizontal list), ``name: value`` blocks (vertical list,
``llist``), or bare values (raw and "no-format" lists).  Column widths come
from the longest value of the whole result (NULL counts as four characters),
numeric columns are right-aligned and get thousands separators (except
``jobid``), and no column is wider than 100 characters.

Rows can be filtered by the console's ACLs (a tri-state check: a row whose
ACL columns are all empty is hidden), by configured resources
(``current``), or by the ``Enabled`` state of the resource named in a column;
every hidden row is counted for the JSON ``meta.range.filtered`` value.

This module has no I/O of its own: it writes through the console's output
formatter (``ua.send``) and reads through the catalog object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from bareos.cats.catalog import CatalogError, to_text

HORZ = "horz"  # table with borders (list)
VERT = "vert"  # name: value blocks (llist)
RAW = "raw"    # values only, nothing between rows (log texts)
NF = "nf"      # values only, one row per line (file names)

MAX_WIDTH = 100

# PostgreSQL type OIDs Bareos treats as numbers (int8, int2, int4, float4,
# float8, numeric).
_PG_NUMERIC = {20, 21, 23, 700, 701, 1700}


@dataclass
class Column:
    name: str
    numeric: bool = False


@dataclass
class Result:
    """A query result: column descriptions and rows (str, or None for NULL)."""

    columns: list[Column]
    rows: list[list[str | None]] = field(default_factory=list)

    def index(self, name: str) -> int:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        raise KeyError(name)

    def drop(self, name: str) -> None:
        i = self.index(name)
        del self.columns[i]
        for r in self.rows:
            del r[i]

    def dicts(self) -> list[dict[str, str]]:
        names = [c.name for c in self.columns]
        return [{n: ("" if v is None else v) for n, v in zip(names, r)} for r in self.rows]


def _numeric_from_description(desc, rows) -> list[bool]:
    out = []
    for i, d in enumerate(desc):
        code = d[1] if len(d) > 1 else None
        if isinstance(code, int):  # psycopg gives the type OID
            out.append(code in _PG_NUMERIC)
            continue
        # SQLite: decide from the values themselves
        numeric = False
        for r in rows:
            v = r[i]
            if v is None:
                continue
            numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
            break
        out.append(numeric)
    return out


def _convert(cat, sql: str, params: Sequence[Any], raw: bool):
    reader = getattr(cat, "_read", None) or cat.transaction
    with reader() as tx:
        try:
            cur = tx.conn.cursor()
            if raw and not params:
                cur.execute(sql)
            else:
                cur.execute(cat._sql(sql), tuple(params))
        except cat._db_errors as exc:
            raise CatalogError(str(exc).strip()) from exc
        if cur.description is None:
            return None, []
        desc = [tuple(d) for d in cur.description]
        rows = cur.fetchall()
    return desc, rows


def query(cat, sql: str, params: Sequence[Any] = (), *, raw: bool = False) -> Result | None:
    """Run a SELECT and keep what the printer needs (names, numeric flags).

    ``raw`` runs the text as given (``.sql``: no placeholder rewriting).
    Returns None for statements without a result set.
    """
    desc, rows = _convert(cat, sql, params, raw)
    if desc is None:
        return None
    numeric = _numeric_from_description(desc, rows)
    cols = [Column(str(d[0]).lower(), n) for d, n in zip(desc, numeric)]
    out = [[None if v is None else to_text(v) for v in r] for r in rows]
    return Result(cols, out)


def run_statement(cat, sql: str) -> tuple[Result | None, int]:
    """Any SQL statement as typed by a user; (result or None, affected rows)."""
    with cat.transaction() as tx:
        try:
            cur = tx.conn.cursor()
            cur.execute(sql)
        except cat._db_errors as exc:
            raise CatalogError(str(exc).strip()) from exc
        if cur.description is None:
            return None, cur.rowcount
        desc = [tuple(d) for d in cur.description]
        rows = cur.fetchall()
    numeric = _numeric_from_description(desc, rows)
    cols = [Column(str(d[0]).lower(), n) for d, n in zip(desc, numeric)]
    return Result(cols, [[None if v is None else to_text(v) for v in r] for r in rows]), len(rows)


# ------------------------------------------------------------------ numbers


def is_an_integer(text: str) -> bool:
    return bool(text) and text.isascii() and text.isdigit()


def add_commas(text: str) -> str:
    """``2364779`` -> ``2,364,779`` (digits only; anything else unchanged)."""
    if not is_an_integer(text):
        return text
    head = len(text) % 3 or 3
    parts = [text[:head]] + [text[i:i + 3] for i in range(head, len(text), 3)]
    return ",".join(parts)


# ------------------------------------------------------------------ filters


class ListFilters:
    """The filter tuples of one listing command (Bareos keeps them in its
    output formatter until the command ends)."""

    def __init__(self, ua):
        self.ua = ua
        self.tuples: list[tuple] = []
        self.hidden: set[int] = set()

    def _added(self) -> None:
        self.ua.send.has_filters = True

    def acl(self, column: int, kind: str) -> None:
        if not self.ua.acl_no_restrictions(kind):
            self.tuples.append(("acl", column, kind))
            self._added()

    def resource(self, column: int, rtype: str) -> None:
        self.tuples.append(("res", column, rtype))
        self._added()

    def enabled(self, column: int, rtype: str, want: bool = True) -> None:
        self.tuples.append(("enabled" if want else "disabled", column, rtype))
        self._added()

    def limit(self, value: int) -> None:
        self.tuples.append(("limit", value))
        self.ua.send.limit = value
        self._added()

    def offset(self, value: int) -> None:
        self.tuples.append(("offset", value))
        self.ua.send.offset = value
        self._added()

    def hide(self, column: int, kind: str | None = None) -> None:
        self.hidden.add(column)
        if kind is not None:
            self.acl(column, kind)

    @property
    def has_acl(self) -> bool:
        return any(t[0] == "acl" for t in self.tuples)

    @property
    def active(self) -> bool:
        return bool(self.tuples)

    def _state(self, t: tuple, row) -> str:
        kind = t[0]
        if kind in ("limit", "offset"):
            return "show"
        col = t[1]
        value = row[col] if col < len(row) else None
        if not value:
            return "unknown"
        if kind == "acl":
            return "show" if self.ua.acl_access_ok(t[2], value) else "suppress"
        res = self.ua.director.get(t[2], value)
        if kind == "res":
            return "show" if res is not None else "suppress"
        want = kind == "enabled"
        if t[2] not in ("Client", "Job", "Storage", "Schedule"):
            return "unknown"
        if res is None or bool(res.get("Enabled", True)) != want:
            return "suppress"
        return "show"

    def keep(self, row) -> bool:
        shown = unknown = 0
        for t in self.tuples:
            state = self._state(t, row)
            if state == "suppress":
                self.ua.send.num_rows_filtered += 1
                return False
            if t[0] == "acl":
                if state == "show":
                    shown += 1
                elif state == "unknown":
                    unknown += 1
        if unknown and not shown:
            self.ua.send.num_rows_filtered += 1
            return False
        return True


# ------------------------------------------------------------------ output


def _kv(out, name: str, value: str, text: str) -> None:
    """Bareos's ObjectKeyValue with a preformatted text for the text modes."""
    if out.json:
        out.kv(name, value)
    else:
        out.text(text)


def list_result(ua, res: Result, mode: str = HORZ, filters: ListFilters | None = None) -> int:
    """Print a result as Bareos's ListResult does; returns the number of rows."""
    out = ua.send
    if not res.rows:
        out.decoration("No results to list.\n")
        return 0
    hidden = filters.hidden if filters is not None else set()
    use_filter = filters is not None and filters.active
    visible = [i for i in range(len(res.columns)) if i not in hidden]
    gui = bool(getattr(ua, "gui", False))

    widths: dict[int, int] = {}
    name_width = 0
    if mode in (HORZ, VERT):
        for i in visible:
            col = res.columns[i]
            col_len = len(col.name)
            if mode == VERT:
                name_width = max(name_width, col_len)
                continue
            ml = 0
            for r in res.rows:
                v = r[i]
                ml = max(ml, 4 if v is None else len(v))
            if col.numeric and ml > 0 and col.name != "jobid":
                ml += (ml - 1) // 3
            col_len = max(col_len, ml)
            if col_len < 4:
                col_len = 4
            widths[i] = col_len

    def dashes() -> None:
        out.decoration("+" + "".join("-" * min(widths[i] + 2, MAX_WIDTH) + "+" for i in visible) + "\n")

    if mode == HORZ:
        dashes()
        out.decoration("|" + "".join(f" {res.columns[i].name:<{min(widths[i], MAX_WIDTH)}} |"
                                     for i in visible) + "\n")
        dashes()

    for r in res.rows:
        if use_filter and not filters.keep(r):
            continue
        out.object_start()
        if mode in (RAW, NF):
            for i in visible:
                v = "" if r[i] is None else r[i]
                _kv(out, res.columns[i].name, v, f" {v}")
            if mode == NF:
                out.decoration("\n")
        elif mode == HORZ:
            out.decoration("|")
            last = visible[-1] if visible else -1
            for i in visible:
                col = res.columns[i]
                w = min(widths[i], MAX_WIDTH)
                v = "" if r[i] is None else r[i]
                if col.numeric and not gui:
                    shown = add_commas(v) if col.name != "jobid" else v
                    text = f" {shown:>{w}} |"
                else:
                    text = f" {v:<{w}} |"
                if i == last:
                    text += "\n"
                _kv(out, col.name, v, text)
        else:  # VERT
            for i in visible:
                col = res.columns[i]
                v = "" if r[i] is None else r[i]
                shown = v
                if col.numeric and not gui and col.name != "jobid":
                    shown = add_commas(v)
                _kv(out, col.name, v, f" {col.name:>{name_width}}: {shown}\n")
            out.decoration("\n")
        out.object_end()
    if mode == HORZ:
        dashes()
    return len(res.rows)


def list_query(ua, cat, sql: str, params: Sequence[Any] = (), mode: str = HORZ,
               array: str | None = "query", filters: ListFilters | None = None,
               raw: bool = False) -> Result | None:
    """Bareos's ListSqlQuery: run, then print inside a JSON array named ``array``."""
    res = query(cat, sql, params, raw=raw)
    if res is None:
        res = Result([], [])
    if array is not None:
        ua.send.array_start(array)
    list_result(ua, res, mode, filters)
    if array is not None:
        ua.send.array_end(array)
    return res


def names_of(items: Iterable[str]) -> str:
    return ", ".join(items)
