"""Bareos's own systemtests against our daemons.

Each test runs one scenario of Bareos 25's ``systemtests/tests`` with
tests/scenarios/run_bareos_systemtest.py: the scenario's configuration tree
and bash testrunners come from a git mirror of github.com/bareos/bareos (never
from this project), our bareos-dir/-sd/-fd and bconsole stand in for Bareos's
programs, the catalog is a throw-away PostgreSQL server.

Skipped when the mirror is absent (``$BAREOS_MIRROR``, default
/work/.mirror/bareos+bareos/repo; CI machines do not have it) or when no
PostgreSQL server can be started.  Only scenarios that pass are listed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.pgserver import pg_unavailable_reason

HERE = Path(__file__).resolve().parent
MIRROR = Path(os.environ.get("BAREOS_MIRROR", "/work/.mirror/bareos+bareos/repo"))
REF = os.environ.get("BAREOS_SYSTEMTEST_REF", "bareos-25")

PASSING = [
    "client-initiated",
    "passive",
    "notls",
    "bconsole-basic",
    "messages",
    "list-backups",
    "sparse-file",
    "reload",
    "parallel-jobs",
    "pruning",
    "strippath",
    "config-dump",
    "restore",
    "spool",
    "fileset-multiple-blocks",
    "truncate-command",
    "file-count-regression",
    "filesets",
    "commandline-options",
    "sd-volume-limit",
    "bpipe-fd",
    "heartbeat-interval",
    "acl",
    "xattr",
    "py3plug-dir",
    "py3plug-sd",
    "random-commands",
    "multi-runscript",
    "admin-job",
    "virtualfull-basic",
    "py3plug-fd-basic",
]

#: programs a scenario's scripts call besides bash, perl, diff and tar
NEEDS = {"acl": ("setfacl", "getfacl"), "xattr": ("setfattr", "getfattr")}


def _mirror_reason() -> str | None:
    if not (MIRROR / "HEAD").exists():
        return f"no Bareos git mirror at {MIRROR} (set BAREOS_MIRROR)"
    ok = subprocess.run(["git", "-C", str(MIRROR), "rev-parse", "--verify", "-q", REF],
                        capture_output=True)
    if ok.returncode != 0:
        return f"the mirror has no {REF}"
    for tool in ("bash", "perl", "diff", "tar"):
        if shutil.which(tool) is None:
            return f"{tool} is needed by Bareos's systemtest scripts"
    return None


pytestmark = [
    pytest.mark.skipif(_mirror_reason() is not None, reason=_mirror_reason() or ""),
    pytest.mark.skipif(pg_unavailable_reason() is not None,
                       reason=pg_unavailable_reason() or ""),
]


#: TLS 1.3 with PSK needs Python 3.13's own PSK callbacks (sslpsk3 on older
#: Pythons is limited to TLS 1.2)
PASSING_313 = ["tls-suites"]


def _needs(scenario: str):
    missing = [t for t in NEEDS.get(scenario, ()) if shutil.which(t) is None]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not installed")


@pytest.mark.parametrize("scenario", [pytest.param(s, marks=_needs(s)) for s in PASSING] + [
    pytest.param(s, marks=pytest.mark.skipif(sys.version_info < (3, 13),
                                             reason="TLS 1.3 PSK needs Python 3.13"))
    for s in PASSING_313])
@pytest.mark.timeout(1800)
def test_bareos_systemtest(scenario):
    # A short work directory: some scenario scripts find their daemon with
    # ``ps -o args=``, whose lines are cut at 80 columns when not on a
    # terminal (filesets' command.sh looks for .../sbin/bareos-dir there).
    workdir = Path(tempfile.mkdtemp(prefix="st-"))
    proc = subprocess.run(
        [sys.executable, str(HERE / "run_bareos_systemtest.py"), scenario,
         "--mirror", str(MIRROR), "--ref", REF, "--workdir", str(workdir)],
        capture_output=True, text=True, timeout=1700)
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-4000:]
    assert f"{scenario}: PASSED" in proc.stdout
    shutil.rmtree(workdir, ignore_errors=True)       # kept when the scenario failed
