"""SQLite catalog backend (stdlib sqlite3, WAL journal).

One connection per thread; writers take the database lock at ``BEGIN
IMMEDIATE`` so two writing threads never deadlock on a lock upgrade, and
wait up to ``busy_timeout`` for each other.  Readers never block in WAL mode.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from contextlib import contextmanager
from typing import Iterator

from .catalog import Catalog, Tx
from .params import CatalogError, CatalogParams
from .schema import ddl_statements

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_DIGIT = {c: i for i, c in enumerate(_ALPHABET)}


def bareos_frombase64(field: str | None) -> int | None:
    """SQL function: one LStat integer (same as the PostgreSQL function)."""
    if field is None:
        return None
    neg = field.startswith("-")
    acc = 0
    for ch in field[1:] if neg else field:
        if ch == " ":
            break
        acc = (acc << 6) + _DIGIT.get(ch, -1)
    return -acc if neg else acc


class _ConnHolder:
    """Owns one thread's connection; closes it when the thread's locals go
    away, so threads that come and go (one per job) do not leak handles."""

    __slots__ = ("conn", "__weakref__")

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def __del__(self) -> None:
        self.close()


class SQLiteCatalog(Catalog):
    backend = "sqlite3"
    _db_errors = (sqlite3.Error,)

    def __init__(self, params: CatalogParams, busy_timeout: float = 60.0,
                 synchronous: str = "FULL"):
        super().__init__(params)
        self.path = params.sqlite_path
        self.busy_timeout = busy_timeout
        self.synchronous = synchronous
        self._lock = threading.Lock()
        self._holders: "weakref.WeakSet[_ConnHolder]" = weakref.WeakSet()
        self._closed = False
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise CatalogError(f"SQLite catalog directory {directory} does not exist")
        self._conn()  # open now so errors show at start-up

    def _conn(self) -> sqlite3.Connection:
        holder = getattr(self._tls, "holder", None)
        if holder is not None and holder.conn is not None:
            return holder.conn
        if self._closed:
            raise CatalogError("catalog is closed")
        try:
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.create_function("bareos_frombase64", 1, bareos_frombase64,
                                 deterministic=True)
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot open SQLite catalog {self.path}: {exc}") from exc
        holder = _ConnHolder(conn)
        self._tls.holder = holder
        with self._lock:
            self._holders.add(holder)
        return conn

    @contextmanager
    def _begin(self) -> Iterator[Tx]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot start transaction: {exc}") from exc
        tx = Tx(self, conn)
        try:
            yield tx
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK")
                raise CatalogError(f"commit failed: {exc}") from exc

    @contextmanager
    def _reader(self) -> Iterator[Tx]:
        yield Tx(self, self._conn())

    def _table_columns(self) -> dict[str, list[str]]:
        with self._read() as tx:
            tables = [
                r[0] for r in tx.query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            out = {}
            for t in tables:
                cols = tx.query(f'PRAGMA table_info("{t}")')
                out[t.lower()] = [c[1].lower() for c in cols]
            return out

    def _create_ddl(self, tx: Tx) -> None:
        for stmt in ddl_statements("sqlite"):
            tx.execute(stmt)

    def _start_batch(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS batch (FileIndex INTEGER, JobId INTEGER, "
            "Path TEXT, Name TEXT, LStat TEXT, Md5 TEXT, DeltaSeq INTEGER, "
            "Fhinfo INTEGER, Fhnode INTEGER)"
        )
        tx.execute("DELETE FROM temp.batch")

    def _fill_batch(self, tx: Tx, rows: list[tuple]) -> None:
        tx.executemany("INSERT INTO temp.batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _end_batch(self, tx: Tx) -> None:
        tx.execute("DELETE FROM temp.batch")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            holders = list(self._holders)
        for h in holders:
            h.close()
        self._tls = threading.local()

    def open_connections(self) -> int:
        """Number of per-thread connections currently open."""
        with self._lock:
            return sum(1 for h in self._holders if h.conn is not None)
