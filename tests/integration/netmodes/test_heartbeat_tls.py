"""Heartbeats during a long job, TLS on every channel (packet capture), TLS
Require, handshake probing of an old-style cleartext client, and the FD's
local Append message file -- on loopback."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest

from bareos.quickstart.run import compare_trees

from .conftest import make_tree, needs_psk

pytestmark = needs_psk

MARKER = b"PLAINTEXT-MARKER-7d1f0c2e-"


def test_heartbeats_during_a_long_job_do_not_corrupt_the_data(site_factory, tmp_path):
    """Heartbeat Interval = 1 on the FD: while a job of several seconds runs the
    Director receives heartbeats on the control channel, and the data stream
    to the SD stays intact (the restore is identical)."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    block = bytes(range(1, 256)) * 4096
    with open(src / "large.bin", "wb") as f:   # enough data for a job of a few seconds
        for _ in range(300):
            f.write(block)
    site = site_factory(src, fd_extra="  Heartbeat Interval = 1\n")
    site.start()
    con = site.console()
    try:
        _, status, blog = site.run_job(con, "run job=backup yes")
        assert status == "T", blog + site.log_text("bareos-fd")
        m = re.search(r"Elapsed time:\s+(\d+) sec", blog)
        beats = site.log_text("bareos-dir").count("heartbeat from the File Daemon")
        if m and int(m.group(1)) >= 3:
            assert beats >= 1, site.log_text("bareos-dir")[-3000:]
        bsr = site.base / "work-dir" / "bareos-fd.bsr"
        where = site.base / "restores" / "hb"
        _, rstatus, rlog = site.run_job(con, f"run job=restore bootstrap={bsr} where={where} yes")
        assert rstatus == "T", rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
    (src / "large.bin").unlink()


def _tcpdump() -> str | None:
    path = shutil.which("tcpdump")
    if path is None:
        try:
            subprocess.run(["apt-get", "install", "-y", "tcpdump"], capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError):
            pass
        path = shutil.which("tcpdump")
    return path


def _capture_backup(site_factory, tmp_path, name, **kw) -> bytes:
    tcpdump = _tcpdump()
    if tcpdump is None or os.geteuid() != 0:
        pytest.skip("tcpdump is not installable or capturing needs root")
    src = tmp_path / f"data-{name}"
    src.mkdir()
    make_tree(src, MARKER)
    site = site_factory(src, name=name, **kw)
    v = site.values
    pcap = tmp_path / f"{name}.pcap"
    ports = " or ".join(f"port {v[p]}" for p in ("dir_port", "sd_port", "fd_port"))
    cap = subprocess.Popen([tcpdump, "-i", "lo", "-U", "-s", "0", "-w", str(pcap), ports],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        site.start()
        con = site.console()
        try:
            site.backup_and_restore(con)
        finally:
            con.close()
        time.sleep(0.5)
    finally:
        cap.send_signal(signal.SIGINT)
        cap.wait(15)
    return pcap.read_bytes()


def test_no_cleartext_file_data_on_any_channel_by_default(site_factory, tmp_path):
    data = _capture_backup(site_factory, tmp_path, "tls")
    assert len(data) > 1_000_000          # the backup and the restore were captured
    assert MARKER not in data
    assert b"Hello Director" not in data and b"append open session" not in data


def test_capture_sees_file_data_when_tls_is_off(site_factory, tmp_path):
    """The control: with TLS Enable = no everywhere the same capture shows the data."""
    off = "  TLS Enable = no\n  TLS Require = no\n"
    data = _capture_backup(site_factory, tmp_path, "clear", dir_extra=off, client_extra=off,
                           storage_extra=off, sd_extra=off, sd_director_extra=off, fd_extra=off,
                           fd_director_extra=off)
    assert MARKER in data


def test_old_style_cleartext_client_is_reached_by_probing(site_factory, tmp_path):
    """An FD configured as before 18.2 (TLS Enable = no in its Client and
    Director resources) does not understand a TLS ClientHello: the Director
    tries TLS, then the cleartext handshake, and remembers what worked until a
    reload.  As the seed says for such clients, the storage side is cleartext
    too (the Director's Storage and the SD's Storage and Director resources)."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    off = "  TLS Enable = no\n  TLS Require = no\n"
    site = site_factory(src, client_extra="  TLS Require = no\n", fd_extra=off, fd_director_extra=off,
                        storage_extra=off, sd_extra=off, sd_director_extra=off)
    site.start()
    con = site.console()
    try:
        blog, rlog = site.backup_and_restore(con)
        assert "Probing client protocol... (result will be saved until config reload)" in blog
        assert re.search(r"bareos-dir JobId \d+:    Handshake: Cleartext", blog), blog
        assert "Probing client protocol" not in rlog      # remembered
        # without probing the line has one leading space (golden: "JobId 2:  Handshake: ...")
        assert re.search(r"bareos-dir JobId \d+:  Handshake: Cleartext", rlog), rlog
        con.call("reload")
        _, status, log3 = site.run_job(con, "run job=backup level=Full yes")
        assert status == "T" and "Probing client protocol" in log3
    finally:
        con.close()


def test_tls_require_refuses_a_cleartext_peer(site_factory, tmp_path):
    """The Director's Client resource has TLS off; the FD requires TLS: no job."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src, client_extra="  TLS Enable = no\n  TLS Require = no\n",
                        fd_director_extra="  TLS Require = yes\n")
    site.start()
    con = site.console()
    try:
        _, status, log = site.run_job(con, "run job=backup yes", timeout=120)
        assert status in ("f", "E"), log
        assert "Handshake:" not in log
        assert "TLS required but the connection is cleartext" in site.log_text("bareos-fd")
    finally:
        con.close()


def test_fd_append_message_file(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    logfile = tmp_path / "bareos-fd.log"
    site = site_factory(src, fd_messages_extra=f'  Append = "{logfile}" = all, !skipped, !restored\n',
                        client_extra="  Connection From Client To Director = yes\n",
                        fd_director_extra="  Address = 127.0.0.1\n  Port = 1\n"
                                          "  Connection From Client To Director = yes\n")
    site.start()
    con = site.console()
    try:
        _, status, _log = site.run_job(con, "run job=backup yes")
        assert status == "T"
    finally:
        con.close()
    text = logfile.read_text()
    assert re.search(r"bareos-fd JobId \d+: Version: ", text), text
    assert 'Failed to connect to Director "bareos-dir" at 127.0.0.1:1' in text, text
