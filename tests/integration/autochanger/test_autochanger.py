"""An autochanger of two file drives and ten slots, driven by the virtual
changer script vchanger.py, through the three real daemons: label barcodes,
update slots [scan], status slots, mount slot=, a backup loading its volume
from a slot, and the restore of that backup."""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest

from bareos.quickstart.run import compare_trees
from tests.integration.e2e.conftest import Site, needs_psk

pytestmark = needs_psk

VCHANGER = Path(__file__).with_name("vchanger.py")
BARCODES = {s: f"AC{s:04d}" for s in range(1, 9)}      # slots 9 and 10 stay empty


def make_tree(root: Path) -> None:
    rnd = random.Random(3)
    (root / "d").mkdir(parents=True)
    for i in range(10):
        (root / "d" / f"f{i}.txt").write_text("z" * rnd.randint(0, 3000))
    (root / "big.bin").write_bytes(rnd.randbytes(400 * 1024))


def make_changer(ctl: Path) -> None:
    ctl.mkdir()
    (ctl / "slots").write_text("10\n")
    (ctl / "drives").write_text("2\n")
    for slot, bc in BARCODES.items():
        (ctl / f"slot{slot}").write_text(bc + "\n")


def configure(site: Site, ctl: Path) -> dict[int, Path]:
    drives = {d: site.base / f"drive{d}" for d in (0, 1)}
    sd = site.base / "etc" / "bareos-sd.d"
    for d, path in drives.items():
        path.mkdir()
        (sd / "device" / f"ChangerDrive{d}.conf").write_text(
            f'Device {{\n  Name = "ChangerDrive{d}"\n  Media Type = FileChanger\n'
            f'  Archive Device = "{path}"\n  Autochanger = yes\n  Drive Index = {d}\n'
            f"  Random Access = yes\n  Removable Media = yes\n  Automatic Mount = yes\n"
            f"  Always Open = no\n  Label Media = no\n}}\n")
    (sd / "autochanger").mkdir(exist_ok=True)
    (sd / "autochanger" / "Changer.conf").write_text(
        'Autochanger {\n  Name = "Changer"\n  Device = ChangerDrive0, ChangerDrive1\n'
        f'  Changer Device = "{ctl}"\n'
        f'  Changer Command = "{sys.executable} {VCHANGER} %c %o %S %a %d"\n}}\n')
    sd_pw = site.values["sd_password"]
    site.dir_conf("storage/Changer.conf").write_text(
        f'Storage {{\n  Name = Changer\n  Address = 127.0.0.1\n  Port = {site.values["sd_port"]}\n'
        f'  Password = "{sd_pw}"\n  Device = Changer\n  Media Type = FileChanger\n'
        f"  Auto Changer = yes\n  Maximum Concurrent Jobs = 2\n}}\n")
    site.dir_conf("job/backup-changer.conf").write_text(
        'Job {\n  Name = "backup-changer"\n  Type = Backup\n  Level = Full\n'
        '  Client = bareos-fd\n  FileSet = "Quickstart"\n  Storage = Changer\n'
        "  Messages = Standard\n  Pool = Full\n  Full Backup Pool = Full\n"
        f'  Write Bootstrap = "{site.base / "work"}/backup-changer.bsr"\n}}\n')
    return drives


def media_rows(con) -> dict[str, tuple[int, int, str]]:
    """VolumeName -> (Slot, InChanger, VolStatus) from the catalog."""
    out = con.call('.sql query="SELECT VolumeName, Slot, InChanger, VolStatus FROM Media '
                   "WHERE MediaType='FileChanger' ORDER BY VolumeName\"").decode()
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("AC"):
            rows[cells[0]] = (int(cells[1]), int(cells[2]), cells[3])
    return rows


@pytest.fixture
def changer_site(tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = Site(tmp_path / "site", src)
    ctl = tmp_path / "changer"
    make_changer(ctl)
    drives = configure(site, ctl)
    site.start()
    try:
        yield site, ctl, drives, src
    finally:
        site.stop()


def test_label_barcodes_update_slots_backup_restore(changer_site, tmp_path):
    site, ctl, drives, src = changer_site
    con = site.console()
    try:
        # (bconsole: python-bareos would stop reading at the SD's "3000 OK label." line)
        out = site.bconsole(["label storage=Changer barcodes pool=Full yes"])
        assert 'Device "Changer" has 10 slots.' in out, out
        assert "The following Volumes will be labeled:\nSlot  Volume\n==============\n" in out
        for slot, bc in BARCODES.items():
            assert f"{slot:4d}  {bc}\n" in out, out
            assert f'3305 Autochanger "load slot {slot}, drive 0", status is OK.' in out, out
            assert f'Catalog record for Volume "{bc}", Slot {slot} successfully created.' in out
        assert out.count("3000 OK label.") == len(BARCODES), out
        rows = media_rows(con)
        assert rows == {bc: (slot, 1, "Append") for slot, bc in BARCODES.items()}
        # every cartridge now carries a Bareos label
        for bc in BARCODES.values():
            assert (ctl / "media" / bc).stat().st_size > 0

        # labelling again: the records exist, nothing is relabeled
        again = site.bconsole(["label storage=Changer barcodes pool=Full slots=1-2 yes"])
        assert 'Media record for Slot 1 Volume "AC0001" already exists.' in again, again
        assert "3000 OK label." not in again

        status = con.call("status storage=Changer slots").decode()
        assert " Slot |   Volume Name    |   Status  |  Media Type    |" in status, status
        for slot, bc in BARCODES.items():
            assert re.search(rf"^\s+{slot}[ %]\|\s+{bc} \|\s+Append \|\s+FileChanger \|\s+Full \|",
                             status, re.M), status
        assert re.search(r"^\s+9\*\|\s+\? \|", status, re.M), status

        # the operator moves cartridges: AC0003 to slot 9, AC0001 out of the changer
        for p in ctl.glob("drive[0-9]*"):
            slot, _, bc = p.read_text().strip().partition(":")
            (ctl / f"slot{slot}").write_text(bc + "\n")
            os.unlink(p)
            for d in drives.values():
                if (d / bc).is_symlink():
                    os.unlink(d / bc)
        os.replace(ctl / "slot3", ctl / "slot9")
        os.unlink(ctl / "slot1")
        # The SD still believes a slot is loaded in drive 0; a release tells it.
        con.call("release storage=Changer drive=0")
        upd = con.call("update slots storage=Changer").decode()
        assert 'Catalog record for Volume "AC0003" updated to reference slot 9.' in upd, upd
        assert 'Catalog record for Volume "AC0002" is up to date.' in upd, upd
        rows = media_rows(con)
        assert rows["AC0003"][:2] == (9, 1)
        assert rows["AC0001"][1] == 0
        assert rows["AC0002"][:2] == (2, 1)

        scan = con.call("update slots scan storage=Changer slots=9 drive=1").decode()
        assert "3001 Volume=AC0003 Slot=9" in scan, scan
        assert 'Catalog record for Volume "AC0003" is up to date.' in scan, scan

        mnt = con.call("mount storage=Changer slot=4 drive=0").decode()
        assert 'is mounted with Volume "AC0004"' in mnt, mnt

        # a single label with slot=: the cartridge in slot 10 has no barcode
        (ctl / "slot10").write_text("NOBAR1\n")
        one = site.bconsole(["label storage=Changer volume=Manual1 slot=10 drive=1 pool=Full"])
        assert '3304 Issuing autochanger "load slot 10, drive 1" command.' in one, one
        assert 'Catalog record for Volume "Manual1", Slot 10 successfully created.' in one, one
        assert media_rows(con).get("Manual1") is None          # (media_rows lists AC* only)
        assert b"Manual1" in (ctl / "media" / "NOBAR1").read_bytes()
        # the operator takes that cartridge out of drive 1
        os.unlink(drives[1] / "NOBAR1")
        os.unlink(ctl / "drive1")
        con.call("release storage=Changer drive=1")

        sdstat = con.call("status storage=Changer").decode()
        assert 'Autochanger "Changer" with devices:' in sdstat, sdstat
        assert "Slot 4 was last loaded in drive 0." in sdstat, sdstat
        assert "Drive 1 is not loaded." in sdstat, sdstat

        mv = con.call("move storage=Changer srcslots=5 dstslots=10").decode()
        assert "3308 Successfully transferred volume from slot 5 to 10." in mv, mv
        assert (ctl / "slot10").read_text().strip() == "AC0005"
        assert media_rows(con)["AC0005"][:2] == (10, 1)
        bad = con.call("move storage=Changer srcslots=1 dstslots=3").decode()
        assert "Deselecting slot 1 doesn't have wanted status." in bad, bad

        jobid, st = site.run_job(con, "run job=backup-changer yes")
        log = site.job_log(con, jobid)
        assert st == "T", log
        assert "Issuing autochanger" in log or "Ready to append" in log, log
        m = re.search(r'Ready to append to end of Volume "(AC\d{4})"', log)
        assert m, log
        vol = m.group(1)
        # the Director offers a volume in the changer (AC0001, older in the
        # catalog, is out of it)
        assert vol in BARCODES.values() and vol != "AC0001"
        assert "No slot defined in catalog" not in log, log
        loaded = {p.read_text().strip().split(":")[1] for p in ctl.glob("drive[0-9]*")}
        assert vol in loaded
        assert (ctl / "media" / vol).stat().st_size > 400 * 1024

        where = tmp_path / "restored"
        rjobid, rst = site.restore_all(con, where, fileset="Quickstart")
        assert rst == "T", site.job_log(con, rjobid)
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
