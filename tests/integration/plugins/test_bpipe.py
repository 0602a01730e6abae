"""bpipe through the three real daemons: a dump program as reader, a
re-import program as writer."""

from __future__ import annotations

import sys
import textwrap

from .conftest import needs_psk

pytestmark = needs_psk


def write_programs(tmp_path, payload_file, env_dump):
    dump = tmp_path / "dump.py"
    dump.write_text(textwrap.dedent(f"""\
        import os, sys
        with open({str(env_dump)!r} + ".reader", "w") as f:
            for k in ("BareosClientName", "BareosJobId", "BareosJobLevel", "BareosSinceTime", "BareosJobType"):
                f.write(k + "=" + os.environ.get(k, "<unset>") + "\\n")
            f.write("argv=" + repr(sys.argv[1:]) + "\\n")
        with open({str(payload_file)!r}, "rb") as src:
            sys.stdout.buffer.write(src.read())
        """))
    load = tmp_path / "load.py"
    load.write_text(textwrap.dedent(f"""\
        import os, sys
        target = sys.argv[1]
        with open({str(env_dump)!r} + ".writer", "w") as f:
            for k in ("BareosClientName", "BareosJobId", "BareosJobLevel", "BareosJobType"):
                f.write(k + "=" + os.environ.get(k, "<unset>") + "\\n")
            f.write("argv=" + repr(sys.argv[1:]) + "\\n")
        with open(target, "wb") as out:
            out.write(sys.stdin.buffer.read())
        """))
    fail = tmp_path / "fail.py"
    fail.write_text("import sys\nsys.stdout.write('partial')\nsys.exit(3)\n")
    return dump, load, fail


def test_bpipe_backup_restore_identical(plugin_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    payload = data / "db.dump"
    payload.write_bytes(bytes(range(256)) * 4000 + b"tail")
    env_dump = tmp_path / "env"
    dump, load, _ = write_programs(tmp_path, payload, env_dump)
    restored = tmp_path / "reimported.bin"
    site = plugin_site(data)
    site.enable_plugins("fd", tmp_path / "fd-plugins", "bpipe")
    (tmp_path / "fd-plugins").mkdir()
    # "a b" stays one argument: the reader runs without a shell but with word quoting
    plugin = (f"bpipe:file=/MYSQL/dump.sql:reader={sys.executable} {dump} 'a b' $HOME:"
              f"writer={sys.executable} {load} {restored}")
    site.plugin_fileset("BpipeSet", [plugin], options={"Signature": "MD5", "Compression": "GZIP"})
    site.add_backup_job("backup-bpipe", "BpipeSet")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-bpipe level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        reader_env = (tmp_path / "env.reader").read_text()
        assert f"BareosJobId={jobid}\n" in reader_env
        assert "BareosClientName=bareos-fd\n" in reader_env
        assert "BareosJobLevel=F\n" in reader_env
        assert "BareosJobType=B\n" in reader_env
        assert "argv=['a b', '$HOME']" in reader_env          # no shell
        files = con.call(f"list files jobid={jobid}").decode()
        assert "/MYSQL/dump.sql" in files
        # the pseudo path is what the restore tree offers
        rid, rstatus = site.run_job(con, "restore client=bareos-fd fileset=BpipeSet where=/tmp/not-used "
                                         "current select all done yes")
        rlog = site.job_log(con, rid)
        assert rstatus == "T", rlog
        assert restored.read_bytes() == payload.read_bytes()
        writer_env = (tmp_path / "env.writer").read_text()
        assert f"BareosJobId={rid}\n" in writer_env
        assert "BareosJobType=R\n" in writer_env
        # the writer got the data; no directory was created for the pseudo path
        import os
        assert not os.path.exists("/tmp/not-used/MYSQL")
    finally:
        con.close()


def test_bpipe_failing_reader_fails_job(plugin_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    env_dump = tmp_path / "env"
    _, _, fail = write_programs(tmp_path, data / "x", env_dump)
    site = plugin_site(data)
    (tmp_path / "fd-plugins").mkdir()
    site.enable_plugins("fd", tmp_path / "fd-plugins")
    site.plugin_fileset("BpipeFail", [f"bpipe:file=/DB/fail.sql:reader={sys.executable} {fail}:writer=/bin/true"])
    site.add_backup_job("backup-fail", "BpipeFail")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-fail level=Full yes")
        log = site.job_log(con, jobid)
        assert status in ("f", "E"), log
        assert "bpipe-fd: Error closing stream for pseudo file /DB/fail.sql: 3" in log
        assert "Backup Error" in log
    finally:
        con.close()


def test_plugin_without_plugin_directory_is_refused(plugin_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    site = plugin_site(data)
    site.plugin_fileset("NoDir", ["bpipe:file=/x/y:reader=/bin/echo:writer=/bin/true"])
    site.add_backup_job("backup-nodir", "NoDir")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-nodir level=Full yes")
        log = site.job_log(con, jobid)
        assert status in ("f", "E"), log
        assert 'Plugin Directory not defined. Cannot use plugin: "bpipe:file=/x/y' in log
    finally:
        con.close()
