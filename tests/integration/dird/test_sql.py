"""`.sql`, `sqlquery`, `.media`, `.mediatypes`, `.locations` on a Director
with the golden catalog rows."""

from __future__ import annotations

import pytest

from bareos.exceptions import JsonRpcErrorReceivedException

from tests.integration.dird.test_list import call0, call2, connect, gdir  # noqa: F401


def test_dot_sql_api0_table(gdir):  # noqa: F811
    text = call0(gdir, '.sql query="SELECT JobId, Name, JobBytes FROM Job ORDER BY JobId"')
    assert text == (
        'Automatically selected Catalog: MyCatalog\nUsing Catalog "MyCatalog"\n'
        "+-------+------------------+-----------+\n"
        "| jobid | name             | jobbytes  |\n"
        "+-------+------------------+-----------+\n"
        "|     1 | backup-bareos-fd | 2,364,779 |\n"
        "|     2 | RestoreFiles     | 2,364,779 |\n"
        "+-------+------------------+-----------+\n")


def test_dot_sql_api2_and_api1(gdir):  # noqa: F811
    r = call2(gdir, '.sql query="SELECT JobId, Name FROM Job ORDER BY JobId"')
    assert r == {"query": [{"jobid": "1", "name": "backup-bareos-fd"},
                           {"jobid": "2", "name": "RestoreFiles"}]}
    con = connect(gdir)
    try:
        con.call(".api 1")
        out = con.call('.sql query="SELECT JobId, Name FROM Job ORDER BY JobId"').decode()
        assert "1\tbackup-bareos-fd\t" in out and "2\tRestoreFiles\t" in out
        assert "+---" not in out
    finally:
        con.close()


def test_dot_sql_errors(gdir):  # noqa: F811
    with pytest.raises(JsonRpcErrorReceivedException) as err:
        call2(gdir, '.sql query="SELECT nosuchcolumn FROM Job"')
    assert "Query failed" in str(err.value)
    assert "query keyword not found." in call0(gdir, ".sql")
    text = call0(gdir, ".sql query=\"UPDATE Job SET JobErrors = 0 WHERE JobId = 99\"")
    assert text.endswith("No results to list.\n")


def test_sqlquery_interactive(gdir):  # noqa: F811
    con = connect(gdir)
    try:
        text = con.call("sqlquery").decode()
        assert "Entering SQL query mode." in text and "Enter SQL query: " in text
        text = con.call("SELECT COUNT(*) AS n").decode()
        assert "Add to SQL query: " in text
        text = con.call("FROM Job;").decode()
        assert "| n    |" in text and "|    2 |" in text
        text = con.call("").decode()
        assert "End query mode." in text
    finally:
        con.close()


def test_name_lists(gdir):  # noqa: F811
    assert call2(gdir, ".media") == {"media": [{"name": "Full-0001"}]}
    assert call0(gdir, ".media").endswith("Full-0001\n")
    assert call2(gdir, ".locations") == {"locations": []}
    gdir.catalog.get_or_create_mediatype("File")
    assert call2(gdir, ".mediatypes") == {"mediatypes": [{"name": "File"}]}
