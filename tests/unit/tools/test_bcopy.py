"""bcopy: copying the jobs of a volume onto another labelled volume."""

from __future__ import annotations

import os
import re
import shutil

from bareos.stored.volume import VolumeLabel, label_volume_block
from bareos.tools import bcopy, bextract, bls
from tests.unit.tools.conftest import tree_snapshot


def _labelled(path: str, name: str) -> None:
    with open(path, "wb") as fh:
        fh.write(label_volume_block(VolumeLabel(name, pool_name="Full", media_type="File",
                                                host_name="testhost")))


def test_copy_then_extract_from_the_copy(backup, run_tool, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(backup["store"], store)
    conf = tmp_path / "conf"
    from tests.unit.tools.volfactory import write_sd_config
    write_sd_config(str(conf), str(store))
    _labelled(str(store / "Copy-0001"), "Copy-0001")
    r = run_tool(bcopy, "-c", str(conf), "-v", "-i", "Full-0001", "-o", "Copy-0001",
                 "FileStorage", "FileStorage")
    assert r.rc == 0, (r.out, r.err)
    n_records = len([x for x in r.out.splitlines() if "records copied" in x])
    assert n_records == 1
    assert re.search(r"bcopy: stored.bcopy\.cc:\d+ 1 Jobs copied\. \d+ records copied\.", r.out), r.out
    assert "Volume label not copied." in r.out
    # the copy holds the same job (session labels too) and the same files
    listing = run_tool(bls, "-c", str(conf), "-j", "-V", "Copy-0001", "FileStorage")
    assert listing.rc == 0, listing.err
    assert "Begin Job Session Record" in listing.out and "End Job Session Record" in listing.out
    out = tmp_path / "out"
    out.mkdir()
    ex = run_tool(bextract, "-c", str(conf), "-V", "Copy-0001", "FileStorage", str(out))
    assert ex.rc == 0, ex.err
    src = backup["src"]
    assert tree_snapshot(os.path.join(str(out), src.lstrip("/"))) == tree_snapshot(src)
    # a second copy appends after the first
    size = os.path.getsize(store / "Copy-0001")
    r2 = run_tool(bcopy, "-c", str(conf), "-i", "Full-0001", "-o", "Copy-0001",
                  "FileStorage", "FileStorage")
    assert r2.rc == 0 and os.path.getsize(store / "Copy-0001") > size
    listing = run_tool(bls, "-c", str(conf), "-j", "-V", "Copy-0001", "FileStorage")
    assert listing.out.count("Begin Job Session Record") == 2, listing.out


def test_device_listing_and_errors(backup, run_tool, tmp_path):
    r = run_tool(bcopy, "-c", backup["conf"])
    assert r.rc != 0 and "Missing input device." in r.out and '"FileStorage"' in r.out
    r = run_tool(bcopy, "-c", backup["conf"], "InvalidDevice", "Other")
    assert r.rc != 0 and '"FileStorage"' in r.err and "Cannot find device" in r.err
    # an unlabelled output volume is refused
    open(os.path.join(backup["store"], "Empty-0001"), "wb").close()
    try:
        r = run_tool(bcopy, "-c", backup["conf"], "-i", "Full-0001", "-o", "Empty-0001",
                     "FileStorage", "FileStorage")
        assert r.rc != 0 and "no label" in r.err
    finally:
        os.unlink(os.path.join(backup["store"], "Empty-0001"))
