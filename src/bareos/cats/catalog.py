"""The backend-neutral catalog API.

`Catalog` holds every operation the Director and the Storage Daemon need,
written once in portable SQL with ``?`` placeholders.  A backend
(`bareos.cats.sqlite.SQLiteCatalog`, `bareos.cats.postgresql.PostgreSQLCatalog`)
supplies connections, the placeholder style, the bulk path for file
attributes and schema introspection.

Conventions:

* Records come back as dicts keyed by Bareos's column names (``JobId``,
  ``VolStatus``...); timestamps are ``'YYYY-MM-DD HH:MM:SS'`` strings (local
  time, as Bareos stores them), NUMERIC values are ints.
* Field keyword arguments of create/update calls are column names too, e.g.
  ``cat.update_job(jobid, JobStatus="T", JobFiles=3)``; they are matched
  ignoring case and checked against the schema.
* ``list_*`` calls return what ``list``/``llist`` print: a list of dicts with
  lower-case keys in Bareos's column order and every value a string
  (``""`` for NULL), as in the Director's API 2 JSON.
* Every write runs in a transaction.  ``with cat.transaction():`` groups
  several calls of the same thread into one transaction.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence

from .params import CatalogError, CatalogParams, SchemaVersionError
from .schema import SCHEMA_VERSION, STATUS_ROWS, TABLES, expected_columns

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# lower-case column name -> Bareos spelling, per table and over all tables
_CANON: dict[str, dict[str, str]] = {
    t.lower(): {c.lower(): c for c in cols} for t, cols in TABLES.items()
}
_CANON_ANY: dict[str, str] = {}
for _cols in TABLES.values():
    for _c in _cols:
        _CANON_ANY.setdefault(_c.lower(), _c)

# Job types, levels and statuses used by the level logic.
JT_BACKUP = "B"
L_FULL, L_INCREMENTAL, L_DIFFERENTIAL = "F", "I", "D"
OK_STATUSES = ("T", "W")


# ---------------------------------------------------------------- values


def format_time(value: Any) -> str | None:
    """Turn a datetime, Unix time or string into the catalog's time text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, (int, float)):
        if value <= 0:
            return None
        return time.strftime(TIME_FORMAT, time.localtime(value))
    raise CatalogError(f"not a time value: {value!r}")


def now_str() -> str:
    return time.strftime(TIME_FORMAT, time.localtime())


def parse_time(text: str | None) -> float | None:
    """Catalog time text -> Unix time (local time), None for empty."""
    if not text or text.startswith("0000"):
        return None
    return time.mktime(time.strptime(text[:19], TIME_FORMAT))


def format_interval(seconds: float) -> str:
    """Seconds -> PostgreSQL's interval text (``00:00:02``, ``1 day 02:00:00``)."""
    neg = seconds < 0
    s = int(abs(seconds))
    days, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}"
    if days:
        text = f"{days} day{'s' if days != 1 else ''} {text}"
    return ("-" if neg else "") + text


def to_text(value: Any) -> str:
    """A database value as Bareos prints it (NULL -> '')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, _dt.timedelta):
        return format_interval(value.total_seconds())
    if isinstance(value, decimal.Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


def _norm_value(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def split_filename(fname: str) -> tuple[str, str]:
    """Split a full file name into Bareos's (Path, Name).

    The path keeps its trailing ``/``; a directory entry (name ending in ``/``)
    has Name ``''``.  Windows names with ``\\``? Bareos's FD sends ``/``.
    """
    if fname.endswith("/"):
        return fname, ""
    i = fname.rfind("/")
    if i < 0:
        return "", fname
    return fname[: i + 1], fname[i + 1 :]


# ---------------------------------------------------------------- transaction


class Tx:
    """One transaction on one connection (used by one thread)."""

    def __init__(self, catalog: "Catalog", conn: Any):
        self.catalog = catalog
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cat = self.catalog
        try:
            cur = self.conn.cursor()
            cur.execute(cat._sql(sql), tuple(params))
            return cur
        except cat._db_errors as exc:
            raise CatalogError(f"{exc}".strip() + f"\nSQL: {sql}") from exc

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        cat = self.catalog
        try:
            cur = self.conn.cursor()
            cur.executemany(cat._sql(sql), seq)
        except cat._db_errors as exc:
            raise CatalogError(f"{exc}".strip() + f"\nSQL: {sql}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self.execute(sql, params).fetchall())

    def query_dicts(self, sql: str, params: Sequence[Any] = (), table: str | None = None) -> list[dict]:
        cur = self.execute(sql, params)
        canon = _CANON.get(table.lower(), {}) if table else {}
        names = [
            canon.get(d[0].lower()) or _CANON_ANY.get(d[0].lower(), d[0])
            for d in cur.description
        ]
        return [
            {n: _norm_value(v) for n, v in zip(names, row)} for row in cur.fetchall()
        ]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else _norm_value(row[0])

    def insert(self, sql: str, params: Sequence[Any], id_column: str) -> int:
        row = self.execute(f"{sql} RETURNING {id_column}", params).fetchone()
        return int(row[0])


# ---------------------------------------------------------------- catalog


class Catalog:
    """Backend-neutral catalog; use `open_catalog` to get one."""

    backend = "abstract"
    _db_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, params: CatalogParams):
        self.params = params
        self._tls = threading.local()
        self._sql_cache: dict[str, str] = {}

    # -- backend hooks -------------------------------------------------

    def _sql(self, sql: str) -> str:  # placeholder conversion
        return sql

    @contextmanager
    def _begin(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    @contextmanager
    def _reader(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def _table_columns(self) -> dict[str, list[str]]:  # pragma: no cover
        """Lower-case table name -> lower-case column names, DDL order."""
        raise NotImplementedError

    def _create_ddl(self, tx: Tx) -> None:  # pragma: no cover
        raise NotImplementedError

    def _fill_batch(self, tx: Tx, rows: list[tuple]) -> None:  # pragma: no cover
        raise NotImplementedError

    def _lock_for_create(self, tx: Tx, table: str) -> None:
        """Serialize get-or-create on *table* until the transaction ends
        (SQLite needs nothing: BEGIN IMMEDIATE already serializes writers)."""

    def _start_batch(self, tx: Tx) -> None:  # pragma: no cover
        raise NotImplementedError

    def _end_batch(self, tx: Tx) -> None:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- transactions ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction; nested calls in the same thread join it."""
        current = getattr(self._tls, "tx", None)
        if current is not None:
            yield current
            return
        with self._begin() as tx:
            self._tls.tx = tx
            try:
                yield tx
            finally:
                self._tls.tx = None

    @contextmanager
    def _read(self) -> Iterator[Tx]:
        current = getattr(self._tls, "tx", None)
        if current is not None:
            yield current
            return
        with self._reader() as tx:
            yield tx

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._read() as tx:
            return tx.query(sql, params)

    def _dicts(self, sql: str, params: Sequence[Any] = (), table: str | None = None) -> list[dict]:
        with self._read() as tx:
            return tx.query_dicts(sql, params, table)

    def _one(self, sql: str, params: Sequence[Any] = (), table: str | None = None) -> dict | None:
        rows = self._dicts(sql, params, table)
        return rows[0] if rows else None

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._read() as tx:
            return tx.scalar(sql, params)

    # -- schema ------------------------------------------------------------

    def schema_version(self) -> int | None:
        """VersionId of the database, None when there is no Version table."""
        if "version" not in self._table_columns():
            return None
        v = self._scalar("SELECT MAX(VersionId) FROM Version")
        return None if v is None else int(v)

    def is_empty(self) -> bool:
        return not self._table_columns()

    def create_schema(self) -> None:
        """Create every table with its initial rows (Status, Version)."""
        with self.transaction() as tx:
            self._create_ddl(tx)
            tx.executemany(
                "INSERT INTO Status (JobStatus, JobStatusLong, Severity) VALUES (?, ?, ?)",
                STATUS_ROWS,
            )
            tx.execute("DELETE FROM Version")
            tx.execute("INSERT INTO Version (VersionId) VALUES (?)", (SCHEMA_VERSION,))

    def check_schema(self) -> list[str]:
        """Problems found comparing the database with schema 2250 ([] = fine)."""
        problems = []
        have = self._table_columns()
        for table, cols in expected_columns().items():
            if table not in have:
                problems.append(f"table {table} is missing")
                continue
            missing = [c for c in cols if c not in have[table]]
            if missing:
                problems.append(f"table {table} lacks columns: {', '.join(missing)}")
        if "version" in have:
            v = self.schema_version()
            if v != SCHEMA_VERSION:
                problems.append(
                    f"schema version is {v}, this Director needs {SCHEMA_VERSION}"
                )
        return problems

    def upgrade_schema(self) -> int:
        """Bring the schema to version 2250; returns the version found before."""
        v = self.schema_version()
        if v is None:
            if self.is_empty():
                self.create_schema()
                return 0
            raise SchemaVersionError("database has tables but no Version table")
        if v == SCHEMA_VERSION:
            return v
        if v > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"catalog schema version {v} is newer than {SCHEMA_VERSION}"
            )
        self._upgrade_from(v)
        return v

    def _upgrade_from(self, version: int) -> None:
        raise SchemaVersionError(
            f"catalog schema version {version} cannot be upgraded to "
            f"{SCHEMA_VERSION} by this backend; use Bareos's update scripts "
            "up to 2240 first"
        )

    def ensure_schema(self, create: bool = True) -> None:
        """On open: create an empty database, else check the version."""
        v = self.schema_version()
        if v is None and self.is_empty():
            if not create:
                raise SchemaVersionError("catalog database is empty")
            self.create_schema()
            return
        if v != SCHEMA_VERSION:
            raise SchemaVersionError(
                f'Catalog "{self.params.catalog_name}": schema version is {v}, '
                f"need {SCHEMA_VERSION}; run `python -m bareos.cats.admin upgrade`"
            )

    # -- raw SQL -----------------------------------------------------------

    def sql(self, query: str, params: Sequence[Any] = ()) -> tuple[list[str], list[list[str]]]:
        """Run any statement (the ``.sql query=...`` command).

        Returns (lower-case column names, rows of strings); statements
        without a result give ``([], [])``.  Runs in its own transaction.
        """
        with self.transaction() as tx:
            try:
                cur = tx.conn.cursor()
                if params:
                    cur.execute(self._sql(query), tuple(params))
                else:
                    cur.execute(query)
            except self._db_errors as exc:
                raise CatalogError(str(exc).strip()) from exc
            if cur.description is None:
                return [], []
            cols = [d[0].lower() for d in cur.description]
            return cols, [[to_text(v) for v in row] for row in cur.fetchall()]

    # -- helpers for field kwargs -----------------------------------------

    @staticmethod
    def _columns(table: str, fields: dict[str, Any], skip: Iterable[str] = ()) -> list[tuple[str, Any]]:
        canon = _CANON[table.lower()]
        skipped = {s.lower() for s in skip}
        out = []
        for key, value in fields.items():
            col = canon.get(key.lower())
            if col is None or key.lower() in skipped:
                raise CatalogError(f"{table} has no settable column {key!r}")
            out.append((col, value))
        return out

    def _insert(self, tx: Tx, table: str, id_column: str | None, values: list[tuple[str, Any]]) -> int:
        cols = ", ".join(c for c, _ in values)
        marks = ", ".join("?" for _ in values)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        if id_column is None:
            tx.execute(sql, [v for _, v in values])
            return 0
        return tx.insert(sql, [v for _, v in values], id_column)

    def _update(self, table: str, key_col: str, key: Any, fields: dict[str, Any]) -> int:
        values = self._columns(table, fields, skip=(key_col,))
        if not values:
            return 0
        sets = ", ".join(f"{c} = ?" for c, _ in values)
        with self.transaction() as tx:
            cur = tx.execute(
                f"UPDATE {table} SET {sets} WHERE {key_col} = ?",
                [self._time_param(table, c, v) for c, v in values] + [key],
            )
            return cur.rowcount

    _TIME_COLUMNS = {
        "schedtime", "starttime", "endtime", "realendtime", "firstwritten",
        "lastwritten", "labeldate", "initialwrite", "createtime", "time",
        "cleaningdate", "date", "sampletime",
    }

    def _time_param(self, table: str, col: str, value: Any) -> Any:
        if col.lower() in self._TIME_COLUMNS:
            return format_time(value)
        return value

    # ================================================================ Client

    def get_client(self, name: str | None = None, client_id: int | None = None) -> dict | None:
        if client_id is not None:
            return self._one("SELECT * FROM Client WHERE ClientId = ?", (client_id,), "Client")
        return self._one("SELECT * FROM Client WHERE Name = ?", (name,), "Client")

    def get_or_create_client(
        self,
        name: str,
        uname: str = "",
        auto_prune: bool | int = 0,
        file_retention: int = 0,
        job_retention: int = 0,
    ) -> int:
        """ClientId of *name*; created, or its retention fields refreshed."""
        with self.transaction() as tx:
            self._lock_for_create(tx, "Client")
            rows = tx.query("SELECT ClientId, UName FROM Client WHERE Name = ?", (name,))
            if rows:
                cid = int(rows[0][0])
                tx.execute(
                    "UPDATE Client SET AutoPrune = ?, FileRetention = ?, JobRetention = ?"
                    + (", UName = ?" if uname else "")
                    + " WHERE ClientId = ?",
                    [int(auto_prune), int(file_retention), int(job_retention)]
                    + ([uname] if uname else [])
                    + [cid],
                )
                return cid
            return tx.insert(
                "INSERT INTO Client (Name, UName, AutoPrune, FileRetention, JobRetention) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, uname, int(auto_prune), int(file_retention), int(job_retention)),
                "ClientId",
            )

    def update_client(self, client_id: int, **fields: Any) -> None:
        self._update("Client", "ClientId", client_id, fields)

    # =============================================================== FileSet

    def get_fileset(self, fileset_id: int) -> dict | None:
        return self._one("SELECT * FROM FileSet WHERE FileSetId = ?", (fileset_id,), "FileSet")

    def get_or_create_fileset(
        self, name: str, md5: str, text: str = "", create_time: Any = None
    ) -> int:
        """FileSetId for (name, MD5); a changed fileset gets a new row.  A
        found row whose FileSetText differs from *text* gets *text* (Bareos's
        CreateFilesetRecord)."""
        with self.transaction() as tx:
            self._lock_for_create(tx, "FileSet")
            rows = tx.query(
                "SELECT FileSetId, FileSetText FROM FileSet WHERE FileSet = ? AND Md5 = ? "
                "ORDER BY FileSetId DESC",
                (name, md5),
            )
            if rows:
                fid, old = int(rows[0][0]), _norm_value(rows[0][1])
                if text and old != text:
                    tx.execute("UPDATE FileSet SET FileSetText = ? WHERE FileSetId = ?", (text, fid))
                return fid
            return tx.insert(
                "INSERT INTO FileSet (FileSet, Md5, FileSetText, CreateTime) VALUES (?, ?, ?, ?)",
                (name, md5, text, format_time(create_time) or now_str()),
                "FileSetId",
            )

    # ================================================================== Pool

    def get_pool(self, name: str | None = None, pool_id: int | None = None) -> dict | None:
        if pool_id is not None:
            return self._one("SELECT * FROM Pool WHERE PoolId = ?", (pool_id,), "Pool")
        return self._one("SELECT * FROM Pool WHERE Name = ? ORDER BY PoolId", (name,), "Pool")

    def create_pool(self, Name: str, **fields: Any) -> int:
        values = [("Name", Name)] + self._columns("Pool", fields, skip=("PoolId", "Name"))
        if not any(c == "LabelFormat" for c, _ in values):
            values.append(("LabelFormat", "*"))
        if not any(c == "PoolType" for c, _ in values):
            values.append(("PoolType", "Backup"))
        with self.transaction() as tx:
            return self._insert(tx, "Pool", "PoolId", values)

    def update_pool(self, pool_id: int, **fields: Any) -> None:
        self._update("Pool", "PoolId", pool_id, fields)

    def sync_pool(self, Name: str, **fields: Any) -> int:
        """Create the pool or update it to *fields* (Director start, reload)."""
        with self.transaction() as tx:
            self._lock_for_create(tx, "Pool")
            pid = tx.scalar("SELECT PoolId FROM Pool WHERE Name = ? ORDER BY PoolId", (Name,))
            if pid is None:
                return self.create_pool(Name, **fields)
            self.update_pool(int(pid), **fields)
            self._refresh_numvols(tx, int(pid))
            return int(pid)

    def sync_pools(self, resources: Iterable[Any]) -> dict[str, int]:
        """Sync every Pool resource; returns name -> PoolId.

        References (Scratch/Recycle/Next Pool) are resolved after all pools
        exist, as a Pool may name one defined later.
        """
        from .resources import pool_fields_from_resource, pool_references

        res_list = list(resources)
        ids: dict[str, int] = {}
        with self.transaction():
            for res in res_list:
                fields = pool_fields_from_resource(res)
                name = fields.pop("Name")
                ids[name] = self.sync_pool(name, **fields)
            for res in res_list:
                refs = pool_references(res)
                upd = {}
                for col, ref in refs.items():
                    if ref:
                        pid = ids.get(ref)
                        if pid is None:
                            p = self.get_pool(ref)
                            pid = p["PoolId"] if p else 0
                        upd[col] = pid
                    else:
                        upd[col] = 0
                name = pool_fields_from_resource(res)["Name"]
                self.update_pool(ids[name], **upd)
        return ids

    def _refresh_numvols(self, tx: Tx, pool_id: int) -> None:
        tx.execute(
            "UPDATE Pool SET NumVols = (SELECT COUNT(*) FROM Media WHERE Media.PoolId = ?) "
            "WHERE PoolId = ?",
            (pool_id, pool_id),
        )

    # ============================================================== Storage

    def get_or_create_storage(self, name: str, autochanger: bool | int = 0) -> int:
        with self.transaction() as tx:
            self._lock_for_create(tx, "Storage")
            rows = tx.query("SELECT StorageId, AutoChanger FROM Storage WHERE Name = ?", (name,))
            if rows:
                sid = int(rows[0][0])
                if int(rows[0][1] or 0) != int(autochanger):
                    tx.execute(
                        "UPDATE Storage SET AutoChanger = ? WHERE StorageId = ?",
                        (int(autochanger), sid),
                    )
                return sid
            return tx.insert(
                "INSERT INTO Storage (Name, AutoChanger) VALUES (?, ?)",
                (name, int(autochanger)),
                "StorageId",
            )

    def get_storage(self, name: str | None = None, storage_id: int | None = None) -> dict | None:
        if storage_id is not None:
            return self._one("SELECT * FROM Storage WHERE StorageId = ?", (storage_id,), "Storage")
        return self._one("SELECT * FROM Storage WHERE Name = ?", (name,), "Storage")

    def get_or_create_mediatype(self, name: str, read_only: bool | int = 0) -> int:
        with self.transaction() as tx:
            self._lock_for_create(tx, "MediaType")
            mid = tx.scalar("SELECT MediaTypeId FROM MediaType WHERE MediaType = ?", (name,))
            if mid is not None:
                return int(mid)
            return tx.insert(
                "INSERT INTO MediaType (MediaType, ReadOnly) VALUES (?, ?)",
                (name, int(read_only)),
                "MediaTypeId",
            )

    def get_or_create_device(self, name: str, mediatype_id: int, storage_id: int) -> int:
        with self.transaction() as tx:
            self._lock_for_create(tx, "Device")
            did = tx.scalar(
                "SELECT DeviceId FROM Device WHERE Name = ? AND StorageId = ?",
                (name, storage_id),
            )
            if did is not None:
                return int(did)
            return tx.insert(
                "INSERT INTO Device (Name, MediaTypeId, StorageId) VALUES (?, ?, ?)",
                (name, mediatype_id, storage_id),
                "DeviceId",
            )

    # ================================================================ Media

    _MEDIA_FROM_POOL = (
        "VolRetention", "VolUseDuration", "MaxVolJobs", "MaxVolFiles",
        "MaxVolBytes", "Recycle", "ActionOnPurge", "RecyclePoolId",
        "ScratchPoolId", "LabelType", "MinBlockSize", "MaxBlockSize",
    )

    def create_media(
        self, VolumeName: str, PoolId: int, MediaType: str, **fields: Any
    ) -> int:
        """Create a volume; limits and retention are taken from its pool
        unless given.  VolStatus defaults to Append, Enabled to 1."""
        values = dict(self._columns("Media", fields, skip=("MediaId", "VolumeName")))
        with self.transaction() as tx:
            pool = tx.query_dicts("SELECT * FROM Pool WHERE PoolId = ?", (PoolId,), "Pool")
            if pool:
                for col in self._MEDIA_FROM_POOL:
                    values.setdefault(col, pool[0][col] or 0)
            values.setdefault("VolStatus", "Append")
            values.setdefault("Enabled", 1)
            values.setdefault("MediaTypeId", self.get_or_create_mediatype(MediaType))
            row = [("VolumeName", VolumeName), ("PoolId", PoolId), ("MediaType", MediaType)]
            row += [(c, self._time_param("Media", c, v)) for c, v in values.items()]
            mid = self._insert(tx, "Media", "MediaId", row)
            self._refresh_numvols(tx, PoolId)
            return mid

    def get_media(self, volume_name: str | None = None, media_id: int | None = None) -> dict | None:
        if media_id is not None:
            return self._one("SELECT * FROM Media WHERE MediaId = ?", (media_id,), "Media")
        return self._one("SELECT * FROM Media WHERE VolumeName = ?", (volume_name,), "Media")

    def update_media(self, media_id: int, **fields: Any) -> None:
        """Set columns of a volume (e.g. after the SD's UpdateMedia)."""
        with self.transaction() as tx:
            old_pool = tx.scalar("SELECT PoolId FROM Media WHERE MediaId = ?", (media_id,))
            self._update("Media", "MediaId", media_id, fields)
            if any(k.lower() == "poolid" for k in fields):
                new_pool = tx.scalar("SELECT PoolId FROM Media WHERE MediaId = ?", (media_id,))
                for pid in {old_pool, new_pool}:
                    if pid:
                        self._refresh_numvols(tx, int(pid))

    def delete_media(self, media_id: int) -> None:
        with self.transaction() as tx:
            pid = tx.scalar("SELECT PoolId FROM Media WHERE MediaId = ?", (media_id,))
            tx.execute("DELETE FROM JobMedia WHERE MediaId = ?", (media_id,))
            tx.execute("DELETE FROM Media WHERE MediaId = ?", (media_id,))
            if pid:
                self._refresh_numvols(tx, int(pid))

    def get_volume_jobids(self, media_id: int) -> list[int]:
        """JobIds with data on a volume."""
        rows = self._query(
            "SELECT DISTINCT JobId FROM JobMedia WHERE MediaId = ? ORDER BY JobId", (media_id,)
        )
        return [int(r[0]) for r in rows]

    def purge_media(self, media_id: int) -> list[int]:
        """Purge a volume: delete the jobs that have data on it (with their
        File, JobMedia, Log... rows) and set VolStatus 'Purged'.  Returns
        the JobIds removed."""
        with self.transaction():
            jobids = self.get_volume_jobids(media_id)
            for jid in jobids:
                self.delete_job(jid)
            self.update_media(media_id, VolStatus="Purged")
            return jobids

    def find_next_volume(
        self,
        pool_id: int,
        media_type: str,
        vol_status: str = "Append",
        *,
        index: int = 1,
        exclude: Iterable[str] = (),
        in_changer: bool | None = None,
    ) -> dict | None:
        """The *index*-th enabled volume of the pool and media type with
        *vol_status*, skipping names in *exclude*.

        Append volumes come most recently written first (Bareos keeps
        appending where it wrote last); Recycle/Purged volumes oldest first.
        """
        sql = (
            "SELECT * FROM Media WHERE PoolId = ? AND MediaType = ? AND Enabled = 1 "
            "AND VolStatus = ?"
        )
        params: list[Any] = [pool_id, media_type, vol_status]
        if in_changer is not None:
            sql += " AND InChanger = ?"
            params.append(int(in_changer))
        if vol_status == "Append":
            sql += " ORDER BY (LastWritten IS NULL), LastWritten DESC, MediaId"
        else:
            sql += " ORDER BY (LastWritten IS NOT NULL), LastWritten, MediaId"
        unwanted = set(exclude)
        n = 0
        for rec in self._dicts(sql, params, "Media"):
            if rec["VolumeName"] in unwanted:
                continue
            n += 1
            if n >= index:
                return rec
        return None

    # ================================================================== Job

    def create_job(
        self,
        Job: str,
        Name: str,
        Type: str,
        Level: str,
        **fields: Any,
    ) -> int:
        """Insert the Job row at job start; JobStatus defaults to 'C',
        SchedTime to now, JobTDate to the SchedTime's Unix time."""
        values = dict(self._columns("Job", fields, skip=("JobId", "Job", "Name", "Type", "Level")))
        values.setdefault("JobStatus", "C")
        values["SchedTime"] = format_time(values.get("SchedTime")) or now_str()
        if "JobTDate" not in values:
            values["JobTDate"] = int(parse_time(values["SchedTime"]) or time.time())
        row = [("Job", Job), ("Name", Name), ("Type", Type), ("Level", Level)]
        row += [(c, self._time_param("Job", c, v)) for c, v in values.items()]
        with self.transaction() as tx:
            return self._insert(tx, "Job", "JobId", row)

    def get_job(self, job_id: int | None = None, job: str | None = None) -> dict | None:
        if job_id is not None:
            return self._one("SELECT * FROM Job WHERE JobId = ?", (job_id,), "Job")
        return self._one("SELECT * FROM Job WHERE Job = ?", (job,), "Job")

    def update_job(self, job_id: int, **fields: Any) -> None:
        self._update("Job", "JobId", job_id, fields)

    def start_job(self, job_id: int, start_time: Any = None, **fields: Any) -> None:
        """Job begins running: StartTime, JobTDate, JobStatus 'R' and any
        other fields (ClientId, PoolId, FileSetId, Level, VolSessionId...)."""
        st = format_time(start_time) or now_str()
        fields.setdefault("JobStatus", "R")
        fields.setdefault("JobTDate", int(parse_time(st) or time.time()))
        self._update("Job", "JobId", job_id, dict(fields, StartTime=st))

    def end_job(self, job_id: int, JobStatus: str, end_time: Any = None, **fields: Any) -> None:
        """Job finished: JobStatus, EndTime, RealEndTime and the counters
        (JobFiles, JobBytes, ReadBytes, JobErrors, JobMissingFiles...)."""
        et = format_time(end_time) or now_str()
        fields.setdefault("RealEndTime", et)
        self._update("Job", "JobId", job_id, dict(fields, JobStatus=JobStatus, EndTime=et))

    def cleanup_stale_jobs(self) -> int:
        """Mark jobs left 'C'reated or 'R'unning by a crashed Director as
        fatal errors (Director start).  Returns the number of jobs fixed."""
        with self.transaction() as tx:
            n = tx.execute(
                "UPDATE Job SET JobStatus = 'f', StartTime = SchedTime, EndTime = SchedTime "
                "WHERE JobStatus = 'C'"
            ).rowcount
            n += tx.execute(
                "UPDATE Job SET JobStatus = 'f', EndTime = StartTime WHERE JobStatus = 'R'"
            ).rowcount
            return n

    def delete_job(self, job_id: int) -> None:
        """Remove a job and its File, JobMedia, Log, RestoreObject... rows."""
        with self.transaction() as tx:
            for table in (
                "File", "JobMedia", "Log", "RestoreObject", "BaseFiles",
                "PathVisibility", "NDMPJobEnvironment", "JobStats",
            ):
                tx.execute(f"DELETE FROM {table} WHERE JobId = ?", (job_id,))
            tx.execute("DELETE FROM Job WHERE JobId = ?", (job_id,))

    def purge_files(self, job_id: int) -> None:
        """Drop a job's File rows and set Job.PurgedFiles = 1."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM File WHERE JobId = ?", (job_id,))
            tx.execute("DELETE FROM BaseFiles WHERE JobId = ?", (job_id,))
            tx.execute("DELETE FROM PathVisibility WHERE JobId = ?", (job_id,))
            tx.execute("UPDATE Job SET PurgedFiles = 1 WHERE JobId = ?", (job_id,))

    # -- level logic -----------------------------------------------------

    def find_job_start_time(
        self, name: str, client_id: int, fileset_id: int, level: str, job_type: str = JT_BACKUP
    ) -> tuple[str, str] | None:
        """(StartTime, Job) a Differential or Incremental starts from.

        Differential: the last good Full of this job/client/fileset.
        Incremental: the last good Full, Differential or Incremental, but
        only if a good Full exists.  None when there is no such job (the
        Director then upgrades the level to Full).
        """
        base = (
            "SELECT StartTime, Job FROM Job WHERE JobStatus IN ('T', 'W') AND Type = ? "
            "AND Name = ? AND ClientId = ? AND FileSetId = ? "
        )
        args = [job_type, name, client_id, fileset_id]
        full = self._query(base + "AND Level = 'F' ORDER BY StartTime DESC LIMIT 1", args)
        if not full:
            return None
        if level == L_DIFFERENTIAL:
            row = full[0]
        elif level == L_INCREMENTAL:
            row = self._query(
                base + "AND Level IN ('I', 'D', 'F') ORDER BY StartTime DESC LIMIT 1", args
            )[0]
        else:
            raise CatalogError(f"no since-time for level {level!r}")
        return to_text(row[0]), row[1]

    def find_last_job_start_time(
        self, name: str, client_id: int, fileset_id: int, level: str, job_type: str = JT_BACKUP
    ) -> tuple[str, str] | None:
        """(StartTime, Job) of the last good job of exactly *level*."""
        rows = self._query(
            "SELECT StartTime, Job FROM Job WHERE JobStatus IN ('T', 'W') AND Type = ? "
            "AND Level = ? AND Name = ? AND ClientId = ? AND FileSetId = ? "
            "ORDER BY StartTime DESC LIMIT 1",
            (job_type, level, name, client_id, fileset_id),
        )
        return (to_text(rows[0][0]), rows[0][1]) if rows else None

    def find_failed_job_since(
        self, name: str, client_id: int, fileset_id: int, since: str, job_type: str = JT_BACKUP
    ) -> str | None:
        """Level of a failed Full/Differential started after *since*
        (``Rerun Failed Levels``), or None."""
        rows = self._query(
            "SELECT Level FROM Job WHERE JobStatus NOT IN ('T', 'W') AND Type = ? "
            "AND Level IN ('F', 'D') AND Name = ? AND ClientId = ? AND FileSetId = ? "
            "AND StartTime > ? ORDER BY StartTime DESC LIMIT 1",
            (job_type, name, client_id, fileset_id, format_time(since)),
        )
        return rows[0][0] if rows else None

    def find_last_jobid(self, name: str | None = None, client_id: int | None = None) -> int | None:
        """JobId of the last good backup of job *name* (or of the client)."""
        if name is not None:
            sql, arg = "Name = ?", name
        else:
            sql, arg = "ClientId = ?", client_id
        v = self._scalar(
            f"SELECT JobId FROM Job WHERE Type = 'B' AND JobStatus IN ('T', 'W') AND {sql} "
            "ORDER BY StartTime DESC LIMIT 1",
            (arg,),
        )
        return None if v is None else int(v)

    def accurate_jobids(
        self, client_id: int, fileset_id: int, level: str, before: Any = None
    ) -> list[int]:
        """JobIds whose files make up the current state: the last good Full,
        then (for Incremental) the last Differential after it and every
        Incremental after those; oldest first.  Used for accurate mode and
        for the restore selection of the most recent backup."""
        # Jobs started before *before*; without it every finished job up to
        # now, including those that started in this very second (StartTime has
        # one-second resolution and our jobs take less: "StartTime < now" lost
        # the job before, and an accurate Incremental then saw its changes
        # and deletions again)
        until = format_time(before)
        cmp = "<"
        if not until:
            until, cmp = now_str(), "<="
        base = (
            "SELECT JobId, StartTime FROM Job WHERE Type = 'B' AND JobStatus IN ('T', 'W') "
            f"AND ClientId = ? AND FileSetId = ? AND StartTime {cmp} ? "
        )
        args = [client_id, fileset_id, until]
        full = self._query(base + "AND Level = 'F' ORDER BY StartTime DESC, JobId DESC LIMIT 1", args)
        if not full:
            return []
        ids = [int(full[0][0])]
        since = to_text(full[0][1])
        # StartTime has one-second resolution: a job of the same second is later
        # when its JobId is higher
        later = "AND (StartTime > ? OR (StartTime = ? AND JobId > ?)) "
        if level in (L_DIFFERENTIAL, L_INCREMENTAL):
            diff = self._query(
                base + "AND Level = 'D' " + later + "ORDER BY StartTime DESC, JobId DESC LIMIT 1",
                args + [since, since, ids[-1]],
            )
            if diff:
                ids.append(int(diff[0][0]))
                since = to_text(diff[0][1])
        if level == L_INCREMENTAL:
            incs = self._query(
                base + "AND Level = 'I' " + later + "ORDER BY StartTime, JobId",
                args + [since, since, ids[-1]],
            )
            ids.extend(int(r[0]) for r in incs)
        return ids

    # ============================================================= JobMedia

    def create_jobmedia(
        self,
        job_id: int,
        media_id: int,
        first_index: int,
        last_index: int,
        start_file: int = 0,
        end_file: int = 0,
        start_block: int = 0,
        end_block: int = 0,
        job_bytes: int = 0,
    ) -> int:
        """Add a JobMedia row (VolIndex counts the job's rows) and record
        the end position on the volume."""
        with self.transaction() as tx:
            count = int(tx.scalar("SELECT COUNT(*) FROM JobMedia WHERE JobId = ?", (job_id,)) or 0)
            jmid = tx.insert(
                "INSERT INTO JobMedia (JobId, MediaId, FirstIndex, LastIndex, StartFile, "
                "EndFile, StartBlock, EndBlock, JobBytes, VolIndex) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, media_id, first_index, last_index, start_file, end_file,
                 start_block, end_block, job_bytes, count + 1),
                "JobMediaId",
            )
            tx.execute(
                "UPDATE Media SET EndFile = ?, EndBlock = ? WHERE MediaId = ?",
                (end_file, end_block, media_id),
            )
            return jmid

    def delete_null_jobmedia(self, job_id: int) -> int:
        """Drop the placeholder rows written right after labeling."""
        with self.transaction() as tx:
            return tx.execute(
                "DELETE FROM JobMedia WHERE JobId = ? AND FirstIndex = 0 AND LastIndex = 0",
                (job_id,),
            ).rowcount

    def get_jobmedia(self, job_id: int) -> list[dict]:
        """JobMedia rows of a job with the VolumeName, in write order."""
        return self._dicts(
            "SELECT JobMedia.*, Media.VolumeName, Media.MediaType FROM JobMedia "
            "JOIN Media ON Media.MediaId = JobMedia.MediaId WHERE JobMedia.JobId = ? "
            "ORDER BY JobMedia.JobMediaId",
            (job_id,),
            "JobMedia",
        )

    def get_job_volume_names(self, job_id: int) -> list[str]:
        rows = self._query(
            "SELECT Media.VolumeName, MIN(JobMedia.JobMediaId) AS first FROM JobMedia "
            "JOIN Media ON Media.MediaId = JobMedia.MediaId WHERE JobMedia.JobId = ? "
            "GROUP BY Media.VolumeName ORDER BY first",
            (job_id,),
        )
        return [r[0] for r in rows]

    # ============================================================ Attributes

    def insert_attributes(self, job_id: int, rows: Iterable[Sequence[Any]]) -> int:
        """Insert file attribute rows of one job in one transaction.

        Each row: ``(fname, lstat, md5, file_index[, delta_seq[, fhinfo[, fhnode]]])``
        with *fname* the full name (directories end in ``/``) and *md5* the
        unpadded base64 digest or ``"0"``.  Paths are created as needed.
        Returns the number of rows.
        """
        batch = []
        for r in rows:
            fname, lstat, md5, findex = r[0], r[1], r[2], r[3]
            delta = r[4] if len(r) > 4 else 0
            fhinfo = r[5] if len(r) > 5 else 0
            fhnode = r[6] if len(r) > 6 else 0
            path, name = split_filename(fname)
            batch.append((int(findex), job_id, path, name, lstat, md5 or "0",
                          int(delta), int(fhinfo), int(fhnode)))
        return self.insert_batch_rows(batch)

    def insert_batch_rows(self, rows: Sequence[Sequence[Any]]) -> int:
        """Insert rows already in the batch table's form, ``(FileIndex, JobId,
        Path, Name, LStat, Md5, DeltaSeq, Fhinfo, Fhnode)`` (Path ending in
        ``/``, Name ``''`` for a directory), in one transaction.  Returns the
        number of rows."""
        if not rows:
            return 0
        with self.transaction() as tx:
            self._start_batch(tx)
            self._fill_batch(tx, rows)
            tx.execute(
                "INSERT INTO Path (Path) SELECT DISTINCT Path FROM batch WHERE true "
                "ON CONFLICT (Path) DO NOTHING"
            )
            tx.execute(
                "INSERT INTO File (FileIndex, JobId, PathId, Name, LStat, Md5, DeltaSeq, "
                "Fhinfo, Fhnode) SELECT batch.FileIndex, batch.JobId, Path.PathId, "
                "batch.Name, batch.LStat, batch.Md5, batch.DeltaSeq, batch.Fhinfo, "
                "batch.Fhnode FROM batch JOIN Path ON (batch.Path = Path.Path)"
            )
            self._end_batch(tx)
        return len(rows)

    def attribute_batch(self, job_id: int, batch_size: int = 20000) -> "AttributeBatch":
        """A buffer that commits file attributes every *batch_size* rows."""
        return AttributeBatch(self, job_id, batch_size)

    def get_files(self, job_id: int) -> list[dict]:
        """File rows of a job with Path, in insertion order."""
        return self._dicts(
            "SELECT File.*, Path.Path FROM File JOIN Path ON Path.PathId = File.PathId "
            "WHERE File.JobId = ? ORDER BY File.FileId",
            (job_id,),
            "File",
        )

    def select_recent_files(self, job_ids: Iterable[int]) -> list[dict]:
        """The newest version of every file among *job_ids* (restore and
        accurate selection): per (Path, Name) the row of the job with the
        highest JobTDate (then JobId); entries whose newest version has
        FileIndex 0 (deleted) are left out.  Dicts carry JobId, FileIndex,
        Path, Name, LStat, Md5, DeltaSeq, FileId; ordered by JobId, FileIndex.
        """
        ids = [int(j) for j in job_ids]
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self._dicts(
            "SELECT JobId, FileIndex, Path, Name, LStat, Md5, DeltaSeq, FileId FROM ("
            "SELECT File.JobId, File.FileIndex, Path.Path, File.Name, File.LStat, File.Md5, "
            "File.DeltaSeq, File.FileId, ROW_NUMBER() OVER (PARTITION BY File.PathId, File.Name "
            "ORDER BY Job.JobTDate DESC, File.JobId DESC, File.FileIndex DESC) AS rn "
            "FROM File JOIN Job ON Job.JobId = File.JobId JOIN Path ON Path.PathId = File.PathId "
            f"WHERE File.JobId IN ({marks})) AS T "
            "WHERE rn = 1 AND FileIndex > 0 ORDER BY JobId, FileIndex",
            ids,
            "File",
        )

    def count_files(self, job_id: int) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM File WHERE JobId = ?", (job_id,)) or 0)

    # ================================================================== Log

    def add_log(self, job_id: int, text: str, log_time: Any = None) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO Log (JobId, Time, LogText) VALUES (?, ?, ?)",
                (job_id, format_time(log_time) or now_str(), text),
            )

    # ========================================================= RestoreObject

    def create_restore_object(
        self,
        job_id: int,
        object_name: str,
        data: bytes,
        plugin_name: str = "",
        *,
        file_index: int = 0,
        object_index: int = 0,
        object_type: int = 27,
        object_length: int | None = None,
        object_full_length: int | None = None,
        compression: int = 0,
    ) -> int:
        with self.transaction() as tx:
            return tx.insert(
                "INSERT INTO RestoreObject (ObjectName, RestoreObject, PluginName, "
                "ObjectLength, ObjectFullLength, ObjectIndex, ObjectType, FileIndex, "
                "JobId, ObjectCompression) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (object_name, bytes(data), plugin_name,
                 len(data) if object_length is None else object_length,
                 len(data) if object_full_length is None else object_full_length,
                 object_index, object_type, file_index, job_id, compression),
                "RestoreObjectId",
            )

    def get_restore_objects(self, job_ids: int | Iterable[int], object_type: int | None = None) -> list[dict]:
        ids = [job_ids] if isinstance(job_ids, int) else list(job_ids)
        if not ids:
            return []
        sql = (
            "SELECT * FROM RestoreObject WHERE JobId IN ("
            + ", ".join("?" for _ in ids) + ")"
        )
        params: list[Any] = list(ids)
        if object_type is not None:
            sql += " AND ObjectType = ?"
            params.append(object_type)
        return self._dicts(sql + " ORDER BY JobId, ObjectIndex, RestoreObjectId", params, "RestoreObject")

    # ============================================================= Counters

    def get_counter(self, name: str) -> dict | None:
        return self._one("SELECT * FROM Counters WHERE Counter = ?", (name,), "Counters")

    def create_counter(self, name: str, min_value: int = 0, max_value: int = 0,
                       current: int | None = None, wrap_counter: str = "") -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO Counters (Counter, MinValue, MaxValue, CurrentValue, WrapCounter) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, min_value, max_value, min_value if current is None else current, wrap_counter),
            )

    def update_counter(self, name: str, **fields: Any) -> None:
        self._update("Counters", "Counter", name, fields)

    # ================================================================ lists

    @staticmethod
    def _duration(start: Any, end: Any) -> str:
        s = parse_time(to_text(start))
        if s is None:
            return ""
        e = parse_time(to_text(end))
        if e is None or e < s:
            e = time.time()
        return format_interval(e - s)

    def list_jobs(
        self,
        long: bool = False,
        *,
        job_id: int | None = None,
        name: str | None = None,
        client: str | None = None,
        job_status: Iterable[str] | None = None,
        level: Iterable[str] | None = None,
        job_type: Iterable[str] | None = None,
        volume: str | None = None,
        pool: str | None = None,
        since: Any = None,
        last: bool = False,
        descending: bool = False,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[dict[str, str]]:
        """``list jobs`` / ``llist jobs`` rows (with the usual filters)."""
        where, params = [], []
        if job_id is not None:
            where.append("Job.JobId = ?"); params.append(job_id)
        if name:
            where.append("Job.Name = ?"); params.append(name)
        if client:
            where.append("Client.Name = ?"); params.append(client)
        for col, vals in (("JobStatus", job_status), ("Level", level), ("Type", job_type)):
            if vals:
                vals = list(vals)
                where.append(f"Job.{col} IN ({', '.join('?' for _ in vals)})")
                params.extend(vals)
        if volume:
            where.append(
                "Job.JobId IN (SELECT JobMedia.JobId FROM JobMedia JOIN Media ON "
                "Media.MediaId = JobMedia.MediaId WHERE Media.VolumeName = ?)"
            )
            params.append(volume)
        if pool:
            where.append("Job.PoolId = (SELECT PoolId FROM Pool WHERE Name = ? ORDER BY PoolId LIMIT 1)")
            params.append(pool)
        if since is not None:
            where.append("Job.SchedTime > ?"); params.append(format_time(since))
        sql = (
            "SELECT Job.JobId, Job.Job, Job.Name, Job.PurgedFiles, Job.Type, Job.Level, "
            "Job.ClientId, Client.Name, Job.JobStatus, Job.SchedTime, Job.StartTime, "
            "Job.EndTime, Job.RealEndTime, Job.JobTDate, Job.VolSessionId, "
            "Job.VolSessionTime, Job.JobFiles, Job.JobBytes, Job.JobErrors, "
            "Job.JobMissingFiles, Job.PoolId, Pool.Name, Job.PriorJobId, Job.FileSetId, "
            "FileSet.FileSet FROM Job "
            "LEFT JOIN Client ON Client.ClientId = Job.ClientId "
            "LEFT JOIN Pool ON Pool.PoolId = Job.PoolId "
            "LEFT JOIN FileSet ON FileSet.FileSetId = Job.FileSetId"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        direction = " DESC" if descending else ""
        sql += f" ORDER BY (Job.StartTime IS NULL){direction}, Job.StartTime{direction}, Job.JobId{direction}"
        rows = self._query(sql, params)
        if last:
            seen: dict[str, int] = {}
            for i, r in enumerate(rows):
                prev = seen.get(r[2])
                if prev is None or to_text(rows[prev][10]) <= to_text(r[10]):
                    seen[r[2]] = i
            keep = set(seen.values())
            rows = [r for i, r in enumerate(rows) if i in keep]
        if offset:
            rows = rows[offset:]
        if limit is not None:
            rows = rows[:limit]
        out = []
        for r in rows:
            t = [to_text(v) for v in r]
            dur = self._duration(r[10], r[11])
            if long:
                out.append({
                    "jobid": t[0], "job": t[1], "name": t[2], "purgedfiles": t[3],
                    "type": t[4], "level": t[5], "clientid": t[6], "client": t[7],
                    "jobstatus": t[8], "schedtime": t[9], "starttime": t[10],
                    "endtime": t[11], "realendtime": t[12], "duration": dur,
                    "jobtdate": t[13], "volsessionid": t[14], "volsessiontime": t[15],
                    "jobfiles": t[16], "jobbytes": t[17], "joberrors": t[18],
                    "jobmissingfiles": t[19], "poolid": t[20], "poolname": t[21],
                    "priorjobid": t[22], "filesetid": t[23], "fileset": t[24],
                })
            else:
                out.append({
                    "jobid": t[0], "name": t[2], "client": t[7], "starttime": t[10],
                    "duration": dur, "type": t[4], "level": t[5], "jobfiles": t[16],
                    "jobbytes": t[17], "jobstatus": t[8],
                })
        return out

    _VOL_SHORT = (
        "SELECT Media.MediaId, Media.VolumeName, Media.VolStatus, Media.Enabled, "
        "Media.VolBytes, Media.VolFiles, Media.VolRetention, Media.Recycle, Media.Slot, "
        "Media.InChanger, Media.MediaType, Media.LastWritten, Storage.Name, "
        "CASE WHEN COALESCE(Media.EncryptionKey, '') = '' THEN 0 ELSE 1 END "
        "FROM Media LEFT JOIN Storage ON Storage.StorageId = Media.StorageId"
    )
    _VOL_SHORT_KEYS = (
        "mediaid", "volumename", "volstatus", "enabled", "volbytes", "volfiles",
        "volretention", "recycle", "slot", "inchanger", "mediatype", "lastwritten",
        "storage", "hasencryptionkey",
    )
    _VOL_LONG = (
        "SELECT Media.MediaId, Media.VolumeName, Media.Slot, Media.PoolId, "
        "(SELECT Name FROM Pool WHERE Pool.PoolId = Media.PoolId), Media.MediaType, "
        "Media.FirstWritten, Media.LastWritten, Media.LabelDate, Media.VolJobs, "
        "Media.VolFiles, Media.VolBlocks, Media.VolMounts, Media.VolBytes, "
        "Media.VolErrors, Media.VolWrites, Media.VolCapacityBytes, Media.VolStatus, "
        "Media.Enabled, Media.Recycle, Media.VolRetention, Media.VolUseDuration, "
        "Media.MaxVolJobs, Media.MaxVolFiles, Media.MaxVolBytes, Media.InChanger, "
        "Media.EndFile, Media.EndBlock, Media.LabelType, Media.StorageId, "
        "Media.DeviceId, Media.LocationId, Media.RecycleCount, Media.InitialWrite, "
        "Media.ScratchPoolId, (SELECT Name FROM Pool WHERE Pool.PoolId = Media.ScratchPoolId), "
        "Media.RecyclePoolId, (SELECT Name FROM Pool WHERE Pool.PoolId = Media.RecyclePoolId), "
        "CASE WHEN COALESCE(Media.EncryptionKey, '') = '' THEN 0 ELSE 1 END, "
        "Media.Comment, Storage.Name "
        "FROM Media LEFT JOIN Storage ON Storage.StorageId = Media.StorageId"
    )
    _VOL_LONG_KEYS = (
        "mediaid", "volumename", "slot", "poolid", "pool", "mediatype",
        "firstwritten", "lastwritten", "labeldate", "voljobs", "volfiles",
        "volblocks", "volmounts", "volbytes", "volerrors", "volwrites",
        "volcapacitybytes", "volstatus", "enabled", "recycle", "volretention",
        "voluseduration", "maxvoljobs", "maxvolfiles", "maxvolbytes", "inchanger",
        "endfile", "endblock", "labeltype", "storageid", "deviceid", "locationid",
        "recyclecount", "initialwrite", "scratchpoolid", "scratchpool",
        "recyclepoolid", "recyclepool", "hasencryptionkey", "comment", "storage",
    )

    def list_volumes(
        self,
        long: bool = False,
        *,
        pool_id: int | None = None,
        volume_name: str | None = None,
        media_id: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[dict[str, str]]:
        """``list volumes`` / ``llist volumes`` rows (the Director groups
        them by pool, calling this once per pool)."""
        sql = self._VOL_LONG if long else self._VOL_SHORT
        keys = self._VOL_LONG_KEYS if long else self._VOL_SHORT_KEYS
        params: list[Any] = []
        if volume_name is not None:
            sql += " WHERE Media.VolumeName = ?"; params.append(volume_name)
        elif pool_id is not None:
            sql += " WHERE Media.PoolId = ?"; params.append(pool_id)
        elif media_id is not None:
            sql += " WHERE Media.MediaId = ?"; params.append(media_id)
        sql += " ORDER BY Media.MediaId"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
            if offset:
                sql += f" OFFSET {int(offset)}"
        return [dict(zip(keys, map(to_text, r))) for r in self._query(sql, params)]

    def list_pools(self, long: bool = False, *, name: str | None = None,
                   pool_id: int | None = None) -> list[dict[str, str]]:
        if long:
            cols = ("PoolId", "Name", "NumVols", "MaxVols", "UseOnce", "UseCatalog",
                    "AcceptAnyVolume", "VolRetention", "VolUseDuration", "MaxVolJobs",
                    "MaxVolBytes", "AutoPrune", "Recycle", "PoolType", "LabelFormat",
                    "Enabled", "ScratchPoolId", "RecyclePoolId", "LabelType")
        else:
            cols = ("PoolId", "Name", "NumVols", "MaxVols", "PoolType", "LabelFormat")
        sql = f"SELECT {', '.join(cols)} FROM Pool"
        params: list[Any] = []
        if name:
            sql += " WHERE Name = ?"; params.append(name)
        elif pool_id:
            sql += " WHERE PoolId = ?"; params.append(pool_id)
        sql += " ORDER BY PoolId"
        keys = [c.lower() for c in cols]
        return [dict(zip(keys, map(to_text, r))) for r in self._query(sql, params)]

    def list_clients(self, long: bool = False, *, name: str | None = None) -> list[dict[str, str]]:
        if long:
            cols = ("ClientId", "Name", "UName", "AutoPrune", "FileRetention", "JobRetention")
        else:
            cols = ("ClientId", "Name", "FileRetention", "JobRetention")
        sql = f"SELECT {', '.join(cols)} FROM Client"
        params: list[Any] = []
        if name:
            sql += " WHERE Name = ?"; params.append(name)
        sql += " ORDER BY ClientId"
        keys = [c.lower() for c in cols]
        return [dict(zip(keys, map(to_text, r))) for r in self._query(sql, params)]

    def list_filesets(self, *, job_id: int | None = None, job_name: str | None = None,
                      fileset_id: int | None = None) -> list[dict[str, str]]:
        cols = "FileSet.FileSetId, FileSet.FileSet, FileSet.Md5, FileSet.CreateTime, FileSet.FileSetText"
        if job_id is not None or job_name:
            sql = (f"SELECT DISTINCT {cols} FROM Job JOIN FileSet ON "
                   "Job.FileSetId = FileSet.FileSetId WHERE ")
            sql += "Job.JobId = ?" if job_id is not None else "Job.Name = ?"
            params: list[Any] = [job_id if job_id is not None else job_name]
        elif fileset_id is not None:
            sql, params = f"SELECT {cols} FROM FileSet WHERE FileSetId = ?", [fileset_id]
        else:
            sql, params = f"SELECT {cols} FROM FileSet", []
        sql += " ORDER BY FileSet.FileSetId"
        keys = ("filesetid", "fileset", "md5", "createtime", "filesettext")
        return [dict(zip(keys, map(to_text, r))) for r in self._query(sql, params)]

    def list_files(self, job_id: int) -> list[dict[str, str]]:
        """``list files jobid=N``: full names (also those from a Base job)."""
        rows = self._query(
            "SELECT Path.Path || F.Name FROM ("
            "SELECT FileId, PathId, Name FROM File WHERE JobId = ? "
            "UNION ALL SELECT File.FileId, File.PathId, File.Name FROM BaseFiles "
            "JOIN File ON BaseFiles.FileId = File.FileId WHERE BaseFiles.JobId = ?"
            ") AS F JOIN Path ON Path.PathId = F.PathId ORDER BY F.FileId",
            (job_id, job_id),
        )
        return [{"filename": to_text(r[0])} for r in rows]

    def list_jobmedia(self, job_id: int | None = None, long: bool = False) -> list[dict[str, str]]:
        if long:
            cols = ("JobMedia.JobMediaId", "JobMedia.JobId", "Media.MediaId", "Media.VolumeName",
                    "JobMedia.FirstIndex", "JobMedia.LastIndex", "JobMedia.StartFile",
                    "JobMedia.EndFile", "JobMedia.StartBlock", "JobMedia.EndBlock")
        else:
            cols = ("JobMedia.JobId", "Media.VolumeName", "JobMedia.FirstIndex", "JobMedia.LastIndex")
        sql = (f"SELECT {', '.join(cols)} FROM JobMedia JOIN Media ON "
               "Media.MediaId = JobMedia.MediaId")
        params: list[Any] = []
        if job_id is not None:
            sql += " WHERE JobMedia.JobId = ?"; params.append(job_id)
        sql += " ORDER BY JobMedia.JobMediaId"
        keys = [c.split(".")[1].lower() for c in cols]
        return [dict(zip(keys, map(to_text, r))) for r in self._query(sql, params)]

    def list_joblog(self, job_id: int) -> list[dict[str, str]]:
        rows = self._query("SELECT Time, LogText FROM Log WHERE JobId = ? ORDER BY LogId", (job_id,))
        return [{"time": to_text(r[0]), "logtext": to_text(r[1])} for r in rows]


class AttributeBatch:
    """Collects file attributes of one job and commits them in batches.

    ``add()`` takes the values the Director gets from an attribute record;
    rows are inserted in one transaction per *batch_size* rows, and the rest
    at ``flush()``/``close()``.  Use as a context manager.
    """

    def __init__(self, catalog: Catalog, job_id: int, batch_size: int = 20000):
        self.catalog = catalog
        self.job_id = job_id
        self.batch_size = batch_size
        self.rows: list[Sequence[Any]] = []    # in the batch table's form
        self.count = 0

    def add(self, fname: str, lstat: str, md5: str = "0", file_index: int = 0,
            delta_seq: int = 0, fhinfo: int = 0, fhnode: int = 0) -> None:
        path, name = split_filename(fname)
        self.rows.append((int(file_index), self.job_id, path, name, lstat, md5 or "0",
                          int(delta_seq), int(fhinfo), int(fhnode)))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def add_row(self, row: Sequence[Any]) -> None:
        """Add a row already in the batch table's form (see
        :meth:`Catalog.insert_batch_rows`); the caller keeps the types right."""
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            rows, self.rows = self.rows, []
            self.count += self.catalog.insert_batch_rows(rows)

    close = flush

    def __enter__(self) -> "AttributeBatch":
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.flush()
