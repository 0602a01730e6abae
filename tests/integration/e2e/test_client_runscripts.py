"""RunScripts on the client (ClientRunBeforeJob / ClientRunAfterJob): the
File Daemon runs them, logs them as Bareos does, and a failing script with
Fail Job On Error ends the job in error, also when it runs after the job."""

from __future__ import annotations

from .conftest import needs_psk

pytestmark = needs_psk


def _tree(root):
    root.mkdir()
    (root / "f").write_text("data\n" * 100)


def test_client_scripts_logged_and_after_failure_fails_job(site_factory, tmp_path):
    src = tmp_path / "data"
    _tree(src)
    marker = tmp_path / "before-ran"
    site = site_factory(src)
    site.add_directives("job/backup-bareos-fd.conf",
                        f'Client Run Before Job = "touch {marker}"')
    site.add_backup_job("after-fails", "Quickstart",
                        "RunScript {", "  RunsWhen = After", "  RunsOnClient = yes",
                        "  FailJobOnError = yes", '  Command = "false"', "}")
    site.start()
    con = site.console()
    jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    log = site.job_log(con, jobid)
    assert status == "T", log
    assert marker.exists()
    assert f'shell command: run ClientBeforeJob "touch {marker}"' in log, log

    jobid, status = site.run_job(con, "run job=after-fails level=Full yes")
    log = site.job_log(con, jobid)
    assert 'shell command: run ClientAfterJob "false"' in log, log
    assert "Runscript: ClientAfterJob returned non-zero status=1" in log, log
    assert status == "E", log
