"""The Director's scheduler: which jobs run when, and the loop that starts them.

``Scheduler(config, run_job, clock=SystemClock())`` starts the jobs whose
Schedule is due: ``run_job(job_name, overrides)`` is called at each run time
with the run's overrides (``RunSpec.overrides()``: ``level``, ``pool``,
``full_pool``, ``incremental_pool``, ``differential_pool``, ``next_pool``,
``storage``, ``messages``, ``priority``, ``spool_data``, ``accurate``,
``max_run_sched_time``; only those given).  ``config`` is the Director's
configuration or a callable returning the current one (so a reload is seen).

Jobs are started like Bareos's scheduler does it: a job runs when its Schedule
is enabled, the job is enabled and its client (if any) is enabled; simultaneous
runs start in priority order (the run's ``Priority=`` or the job's); a run that
is due more than ``MISSED_GRACE`` seconds in the past when it is first planned
is skipped (no catching up after downtime); after a forward clock jump only
the runs that were due within the hour after the last look at the clock start
(once, late), and a run time that already fired does not fire again when the
clock goes backwards.  Every run time is a local
wall-clock time computed per calendar day (see :mod:`bareos.dird.schedule`),
so daylight-saving changes neither double nor drop runs.

The loop wakes at the next run time, but at least every ``wait_interval``
seconds (60, as Bareos), so clock jumps and reloads are noticed.  Under a
:class:`FakeClock` nothing sleeps: ``sleep`` advances the fake time, which makes
``Scheduler.run_until(t)`` a fast, exact simulation.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time as _time
from dataclasses import dataclass
from typing import Any, Callable

from .schedule import RunSpec, fire_times, next_schedule_time, runs_or_none, schedule_runs

log = logging.getLogger("bareos.dird.scheduler")

MISSED_GRACE = 59          # Bareos: runtime + 59 < now is not queued any more
DEFAULT_WAIT_INTERVAL = 60
LATE_HORIZON = 3600        # Bareos queues the runs of this and the next hour


# -- clocks -----------------------------------------------------------------------

class SystemClock:
    """Real time; ``sleep`` returns early when ``wake`` is set."""

    def time(self) -> float:
        return _time.time()

    def sleep(self, seconds: float, wake: threading.Event | None = None) -> None:
        if seconds <= 0:
            return
        if wake is not None:
            wake.wait(seconds)
        else:  # pragma: no cover - the scheduler always passes its event
            _time.sleep(seconds)


class FakeClock:
    """A clock for tests: ``sleep`` advances the time instead of waiting."""

    def __init__(self, start: float) -> None:
        self.now = float(start)
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def __call__(self) -> float:  # usable as Director(clock=...)
        return self.now

    def sleep(self, seconds: float, wake: threading.Event | None = None) -> None:
        self.sleeps.append(seconds)
        if seconds > 0:
            self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, t: float) -> None:
        self.now = float(t)


# -- resources --------------------------------------------------------------------

def _get(res, key, default=None):
    try:
        if res.is_set(key):
            return res.get(key)
        value = res.get(key)
        return default if value is None else value
    except (KeyError, AttributeError):
        return default


def _enabled(res) -> bool:
    if res is None:
        return True
    value = _get(res, "Enabled", True)
    return bool(value) if value is not None else True


def job_schedule(config, job):
    name = _get(job, "Schedule")
    return config.get("Schedule", name) if name else None


def job_client(config, job):
    name = _get(job, "Client")
    return config.get("Client", name) if name else None


def job_enabled(config, job) -> bool:
    """The job is enabled and so is its client (Bareos's test everywhere)."""
    return _enabled(job) and _enabled(job_client(config, job))


def is_automatic_job(config, job) -> bool:
    """Bareos's IsAutomaticSchedulerJob."""
    sched = job_schedule(config, job)
    return sched is not None and _enabled(sched) and job_enabled(config, job)


def _first(value):
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def job_storage(config, job, run: RunSpec | None) -> str | None:
    """Bareos's GetJobStorage: the run's pool's storage, the run's storage, the
    job's pool's storage, or the job's first storage."""
    if run is not None and run.pool:
        pool = config.get("Pool", run.pool)
        if pool is not None and _first(_get(pool, "Storage")):
            return _first(_get(pool, "Storage"))
    if run is not None and run.storage:
        return run.storage
    pool_name = _get(job, "Pool")
    pool = config.get("Pool", pool_name) if pool_name else None
    if pool is not None and _first(_get(pool, "Storage")):
        return _first(_get(pool, "Storage"))
    return _first(_get(job, "Storage"))


def _job_type_name(job) -> str:
    return str(_get(job, "Type", "Backup") or "Backup")


def run_priority(job, run: RunSpec | None) -> int:
    if run is not None and run.priority:
        return run.priority
    return int(_get(job, "Priority", 10) or 10)


# -- status director: the scheduled jobs --------------------------------------------

@dataclass
class ScheduledJob:
    """One line of ``status director``'s Scheduled Jobs."""

    job: str
    type: str
    level: str
    priority: int
    runtime: int
    volume: str = "*unknown*"
    pool: str | None = None
    storage: str | None = None
    schedule: str | None = None
    run: RunSpec | None = None


def list_scheduled_jobs(config, now: float, days: int = 1, tz=None) -> list[ScheduledJob]:
    """The next run of each Run line of every enabled job with a Schedule within
    ``days`` days (Bareos's ListScheduledJobs), sorted by time and priority."""
    out: list[ScheduledJob] = []
    for job in config.resources("Job"):
        if not job_enabled(config, job):
            continue
        sched = job_schedule(config, job)
        if sched is None:
            continue
        for run in runs_or_none(sched):
            t = next_schedule_time(run, now, days, tz)
            if t is None:
                continue
            jtype = _job_type_name(job)
            if jtype.lower() in ("admin", "archive", "restore"):
                level = " "
            else:
                level = run.level_name or str(_get(job, "Level") or "")
            out.append(ScheduledJob(job=job.name, type=jtype, level=level,
                                    priority=run_priority(job, run), runtime=t,
                                    pool=run.pool, storage=job_storage(config, job, run),
                                    schedule=sched.name, run=run))
    out.sort(key=lambda s: (s.runtime, s.priority))
    return out


# -- the loop ---------------------------------------------------------------------

@dataclass(order=True)
class _Item:
    runtime: int
    priority: int
    seq: int
    job: str = ""
    schedule: str = ""
    run_index: int = 0
    text: str = ""


@dataclass
class Fired:
    """A job the scheduler started (kept in ``Scheduler.fired``)."""

    time: float         # clock time when it was started
    runtime: int        # the run time it was due at
    job: str
    overrides: dict


class Scheduler:
    """Starts scheduled jobs at their run times."""

    def __init__(self, config: Any, run_job: Callable[[str, dict], Any], *,
                 clock=None, tz=None, wait_interval: float = DEFAULT_WAIT_INTERVAL,
                 keep_fired: int = 1000) -> None:
        self._config = config
        self.run_job = run_job
        self.clock = clock if clock is not None else SystemClock()
        self.tz = tz
        self.wait_interval = wait_interval
        self.keep_fired = keep_fired
        self.fired: list[Fired] = []
        self._heap: list[_Item] = []
        self._seq = 0
        self._planned_from: float | None = None
        # run identity -> last runtime fired / planned
        self._last_fired: dict[tuple[str, str, int, str], int] = {}
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dirty = True

    # -- configuration ---------------------------------------------------------
    @property
    def config(self):
        return self._config() if callable(self._config) else self._config

    def reload(self, config=None) -> None:
        """Plan again (after ``reload``); ``config`` replaces a fixed configuration."""
        with self._lock:
            if config is not None:
                self._config = config
            self._dirty = True
        self._wake.set()

    def _now(self) -> float:
        return self.clock.time()

    def _plan(self, now: float) -> None:
        """Fill the queue with the next run time of every run of every
        automatic job."""
        cfg = self.config
        heap: list[_Item] = []
        for job in cfg.resources("Job"):
            if not is_automatic_job(cfg, job):
                continue
            sched = job_schedule(cfg, job)
            try:
                runs = schedule_runs(sched)
            except Exception as exc:  # a bad Run line is a config error; keep going
                log.error("%s", exc)
                continue
            for idx, run in enumerate(runs):
                item = self._next_item(job, sched, idx, run, now)
                if item is not None:
                    heap.append(item)
        heapq.heapify(heap)
        self._heap = heap
        self._planned_from = now
        self._dirty = False

    def _next_item(self, job, sched, idx: int, run: RunSpec, now: float,
                   after: int | None = None) -> _Item | None:
        key = (job.name, sched.name, idx, run.text)
        start = now - MISSED_GRACE
        last = self._last_fired.get(key)
        if last is not None:
            start = max(start, last + 1)
        if after is not None:
            start = max(start, after + 1)
        for t in fire_times(run, start, None, self.tz):
            self._seq += 1
            return _Item(t, run_priority(job, run), self._seq, job.name, sched.name,
                         idx, run.text)
        return None

    # -- stepping ------------------------------------------------------------------
    def upcoming(self) -> list[tuple[int, str]]:
        """(run time, job name) of the planned runs, earliest first."""
        with self._lock:
            if self._dirty:
                self._plan(self._now())
            return [(i.runtime, i.job) for i in sorted(self._heap)]

    def step(self) -> float:
        """Start what is due now; returns how long to wait for the next run."""
        with self._lock:
            now = self._now()
            if self._dirty or self._planned_from is None:
                self._plan(now)
            elif now < self._planned_from - MISSED_GRACE:
                # the clock went backwards: plan again (fired runs stay fired)
                self._plan(now)
            due: list[_Item] = []
            while self._heap and self._heap[0].runtime <= now:
                due.append(heapq.heappop(self._heap))
            last_seen = self._planned_from if self._planned_from is not None else now
            self._planned_from = max(last_seen, now)
            for item in due:
                self._fire(item, now, last_seen)
            if not self._heap:
                return self.wait_interval
            return max(0.0, min(self.wait_interval, self._heap[0].runtime - now))

    def _fire(self, item: _Item, now: float, last_seen: float) -> None:
        cfg = self.config
        job = cfg.get("Job", item.job)
        sched = cfg.get("Schedule", item.schedule)
        if job is None or sched is None:
            return
        runs = runs_or_none(sched)
        if item.run_index >= len(runs) or runs[item.run_index].text != item.text:
            self._dirty = True
            return
        run = runs[item.run_index]
        key = (job.name, sched.name, item.run_index, run.text)
        self._last_fired[key] = item.runtime
        # plan this run's next time
        nxt = self._next_item(job, sched, item.run_index, run, now, after=item.runtime)
        if nxt is not None:
            heapq.heappush(self._heap, nxt)
        if not is_automatic_job(cfg, job) or job_schedule(cfg, job) is not sched:
            return
        if item.runtime + MISSED_GRACE < now and self._skip_late(item, now, last_seen):
            log.warning("Job %s scheduled at %d was missed (now %d); skipped",
                        job.name, item.runtime, int(now))
            return
        overrides = run.overrides()
        run.scheduled_last = now
        self.fired.append(Fired(now, item.runtime, job.name, overrides))
        if len(self.fired) > self.keep_fired:
            del self.fired[: len(self.fired) - self.keep_fired]
        log.info("Scheduler: Running job %s.", job.name)
        try:
            self.run_job(job.name, dict(overrides))
        except Exception:  # a failing start never stops the scheduler
            log.exception("starting scheduled job %s failed", job.name)

    def _skip_late(self, item: _Item, now: float, last_seen: float) -> bool:
        """A run found late (the clock jumped forward, or the process stalled)
        still starts, once, when Bareos would have had it queued already (due
        within LATE_HORIZON of the last time the loop looked at the clock) and no
        later time of the same run is due too; other missed runs are dropped."""
        if item.runtime > last_seen + LATE_HORIZON:
            return True
        return any(i.job == item.job and i.schedule == item.schedule
                   and i.run_index == item.run_index and i.runtime <= now
                   for i in self._heap)

    # -- running ---------------------------------------------------------------
    def run_until(self, t: float, max_steps: int = 10_000_000) -> list[Fired]:
        """Drive the loop until the clock reaches ``t`` (for a FakeClock)."""
        start = len(self.fired)
        for _ in range(max_steps):
            if self._now() >= t:
                break
            wait = self.step()
            remaining = t - self._now()
            if remaining <= 0:
                break
            self.clock.sleep(min(wait, remaining), self._wake)
        self.step()
        return self.fired[start:]

    def loop(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception:  # keep scheduling whatever went wrong once
                log.exception("scheduler step failed")
                wait = self.wait_interval
            if self._stop.is_set():
                break
            self._wake.clear()
            self.clock.sleep(wait, self._wake)

    def start(self) -> "Scheduler":
        self._stop.clear()
        self._thread = threading.Thread(target=self.loop, name="scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


__all__ = ["Scheduler", "SystemClock", "FakeClock", "Fired", "ScheduledJob",
           "list_scheduled_jobs", "is_automatic_job", "job_enabled", "job_schedule",
           "job_client", "job_storage", "run_priority", "MISSED_GRACE"]
