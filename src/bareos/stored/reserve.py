"""The SD's devices and their reservation for jobs.

:class:`DeviceManager` builds the devices from the Device resources (a Device
with ``Count = n > 1`` becomes ``<name>0000`` .. ``<name>000n``, ``0000``
not auto-selected, plus an implicit Autochanger named like the Device, as
Bareos does) and picks a device for a job's ``use storage``/``use device``
request: the requested device names may be devices or autochangers; media
type must match; a writer needs a device that is not reading and has room
under Maximum Concurrent Jobs, preferring one that already has a volume of
the job's pool mounted; a reader needs a device nobody writes to.
"""

from __future__ import annotations

import logging
import threading

from bareos.stored.device import Device, DeviceSettings, create_device
from bareos.stored.protocol import DirStore

log = logging.getLogger("bareos.stored.reserve")


from bareos.stored.autochanger import Changer as Autochanger  # noqa: E402
from bareos.stored.autochanger import configure as _configure_changer  # noqa: E402


class DeviceManager:
    def __init__(self, config) -> None:
        self.devices: dict[str, Device] = {}
        self.listed: list[Device] = []         # what `status` lists (Count>1 templates skipped)
        self.changers: dict[str, Autochanger] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        if config is None:
            return
        for res in config.resources("Device"):
            count = int(res.get("Count", 1) or 1)
            if count > 1:
                members = []
                for i in range(count + 1):
                    st = DeviceSettings.from_resource(res, name=f"{res.name}{i:04d}")
                    if i == 0:
                        st.autoselect = False
                    dev = create_device(st)
                    self.devices[dev.name] = dev
                    self.listed.append(dev)
                    members.append(dev)
                ch = Autochanger(res.name, members, implicit=True)
                for d in members:
                    d.changer = ch
                self.changers[res.name] = ch
            else:
                dev = create_device(DeviceSettings.from_resource(res))
                self.devices[dev.name] = dev
                self.listed.append(dev)
        for res in config.resources("Autochanger"):
            names = res.get("Device") or []
            if isinstance(names, str):
                names = [names]
            members = [self.devices[n] for n in names if n in self.devices]
            _configure_changer(res, members)
            ch = Autochanger(res.name, members, str(res.get("Changer Device") or ""),
                             res.get("Changer Command"))
            for d in members:
                d.changer = ch
            self.changers[res.name] = ch

    def add(self, dev: Device) -> Device:
        """Register a device built by hand (tests, tools)."""
        self.devices[dev.name] = dev
        self.listed.append(dev)
        return dev

    def find(self, name: str) -> Device | None:
        """A device by name, or an auto-selectable member of an autochanger."""
        dev = self.devices.get(name)
        if dev is not None:
            return dev
        ch = self.changers.get(name)
        if ch is not None:
            for d in ch.devices:
                if d.settings.autoselect:
                    return d
        return None

    def find_drive(self, name: str, drive: int | None) -> Device | None:
        """Bareos's FindDevice: a device by name, or the drive with logical
        number *drive* of the autochanger *name* (None/-1: the first
        auto-selectable one)."""
        dev = self.devices.get(name)
        if dev is not None:
            return dev
        ch = self.changers.get(name)
        if ch is not None:
            return ch.member(drive)
        return None

    def candidates(self, name: str) -> list[Device]:
        if name in self.devices:
            return [self.devices[name]]
        ch = self.changers.get(name)
        if ch is not None:
            return [d for d in ch.devices if d.settings.autoselect]
        return []

    def known(self, stores: list[DirStore]) -> bool:
        """Does any requested device exist with the requested media type?"""
        return any(True for _ in self._offered(stores))

    def _offered(self, stores: list[DirStore], append: bool | None = None):
        """(device, store) for every device the Director's stores name with their
        media type (only stores of the given direction when *append* is given)."""
        for st in stores:
            if append is not None and st.append != append:
                continue
            for name in st.device_names:
                for d in self.candidates(name):
                    if d.media_type == st.media_type:
                        yield d, st

    def reserve(self, stores: list[DirStore], append: bool, job_id: int) -> tuple[Device, DirStore] | None:
        """Pick and reserve a device for a job; None when none is free now."""
        with self.lock:
            best = None
            for d, st in self._offered(stores, append):
                score = self._score(d, st, append)
                if score is not None and (best is None or score > best[0]):
                    best = (score, d, st)
            if best is None:
                return None
            _, dev, st = best
            dev.num_reserved += 1
            dev.attached_jobs.append(job_id)
            return dev, st

    def _score(self, d: Device, st: DirStore, append: bool) -> int | None:
        if append:
            if d.settings.read_only or d.num_readers or d.mode == "read":
                return None
            busy = d.num_writers + d.num_reserved
            if busy >= d.settings.maximum_concurrent_jobs:
                return None
            if d.volume_name and busy and d.pool_name and d.pool_name != st.pool_name:
                return None
            if d.blocked not in (0,):
                return None
            if d.volume_name and d.pool_name == st.pool_name and not d.full:
                return 100 - busy
            return 50 - busy
        if d.num_writers or d.num_reserved:
            return None
        if d.blocked not in (0,):
            return None
        return 10

    def reserve_messages(self, stores: list[DirStore], append: bool, job_id: int) -> list[str]:
        """Why no requested device can be reserved now, one line per device
        (the messages Bareos queues for ``Jobs waiting to reserve a drive``)."""
        out: list[str] = []
        with self.lock:
            for d, st in self._offered(stores, append):
                text = self._busy_reason(d, st, append, job_id)
                if text and text not in out:
                    out.append(text)
        return out

    @staticmethod
    def _busy_reason(d: Device, st: DirStore, append: bool, job_id: int) -> str:
        name = d.print_name()
        if d.blocked == 1:       # BST_UNMOUNTED
            return f"3601 JobId={job_id} device {name} is BLOCKED due to user unmount.\n"
        if d.blocked not in (0,):
            return f"3602 JobId={job_id} device {name} is busy (already reading/writing).\n"
        if append:
            if d.num_readers or d.mode == "read":
                return f"3603 JobId={job_id} device {name} is busy reading.\n"
            busy = d.num_writers + d.num_reserved
            if d.volume_name and busy and d.pool_name and d.pool_name != st.pool_name:
                return (f'3608 JobId={job_id} wants Pool="{st.pool_name}" but have Pool='
                        f'"{d.pool_name}" nreserve={d.num_reserved} on drive {name}.\n')
            if busy >= d.settings.maximum_concurrent_jobs:
                return f"3609 JobId={job_id} Max concurrent jobs exceeded on drive {name}.\n"
            return ""
        if d.num_writers or d.num_reserved:
            return f"3602 JobId={job_id} device {name} is busy (already reading/writing).\n"
        return ""

    def release(self, dev: Device, job_id: int) -> None:
        with self.lock:
            if dev.num_reserved > 0:
                dev.num_reserved -= 1
            if job_id in dev.attached_jobs:
                dev.attached_jobs.remove(job_id)
            self.changed.notify_all()
