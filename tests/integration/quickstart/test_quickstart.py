"""The README's main command, run as a user would (in a scratch directory)."""

import subprocess
import sys

from bareos.lib import tls
import pytest


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")
def test_quickstart_runs_a_console_session_twice(tmp_path):
    work = tmp_path / "qs"
    for _ in range(2):  # a second run reuses the configuration and passwords
        proc = subprocess.run([sys.executable, "-m", "bareos.quickstart", "--workdir", str(work),
                               "--stop-after"], capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "1000 OK: bareos-dir Version: 25.1.1" in proc.stdout
        assert "You are connected using the default console" in proc.stdout
        assert "Reach the Director with:" in proc.stdout
        assert "stopped bareos-dir" in proc.stdout
    assert (work / "etc" / "bareos-dir.d" / "director" / "bareos-dir.conf").exists()
