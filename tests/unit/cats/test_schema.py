"""Schema creation, version check, reopen and upgrade on both backends."""

from __future__ import annotations

import pytest

from bareos.cats import (
    SCHEMA_VERSION, CatalogError, SchemaVersionError, open_catalog,
)
from bareos.cats.schema import TABLES, expected_columns

# Bareos 25's tables (core/src/cats/ddl/creates/postgresql.sql), lower-case.
BAREOS_TABLES = sorted("""
path file restoreobject job jobhisto location fileset jobmedia media mediatype
storage device pool client log locationlog counters basefiles pathhierarchy
pathvisibility version status quota ndmplevelmap ndmpjobenvironment devicestats
jobstats tapealerts
""".split())

JOB_COLUMNS = """jobid job name type level clientid jobstatus schedtime starttime
endtime realendtime jobtdate volsessionid volsessiontime jobfiles jobbytes readbytes
joberrors jobmissingfiles poolid filesetid priorjobid purgedfiles hasbase hascache
reviewed comment""".split()

FILE_COLUMNS = "fileid fileindex jobid pathid deltaseq markid fhinfo fhnode lstat md5 name".split()

MEDIA_COLUMNS = """mediaid volumename slot poolid mediatype mediatypeid labeltype
firstwritten lastwritten labeldate voljobs volfiles volblocks volmounts volbytes
volerrors volwrites volcapacitybytes volstatus enabled recycle actiononpurge
volretention voluseduration maxvoljobs maxvolfiles maxvolbytes inchanger storageid
deviceid mediaaddressing volreadtime volwritetime endfile endblock locationid
recyclecount minblocksize maxblocksize initialwrite scratchpoolid recyclepoolid
encryptionkey comment""".split()


def test_expected_lists_match_bareos():
    assert sorted(expected_columns()) == BAREOS_TABLES
    assert expected_columns()["job"] == JOB_COLUMNS
    assert expected_columns()["jobhisto"] == JOB_COLUMNS
    assert expected_columns()["file"] == FILE_COLUMNS
    assert expected_columns()["media"] == MEDIA_COLUMNS
    assert len(TABLES) == len(BAREOS_TABLES) == 28


def test_tables_and_columns(cat):
    have = cat._table_columns()
    assert sorted(have) == BAREOS_TABLES
    assert have == expected_columns()
    assert cat.check_schema() == []


def test_version_and_status_rows(cat):
    assert SCHEMA_VERSION == 2250
    assert cat.schema_version() == 2250
    cols, rows = cat.sql("SELECT VersionId FROM Version")
    assert cols == ["versionid"] and rows == [["2250"]]
    cols, rows = cat.sql("SELECT JobStatus, JobStatusLong, Severity FROM Status ORDER BY JobStatus")
    letters = {r[0] for r in rows}
    assert letters == set("CRBTEefDAILWlqFSmMsjcdtpai")
    assert ["T", "Completed successfully", "10"] in rows
    assert ["f", "Fatal error", "100"] in rows


def test_volstatus_check_constraint(cat):
    pid = cat.create_pool("P")
    cat.create_media("V1", pid, "File", VolStatus="Unlabeled")
    with pytest.raises(CatalogError):
        cat.create_media("V2", pid, "File", VolStatus="Bogus")
    assert cat.get_media("V2") is None


def test_reopen_is_idempotent(catalog_params):
    c1 = open_catalog(catalog_params)
    jid = c1.create_job("j.1", "j", "B", "F")
    c1.close()
    c2 = open_catalog(catalog_params)
    try:
        assert c2.schema_version() == 2250
        assert c2.sql("SELECT COUNT(*) FROM Version")[1] == [["1"]]
        assert c2.sql("SELECT COUNT(*) FROM Status")[1] == [["26"]]
        assert c2.get_job(jid)["Job"] == "j.1"
        assert c2.upgrade_schema() == 2250
        assert c2.check_schema() == []
    finally:
        c2.close()


def test_wrong_version_is_refused(catalog_params):
    c = open_catalog(catalog_params)
    c.sql("UPDATE Version SET VersionId = 2171")
    c.close()
    with pytest.raises(SchemaVersionError, match="2171"):
        open_catalog(catalog_params)
    c = open_catalog(catalog_params, check=False)
    try:
        assert any("2171" in p for p in c.check_schema())
        c.sql("UPDATE Version SET VersionId = 9999")
        with pytest.raises(SchemaVersionError, match="newer"):
            c.upgrade_schema()
    finally:
        c.close()


def test_empty_database_without_create(catalog_params):
    with pytest.raises(SchemaVersionError, match="empty"):
        open_catalog(catalog_params, create=False)


def test_upgrade_creates_empty_database(catalog_params):
    c = open_catalog(catalog_params, check=False)
    try:
        assert c.is_empty() and c.schema_version() is None
        assert c.upgrade_schema() == 0
        assert c.schema_version() == 2250 and c.check_schema() == []
    finally:
        c.close()


def test_missing_column_is_reported(catalog_params):
    c = open_catalog(catalog_params)
    try:
        c.sql("DROP TABLE TapeAlerts")
        c.sql("CREATE TABLE TapeAlerts (DeviceId INTEGER)")
        problems = c.check_schema()
        assert problems == ["table tapealerts lacks columns: sampletime, alertflags"]
    finally:
        c.close()


@pytest.mark.postgresql
def test_postgresql_upgrade_from_2240(pg_database):
    c = open_catalog(pg_database)
    try:
        c.sql("ALTER TABLE Media DROP CONSTRAINT media_volstatus_check")
        c.sql("ALTER TABLE Media ADD CONSTRAINT media_volstatus_check CHECK "
              "(VolStatus IN ('Full', 'Append'))")
        c.sql("UPDATE Version SET VersionId = 2240")
        assert c.upgrade_schema() == 2240
        assert c.schema_version() == 2250
        pid = c.create_pool("P")
        c.create_media("V", pid, "File", VolStatus="Unlabeled")
        assert c.get_media("V")["VolStatus"] == "Unlabeled"
    finally:
        c.close()


@pytest.mark.postgresql
def test_postgresql_lstat_functions(pg_database):
    c = open_catalog(pg_database)
    try:
        cols, rows = c.sql("SELECT bareos_frombase64('IG0'), bareos_frombase64('-B'), "
                           "bareos_frombase64('A')")
        assert rows == [[str(0o100664), "-1", "0"]]
        cols, rows = c.sql("SELECT st_mode, st_size FROM decode_lstat("
                           "'P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C', "
                           "ARRAY['st_mode', 'st_size'])")
        assert rows == [[str(0o100664), "27"]]
    finally:
        c.close()


def test_sqlite_frombase64_function(tmp_path):
    c = open_catalog(driver="sqlite3", working_directory=str(tmp_path))
    try:
        assert c.sql("SELECT bareos_frombase64('IG0')")[1] == [[str(0o100664)]]
        assert (tmp_path / "bareos.db").exists()
        assert c.sql("PRAGMA journal_mode")[1] == [["wal"]]
    finally:
        c.close()
