"""bareos-tray-monitor against the real daemons (connections 9, 10, 11), and
the daemons' read-only rules for monitors."""

from __future__ import annotations

import subprocess
import sys

from bareos.lib import bnet, cram, tls
from bareos.lib import version as v
from bareos.lib.bnet import HelloKind
from bareos.lib.bsock import authenticate_client, connect

from .conftest import make_tree, needs_psk

pytestmark = needs_psk

TRAY_PW = "tray-secret"


def _site(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    etc = site.base / "etc"
    (etc / "bareos-dir.d" / "console" ).mkdir(parents=True, exist_ok=True)
    (etc / "bareos-dir.d" / "console" / "tray.conf").write_text(
        f'Console {{\n  Name = tray\n  Password = "{TRAY_PW}"\n  Command ACL = status, .status\n'
        "  Job ACL = *all*\n  Client ACL = *all*\n  Storage ACL = *all*\n  Catalog ACL = *all*\n}\n")
    for tree in ("bareos-fd.d", "bareos-sd.d"):
        (etc / tree / "director" / "tray.conf").write_text(
            f'Director {{\n  Name = tray\n  Password = "{TRAY_PW}"\n  Monitor = yes\n}}\n')
    tm = etc / "tray-monitor.d"
    vals = site.values
    for rel, text in {
        "monitor/tray.conf": f'Monitor {{\n  Name = tray\n  Password = "{TRAY_PW}"\n  Refresh Interval = 5\n}}\n',
        "director/bareos-dir.conf": f"Director {{\n  Name = bareos-dir\n  Address = 127.0.0.1\n"
                                    f"  Port = {vals['dir_port']}\n}}\n",
        "client/bareos-fd.conf": f'Client {{\n  Name = bareos-fd\n  Address = 127.0.0.1\n  Port = {vals["fd_port"]}\n'
                                 f'  Password = "{TRAY_PW}"\n}}\n',
        "storage/bareos-sd.conf": f'Storage {{\n  Name = bareos-sd\n  Address = 127.0.0.1\n'
                                  f'  Port = {vals["sd_port"]}\n  Password = "{TRAY_PW}"\n}}\n',
    }.items():
        (tm / rel).parent.mkdir(parents=True, exist_ok=True)
        (tm / rel).write_text(text)
    return site


def test_tray_monitor_once_shows_every_daemon(site_factory, tmp_path):
    site = _site(site_factory, tmp_path)
    site.start()
    out = subprocess.run([sys.executable, "-m", "bareos.tools.traymon", "-c", str(site.base / "etc"), "--once"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    for kind, name in (("Director", "bareos-dir"), ("Client", "bareos-fd"), ("Storage", "bareos-sd")):
        assert f" {kind} {name} (127.0.0.1:" in text, text
    assert "running" in text and "ERROR" not in text
    assert "Client Initiated Connections (waiting for jobs)" in text   # status director
    assert "bareos-fd Version:" in text                                 # the FD's status
    assert "bareos-sd Version:" in text                                 # the SD's status


def _as_monitor(port: int, expect: str):
    bs = connect("127.0.0.1", port, "R_DIRECTOR", "tray", cram.password_key(TRAY_PW), tls.TlsSettings(),
                 hello=bnet.make_hello(HelloKind.DIRECTOR, "tray", v.VERSION), timeout=30)
    try:
        authenticate_client(bs, cram.as_key(cram.password_key(TRAY_PW)),
                            cram.qualified_name("R_DIRECTOR", "tray"), 2)
        assert expect.encode() in bs.recv(timeout=30)
        return bs
    except BaseException:
        bs.close()
        raise


def test_daemons_refuse_commands_from_monitors(site_factory, tmp_path):
    site = _site(site_factory, tmp_path)
    site.start()
    vals = site.values
    for port, ok, refusal in ((vals["fd_port"], "2000 OK Hello", b"2997 Invalid command for a Director with Monitor"),
                              (vals["sd_port"], "3000 OK Hello", b"3997 Invalid command for a Director with Monitor")):
        bs = _as_monitor(int(port), ok)
        try:
            bs.send("cancel Job=whatever\n")
            assert refusal in bs.recv(timeout=30)
        finally:
            bs.close()
    from bareos.bsock import DirectorConsole, Password

    con = DirectorConsole(address="127.0.0.1", port=int(vals["dir_port"]), name="tray", password=Password(TRAY_PW))
    try:
        assert b"Client Initiated Connections" in con.call("status director")
        refused = con.call("run job=backup yes").decode()
        assert "Job queued" not in refused
    finally:
        con.close()
