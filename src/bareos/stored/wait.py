"""Waiting for the operator (Bareos's wait.cc and the sysop requests of askdir.cc).

When a job needs a volume on its device and none can be had -- the Director
knows no appendable volume of the pool (and auto-labelling cannot make one),
or the volume it names cannot be mounted -- the job does not fail at once: it
asks the operator through the job log (``M_MOUNT`` messages), tells the
Director its status (``JS_WaitMedia`` 'm' / ``JS_WaitMount`` 'M'), marks the
device ``BST_WAITING_FOR_SYSOP`` and waits.  The wait ends

* at once when the Director's ``mount`` (which bconsole's ``label`` sends
  after labelling) or ``label`` reaches the device, or the job is cancelled;
* every ``Volume Poll Interval`` of the device (default 300 s, at least 60;
  0 = never), when the job asks the Director again -- it may know a new
  volume by now (labelled elsewhere, ``update volume``, ...);
* when the wait time runs out: the first wait lasts an hour, each further
  one twice the last (at most a day); after the ninth the job fails with
  ``Max time exceeded waiting to mount Storage Device ...``.

While waiting the SD signals heartbeats to the Director and the File Daemon
every ``Heartbeat Interval`` (when set), so that firewalls keep the idle
connections open.

:class:`WaitTimers` and :func:`next_wait` are the timer arithmetic without
I/O; :class:`VolumeWait` is one job's wait on its device (the append code
calls :meth:`VolumeWait.ask` when it found nothing to mount and
:meth:`VolumeWait.done` when it did); :func:`mount_request`,
:func:`label_request`, :func:`unmount_request` and :func:`wake_job` are the
Director's commands on a waiting device and ``cancel``.
"""

from __future__ import annotations

import logging
import select
import threading
import time
import weakref

from bareos.lib import bnet, jmsg
from bareos.lib.bnet import BnetError
from bareos.lib.jobcodes import JS_RUNNING, JS_WAIT_MEDIA, JS_WAIT_MOUNT
from bareos.stored.device import (
    BST_MOUNT,
    BST_NOT_BLOCKED,
    BST_UNMOUNTED,
    BST_UNMOUNTED_WAITING_FOR_SYSOP,
    BST_WAITING_FOR_SYSOP,
    BST_WRITING_LABEL,
)

log = logging.getLogger("bareos.stored.wait")

# results of one wait, as Bareos's W_*
W_ERROR, W_TIMEOUT, W_POLL, W_MOUNT, W_WAKE = 1, 2, 3, 4, 5

#: Bareos's fixed device wait timers (InitDeviceWaitTimers)
MIN_WAIT = 60 * 60
MAX_WAIT = 24 * 60 * 60
MAX_NUM_WAIT = 9
#: Volume Poll Interval is never shorter than this (when not 0)
MIN_POLL_INTERVAL = 60
#: the longest single sleep: cancels and daemon stops are noticed at least this often
MAX_SLICE = 5.0


class WaitTimers:
    """A job's wait budget: *rem_wait_sec* left of the current wait of
    *wait_sec*; :meth:`double` starts the next, twice as long (at most
    *max_wait*), and says False once *max_num_wait* waits are used up."""

    def __init__(self, min_wait: float = MIN_WAIT, max_wait: float = MAX_WAIT,
                 max_num_wait: int = MAX_NUM_WAIT) -> None:
        self.max_wait = max_wait
        self.max_num_wait = max_num_wait
        self.wait_sec = min_wait
        self.rem_wait_sec = min_wait
        self.num_wait = 0

    def double(self) -> bool:
        self.wait_sec = min(self.wait_sec * 2, self.max_wait)
        self.num_wait += 1
        self.rem_wait_sec = self.wait_sec
        return self.num_wait < self.max_num_wait


def next_wait(rem_wait: float, heartbeat: float, poll_interval: float, unmounted: bool,
              total_waited: float) -> float:
    """How long to sleep before looking again: the rest of the wait, cut to
    the heartbeat interval and (unless the operator unmounted the device)
    to the next poll."""
    wait = rem_wait
    if heartbeat and wait > heartbeat:
        wait = heartbeat
    if not unmounted and poll_interval and wait > poll_interval - total_waited:
        wait = poll_interval - total_waited
    return max(0.0, wait)


def poll_interval(sd, dev) -> int:
    """The device's Volume Poll Interval in seconds (0: no polling)."""
    res = None
    config = getattr(sd, "config", None)
    if config is not None:
        res = config.get("Device", dev.name)
        if res is None and len(dev.name) > 4 and dev.name[-4:].isdigit():
            res = config.get("Device", dev.name[:-4])      # a member of Count = n
    value = int(res.get("Volume Poll Interval", 300) or 0) if res is not None else 300
    if value and value < MIN_POLL_INTERVAL:
        value = MIN_POLL_INTERVAL
    return value


# ----------------------------------------------------------------------------
# the wait state of a device
# ----------------------------------------------------------------------------


class DeviceWait:
    """Who waits on one device for the operator; :attr:`cond` shares the
    device lock, so a waiter releases the device while it sleeps."""

    def __init__(self, dev) -> None:
        self.cond = threading.Condition(dev.lock)
        self.waiters: list[VolumeWait] = []
        self.prev_blocked = BST_NOT_BLOCKED
        self.events = 0            # bumped by every wake-up


_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def device_wait(dev) -> DeviceWait:
    with _STATES_LOCK:
        state = _STATES.get(dev)
        if state is None:
            state = _STATES[dev] = DeviceWait(dev)
        return state


def waiters(dev) -> list:
    """The jobs (their :class:`VolumeWait`) waiting on *dev* now."""
    with _STATES_LOCK:
        state = _STATES.get(dev)
    return list(state.waiters) if state is not None else []


def is_waiting(dev) -> bool:
    return dev.blocked in (BST_WAITING_FOR_SYSOP, BST_UNMOUNTED_WAITING_FOR_SYSOP)


def _wake(dev) -> None:
    state = device_wait(dev)
    with state.cond:
        state.events += 1
        state.cond.notify_all()


class VolumeWait:
    """One job's wait for a volume on its device: to append to (*dcr* is
    the append code's WriteDcr) or, with :meth:`for_read`, to read from."""

    def __init__(self, dcr, timers: WaitTimers | None = None, read: bool = False) -> None:
        self.dcr = dcr
        self.job = dcr.job
        self.dev = dcr.dev
        self.timers = timers or WaitTimers()
        self.read = read
        self.status = W_TIMEOUT          # the first request is always sent
        self.kind = ""                   # "media" (create a volume) or "mount"
        self.volume = ""                 # the volume asked for ("mount")
        self.asked = False
        self.lost = ""                   # why the job's peers went away while it waited

    @classmethod
    def for_read(cls, job, dev, timers: WaitTimers | None = None) -> "VolumeWait":
        """The wait of a restore (or copy, verify ...) reading *dev*."""
        return cls(_ReadDcr(job, dev), timers, read=True)

    @property
    def pool_name(self) -> str:
        return self.dcr.store.pool_name

    @property
    def media_type(self) -> str:
        return self.dcr.store.media_type

    def ask(self, volume: str | None) -> bool:
        """Nothing could be mounted: ask the operator for *volume* (the one
        the Director named but that cannot be mounted) or, when None, for a
        new appendable volume; wait.  True: look for a volume again; False:
        the job ends (the reason is in the job log)."""
        job = self.job
        dev = self.dev
        if job.is_canceled:
            self._canceled()
            return False
        self.asked = True
        self.kind = "mount" if volume else "media"
        self.volume = volume or ""
        if self.status in (W_TIMEOUT, W_MOUNT):
            if self.read:
                job.jmsg(jmsg.M_MOUNT,
                         f'Please mount read Volume "{volume}" for:\n'
                         f"    Job:          {job.job}\n"
                         f"    Storage:      {dev.print_name()}\n"
                         f"    Pool:         {self.pool_name}\n"
                         f"    Media type:   {self.media_type}\n")
            elif volume:
                job.jmsg(jmsg.M_MOUNT,
                         f'Please mount append Volume "{volume}" or label a new one for:\n'
                         f"    Job:          {job.job}\n"
                         f"    Storage:      {dev.print_name()}\n"
                         f"    Pool:         {self.pool_name}\n"
                         f"    Media type:   {self.media_type}\n")
            else:
                job.jmsg(jmsg.M_MOUNT,
                         f"Job {job.job} is waiting. Cannot find any appendable volumes.\n"
                         f'Please use the "label" command to create a new Volume for:\n'
                         f"    Storage:      {dev.print_name()}\n"
                         f"    Pool:         {self.pool_name}\n"
                         f"    Media type:   {self.media_type}\n")
        job.send_status(JS_WAIT_MOUNT if volume else JS_WAIT_MEDIA)
        watch = _PeerWatch(self) if self.read else None
        try:
            self.status = self.wait_for_sysop()
        finally:
            if watch is not None:
                watch.stop()
        if self.lost and not job.is_canceled:
            job.fatal(self.lost)
            return False
        if job.is_canceled:
            self._canceled()
            return False
        if self.status == W_TIMEOUT and not self.timers.double():
            job.fatal(f"Max time exceeded waiting to mount Storage Device {dev.print_name()} "
                      f"for Job {job.job}")
            return False
        return True

    def done(self) -> None:
        """A volume is mounted: the job runs again."""
        if self.asked:
            self.asked = False
            self.job.send_status(JS_RUNNING)

    def _canceled(self) -> None:
        self.job.info(f'Job {self.job.job} canceled while waiting for mount on Storage Device '
                      f'{self.dev.print_name()}.')

    def wait_for_sysop(self) -> int:
        """Sleep until the operator acts, a poll is due or the wait ends
        (Bareos's WaitForSysop); returns W_MOUNT, W_WAKE, W_POLL or W_TIMEOUT."""
        dev = self.dev
        job = self.job
        sd = job.sd
        state = device_wait(dev)
        heartbeat = float(getattr(sd, "heartbeat_interval", 0) or 0)
        poll = poll_interval(sd, dev)
        stopping = getattr(sd, "_shutdown", None)
        first = time.monotonic()
        last_heartbeat = 0.0
        with state.cond:
            unmounted = dev.blocked in (BST_UNMOUNTED, BST_UNMOUNTED_WAITING_FOR_SYSOP)
            if dev.blocked == BST_UNMOUNTED:
                dev.blocked = BST_UNMOUNTED_WAITING_FOR_SYSOP
            elif not unmounted:
                if not state.waiters:
                    state.prev_blocked = dev.blocked if dev.blocked != BST_WAITING_FOR_SYSOP \
                        else BST_NOT_BLOCKED
                dev.blocked = BST_WAITING_FOR_SYSOP
            state.waiters.append(self)
            log.debug("JobId %s: waiting for the operator on device %s", job.job_id, dev.name)
            try:
                add_wait = next_wait(self.timers.rem_wait_sec, heartbeat, poll, unmounted, 0.0)
                while True:
                    events = state.events
                    start = time.monotonic()
                    state.cond.wait(min(add_wait, MAX_SLICE))
                    now = time.monotonic()
                    total = now - first
                    self.timers.rem_wait_sec -= now - start
                    if heartbeat and now - last_heartbeat >= heartbeat:
                        sd.send_heartbeats(job, to_fd=True)
                        last_heartbeat = now
                    if job.is_canceled or self.lost or (stopping is not None and stopping.is_set()):
                        return W_WAKE
                    if dev.blocked == BST_WRITING_LABEL:
                        continue                     # the operator is labelling
                    if self.timers.rem_wait_sec <= 0:
                        return W_TIMEOUT
                    unmounted = dev.blocked in (BST_UNMOUNTED, BST_UNMOUNTED_WAITING_FOR_SYSOP)
                    if not unmounted and poll and total >= poll:
                        return W_POLL
                    if dev.blocked == BST_MOUNT:
                        return W_MOUNT
                    if state.events != events:
                        return W_WAKE
                    add_wait = next_wait(self.timers.rem_wait_sec, heartbeat, poll, unmounted,
                                         total)
            finally:
                state.waiters.remove(self)
                if not state.waiters:
                    if dev.blocked in (BST_WAITING_FOR_SYSOP, BST_MOUNT):
                        dev.blocked = state.prev_blocked
                    elif dev.blocked == BST_UNMOUNTED_WAITING_FOR_SYSOP:
                        dev.blocked = BST_UNMOUNTED


class _PeerWatch:
    """While a read job waits for its volume nobody reads its connections:
    this thread notices when the File Daemon or the Director goes away (the
    connection is closed, the Director says goodbye or ``cancel``), so that
    the job ends at once instead of waiting on for a restore nobody can
    receive any more.  Records why in :attr:`VolumeWait.lost` (or cancels
    the job) and wakes the waiter; :meth:`stop` ends the thread before the
    job uses its connections again."""

    POLL_MS = 200
    _HUP = select.POLLHUP | select.POLLERR | getattr(select, "POLLRDHUP", 0)

    def __init__(self, waiter: VolumeWait) -> None:
        self.waiter = waiter
        self.job = waiter.job
        self._stop = threading.Event()
        self._peers = {}
        for who, bs in (("Director", getattr(self.job, "dir", None)),
                        ("File Daemon", getattr(self.job, "fd", None))):
            if bs is None or getattr(bs, "closed", False):
                continue
            try:
                self._peers[bs.fileno()] = (who, bs)
            except (OSError, ValueError, AttributeError):
                continue
        self._thread = None
        if self._peers:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"sd-peerwatch-{self.job.job_id}")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        poller = select.poll()
        for fileno in self._peers:
            poller.register(fileno, select.POLLIN | self._HUP)
        while not self._stop.is_set():
            try:
                events = poller.poll(self.POLL_MS)
            except OSError:
                return
            for fileno, ev in events:
                if self._stop.is_set():
                    return
                who, bs = self._peers[fileno]
                problem = self._look(who, bs, ev)
                if problem is None:
                    continue
                if problem:
                    self.waiter.lost = problem
                _wake(self.waiter.dev)
                return

    def _look(self, who: str, bs, ev: int) -> str | None:
        """What came from *who*: None (nothing that matters), "" (the job
        was canceled) or why the job cannot go on."""
        job = self.job
        dev = self.waiter.dev
        gone = (f"The {who} connection was closed while Job {job.job} waited for mount "
                f"on Storage Device {dev.print_name()}")
        if not ev & select.POLLIN:
            return gone + "." if ev & self._HUP else None
        try:
            item = bs.recv(timeout=2.0)
        except TimeoutError:
            return None                       # part of a packet: look again
        except (BnetError, OSError) as exc:
            return f"{gone}: {exc}"
        if isinstance(item, int):
            if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                return None
            if item == bnet.BNET_TERMINATE:
                return gone + "."
            return None
        text = item.decode("utf-8", "replace")
        if who == "Director" and text.startswith("cancel"):
            job.sd.cancel_job(job)
            return ""
        log.info("JobId %s: ignored while waiting for mount: %s", job.job_id, text.strip())
        return None


# ----------------------------------------------------------------------------
# the Director's commands on a waiting device
# ----------------------------------------------------------------------------


def mount_request(dev, slot: int = 0) -> str | None:
    """``mount`` of a device a job waits on: wake the job (answer for the
    Director); None when nobody waits (the usual mount applies)."""
    with dev.lock:
        if dev.blocked == BST_WAITING_FOR_SYSOP:
            dev.blocked = BST_MOUNT
            ignored = "Specified slot ignored. " if slot > 0 else ""
            answer = f"3001 OK mount requested. {ignored}Device={dev.print_name()}\n"
        elif dev.blocked == BST_UNMOUNTED_WAITING_FOR_SYSOP:
            dev.blocked = BST_MOUNT
            answer = (f'3001 Device {dev.print_name()} is mounted with Volume "{dev.volume_name}"\n'
                      if dev.volume_name and dev.label is not None else
                      f"3905 Device {dev.print_name()} open but no Bareos volume is mounted.\n"
                      "If this is not a blank tape, try unmounting and remounting the Volume.\n")
        elif dev.blocked == BST_WRITING_LABEL:
            return f"3903 Device {dev.print_name()} is being labeled.\n"
        else:
            return None
    _wake(dev)
    return answer


def label_request(sd, dev, lc, msg=None) -> str | None:
    """``label``/``relabel`` of a device a job waits on: the label is
    written while the waiting job holds the device (as Bareos steals the
    device lock), then the job looks again.  None when nobody waits."""
    with dev.lock:
        if not is_waiting(dev):
            return None
        hold = dev.blocked
        counts = dev.num_writers, dev.num_readers, dev.num_reserved
        dev.blocked = BST_WRITING_LABEL
        dev.num_writers = dev.num_readers = dev.num_reserved = 0
        try:
            answer = sd.label_volume(dev, lc, msg=msg)
        finally:
            dev.num_writers, dev.num_readers, dev.num_reserved = counts
            dev.blocked = hold
    _wake(dev)
    return answer


def unmount_request(dev) -> str | None:
    """``unmount`` of a device a job waits on (BST_UNMOUNTED_WAITING_FOR_SYSOP:
    no more polling until the operator mounts)."""
    with dev.lock:
        if dev.blocked == BST_UNMOUNTED_WAITING_FOR_SYSOP:
            return f'3901 Device "{dev.print_name()}" is already unmounted.\n'
        if dev.blocked != BST_WAITING_FOR_SYSOP:
            return None
        if not dev.is_open:
            return f'3901 Device "{dev.print_name()}" is already unmounted.\n'
        dev.unmount()
        dev.blocked = BST_UNMOUNTED_WAITING_FOR_SYSOP
        return f'3001 Device "{dev.print_name()}" unmounted.\n'


def wake_job(job) -> None:
    """Wake *job* if it waits on a device (``cancel``)."""
    dcr = getattr(job, "write_dcr", None)
    for dev in (getattr(dcr, "dev", None), getattr(job, "read_device", None)):
        if dev is not None:
            _wake(dev)


# ----------------------------------------------------------------------------
# the read side (Bareos's AcquireDeviceForRead with ST_READREADY requests)
# ----------------------------------------------------------------------------

#: how often a read job tries to mount its volume before it gives up
#: (Bareos's retry limit of AcquireDeviceForRead)
MAX_READ_TRIES = 11


class _ReadStore:
    def __init__(self, pool_name: str, media_type: str) -> None:
        self.pool_name = pool_name
        self.media_type = media_type


class _ReadDcr:
    """What a read job's wait needs of Bareos's read DCR."""

    def __init__(self, job, dev) -> None:
        self.job = job
        self.dev = dev
        store = getattr(job, "read_store", None)
        self.store = _ReadStore(getattr(store, "pool_name", "") or "",
                                getattr(store, "media_type", "") or dev.media_type)


def mount_for_read(job, dev, volume: str, try_open, timers: WaitTimers | None = None) -> bool:
    """Get *volume* mounted on *dev* for reading.  ``try_open()`` opens the
    volume and checks its label; it returns None when that worked, else the
    warning for the job log.  When it fails the operator is asked to mount
    the volume ("Please mount read Volume ...", the job in ``JS_WaitMount``)
    and the job waits (see :meth:`VolumeWait.ask`), then tries again; after
    :data:`MAX_READ_TRIES` tries, on a cancel or when the wait time ran out
    the job gives up.  True: the volume is mounted (the job is running
    again); False: the job ends, the reason is in the job log."""
    waiter: VolumeWait | None = None
    tries = 0
    while True:
        if tries >= MAX_READ_TRIES:
            job.fatal(f"Too many errors trying to mount device {dev.print_name()} for reading.")
            return False
        tries += 1
        if job.is_canceled:
            job.info(f"Job {job.job_id} canceled.")
            return False
        problem = try_open()
        if problem is None:
            if waiter is not None:
                waiter.done()
            return True
        job.warning(problem)
        if waiter is None:
            waiter = VolumeWait.for_read(job, dev, timers)
        if not waiter.ask(volume):
            return False
