"""Autochanger pieces without daemons: the changer command's %-codes, the
Director's reading of `list`/`listall` answers and slot selections, and the
SD's Changer driving the virtual changer script on a directory."""

from __future__ import annotations

import sys
from pathlib import Path

from bareos.dird.console.changer import VolEntry, parse_vol_list, user_slot_list
from bareos.dird.output import OutputFormatter
from bareos.dird.ua import UaContext
from bareos.stored.autochanger import Changer, edit_device_codes, transfer_edit_codes
from bareos.stored.device import DeviceSettings, FileDevice

VCHANGER = Path(__file__).parents[2] / "integration" / "autochanger" / "vchanger.py"


def test_edit_device_codes_like_bareos():
    t = "/usr/lib/bareos/scripts/mtx-changer %c %o %S %a %d %s %v %j %% %x"
    assert edit_device_codes(t, archive="/dev/nst0", changer="/dev/sg0", drive=1, cmd="load",
                             slot=7, job="J1", volume="A1") == \
        "/usr/lib/bareos/scripts/mtx-changer /dev/sg0 load 7 /dev/nst0 1 6 A1 J1 % %x"


def test_transfer_codes_drop_unknown():
    t = "mtx-changer %c %o %S %a %d"
    assert transfer_edit_codes(t, changer="/dev/sg0", src=3, dst=9) == \
        "mtx-changer /dev/sg0 transfer 3 9 "


def _ua(cmd: str = "x"):
    out: list[str] = []
    ua = UaContext(None)
    ua.send = OutputFormatter(out.append, api=0)
    ua.parse(cmd)
    return ua, out


def test_parse_list_skips_empty_and_passes_sd_messages():
    ua, out = _ua()
    vols = parse_vol_list(ua, ['3306 Issuing autochanger "list" command.', "2:B2", "1:A1", "3:",
                               "x:BAD", "4:bad name"], listall=False, scan=False)
    assert [(v.slot, v.volume) for v in vols] == [(1, "A1"), (2, "B2")]
    text = "".join(out)
    assert '3306 Issuing autochanger "list" command.' in text
    assert "Invalid Slot number: x" in text
    assert "Invalid Volume name: bad name" in text


def test_parse_list_scan_keeps_empty_slots():
    ua, _ = _ua()
    vols = parse_vol_list(ua, ["1:A1", "3:"], listall=False, scan=True)
    assert [(v.slot, v.full, v.volume) for v in vols] == [(1, True, "A1"), (3, False, None)]


def test_parse_listall_drives_first():
    ua, _ = _ua()
    vols = parse_vol_list(ua, ["S:1:F:A1", "S:2:E", "D:0:F:2:B2", "D:1:E", "I:11:F:C3"],
                          listall=True, scan=True)
    assert vols[0] == VolEntry("D", 0, True, "B2", loaded=2)
    assert vols[1] == VolEntry("D", 1, False)
    assert [(v.slot_type, v.slot, v.full, v.volume) for v in vols[2:]] == [
        ("S", 1, True, "A1"), ("S", 2, False, None), ("I", 11, True, "C3")]


def test_user_slot_list():
    ua, out = _ua("update slots slots=1,3-5")
    assert user_slot_list(ua, 10) == {1, 3, 4, 5}
    ua, out = _ua("update slots")
    assert user_slot_list(ua, 4) == {1, 2, 3, 4}
    ua, out = _ua("update slots slot=2")
    assert user_slot_list(ua, 4) == {2}
    for arg, msg in (("slots=5-2", "Range end not bigger than start."),
                     ("slots=11", "Slot too large."), ("slots=a", "Input value is not an integer."),
                     ("slots=0", "Values must be be greater than zero.")):
        ua, out = _ua(f"update slots {arg}")
        assert user_slot_list(ua, 10) is None
        assert msg in "".join(out)


def _changer(tmp_path: Path, nslots: int = 4):
    ctl = tmp_path / "ctl"
    ctl.mkdir()
    (ctl / "slots").write_text(f"{nslots}\n")
    (ctl / "drives").write_text("2\n")
    for s in range(1, nslots):
        (ctl / f"slot{s}").write_text(f"V{s}\n")
    devs = []
    for d in (0, 1):
        arch = tmp_path / f"drive{d}"
        arch.mkdir()
        st = DeviceSettings(name=f"Drive{d}", media_type="F", archive_device=str(arch),
                            autochanger=True, changer_device=str(ctl), drive_index=d,
                            changer_command=f"{sys.executable} {VCHANGER} %c %o %S %a %d")
        devs.append(FileDevice(st))
    ch = Changer("AC", devs, str(ctl), devs[0].settings.changer_command)
    for d in devs:
        d.changer = ch
    return ch, devs, ctl


def test_changer_loads_moves_between_drives_and_reports(tmp_path):
    ch, (d0, d1), ctl = _changer(tmp_path)
    msgs: list[str] = []
    assert ch.num_slots(d0) == (0, 4)
    assert ch.loaded_slot(d0) == 0
    assert ch.autoload(d0, 2, True, "V2", msgs.append) == 1
    assert d0.volume_exists("V2") and not d1.volume_exists("V2")
    assert '3305 Autochanger "load slot 2, drive 0", status is OK.\n' in msgs
    # the same slot wanted in drive 1: unloaded from drive 0 first
    msgs.clear()
    assert ch.autoload(d1, 2, True, "V2", msgs.append) == 1
    assert msgs[0] == '3307 Issuing autochanger "unload slot 2, drive 0" command.\n'
    assert d1.volume_exists("V2") and not d0.volume_exists("V2")
    status, lines = ch.list_lines(d0, "listall")
    assert status == 0
    assert lines[:2] == ["D:0:E\n", "D:1:F:2:V2\n"]
    assert "S:2:E\n" in lines and "S:4:E\n" in lines
    # an empty slot
    msgs.clear()
    assert ch.autoload(d0, 4, True, "", msgs.append) == -3
    assert any(m.startswith('3992 Bad autochanger "load slot 4, drive 0"') for m in msgs)
    # no slot in the catalog
    msgs.clear()
    assert ch.autoload(d0, 0, False, "V9", msgs.append) == 0
    assert msgs[1] == 'Cartridge change or "update slots" may be required.\n'
    assert ch.transfer(d0, 3, 4)[0] == 0
    assert (ctl / "slot4").read_text().strip() == "V3"
