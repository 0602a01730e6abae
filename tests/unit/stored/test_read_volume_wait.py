"""A read job's wait for its volume (stored/wait.py, mount_for_read) with a
real StorageDaemon, device and job; the job's Director and File Daemon
connections are real socket pairs, whose far ends the tests read from or
close."""

from __future__ import annotations

import socket
import threading
import time

from bareos.lib import bnet
from bareos.lib.bsock import BSock
from bareos.lib.config import load_config_text
from bareos.lib.jobcodes import JS_RUNNING, JS_WAIT_MOUNT
from bareos.stored import protocol as P
from bareos.stored import wait
from bareos.stored.config import SCHEMA
from bareos.stored.daemon import StorageDaemon
from bareos.stored.device import BST_NOT_BLOCKED, BST_WAITING_FOR_SYSOP
from bareos.stored.status import status_text

SD_CONF = """
Storage {{ Name = sd; Working Directory = "{work}" }}
Director {{ Name = dir; Password = "x" }}
Device {{
  Name = FileStorage; Media Type = File; Archive Device = "{store}"
  Label Media = no; Volume Poll Interval = 0
}}
"""


def _pair():
    a, b = socket.socketpair()
    return BSock(a, peer="job"), BSock(b, peer="far end")


def _setup(tmp_path):
    (tmp_path / "store").mkdir()
    cfg = load_config_text(SD_CONF.format(work=tmp_path, store=tmp_path / "store"), SCHEMA)
    sd = StorageDaemon(cfg)
    cmd = P.JobCommand(job_id=9, job="restore.2026-01-01_00.00.00_09", job_name="restore",
                       client_name="fd", job_type="R", job_level=" ", fileset_name="Data",
                       no_attributes=False, spool_attributes=False, fileset_md5="x",
                       spool_data=False, prefer_mounted_vols=True, spool_size=0,
                       rerunning=False, vol_session_id=0, vol_session_time=0, quota=0,
                       protocol=0, backup_format="Native")
    dir_near, dir_far = _pair()
    job = sd.new_job(cmd, dir_near)
    fd_near, fd_far = _pair()
    job.fd = fd_near
    dev = sd.devices.find("FileStorage")
    job.read_store = P.DirStore(append=False, name="File", media_type="File", pool_name="Full",
                                pool_type="Backup", device_names=["FileStorage"])
    job.read_device = dev
    return sd, job, dev, dir_far, fd_far


class Opener:
    """try_open for mount_for_read: the volume is there once *present* is set."""

    def __init__(self) -> None:
        self.present = False
        self.tries = 0

    def __call__(self):
        self.tries += 1
        return None if self.present else 'Read open device "FileStorage" Volume "V1" failed: ERR=gone'


def _in_thread(fn):
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("r", fn()), daemon=True)
    th.start()
    return th, out


def _until(pred, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


class DirectorEnd:
    """Reads what the job sends to the Director, in a thread of its own."""

    def __init__(self, bs: BSock) -> None:
        self.bs = bs
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                item = self.bs.recv(timeout=None)
            except (bnet.BnetError, OSError):
                return
            if isinstance(item, bytes):
                self.lines.append(item.decode())

    def text(self) -> str:
        return "".join(self.lines)


def test_mount_after_the_volume_is_back_lets_the_job_read(tmp_path):
    sd, job, dev, dir_far, _fd_far = _setup(tmp_path)
    director = DirectorEnd(dir_far)
    opener = Opener()
    th, out = _in_thread(lambda: wait.mount_for_read(job, dev, "V1", opener))
    assert _until(lambda: dev.blocked == BST_WAITING_FOR_SYSOP and wait.waiters(dev))
    assert job.status == JS_WAIT_MOUNT
    assert _until(lambda: 'Please mount read Volume "V1" for:' in director.text())
    text = director.text()
    assert f"    Job:          {job.job}\n" in text
    assert "    Pool:         Full\n" in text and "    Media type:   File\n" in text
    assert 'Read open device "FileStorage" Volume "V1" failed: ERR=gone' in text
    assert f"JobStatus={ord(JS_WAIT_MOUNT)}" in text
    assert 'Device is BLOCKED waiting for mount of volume "V1",' in status_text(sd)
    # a mount while the volume is still missing: asked again, still waiting
    assert wait.mount_request(dev).startswith("3001 OK mount requested.")
    assert _until(lambda: director.text().count("Please mount read Volume") == 2)
    assert th.is_alive() and opener.tries == 2
    # (the request is logged just before the job blocks the device again)
    assert _until(lambda: dev.blocked == BST_WAITING_FOR_SYSOP and wait.waiters(dev))
    opener.present = True
    assert wait.mount_request(dev).startswith("3001 OK mount requested.")
    th.join(20)
    assert out["r"] is True and opener.tries == 3
    assert job.status == JS_RUNNING
    assert dev.blocked == BST_NOT_BLOCKED and not wait.waiters(dev)


def test_volume_there_at_once_needs_no_wait(tmp_path):
    _, job, dev, _dir_far, _fd_far = _setup(tmp_path)
    opener = Opener()
    opener.present = True
    assert wait.mount_for_read(job, dev, "V1", opener) is True
    assert opener.tries == 1 and job.errors == 0


def test_too_many_tries_fail_the_job(tmp_path):
    _, job, dev, dir_far, _fd_far = _setup(tmp_path)
    director = DirectorEnd(dir_far)
    opener = Opener()
    timers = wait.WaitTimers(min_wait=0.01, max_wait=0.01, max_num_wait=100)
    assert wait.mount_for_read(job, dev, "V1", opener, timers) is False
    assert opener.tries == wait.MAX_READ_TRIES
    assert _until(lambda: "Too many errors trying to mount device" in director.text())
    assert job.errors == 1 and job.is_canceled


def test_cancel_ends_the_read_wait(tmp_path):
    sd, job, dev, _dir_far, _fd_far = _setup(tmp_path)
    th, out = _in_thread(lambda: wait.mount_for_read(job, dev, "V1", Opener()))
    assert _until(lambda: wait.waiters(dev))
    sd.cancel_job(job)
    wait.wake_job(job)                      # the read device is woken too
    th.join(20)
    assert out["r"] is False
    assert dev.blocked == BST_NOT_BLOCKED


def test_file_daemon_closing_its_connection_ends_the_wait(tmp_path):
    _, job, dev, dir_far, fd_far = _setup(tmp_path)
    director = DirectorEnd(dir_far)
    th, out = _in_thread(lambda: wait.mount_for_read(job, dev, "V1", Opener()))
    assert _until(lambda: wait.waiters(dev))
    fd_far.close()
    th.join(20)
    assert out["r"] is False
    assert _until(lambda: "Fatal error: The File Daemon connection was closed while Job "
                  in director.text()), director.text()
    assert dev.blocked == BST_NOT_BLOCKED and not wait.waiters(dev)


def test_director_cancel_on_the_job_connection_ends_the_wait(tmp_path):
    _, job, dev, dir_far, _fd_far = _setup(tmp_path)
    th, out = _in_thread(lambda: wait.mount_for_read(job, dev, "V1", Opener()))
    assert _until(lambda: wait.waiters(dev))
    dir_far.send(f"cancel Job={job.job}\n")
    th.join(20)
    assert out["r"] is False and job.canceled


def test_heartbeats_on_the_fd_connection_do_not_end_the_wait(tmp_path):
    _, job, dev, _dir_far, fd_far = _setup(tmp_path)
    th, out = _in_thread(lambda: wait.mount_for_read(job, dev, "V1", Opener()))
    assert _until(lambda: wait.waiters(dev))
    fd_far.signal(bnet.BNET_HEARTBEAT)
    time.sleep(0.5)
    assert th.is_alive() and wait.waiters(dev)
    assert wait.mount_request(dev) is not None
    time.sleep(0.3)
    assert th.is_alive()                    # the volume is still missing
    job.canceled = True
    wait.wake_job(job)
    th.join(20)
    assert out["r"] is False

