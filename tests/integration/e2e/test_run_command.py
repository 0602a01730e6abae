"""The `run` command line: a first word without a value names the Job (as
`run copy yes` in Bareos's copy-migrate systemtest)."""

from __future__ import annotations

from .conftest import needs_psk

pytestmark = needs_psk


def test_run_with_the_job_name_as_first_word(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    (src / "f.txt").write_text("x\n")
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run backup-bareos-fd level=Full yes")
        assert status == "T"
        listed = con.call(f"list jobid={jobid}").decode()
        assert "backup-bareos-fd" in listed
        # a second bare word, or a bare word after job=, is not a job name
        out = con.call("run backup-bareos-fd another yes").decode()
        assert "Invalid keyword: another" in out, out
        out = con.call("run job=backup-bareos-fd another yes").decode()
        assert "Invalid keyword: another" in out, out
        out = con.call("run nosuchjob yes").decode()
        assert 'Job "nosuchjob" not found' in out, out
    finally:
        con.close()
