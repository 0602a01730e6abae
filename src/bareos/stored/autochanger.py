"""Autochangers: running the changer command (Bareos's autochanger.cc).

An ``Autochanger`` resource groups drives (Device resources) that share one
changer (``Changer Device``, ``Changer Command``).  A Device may override
both directives; it takes part in changer operations when it says
``Autochanger = yes`` (Bareos's ``AttachedToAutochanger``) and has a changer
command.  An empty ``Changer Command`` is a virtual disk changer: nothing is
ever loaded, every volume is reachable.

The changer command speaks the mtx-changer protocol: the command line is the
configured template with Bareos's %-codes replaced (:func:`edit_device_codes`)
and the operation is one of ``list`` (``slot:barcode`` lines), ``listall``
(``D:drive:F:slot:barcode``, ``S:slot:F:barcode``, ``S:slot:E``, ``I:...``),
``slots`` (a number), ``load``, ``unload``, ``loaded`` (the slot in the
drive, 0 = empty) and ``transfer`` (``%S`` source, ``%a`` destination).

:class:`Changer` keeps one lock per changer (Bareos's changer_lock) around
load/unload sequences; messages go to a callback (the job log, or the
Director's console for its commands).
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
from typing import Callable, Iterable

from bareos.lib.edit import edit_codes

log = logging.getLogger("bareos.stored.autochanger")

Msg = Callable[[str], None]


def _quiet(text: str) -> None:
    log.debug("%s", text.rstrip())


def edit_device_codes(template: str, *, archive: str = "", changer: str = "",
                      diag: str = "", drive: int = 0, cmd: str = "", slot: int = 0,
                      job: str = "", volume: str = "", client: str = "") -> str:
    """Bareos's edit_device_codes: %a archive device, %c changer device,
    %D diagnostic device, %d drive index, %f client, %j job, %o operation,
    %s slot - 1, %S slot, %v volume, %% a percent sign; other codes stay."""
    codes = {"%": "%", "a": archive, "c": changer, "D": diag, "d": str(drive),
             "o": cmd, "s": str(slot - 1), "S": str(slot), "j": job, "v": volume,
             "f": client}
    return edit_codes(template, codes, keep_lone=False)


def transfer_edit_codes(template: str, *, changer: str, src: int, dst: int,
                        cmd: str = "transfer") -> str:
    """The transfer variant: %a destination slot, %S/%s source slot, %c, %o;
    every other code is dropped (as Bareos)."""
    codes = {"%": "%", "a": str(dst), "c": changer, "o": cmd, "s": str(src), "S": str(src)}
    return edit_codes(template, codes, keep_unknown=False, keep_lone=False)


def run_program(cmdline: str, timeout: float) -> tuple[int, str]:
    """Run a changer command; (exit status, stdout+stderr).  Status 1 when the
    program cannot be started, -1 after a timeout."""
    try:
        argv = shlex.split(cmdline)
    except ValueError as exc:
        return 1, f"bad command line: {exc}"
    if not argv:
        return 1, "empty command"
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout or None)
    except subprocess.TimeoutExpired as exc:
        out = exc.output or b""
        return -1, out.decode("utf-8", "replace") + "timeout"
    except OSError as exc:
        return 1, f"{exc.strerror or exc}"
    return p.returncode, p.stdout.decode("utf-8", "replace")


def status_text(status: int) -> str:
    """The ERR= text of a failed changer command (as BErrNo for child status)."""
    if status == -1:
        return "Child died from signal 15: Termination"
    return f"Child exited with code {status}"


class Changer:
    """One autochanger: its drives, its command and its lock."""

    def __init__(self, name: str, devices: list, changer_device: str = "",
                 changer_command: str | None = None, implicit: bool = False) -> None:
        self.name = name
        self.devices = devices
        self.changer_device = changer_device or ""
        self.changer_command = changer_command
        self.implicit = implicit
        self.lock = threading.RLock()

    # -- per-drive settings --------------------------------------------------
    @staticmethod
    def command_of(dev) -> str | None:
        return dev.settings.changer_command

    @staticmethod
    def device_of(dev) -> str:
        return dev.settings.changer_device or ""

    def attached(self, dev) -> bool:
        """Does *dev* take part in changer operations (Autochanger = yes and
        a Changer Command / Device)?"""
        return bool(dev.settings.autochanger and dev.settings.changer_command is not None
                    and (dev.settings.changer_device or dev.settings.changer_command == ""))

    def virtual(self, dev) -> bool:
        return dev.settings.changer_command == ""

    def _cmd(self, dev, op: str, slot: int = 0, volume: str = "", job: str = "") -> str:
        return edit_device_codes(dev.settings.changer_command or "",
                                 archive=dev.settings.archive_device,
                                 changer=self.device_of(dev),
                                 diag=dev.settings.diagnostic_device or "",
                                 drive=dev.settings.drive_index, cmd=op, slot=slot,
                                 job=job, volume=volume)

    def run(self, dev, op: str, slot: int = 0, volume: str = "", job: str = "") -> tuple[int, str]:
        cmdline = self._cmd(dev, op, slot, volume, job)
        log.debug("run changer: %s", cmdline)
        return run_program(cmdline, dev.settings.max_changer_wait)

    # -- loaded / load / unload ----------------------------------------------
    def loaded_slot(self, dev, msg: Msg = _quiet, *, verbose: bool = False) -> int:
        """The slot in *dev* (0 = nothing loaded, -1 = unknown)."""
        if not self.attached(dev):
            return -1
        if dev.slot > 0:
            return dev.slot
        if self.virtual(dev):
            return 1
        with self.lock:
            drive = dev.settings.drive_index
            if verbose:
                msg(f'3301 Issuing autochanger "loaded? drive {drive}" command.\n')
            status, out = self.run(dev, "loaded")
            if status != 0:
                msg(f'3991 Bad autochanger "loaded? drive {drive}" command: '
                    f"ERR={status_text(status)}.\nResults={out}\n")
                dev.slot = -1
                return -1
            try:
                loaded = int(out.strip().split()[0]) if out.strip() else 0
            except ValueError:
                loaded = 0
            if verbose:
                if loaded > 0:
                    msg(f'3302 Autochanger "loaded? drive {drive}", result is Slot {loaded}.\n')
                else:
                    msg(f'3302 Autochanger "loaded? drive {drive}", result: nothing loaded.\n')
            dev.slot = loaded if loaded > 0 else 0
            return dev.slot

    def unload(self, dev, msg: Msg = _quiet, loaded: int = -1) -> bool:
        """Unload whatever is in *dev* (closing its volume first)."""
        if loaded == 0:
            return True
        if not self.attached(dev):
            return False
        if self.virtual(dev):
            return True
        with self.lock:
            if loaded < 0:
                loaded = self.loaded_slot(dev, msg)
            if loaded <= 0:
                return loaded == 0
            drive = dev.settings.drive_index
            msg(f'3307 Issuing autochanger "unload slot {loaded}, drive {drive}" command.\n')
            with dev.lock:
                dev.unmount()
            status, out = self.run(dev, "unload", slot=loaded)
            if status != 0:
                msg(f'3995 Bad autochanger "unload slot {loaded}, drive {drive}": '
                    f"ERR={status_text(status)}\nResults={out}\n")
                dev.slot = -1
                return False
            dev.slot = 0
            return True

    def _unload_other_drive(self, dev, slot: int, volume: str, msg: Msg) -> bool:
        """The wanted slot sits in another drive: unload it there if that
        drive is idle."""
        for other in self.devices:
            if other is dev or not self.attached(other):
                continue
            if self.loaded_slot(other, msg) != slot:
                continue
            got = other.lock.acquire(timeout=5)
            try:
                busy = (not got or other.num_writers or other.num_readers
                        or other.num_reserved or other.blocked)
                if busy:
                    msg(f'Volume "{volume}" wanted on {dev.print_name()} is in use by device '
                        f"{other.print_name()}\n")
                    return False
                return self.unload(other, msg, loaded=slot)
            finally:
                if got:
                    other.lock.release()
        return True

    def autoload(self, dev, slot: int, in_changer: bool, volume: str = "",
                 msg: Msg = _quiet, *, job: str = "") -> int:
        """Bareos's AutoloadDevice: load *slot* into *dev*.

        1 loaded (or already there, or a virtual changer), 0 no changer or no
        slot (a manual load would be needed), -1 changer error, -3 the slot is
        empty."""
        if not self.attached(dev):
            return 0
        if self.virtual(dev):
            return 1
        wanted = slot if in_changer else 0
        drive = dev.settings.drive_index
        if wanted <= 0:
            msg(f'No slot defined in catalog (slot={wanted}) for Volume "{volume}" on '
                f"{dev.print_name()}.\n")
            msg('Cartridge change or "update slots" may be required.\n')
            return 0
        with self.lock:
            loaded = self.loaded_slot(dev, msg)
            if loaded == wanted:
                dev.slot = wanted
                return 1
            if not self.unload(dev, msg, loaded=loaded):
                return -1
            if not self._unload_other_drive(dev, wanted, volume, msg):
                return -1
            msg(f'3304 Issuing autochanger "load slot {wanted}, drive {drive}" command.\n')
            with dev.lock:
                dev.unmount()
            status, out = self.run(dev, "load", slot=wanted, volume=volume, job=job)
            if status == 0:
                msg(f'3305 Autochanger "load slot {wanted}, drive {drive}", status is OK.\n')
                dev.slot = wanted
                return 1
            empty = "Source Element Address" in out and "is Empty" in out
            msg(f'3992 Bad autochanger "load slot {wanted}, drive {drive}": '
                f"ERR={status_text(status)}.\nResults={out}\n")
            dev.slot = -1
            return -3 if empty else -1

    # -- console operations ----------------------------------------------------
    def list_lines(self, dev, op: str) -> tuple[int, list[str]]:
        """``list`` / ``listall``: (status, output lines)."""
        with self.lock:
            dev.slot = 0
            self.loaded_slot(dev)
            status, out = self.run(dev, op)
        return status, [line + "\n" for line in out.splitlines()]

    def num_slots(self, dev) -> tuple[int, int]:
        """``slots``: (status, number of slots); a 0 answer is asked again once."""
        with self.lock:
            for _ in range(2):
                status, out = self.run(dev, "slots")
                try:
                    n = int(out.strip().split()[0]) if out.strip() else 0
                except ValueError:
                    n = 0
                if n > 0:
                    break
            return status, n

    def transfer(self, dev, src: int, dst: int) -> tuple[int, list[str]]:
        cmdline = transfer_edit_codes(dev.settings.changer_command or "",
                                      changer=self.device_of(dev), src=src, dst=dst)
        with self.lock:
            status, out = run_program(cmdline, dev.settings.max_changer_wait)
        for d in self.devices:
            if d.slot in (src, dst):
                d.slot = -1
        return status, [line + "\n" for line in out.splitlines()]

    def member(self, drive: int | None) -> object | None:
        """The drive with logical number *drive* (None: the first auto-selectable)."""
        for i, d in enumerate(self.devices):
            if drive is None or drive < 0:
                if d.settings.autoselect:
                    return d
            elif i == drive:
                return d
        return None


def configure(changer_res, devices: Iterable) -> None:
    """Copy the Autochanger's Changer Device/Command into member devices that
    do not set their own, and number the drives (Bareos's InitAutochangers)."""
    for i, dev in enumerate(devices):
        st = dev.settings
        if not st.changer_device and changer_res is not None:
            st.changer_device = str(changer_res.get("Changer Device") or "")
        if st.changer_command is None and changer_res is not None:
            v = changer_res.get("Changer Command")
            st.changer_command = None if v is None else str(v)
        st.logical_drive = i


def files_in(directory: str) -> list[str]:
    """Volume files in a file drive's directory (what a changer loaded)."""
    try:
        return sorted(n for n in os.listdir(directory)
                      if not n.startswith(".") and os.path.isfile(os.path.join(directory, n)))
    except OSError:
        return []
