"""The README's main command, run as a user would (in a scratch directory)."""

import subprocess
import sys

import pytest

from bareos.lib import tls


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")
def test_quickstart_backs_up_and_restores_twice(tmp_path):
    work = tmp_path / "qs"
    outputs = []
    for _ in range(2):  # the second run reuses the configuration; its backup is Incremental
        proc = subprocess.run([sys.executable, "-m", "bareos.quickstart", "--workdir", str(work),
                               "--stop-after"], capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = proc.stdout
        outputs.append(out)
        assert "1000 OK: bareos-dir Version: 25.1.1" in out
        assert "Termination:            Backup OK" in out
        assert "Termination:            Restore OK" in out
        assert "RESULT: " in out and ": identical" in out
        assert "bconsole -c " in out
        for daemon in ("bareos-dir", "bareos-sd", "bareos-fd"):
            assert f"stopped {daemon}" in out
    assert "Backup Level:           Full" in outputs[0]
    assert "Backup Level:           Incremental" in outputs[1]
