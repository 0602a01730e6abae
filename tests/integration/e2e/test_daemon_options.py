"""Daemon command-line options shared by bareos-dir, -sd and -fd: ``-u``/``-g``
(run as user/group) and ``-p`` (pid file), with the real programs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bareos.quickstart.run import DAEMONS

MODULES = [(daemon, module) for daemon, module, _port in DAEMONS]


def _run(module: str, etc, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, "-f", "-c", str(etc), *extra],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("daemon,module", MODULES)
def test_unknown_user_or_group_stops_the_daemon(site_factory, tmp_path, daemon, module):
    site = site_factory(tmp_path / "data")
    etc = site.base / "etc"
    res = _run(module, etc, "-u", "no-such-user-xyz", "-g", "no-such-group-xyz", "-d", "100")
    assert res.returncode == 1
    if os.geteuid() == 0:
        assert "Could not find userid=no-such-user-xyz" in res.stderr, res.stderr
        res = _run(module, etc, "-g", "no-such-group-xyz")
        assert res.returncode == 1
        assert "Could not find group=no-such-group-xyz" in res.stderr, res.stderr
    else:
        assert ("The commandline options indicate to run as specified user/group, but "
                "program was not started with required root privileges.") in res.stderr


@pytest.mark.parametrize("daemon,module", MODULES)
def test_pid_file_written_and_removed(site_factory, tmp_path, daemon, module):
    site = site_factory(tmp_path / "data")
    pidfile = tmp_path / f"{daemon}.pid"
    log = open(tmp_path / f"{daemon}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", module, "-f", "-c", str(site.base / "etc"),
                             "-p", str(pidfile)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while not (pidfile.exists() and pidfile.read_text().strip()):
            assert proc.poll() is None, (tmp_path / f"{daemon}.log").read_text()
            assert time.monotonic() < deadline, "no pid file"
            time.sleep(0.1)
        assert int(pidfile.read_text()) == proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    assert not pidfile.exists()
