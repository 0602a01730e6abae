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


BACKEND_PARAMS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@pytest.fixture(params=BACKEND_PARAMS)
def catalog_params(request, tmp_path):
    """CatalogParams of an empty database of each backend."""
    if request.param == "sqlite":
        yield CatalogParams(driver="sqlite3", name="bareos", working_directory=str(tmp_path))
    else:
        yield request.getfixturevalue("pg_database")


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A database holding a fresh schema 2250, cloned for each test."""
    name = "tmpl_bareos"
    pg_server.create_database(name)
    c = open_catalog(CatalogParams(driver="postgresql", name=name, address=pg_server.host,
                                   port=pg_server.port, user="bareos", pool_size=2))
    c.close()
    return name


@pytest.fixture(params=BACKEND_PARAMS)
def cat(request, tmp_path):
    """An open catalog with schema 2250 on each backend."""
    if request.param == "sqlite":
        c = open_catalog(CatalogParams(driver="sqlite3", name="bareos",
                                       working_directory=str(tmp_path)))
        yield c
        c.close()
        return
    srv = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    dbname = "t_" + uuid.uuid4().hex[:16]
    srv.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{template}"')
    c = open_catalog(CatalogParams(driver="postgresql", name=dbname, address=srv.host,
                                   port=srv.port, user="bareos", pool_size=8))
    yield c
    c.close()
    srv.drop_database(dbname)
