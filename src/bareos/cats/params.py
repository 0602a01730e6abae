"""Connection parameters of a catalog, from a Director `Catalog` resource."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

SQLITE_DRIVERS = ("sqlite3", "sqlite")
POSTGRESQL_DRIVERS = ("postgresql", "postgres", "pgsql", "")


class CatalogError(Exception):
    """A catalog operation failed; the message says what and why."""


class SchemaVersionError(CatalogError):
    """The database holds a schema version this code does not handle."""


def _norm(key: str) -> str:
    return key.replace(" ", "").replace("_", "").lower()


def _lookup(source: Any, key: str, default: Any = None) -> Any:
    """Read directive *key* from a config Resource, a mapping or an object."""
    if source is None:
        return default
    if isinstance(source, dict):
        want = _norm(key)
        for k, v in source.items():
            if _norm(str(k)) == want:
                return v
        return default
    getter = getattr(source, "get", None)
    if callable(getter):
        try:
            return getter(key, default)
        except (KeyError, ValueError, TypeError):
            return default
    return getattr(source, key.replace(" ", "_").lower(), default)


def _plain_password(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    plain = getattr(value, "plain", None)
    if plain is not None:
        return plain
    return str(value)


@dataclass
class CatalogParams:
    """Everything needed to open one catalog.

    ``driver`` is ``"sqlite3"`` or ``"postgresql"`` (the default, as in
    Bareos 25).  For SQLite the database file is ``path`` when given, else
    ``<working_directory>/<name>.db``.  ``pg_schema`` (PostgreSQL only) puts
    the tables into that schema via ``search_path`` (used by the tests).
    """

    driver: str = "postgresql"
    name: str = "bareos"
    address: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    socket: str | None = None
    working_directory: str | None = None
    path: str | None = None
    pg_schema: str | None = None
    pool_size: int = 10
    catalog_name: str = "MyCatalog"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return (self.driver or "").lower() in SQLITE_DRIVERS

    @property
    def sqlite_path(self) -> str:
        if self.path:
            return self.path
        if not self.working_directory:
            raise CatalogError(
                f'Catalog "{self.catalog_name}": DB Driver sqlite3 needs the '
                "Director's Working Directory to place the database file"
            )
        return os.path.join(self.working_directory, f"{self.name}.db")

    @classmethod
    def from_resource(
        cls, res: Any, working_directory: str | None = None
    ) -> "CatalogParams":
        """Build parameters from a Director ``Catalog`` resource (or a dict
        with the directive names as keys)."""
        driver = _lookup(res, "DB Driver") or "postgresql"
        driver = str(driver).strip().lower()
        if driver not in SQLITE_DRIVERS + POSTGRESQL_DRIVERS:
            raise CatalogError(
                f"Catalog: DB Driver {driver!r} is not supported "
                "(use sqlite3 or postgresql)"
            )
        port = _lookup(res, "DB Port")
        max_conn = _lookup(res, "Max Connections")
        name = getattr(res, "name", None) or _lookup(res, "Name") or "MyCatalog"
        return cls(
            driver="sqlite3" if driver in SQLITE_DRIVERS else "postgresql",
            name=str(_lookup(res, "DB Name") or "bareos"),
            address=_lookup(res, "DB Address") or None,
            port=int(port) if port not in (None, "", 0) else None,
            user=_lookup(res, "DB User") or None,
            password=_plain_password(_lookup(res, "DB Password")),
            socket=_lookup(res, "DB Socket") or None,
            working_directory=working_directory
            or _lookup(res, "Working Directory"),
            catalog_name=str(name),
            pool_size=max(int(max_conn or 0), 10),
        )

    def conninfo(self) -> dict[str, Any]:
        """psycopg connection keywords."""
        kw: dict[str, Any] = {"dbname": self.name}
        host = self.address or self.socket
        if host:
            kw["host"] = host
        if self.port:
            kw["port"] = self.port
        if self.user:
            kw["user"] = self.user
        if self.password:
            kw["password"] = self.password
        if self.pg_schema:
            kw["options"] = f"-c search_path={self.pg_schema}"
        kw.update(self.extra)
        return kw
