"""The SD's wait for the operator (stored/wait.py) without a network: the
timer arithmetic, and a real StorageDaemon, device and job whose wait is
ended by mount, label, cancel and running out of time."""

from __future__ import annotations

import threading
import time

from bareos.lib.config import load_config_text
from bareos.lib.jobcodes import JS_RUNNING, JS_WAIT_MEDIA, JS_WAIT_MOUNT
from bareos.stored import protocol as P
from bareos.stored import wait
from bareos.stored.append import WriteDcr
from bareos.stored.config import SCHEMA
from bareos.stored.daemon import StorageDaemon
from bareos.stored.device import BST_NOT_BLOCKED, BST_WAITING_FOR_SYSOP
from bareos.stored.status import status_text

# -- timers -------------------------------------------------------------------


def test_wait_timers_double_up_to_a_day_and_give_up_after_nine_waits():
    t = wait.WaitTimers()
    assert (t.wait_sec, t.rem_wait_sec) == (3600, 3600)
    seen = []
    while t.double():
        seen.append(t.wait_sec)
    assert seen == [7200, 14400, 28800, 57600, 86400, 86400, 86400, 86400]
    assert t.num_wait == 9 and t.rem_wait_sec == 86400


def test_next_wait_is_cut_by_heartbeat_and_poll():
    assert wait.next_wait(3600, 0, 0, False, 0) == 3600
    assert wait.next_wait(3600, 10, 0, False, 0) == 10
    assert wait.next_wait(3600, 0, 300, False, 0) == 300
    assert wait.next_wait(3600, 0, 300, False, 250) == 50
    assert wait.next_wait(3600, 100, 300, False, 250) == 50
    # an unmounted device is not polled
    assert wait.next_wait(3600, 0, 300, True, 250) == 3600
    assert wait.next_wait(5, 10, 300, False, 0) == 5
    assert wait.next_wait(-3, 10, 300, False, 0) == 0


SD_CONF = """
Storage {{ Name = sd; Working Directory = "{work}" }}
Director {{ Name = dir; Password = "x" }}
Device {{
  Name = FileStorage; Media Type = File; Archive Device = "{store}"
  Label Media = no; Volume Poll Interval = {poll}
}}
"""


def _setup(tmp_path, poll="0"):
    (tmp_path / "store").mkdir()
    cfg = load_config_text(SD_CONF.format(work=tmp_path, store=tmp_path / "store", poll=poll),
                           SCHEMA)
    sd = StorageDaemon(cfg)
    cmd = P.JobCommand(job_id=7, job="backup.2026-01-01_00.00.00_07", job_name="backup",
                       client_name="fd", job_type="B", job_level="F", fileset_name="Data",
                       no_attributes=False, spool_attributes=False, fileset_md5="x",
                       spool_data=False, prefer_mounted_vols=True, spool_size=0,
                       rerunning=False, vol_session_id=0, vol_session_time=0, quota=0,
                       protocol=0, backup_format="Native")
    job = sd.new_job(cmd, None)
    dev = sd.devices.find("FileStorage")
    store = P.DirStore(append=True, name="File", media_type="File", pool_name="Full",
                       pool_type="Backup", device_names=["FileStorage"])
    job.stores.append(store)
    dcr = WriteDcr(job, dev, store)
    job.write_dcr = dcr
    return sd, job, dev, dcr


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


def test_poll_interval_has_bareos_floor(tmp_path):
    sd, _, dev, _ = _setup(tmp_path, poll="10")
    assert wait.poll_interval(sd, dev) == 60


def test_mount_wakes_a_job_waiting_for_a_named_volume(tmp_path):
    sd, job, dev, dcr = _setup(tmp_path)
    waiter = wait.VolumeWait(dcr)
    th, out = _in_thread(lambda: waiter.ask("Vol1"))
    assert _until(lambda: dev.blocked == BST_WAITING_FOR_SYSOP and wait.waiters(dev))
    assert job.status == JS_WAIT_MOUNT
    text = status_text(sd)
    assert 'Device is BLOCKED waiting for mount of volume "Vol1",' in text
    assert "Status=Waiting for mount" in text
    assert wait.mount_request(dev, slot=3) == (
        f"3001 OK mount requested. Specified slot ignored. Device={dev.print_name()}\n")
    th.join(20)
    assert out["r"] is True and waiter.status == wait.W_MOUNT
    assert dev.blocked == BST_NOT_BLOCKED and not wait.waiters(dev)
    waiter.done()
    assert job.status == JS_RUNNING
    # nobody waits: the usual mount command answers
    assert wait.mount_request(dev) is None


def test_label_of_the_waiting_device_wakes_the_job(tmp_path):
    sd, job, dev, dcr = _setup(tmp_path)
    waiter = wait.VolumeWait(dcr)
    th, out = _in_thread(lambda: waiter.ask(None))
    assert _until(lambda: wait.waiters(dev) and job.status == JS_WAIT_MEDIA)
    assert "Device is BLOCKED waiting to create a volume for:" in status_text(sd)
    dev.num_writers = 1                      # the waiting job holds the device
    lc = P.LabelCommand(device="FileStorage", volume="New", pool="Full", media_type="File",
                        slot=0, drive=0, min_block_size=0, max_block_size=0)
    answer = wait.label_request(sd, dev, lc)
    assert answer.startswith('3000 OK label. VolFiles=0 VolBytes=') and 'Volume="New"' in answer
    assert dev.num_writers == 1
    th.join(20)
    assert out["r"] is True and waiter.status == wait.W_WAKE
    assert (tmp_path / "store" / "New").stat().st_size > 0
    # without a waiter the label command goes the usual way
    assert wait.label_request(sd, dev, lc) is None


def test_cancel_ends_the_wait(tmp_path):
    sd, job, dev, dcr = _setup(tmp_path)
    waiter = wait.VolumeWait(dcr)
    th, out = _in_thread(lambda: waiter.ask(None))
    assert _until(lambda: wait.waiters(dev))
    sd.cancel_job(job)
    wait.wake_job(job)
    th.join(20)
    assert out["r"] is False
    assert dev.blocked == BST_NOT_BLOCKED


def test_running_out_of_wait_time_fails_the_job(tmp_path):
    _, job, dev, dcr = _setup(tmp_path)
    waiter = wait.VolumeWait(dcr, wait.WaitTimers(min_wait=0.05, max_wait=0.1, max_num_wait=2))
    assert waiter.ask(None) is True          # the first wait ran out: ask again
    assert waiter.status == wait.W_TIMEOUT
    assert waiter.ask(None) is False         # the second was the last
    assert job.errors == 1
    assert dev.blocked == BST_NOT_BLOCKED
