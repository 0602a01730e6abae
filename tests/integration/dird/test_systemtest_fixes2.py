"""More Director behaviour Bareos's systemtests rely on (reload, restore,
purge), found with tests/scenarios/run_bareos_systemtest.py."""

from __future__ import annotations

import pytest

from bareos.lib import tls
from tests.integration.dird.restore_helpers import (  # noqa: F401 (fixtures)
    connect,
    dialogue,
    director_config_dir,
    fill_golden_job,
    jobs,
)

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")



def _reload_messages(director) -> tuple[str, str]:
    con = connect(director)
    try:
        return con.call("reload").decode(), con.call("messages").decode()
    finally:
        con.close()


def test_reload_second_director_is_a_fatal_error(director, director_config_dir):
    # reload:add-second-director
    (director_config_dir / "bareos-dir.d" / "director" / "second.conf").write_text(
        'Director {\n  Name = second-dir\n  Password = "x"\n}\n')
    out, msgs = _reload_messages(director)
    assert "failed to reload" in out
    assert ("bareos-dir JobId 0: Fatal error: Only one Director resource permitted in %s\n"
            % director.config_path) in msgs
    assert "bareos-dir JobId 0: Error: Please correct the configuration in " in msgs
    assert "bareos-dir JobId 0: Error: Resetting to previous configuration.\n" in msgs
    assert director.name == "bareos-dir"


def test_reload_parser_errors_quote_the_line(director, director_config_dir):
    # reload:add-empty-job and reload:add-uncommented-string
    extra = director_config_dir / "bareos-dir.d" / "job" / "empty.conf"
    extra.write_text("Job {\n}\n")
    out, msgs = _reload_messages(director)
    assert "failed to reload" in out
    assert "Config error: Name not specified for resource" in msgs
    extra.write_text("This is an uncommented string that causes a config abort.")
    out, msgs = _reload_messages(director)
    assert "Config error: Expected a Resource name identifier" in msgs
    assert (": line 1, col 57 of file %s\nThis is an uncommented string that causes a config "
            "abort.\n" % extra) in msgs
    extra.unlink()
    out, msgs = _reload_messages(director)
    assert "reloaded" in out


def test_restore_full_state_of_an_archive_job(director, jobs):
    # restore:archive-restore-file, item 12 with a job turned into an archive
    fill_golden_job(director)
    director.catalog.sql("UPDATE Job SET Type = 'A' WHERE JobId = 1")
    con = connect(director)
    try:
        out = dialogue(con, "restore archive client=bareos-fd fileset=SelfTest where=/tmp/r",
                       ["12", "1", "mark *", "done", "yes"])
    finally:
        con.close()
    assert "Selecting jobs to build the Full state at" in out
    assert "You have selected the following JobId: 1\n" in out
    (jcr,) = jobs
    assert jcr.restore_jobids == "1"


def test_purge_failed_jobs_of_client_and_pool(director):
    # pruning:purge-failed and purge-failed-from-pool
    fill_golden_job(director)
    cat = director.catalog
    cat.sql("UPDATE Job SET JobStatus = 'E' WHERE JobId = 1")
    con = connect(director)
    try:
        out = con.call("purge jobs client=bareos-fd jobstatus=E yes").decode()
    finally:
        con.close()
    assert 'Found 1 Jobs for client "bareos-fd" in catalog "MyCatalog".\n' in out
    assert "Purging the following 1 JobIds: 1\n" in out
    assert cat.get_job(1) is None
