"""The scripts python-bareos installs (bconsole.py, bconsole-json.py) against our Director."""

import subprocess
import sys

import pytest

from bareos.lib import tls
from tests.conftest import DIR_PASSWORD


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")
@pytest.mark.parametrize("func,expect", [("bconsole", "root"), ("bconsole_json", "'whoami': 'root'")])
def test_script_session_from_stdin(director, func, expect):
    code = f"import sys; from bareos.tools.pybareos_scripts import {func}; sys.exit({func}(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, "--port", str(director.port), "--address", "127.0.0.1",
                           "-p", DIR_PASSWORD], input="whoami\nquit\n", capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert expect in proc.stdout
