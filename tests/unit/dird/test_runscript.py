"""Director-side run scripts: when they run, %-codes, failures."""

from types import SimpleNamespace

import pytest

from bareos.dird import runscript
from bareos.dird.config import SCHEMA
from bareos.lib.config import load_config_text

CONFIG = """
Director { Name = d; Password = p; Messages = M }
Catalog { Name = C; DB Name = b; DB User = u; DB Driver = sqlite3 }
Messages { Name = M }
Client { Name = c1; Address = 127.0.0.1; Password = p }
Storage { Name = S; Address = 127.0.0.1; Password = p; Device = D; Media Type = F }
Pool { Name = P }
FileSet { Name = F; Include { File = /tmp } }
Job {
  Name = j; Type = Backup; Client = c1; FileSet = F; Storage = S; Pool = P; Messages = M
  Run Before Job = "sh -c 'echo before %n %c %l'"
  Run After Job = "sh -c 'echo after %e > {out}'"
  RunScript {
    RunsWhen = Before
    RunsOnClient = yes
    Command = "echo on client"
  }
}
"""


class FakeJcr(SimpleNamespace):
    def info(self, text):
        self.log.append(("info", text))

    def msg(self, mtype, text):
        self.log.append((mtype, text))


def make_jcr(tmp_path, extra=""):
    cfg = load_config_text(CONFIG.replace("{out}", str(tmp_path / "after.txt")).replace(
        'Run Before Job', extra + 'Run Before Job'), SCHEMA)
    job = cfg.get("Job", "j")
    return FakeJcr(job_res=job, director=SimpleNamespace(name="d"), client=cfg.get("Client", "c1"),
                   fileset=cfg.get("FileSet", "F"), pool=cfg.get("Pool", "P"), storage=cfg.get("Storage", "S"),
                   volumes=["Full-0001"], job_bytes=10, job_files=2, jobid=7, job="j.2026", level_name="Full",
                   job_name="j", type_name="Backup", client_name="c1", since="", job_errors=0,
                   status="T", log=[])


def test_before_and_after_scripts_with_codes(tmp_path):
    jcr = make_jcr(tmp_path)
    runscript.run_director_scripts(jcr, runscript.WHEN_BEFORE)
    assert ("info", "BeforeJob: before j c1 Full\n") in jcr.log
    runscript.run_director_scripts(jcr, runscript.WHEN_AFTER, ok=True)
    assert (tmp_path / "after.txt").read_text() == "after OK\n"


def test_failing_before_script_fails_the_job(tmp_path):
    jcr = make_jcr(tmp_path, 'Run Before Job = "false"\n  ')
    with pytest.raises(runscript.ScriptFailed, match="returned non-zero status=1"):
        runscript.run_director_scripts(jcr, runscript.WHEN_BEFORE)


def test_client_scripts_go_to_the_fd(tmp_path):
    jcr = make_jcr(tmp_path)
    lines, before = runscript.client_script_lines(jcr)
    assert before
    assert lines == ["Run OnSuccess=1 OnFailure=0 AbortOnError=1 When=2 Command=echo\x01on\x01client\n"]
