"""The Bareos catalog: schema 2250, one API, SQLite and PostgreSQL backends.

    from bareos.cats import open_catalog
    cat = open_catalog(catalog_resource, working_directory="/var/lib/bareos")
    jobid = cat.create_job("job.2026-01-01_00.00.00_01", "job", "B", "F")

See `bareos.cats.catalog.Catalog` for the operations and docs/catalog.md.
"""

from __future__ import annotations

from typing import Any

from .catalog import (
    AttributeBatch,
    Catalog,
    Tx,
    format_interval,
    format_time,
    now_str,
    parse_time,
    split_filename,
    to_text,
)
from .params import CatalogError, CatalogParams, SchemaVersionError
from .schema import SCHEMA_VERSION, STATUS_ROWS, TABLES

__all__ = [
    "AttributeBatch", "Catalog", "CatalogError", "CatalogParams", "SCHEMA_VERSION",
    "STATUS_ROWS", "SchemaVersionError", "TABLES", "Tx", "format_interval",
    "format_time", "now_str", "open_catalog", "parse_time", "split_filename",
    "to_text",
]


def open_catalog(
    resource: Any = None,
    *,
    working_directory: str | None = None,
    create: bool = True,
    check: bool = True,
    **params: Any,
) -> Catalog:
    """Open the catalog a Director ``Catalog`` resource describes.

    *resource* may be a config Resource, a dict of directives, a
    `CatalogParams`, or None with keyword parameters (fields of
    `CatalogParams`: driver, name, address, port, user, password, path...).
    ``DB Driver = sqlite3`` selects SQLite (``<working_directory>/<DB Name>.db``);
    no driver or ``postgresql`` selects PostgreSQL.  An empty database gets
    the schema when *create* is true; otherwise the version must be 2250.
    """
    if isinstance(resource, CatalogParams):
        p = resource
        if working_directory and not p.working_directory:
            p.working_directory = working_directory
    elif resource is not None:
        p = CatalogParams.from_resource(resource, working_directory)
    else:
        p = CatalogParams(working_directory=working_directory)
    for key, value in params.items():
        if not hasattr(p, key):
            raise TypeError(f"unknown catalog parameter {key!r}")
        setattr(p, key, value)
    if p.is_sqlite:
        from .sqlite import SQLiteCatalog

        cat: Catalog = SQLiteCatalog(p)
    else:
        from .postgresql import PostgreSQLCatalog

        cat = PostgreSQLCatalog(p)
    if check:
        try:
            cat.ensure_schema(create=create)
        except BaseException:
            cat.close()
            raise
    return cat
