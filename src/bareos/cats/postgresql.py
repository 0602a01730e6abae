"""PostgreSQL catalog backend (psycopg 3 with a psycopg_pool ConnectionPool).

Connections are in autocommit mode; every write runs inside an explicit
``conn.transaction()``.  File attributes go, as in Bareos, through a
temporary ``batch`` table filled with ``COPY ... FROM STDIN`` and are then
moved into Path and File with ``INSERT ... SELECT``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .catalog import Catalog, Tx
from .params import CatalogError, CatalogParams
from .schema import ddl_statements

try:  # psycopg is an optional dependency (extra "postgresql")
    import psycopg
    import psycopg_pool
except ImportError:  # pragma: no cover - depends on the installation
    psycopg = None
    psycopg_pool = None

class PostgreSQLCatalog(Catalog):
    backend = "postgresql"

    def __init__(self, params: CatalogParams, min_size: int = 1):
        if psycopg is None:
            raise CatalogError(
                "PostgreSQL catalog needs psycopg 3 and psycopg_pool "
                "(pip install 'bareos-py[postgresql]')"
            )
        super().__init__(params)
        self._db_errors = (psycopg.Error,)
        kwargs = dict(params.conninfo())
        kwargs["autocommit"] = True
        # The database is SQL_ASCII (bytes as they come, as Bareos wants it);
        # the client side speaks UTF-8 so that psycopg encodes and decodes text.
        kwargs.setdefault("client_encoding", "UTF8")
        try:
            # Fail early with a clear message when the server is unreachable.
            with psycopg.connect(connect_timeout=10, **kwargs) as conn:
                row = conn.execute("SELECT getdatabaseencoding()").fetchone()
        except psycopg.Error as exc:
            raise CatalogError(
                f'Catalog "{params.catalog_name}": cannot connect to PostgreSQL '
                f"database {params.name!r}: {str(exc).strip()}"
            ) from exc
        encoding = row[0] if row else "(unknown)"
        if encoding != "SQL_ASCII":  # as Bareos's CheckDatabaseEncoding
            raise CatalogError(
                f'Encoding error for database "{params.name}". '
                f"Wanted SQL_ASCII, got {encoding}"
            )
        self.pool = psycopg_pool.ConnectionPool(
            kwargs=kwargs,
            min_size=min(min_size, params.pool_size),
            max_size=max(params.pool_size, 1),
            open=True,
            timeout=300.0,  # wait for a free connection rather than fail a job
            name=f"bareos-catalog-{params.catalog_name}",
        )

    def _sql(self, sql: str) -> str:
        out = self._sql_cache.get(sql)
        if out is None:
            out = sql.replace("%", "%%").replace("?", "%s")
            self._sql_cache[sql] = out
        return out

    @contextmanager
    def _begin(self) -> Iterator[Tx]:
        try:
            with self.pool.connection() as conn:
                with conn.transaction():
                    yield Tx(self, conn)
        except psycopg.Error as exc:
            raise CatalogError(str(exc).strip()) from exc

    @contextmanager
    def _reader(self) -> Iterator[Tx]:
        with self.pool.connection() as conn:
            yield Tx(self, conn)

    def _table_columns(self) -> dict[str, list[str]]:
        rows = self._query(
            "SELECT c.relname, a.attname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
            "AND n.nspname = current_schema() ORDER BY c.relname, a.attnum"
        )
        out: dict[str, list[str]] = {}
        for table, col in rows:
            out.setdefault(table.lower(), []).append(col.lower())
        return out

    def _create_ddl(self, tx: Tx) -> None:
        cur = tx.conn.cursor()
        for stmt in ddl_statements("postgresql"):
            try:
                cur.execute(stmt)
            except psycopg.Error as exc:
                raise CatalogError(f"{str(exc).strip()}\nSQL: {stmt[:200]}") from exc

    def _upgrade_from(self, version: int) -> None:
        if version != 2240:
            super()._upgrade_from(version)
        statuses = (
            "'Unlabeled', 'Full', 'Archive', 'Append', 'Recycle', 'Purged', "
            "'Read-Only', 'Disabled', 'Error', 'Busy', 'Used', 'Cleaning', 'Scratch'"
        )
        with self.transaction() as tx:
            cur = tx.conn.cursor()
            cur.execute(
                "ALTER TABLE Media DROP CONSTRAINT IF EXISTS media_volstatus_check, "
                f"ADD CONSTRAINT media_volstatus_check CHECK (VolStatus IN ({statuses}))"
            )
            cur.execute(
                "ALTER TABLE LocationLog DROP CONSTRAINT IF EXISTS "
                "locationlog_newvolstatus_check, ADD CONSTRAINT "
                f"locationlog_newvolstatus_check CHECK (NewVolStatus IN ({statuses}))"
            )
            cur.execute("DROP VIEW IF EXISTS backup_unit_overview")
            cur.execute("DROP VIEW IF EXISTS latest_full_size_categorized")
            cur.execute("UPDATE Version SET VersionId = 2250")

    def _lock_for_create(self, tx: Tx, table: str) -> None:
        # SHARE ROW EXCLUSIVE conflicts with itself but not with readers:
        # two get-or-create calls cannot both miss and insert.
        tx.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")

    def _start_batch(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TEMPORARY TABLE batch (FileIndex INTEGER, JobId INTEGER, "
            "Path TEXT, Name TEXT, LStat TEXT, Md5 TEXT, DeltaSeq SMALLINT, "
            "Fhinfo NUMERIC(20), Fhnode NUMERIC(20)) ON COMMIT DROP"
        )

    _BATCH_TYPES = ["int4", "int4", "text", "text", "text", "text", "int2", "numeric", "numeric"]

    def _fill_batch(self, tx: Tx, rows: list[tuple]) -> None:
        # Binary COPY with per-row encoding in psycopg's C code: several
        # times faster than building the text format in Python.
        cur = tx.conn.cursor()
        try:
            with cur.copy("COPY batch FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(self._BATCH_TYPES)
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        except psycopg.Error as exc:
            raise CatalogError(f"COPY into batch table failed: {str(exc).strip()}") from exc

    def _end_batch(self, tx: Tx) -> None:
        # ON COMMIT DROP removes the table; drop now in case the caller keeps
        # the transaction open for more batches.
        tx.execute("DROP TABLE IF EXISTS batch")

    def close(self) -> None:
        self.pool.close()
