"""The README's main command, run as a user would (in a scratch directory)."""

import socket
import subprocess
import sys

import pytest

from bareos.lib import tls


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")
def test_quickstart_backs_up_and_restores_twice(tmp_path):
    work = tmp_path / "qs"
    work.mkdir()
    # ephemeral ports instead of 9101-9103, which another quick start may be using
    (work / "quickstart.env").write_text(
        "dir_password=qs-dir\nadmin_password=qs-admin\nsd_password=qs-sd\nfd_password=qs-fd\n"
        f"dir_port={_free_port()}\nsd_port={_free_port()}\nfd_port={_free_port()}\n")
    outputs = []
    try:
        for _ in range(2):  # the second run reuses the configuration; its backup is Incremental
            proc = subprocess.run([sys.executable, "-m", "bareos.quickstart", "--workdir", str(work),
                                   "--stop-after"], capture_output=True, text=True, timeout=240)
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
    finally:
        subprocess.run([sys.executable, "-m", "bareos.quickstart", "--workdir", str(work), "--stop"],
                       capture_output=True, timeout=60)
    assert "Backup Level:           Full" in outputs[0]
    assert "Backup Level:           Incremental" in outputs[1]
