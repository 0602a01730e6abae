"""Catalog fixtures: the same tests run on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from pgserver import PgServer, pg_unavailable_reason  # noqa: E402

from bareos.cats import CatalogParams, open_catalog  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server():
    reason = pg_unavailable_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL needed in CI: {reason}")
        pytest.skip(reason)
    srv = PgServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def pg_database(pg_server):
    """A fresh, empty PostgreSQL database; returns its CatalogParams."""
    dbname = "t_" + uuid.uuid4().hex[:16]
    pg_server.create_database(dbname)
    yield CatalogParams(
        driver="postgresql", name=dbname, address=pg_server.host,
        port=pg_server.port, user="bareos", pool_size=8,
    )
    pg_server.drop_database(dbname)


@pytest.fixture(params=BACKENDS)
def catalog_params(request, tmp_path):
    """CatalogParams of an empty database of each backend."""
    if request.param == "sqlite":
        yield CatalogParams(driver="sqlite3", name="bareos", working_directory=str(tmp_path))
    else:
        yield request.getfixturevalue("pg_database")


@pytest.fixture
def cat(catalog_params):
    c = open_catalog(catalog_params)
    yield c
    c.close()
