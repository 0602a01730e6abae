"""Director console behaviour Bareos's own systemtests rely on (found by
running them against our daemons with tests/scenarios/run_bareos_systemtest.py)."""

from __future__ import annotations

import pytest

from bareos.lib import tls
from tests.integration.dird.restore_helpers import (  # noqa: F401 (fixtures)
    connect,
    director_config_dir,
    fill_golden_job,
    jobs,
)

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")



def test_restore_select_with_unknown_client_proposes_catalog_clients(director, jobs):
    # client-initiated: `restore client=bareos-fd ... select all done` where the
    # catalog only knows another client: Bareos says it cannot find the client,
    # then proposes the catalog's clients (one: selected automatically).
    fill_golden_job(director)
    director.catalog.sql("UPDATE Client SET Name = 'other-fd'")
    con = connect(director)
    try:
        out = con.call("restore client=bareos-fd fileset=SelfTest where=/tmp/r "
                       "select all done yes").decode()
    finally:
        con.close()
    assert 'Could not find Client "bareos-fd": ERR=Client record not found.\n' in out
    assert "Automatically selected Client: other-fd\n" in out
    assert "410 files selected to be restored." in out
    assert out.rstrip().endswith("Job queued. JobId=101")
    (jcr,) = jobs
    assert jcr.restore_jobids == "1"


def test_restore_hints_at_the_other_job_type(director, jobs):
    # restore:check-hints: no full backup of the asked kind, but one of the
    # other kind (backup / archive): Bareos says so and suggests the command.
    fill_golden_job(director)
    con = connect(director)
    try:
        out = con.call("restore archive client=bareos-fd fileset=SelfTest where=/tmp/r "
                       "select all done yes").decode()
        assert "No Full backup archive before" in out
        assert "A suitable full backup was found. Try normal restore <...> instead.\n" in out
        director.catalog.sql("UPDATE Job SET Type = 'A' WHERE JobId = 1")
        out = con.call("restore client=bareos-fd fileset=SelfTest where=/tmp/r "
                       "select all done yes").decode()
        assert "No Full backup before" in out
        assert ("A suitable full backup archive was found. Try restore archive <...> "
                "instead.\n") in out
    finally:
        con.close()
    assert jobs == []


def test_failed_reload_error_reaches_messages(director, director_config_dir):
    # reload:add-duplicate-job: the parser's complaint is in `messages`
    job = director_config_dir / "bareos-dir.d" / "job" / "backup-bareos-fd.conf"
    (director_config_dir / "bareos-dir.d" / "job" / "dup.conf").write_text(job.read_text())
    con = connect(director)
    try:
        assert "failed to reload" in con.call("reload").decode()
        out = con.call("messages").decode()
    finally:
        con.close()
    assert 'Attempt to define second Job resource named "backup-bareos-fd" is not permitted' in out
