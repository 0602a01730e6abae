"""The bareos-sd program: -t and a real process serving a Director."""

import socket
import subprocess
import sys
import time

from bareos.lib import bnet

from .toys import ToyDirector, sd_config


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_config_test_mode(tmp_path):
    conf = tmp_path / "bareos-sd.conf"
    conf.write_text(sd_config(str(tmp_path), str(tmp_path)))
    r = subprocess.run([sys.executable, "-m", "bareos.stored.daemon", "-t", "-c", str(conf)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    conf.write_text("Storage {\n  Name = x\n  Bogus = 1\n}\n")
    r = subprocess.run([sys.executable, "-m", "bareos.stored.daemon", "-t", "-c", str(conf)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "Bogus" in r.stderr


def test_daemon_process_serves_a_director(tmp_path):
    port = free_port()
    conf = tmp_path / "bareos-sd.conf"
    text = sd_config(str(tmp_path), str(tmp_path)).replace("  SD Port = 0\n", f"  SD Port = {port}\n  SD Address = 127.0.0.1\n")
    conf.write_text(text)
    proc = subprocess.Popen([sys.executable, "-m", "bareos.stored.daemon", "-f", "-c", str(conf)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                d = ToyDirector(port)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert d.hello_reply == "3000 OK Hello\n"
        d.send(".status header")
        assert d.text().startswith("bareos-sd Version: 25.1.1")
        assert d.bs.recv() == bnet.BNET_EOD
        d.close()
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.returncode == 0
