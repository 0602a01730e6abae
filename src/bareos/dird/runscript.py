"""RunScript / Run Before Job / Run After Job: scripts around a job.

Scripts that run on the Director are started here (the command split like a
command line, without a shell); `Console = "..."` runs a console command in
the Director; scripts with a client target are sent to the File Daemon
(`Run OnSuccess=… When=… Command=…`, then `RunBeforeNow`).
"""

from __future__ import annotations

import logging
import shlex
import subprocess

from bareos.lib import jmsg, jobcodes
from bareos.lib.bnet import bash_spaces
from bareos.lib.edit import edit_codes

log = logging.getLogger("bareos.dird.runscript")

WHEN_AFTER = 1
WHEN_BEFORE = 2
WHEN_ALWAYS = 3
WHEN_AFTER_VSS = 4
_WHEN = {"After": WHEN_AFTER, "Before": WHEN_BEFORE, "Always": WHEN_ALWAYS, "AfterVSS": WHEN_AFTER_VSS,
         "Never": 0}


class ScriptFailed(Exception):
    pass


def scripts_of(jcr):
    return list(jcr.job_res.get("RunScript") or []) if jcr.job_res is not None else []


def _get(block, name, default=None):
    v = block.get(name)
    return default if v is None else v


def expand(cmd: str, jcr) -> str:
    """Replace Bareos's %-codes of job scripts."""
    vols = ",".join(jcr.volumes)
    codes = {
        "%": "%", "b": str(jcr.job_bytes), "c": jcr.client_name, "d": jcr.director.name,
        "D": jcr.director.name, "e": _exit_word(jcr), "E": str(jcr.job_errors), "f": jcr.fileset.name if jcr.fileset else "",
        "F": str(jcr.job_files), "h": (jcr.client.get("Address") or "") if jcr.client else "",
        "i": str(jcr.jobid), "j": jcr.job, "l": jcr.level_name, "n": jcr.job_name,
        "p": jcr.pool.name if jcr.pool else "", "P": str(__import__("os").getpid()),
        "s": jcr.since or "", "t": jcr.type_name, "v": vols, "V": vols,
        "w": jcr.storage.name if jcr.storage else "", "x": "no", "C": "no",
        "O": _previous_jobid(jcr), "N": _new_jobid(jcr),
    }
    return edit_codes(cmd, codes)


def _previous_jobid(jcr) -> str:
    """%O: the job a Copy/Migrate worker copies or migrates."""
    prev = getattr(jcr, "mac_jobid", None)
    return str(prev) if prev else "*None*"


def _new_jobid(jcr) -> str:
    """%N: the job a Copy/Migrate worker creates."""
    st = getattr(jcr, "mac_state", None)
    if st is not None and getattr(st, "mig", None) is not None:
        return str(st.mig.jobid)
    reserved = getattr(jcr, "mac_new_job", None)
    return str(reserved[0]) if reserved else "*None*"


def _exit_word(jcr) -> str:
    return {jobcodes.JS_TERMINATED: "OK", jobcodes.JS_WARNINGS: "OK -- with warnings",
            jobcodes.JS_CANCELED: "Canceled", jobcodes.JS_DIFFERENCES: "Differences"}.get(
        jcr.status, "Error" if jcr.status in (jobcodes.JS_ERROR_TERMINATED, jobcodes.JS_FATAL_ERROR)
        else "Unknown term code")


def _applies(block, when: int, ok: bool) -> bool:
    w = _WHEN.get(str(_get(block, "RunsWhen", "Never")), 0)
    if not (w & when):
        return False
    if when == WHEN_BEFORE:
        return True
    if ok:
        return bool(_get(block, "RunsOnSuccess", True))
    return bool(_get(block, "RunsOnFailure", False))


def run_director_scripts(jcr, when: int, ok: bool = True) -> None:
    """Run the Director-side scripts due now; raise ScriptFailed when one that
    must not fail fails."""
    label = "BeforeJob" if when == WHEN_BEFORE else "AfterJob"
    for block in scripts_of(jcr):
        if _get(block, "Target", ""):
            continue  # a client script
        if not _applies(block, when, ok):
            continue
        console_cmd = block.get("Console")
        if console_cmd:
            _run_console(jcr, expand(console_cmd, jcr))
            continue
        cmd = block.get("Command")
        if not cmd:
            continue
        command = expand(cmd, jcr)
        jcr.info(f'shell command: run {label} "{command}"\n')
        status, output = _run_program(command)
        for line in output.splitlines():
            jcr.info(f"{label}: {line}\n")
        if status != 0:
            msg = f"Runscript: {label} returned non-zero status={status}. ERR={_err_text(status)}\n"
            fail = bool(_get(block, "FailJobOnError", when == WHEN_BEFORE))
            jcr.msg(jmsg.M_ERROR if fail or when != WHEN_BEFORE else jmsg.M_WARNING, msg)
            if fail and when == WHEN_BEFORE:
                raise ScriptFailed(msg.strip())


def _err_text(status: int) -> str:
    if status == 127:
        return "Command not found"
    if status < 0:
        return f"Child died from signal {-status}"
    return f"Child exited with code {status}"


def _run_program(command: str) -> tuple[int, str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return 1, f"bad command line: {exc}"
    if not argv:
        return 0, ""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=3600, errors="replace")
    except FileNotFoundError:
        return 127, ""
    except (OSError, subprocess.SubprocessError) as exc:
        return 1, str(exc)
    return proc.returncode, (proc.stdout or "") + (proc.stderr or "")


def _run_console(jcr, command: str) -> None:
    from .ua import UaContext

    ua = UaContext(jcr.director, None)
    ua.batch = True
    try:
        ua.execute_line(command)
    except Exception as exc:  # a console script never breaks the job
        jcr.msg(jmsg.M_WARNING, f"Console command \"{command}\" failed: {exc}\n")


def client_script_lines(jcr) -> tuple[list[str], bool]:
    """The `Run ...` lines for the FD and whether one runs before the job."""
    lines = []
    before = False
    for block in scripts_of(jcr):
        if not _get(block, "Target", ""):
            continue
        cmd = block.get("Command")
        if not cmd:
            continue
        when = _WHEN.get(str(_get(block, "RunsWhen", "Never")), 0)
        if when & WHEN_BEFORE:
            before = True
        lines.append(f"Run OnSuccess={int(bool(_get(block, 'RunsOnSuccess', True)))} "
                     f"OnFailure={int(bool(_get(block, 'RunsOnFailure', False)))} "
                     f"AbortOnError={int(bool(_get(block, 'FailJobOnError', True)))} "
                     f"When={when} Command={bash_spaces(expand(cmd, jcr))}\n")
    return lines, before
