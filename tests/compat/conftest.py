"""Compatibility tests run the real python-bareos (and friends) from PyPI.

They live in their own virtual environment, because their ``bareos`` package
collides with ours.  The environment is made once (``.venv-compat`` in the
repository, or ``$BAREOS_COMPAT_VENV``); without network or pip the tests skip
with the reason, except under CI where that is a failure.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ["python-bareos==25.1.1", "sslpsk3==2.1.0", "bareos-restapi==25.1.1", "httpx"]


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def compat_python() -> Path:
    venv = Path(os.environ.get("BAREOS_COMPAT_VENV", REPO / ".venv-compat"))
    py = _venv_python(venv)
    marker = venv / ".bareos-compat-packages"
    wanted = "\n".join(PACKAGES)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(str(venv) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers share the venv
        return _ensure(venv, py, marker, wanted)


def _ensure(venv: Path, py: Path, marker: Path, wanted: str) -> Path:
    if not (py.exists() and marker.exists() and marker.read_text() == wanted):
        base = os.environ.get("BAREOS_COMPAT_BASE_PYTHON", sys.executable)
        try:
            subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True,
                           capture_output=True, text=True, timeout=300)
            subprocess.run([str(py), "-m", "pip", "install", "-q", *PACKAGES], check=True,
                           capture_output=True, text=True, timeout=900)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            reason = f"cannot install {PACKAGES}: {getattr(exc, 'stderr', exc)}"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        marker.write_text(wanted)
    return py


def run_script(python: Path, script: str, *args: str, timeout: float = 120) -> dict:
    """Run *script* in the compat venv (outside our source tree) and return its JSON output."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    proc = subprocess.run([str(python), "-c", script, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd="/")
    if proc.returncode != 0:
        raise AssertionError(f"compat script failed ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
