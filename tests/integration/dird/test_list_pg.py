"""The golden `list`/`llist` transcripts on a PostgreSQL catalog (column types
come from PostgreSQL's type OIDs there, as in Bareos)."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

from tests.conftest import REPO
from tests.integration.dird.test_list import (GOLDEN_LISTS, TEST_CONSOLES, _pool_sections,
                                              call0, call2, fill_golden_catalog, golden_json,
                                              golden_text, start_director, write_director_config)

sys.path.insert(0, str(REPO / "tests"))
from pgserver import PgServer, pg_unavailable_reason  # noqa: E402

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def pg():
    reason = pg_unavailable_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL needed in CI: {reason}")
        pytest.skip(reason)
    srv = PgServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def pgdir(pg, tmp_path_factory):
    name = "t_" + uuid.uuid4().hex[:16]
    pg.create_database(name)
    etc = write_director_config(tmp_path_factory.mktemp("pgdir"), TEST_CONSOLES)
    (etc / "bareos-dir.d" / "catalog" / "MyCatalog.conf").write_text(
        f'Catalog {{\n  Name = MyCatalog\n  DB Driver = postgresql\n  dbname = "{name}"\n'
        f'  dbuser = "bareos"\n  dbpassword = ""\n  dbaddress = {pg.host}\n'
        f"  dbport = {pg.port}\n}}\n")
    d = start_director(etc)
    fill_golden_catalog(d.catalog)
    yield d
    d.shutdown()
    try:
        d.catalog.close()
    except Exception:
        pass
    pg.drop_database(name)


@pytest.mark.parametrize("cmd,name", GOLDEN_LISTS, ids=[n for _, n in GOLDEN_LISTS])
def test_list_matches_golden_pg(pgdir, cmd, name):
    assert call0(pgdir, cmd) == golden_text(name)
    assert call2(pgdir, cmd) == golden_json(name)


@pytest.mark.parametrize("cmd,name", [("list volumes", "list-volumes"),
                                      ("llist volumes", "llist-volumes")])
def test_volumes_match_golden_pg(pgdir, cmd, name):
    assert _pool_sections(call0(pgdir, cmd)) == _pool_sections(golden_text(name))
    assert call2(pgdir, cmd) == golden_json(name)


def test_dot_sql_pg(pgdir):
    text = call0(pgdir, '.sql query="SELECT JobId, JobBytes, Level FROM Job ORDER BY JobId"')
    assert "|     1 | 2,364,779 | F     |\n" in text
