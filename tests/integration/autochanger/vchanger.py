#!/usr/bin/env python3
"""A virtual autochanger for file drives, speaking the mtx-changer protocol.

    vchanger.py <changer-dir> <op> <slot> <archive-device> <drive>

(``Changer Command = "python3 vchanger.py %c %o %S %a %d"``; ``transfer``
gets ``<changer-dir> transfer <src> <dst>``.)

The changer directory holds:

* ``slots``    the number of slots, ``drives`` the number of drives;
* ``slot<N>``  a text file with the barcode of the cartridge in slot N
  (absent: the slot is empty);
* ``drive<D>`` ``<slot>:<barcode>`` of the cartridge loaded in drive D;
* ``media/<barcode>`` the volume data of each cartridge.

``load`` moves a cartridge from its slot into a drive: the drive's archive
directory gets a symbolic link ``<barcode>`` to the volume data, so the
Storage daemon's file device finds the volume there and nowhere else;
``unload`` puts it back.  Exit status 1 with a message on errors (a load from
an empty slot says "Source Element Address N is Empty", as mtx does).
"""

from __future__ import annotations

import fcntl
import os
import sys


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def _write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(tmp, path)


def _num(ctl: str, name: str, default: int) -> int:
    v = _read(os.path.join(ctl, name))
    return int(v) if v and v.isdigit() else default


def _drive_state(ctl: str, drive: int) -> tuple[int, str] | None:
    v = _read(os.path.join(ctl, f"drive{drive}"))
    if not v:
        return None
    slot, _, barcode = v.partition(":")
    return int(slot), barcode


def fail(text: str) -> int:
    print(text)
    return 1


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        return fail("usage: vchanger.py ctl-dir op [slot archive-device drive]")
    ctl, op = argv[0], argv[1]
    args = argv[2:]
    nslots = _num(ctl, "slots", 10)
    ndrives = _num(ctl, "drives", 1)
    with open(os.path.join(ctl, "lock"), "a") as lockf:
        fcntl.flock(lockf, fcntl.LOCK_EX)
        with open(os.path.join(ctl, "log"), "a", encoding="utf-8") as logf:
            logf.write(" ".join([op] + args) + "\n")
        if op == "slots":
            print(nslots)
            return 0
        if op == "list":
            rows = []
            for s in range(1, nslots + 1):
                bc = _read(os.path.join(ctl, f"slot{s}"))
                if bc:
                    rows.append((s, bc))
            for d in range(ndrives):
                st = _drive_state(ctl, d)
                if st:
                    rows.append(st)
            for s, bc in sorted(rows):
                print(f"{s}:{bc}")
            return 0
        if op == "listall":
            for d in range(ndrives):
                st = _drive_state(ctl, d)
                print(f"D:{d}:F:{st[0]}:{st[1]}" if st else f"D:{d}:E")
            for s in range(1, nslots + 1):
                bc = _read(os.path.join(ctl, f"slot{s}"))
                print(f"S:{s}:F:{bc}" if bc else f"S:{s}:E")
            return 0
        if op == "loaded":
            drive = int(args[2]) if len(args) > 2 else 0
            st = _drive_state(ctl, drive)
            print(st[0] if st else 0)
            return 0
        if op == "load":
            slot, archive, drive = int(args[0]), args[1], int(args[2])
            if _drive_state(ctl, drive):
                return fail(f"Drive {drive} Full (Storage Element "
                            f"{_drive_state(ctl, drive)[0]} Loaded)")
            bc = _read(os.path.join(ctl, f"slot{slot}"))
            if not bc:
                return fail(f"Source Element Address {slot} is Empty")
            media = os.path.join(ctl, "media", bc)
            os.makedirs(os.path.dirname(media), exist_ok=True)
            if not os.path.exists(media):
                open(media, "ab").close()
            os.makedirs(archive, exist_ok=True)
            link = os.path.join(archive, bc)
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(media, link)
            _write(os.path.join(ctl, f"drive{drive}"), f"{slot}:{bc}")
            os.unlink(os.path.join(ctl, f"slot{slot}"))
            return 0
        if op == "unload":
            slot, archive, drive = int(args[0]), args[1], int(args[2])
            st = _drive_state(ctl, drive)
            if not st:
                return fail(f"Data Transfer Element {drive} is Empty")
            home, bc = st
            if _read(os.path.join(ctl, f"slot{home}")):
                return fail(f"Storage Element {home} is Full")
            link = os.path.join(archive, bc)
            if os.path.lexists(link):
                os.unlink(link)
            _write(os.path.join(ctl, f"slot{home}"), bc)
            os.unlink(os.path.join(ctl, f"drive{drive}"))
            return 0
        if op == "transfer":
            src, dst = int(args[0]), int(args[1])
            bc = _read(os.path.join(ctl, f"slot{src}"))
            if not bc:
                return fail(f"Source Element Address {src} is Empty")
            if _read(os.path.join(ctl, f"slot{dst}")):
                return fail(f"Destination Element Address {dst} is Already Full")
            _write(os.path.join(ctl, f"slot{dst}"), bc)
            os.unlink(os.path.join(ctl, f"slot{src}"))
            return 0
    return fail(f"unknown operation {op}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
