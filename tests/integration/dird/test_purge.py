"""`purge`, `rerun`, `truncate` (argument checks), `use`, `var`, `create`,
`add` and `memory` against a real Director with a SQLite catalog."""

from __future__ import annotations

import time

import pytest

from bareos.lib import tls

from tests.integration.dird.test_list import call0, call2, gdir  # noqa: F401

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")


def _files(cat, jid):
    return int(cat.sql(f"SELECT COUNT(*) FROM File WHERE JobId = {jid}")[1][0][0])


def test_purge_files_of_a_job(gdir):  # noqa: F811
    cat = gdir.catalog
    assert _files(cat, 1) == 410
    text = call0(gdir, "purge files jobid=1")
    assert text.startswith("\nThis command can be DANGEROUS!!!\n")
    assert _files(cat, 1) == 0
    assert cat.get_job(1)["PurgedFiles"] == 1


def test_purge_files_of_a_client_asks(gdir):  # noqa: F811
    cat = gdir.catalog
    # API 0 through python-bareos is not interactive here: without "yes" nothing happens
    text = call0(gdir, "purge files client=bareos-fd")
    assert 'Found Files in 2 Jobs for client "bareos-fd" in catalog "MyCatalog".\n' in text
    assert "Purge canceled.\n" in text or _files(cat, 1) == 410
    text = call0(gdir, "purge files client=bareos-fd yes")
    assert _files(cat, 1) == 0


def test_purge_jobs_with_jobstatus(gdir):  # noqa: F811
    cat = gdir.catalog
    text = call0(gdir, "purge jobs client=bareos-fd jobstatus=x,terminated yes")
    assert "invalid jobstatus parameter" not in text
    assert "Purging the following 2 JobIds: 1,2\n" in text
    assert '2 Jobs on client "bareos-fd" purged from catalog.\n' in text
    assert cat.get_job(1) is None and cat.get_job(2) is None
    text = call0(gdir, "purge jobs client=bareos-fd jobstatus=bogus yes")
    assert "invalid jobstatus parameter\n" in text


def test_purge_volume(gdir):  # noqa: F811
    cat = gdir.catalog
    text = call0(gdir, "purge volume=Full-0001 yes")
    assert 'Found 1 Jobs for media "Full-0001" in catalog.\n' in text
    assert '1 Jobs on Volume "Full-0001" purged from catalog.\n' in text
    assert 'There are no more Jobs associated with Volume "Full-0001". Marking it purged.\n' in text
    assert cat.get_media("Full-0001")["VolStatus"] == "Purged"
    assert cat.get_job(1) is None and cat.get_job(2) is not None
    text = call0(gdir, "purge volume=Full-0001 yes")
    assert ('Volume "Full-0001" has VolStatus "Purged" and cannot be purged.\n'
            "The VolStatus must be: Append, Full, Used or Error to be purged.\n") in text


def test_purge_jobs_of_a_pool(gdir):  # noqa: F811
    cat = gdir.catalog
    text = call0(gdir, "purge jobs pool=Full yes")
    assert 'Found 1 Jobs for pool "Full" in catalog.\n' in text
    assert '1 Job on Pool "Full" purged from catalog.\n' in text
    assert cat.get_media("Full-0001")["VolStatus"] == "Purged"


def test_truncate_arguments(gdir):  # noqa: F811
    text = call0(gdir, "truncate")
    assert text.startswith("missing parameter\nUSAGE: truncate volstatus=Purged ")
    assert "required parameter 'volstatus' missing" in call0(gdir, "truncate pool=Full")
    assert "Invalid parameter. 'volstatus' must be 'Purged'." in call0(gdir, "truncate volstatus=Full")
    assert "Invalid parameter.\nUSAGE:" in call0(gdir, "truncate volstatus=Purged bogus=1")
    # nothing purged: the (empty) list and no Storage Daemon contact
    r = call2(gdir, "truncate volstatus=Purged yes")
    assert r == {"volumes": []}


def test_rerun(gdir):  # noqa: F811
    cat = gdir.catalog
    d = gdir
    text = call0(gdir, "rerun")
    assert text == 'Using Catalog "MyCatalog"\nPlease specify jobid, since_jobid, hours or days\n'
    assert 'Specified jobid "x" is not valid\n' in call0(gdir, "rerun jobid=x")
    assert "Please specify either jobid or a timeframe\n" in call0(gdir, "rerun jobid=1 days=2")
    assert "No jobids with the specified options were found.\n" in call0(gdir, "rerun days=2 yes")
    # a failed backup of today is found by days= and rerun with its parameters (queued)
    cid = cat.get_client("bareos-fd")["ClientId"]
    fsid = cat.get_job(1)["FileSetId"]
    pid = cat.get_pool("Full")["PoolId"]
    jid = cat.create_job("backup-bareos-fd.failed", "backup-bareos-fd", "B", "F", ClientId=cid,
                         FileSetId=fsid, PoolId=pid, SchedTime=time.time() - 3600)
    cat.end_job(jid, "f")
    from bareos.dird.console.rerun import rerun_command_line

    line = rerun_command_line(d, cat, cat.get_job(jid), 0, True)
    assert line.startswith('run job="backup-bareos-fd" level="Full" client="bareos-fd" '
                           'pool="Full" fileset="SelfTest" when="')
    assert line.endswith('" yes')
    text = call0(gdir, "rerun days=1 yes")
    assert f"The following ids were selected for rerun:\n{jid}\n" in text
    assert f"rerunning jobid {jid}\n" in text
    assert "Job queued. JobId=" in text
    newid = int(text.split("Job queued. JobId=")[1].split()[0])
    d.jobs.cancel(newid)
    d.jobs.wait(newid, timeout=60)
    # restore jobs are not rerun
    assert call0(gdir, "rerun jobid=2 yes").endswith("\nrerunning jobid 2\n")


def test_use_var_create_memory(gdir):  # noqa: F811
    assert call0(gdir, "use catalog=MyCatalog") == "Using Catalog name=MyCatalog DB=bareos\n"
    year = time.strftime("%Y")
    assert call0(gdir, "var Year=${Year} none=${NoSuchVar}").endswith(f"Year={year} none=\n")
    text = call0(gdir, "create pool=Full")
    assert "Error: Pool Full already exists.\nUse update to change it.\n" in text
    assert text.endswith("Pool Full created.\n")
    cat = gdir.catalog
    with cat.transaction() as tx:
        tx.execute("DELETE FROM Pool WHERE Name = 'Scratch'")
    assert call0(gdir, "create pool=Scratch").endswith("Pool Scratch created.\n")
    assert cat.get_pool("Scratch")["PoolType"] == "Scratch"
    assert "Daemon started" in call0(gdir, "memory")


def test_add_needs_answers(gdir):  # noqa: F811
    text = call0(gdir, "add pool=Full storage=File")
    assert text.startswith("You probably don't want to be using this command since it\n")
    # no interactive answers possible through this client: no volume made
    assert [m["volumename"] for m in call2(gdir, "list volumes")["volumes"]["full"]] == ["Full-0001"]


def test_setdebug_director_and_trace(gdir, tmp_path):  # noqa: F811
    text = call0(gdir, "setdebug level=0 trace=1 dir")
    trace = f"{gdir.working_directory}/bareos-dir.trace"
    assert text == f"level=0 trace=1 hangup=0 timestamp=0 tracefilename={trace}\n"
    call0(gdir, "trace off")
    assert call0(gdir, "setdebug level=0 director").startswith("level=0 trace=0 ")
    text = call0(gdir, "resolve no-such-host.invalid")
    assert text == "bareos-dir Failed to resolve no-such-host.invalid\n"
    text = call0(gdir, "setdebug level=0 client=bareos-fd")
    assert "Failed to connect to Client.\n" in text
