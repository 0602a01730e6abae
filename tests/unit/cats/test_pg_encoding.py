"""A PostgreSQL catalog must be SQL_ASCII, as Bareos's Director wants it
(CheckDatabaseEncoding at connect): any other encoding is refused."""

from __future__ import annotations

import pytest

from bareos.cats import CatalogError, CatalogParams, open_catalog

pytestmark = pytest.mark.postgresql


def test_utf8_database_is_refused(pg_server):
    pg_server.execute("DROP DATABASE IF EXISTS enc_utf8")
    pg_server.execute("CREATE DATABASE enc_utf8 ENCODING 'UTF8' TEMPLATE template0")
    params = CatalogParams(driver="postgresql", name="enc_utf8", address=pg_server.host,
                           port=pg_server.port, user="bareos", catalog_name="BadEncoding")
    with pytest.raises(CatalogError) as info:
        open_catalog(params)
    assert str(info.value) == 'Encoding error for database "enc_utf8". Wanted SQL_ASCII, got UTF8'
    # a refusal, not a connection failure
    assert info.value.__cause__ is None
    pg_server.drop_database("enc_utf8")


def test_sql_ascii_database_keeps_text(pg_database):
    cat = open_catalog(pg_database)
    try:
        jobid = cat.create_job("jöb.2026-01-01_00.00.00_01", "jöb", "B", "F")
        assert cat.get_job(jobid)["Name"] == "jöb"
    finally:
        cat.close()
