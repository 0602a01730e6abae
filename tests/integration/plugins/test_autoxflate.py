"""autoxflate-sd through the three real daemons."""

from __future__ import annotations

import os
import re

from bareos.quickstart.run import compare_trees

from .conftest import add_to_resource, needs_psk

pytestmark = needs_psk


def compressible_tree(root):
    (root / "d").mkdir(parents=True)
    for i in range(30):
        (root / "d" / f"log{i}.txt").write_text(f"line {i} of a rather repetitive log file\n" * 3000)
    (root / "random.bin").write_bytes(os.urandom(100_000))


def volume_bytes(site) -> int:
    return sum(p.stat().st_size for p in (site.base / "storage").iterdir() if p.is_file())


def run_site(plugin_site, tmp_path, name, device_lines, options):
    data = tmp_path / f"data-{name}"
    compressible_tree(data)
    site = plugin_site(data, name)
    plugdir = tmp_path / "sd-plugins"
    plugdir.mkdir(exist_ok=True)
    site.enable_plugins("sd", plugdir, "autoxflate")
    if device_lines:
        add_to_resource(site.base / "etc" / "bareos-sd.d" / "device" / "FileStorage.conf", *device_lines)
    site.write_fileset(options=options)
    site.start()
    return site, data


def test_auto_deflate_out_fills_less_and_restores(plugin_site, tmp_path):
    plain, _ = run_site(plugin_site, tmp_path, "plain", [], {"Signature": "MD5"})
    con = plain.console()
    try:
        _, status = plain.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T"
    finally:
        con.close()
    plain_size = volume_bytes(plain)
    plain.stop()

    site, data = run_site(plugin_site, tmp_path, "deflate",
                          ["Auto Deflate = out", "Auto Deflate Algorithm = LZ4HC"], {"Signature": "MD5"})
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "autodeflation: compressor on device FileStorage is FZ4H" in log
        assert ("autoxflate-sd.c: FileStorage OUT:[SD->inflate=no->deflate=yes->DEV] "
                "IN:[DEV->inflate=no->deflate=no->SD]") in log
        m = re.search(r"autoxflate-sd\.c: deflate ratio: (\d+\.\d\d)%", log)
        assert m, log
        assert float(m.group(1)) < 50
        assert volume_bytes(site) < plain_size * 0.6, (volume_bytes(site), plain_size)
        where = tmp_path / "restored"
        rid, rstatus = site.restore_all(con, where)
        assert rstatus == "T", site.job_log(con, rid)
        assert compare_trees(data, where / str(data).lstrip("/")) == []
    finally:
        con.close()


def test_gzip_backup_inflated_on_read(plugin_site, tmp_path):
    site, data = run_site(plugin_site, tmp_path, "inflate", ["Auto Inflate = in"],
                          {"Signature": "MD5", "Compression": "GZIP"})
    con = site.console()
    try:
        _, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T"
        where = tmp_path / "restored"
        rid, rstatus = site.restore_all(con, where)
        rlog = site.job_log(con, rid)
        assert rstatus == "T", rlog
        assert "IN:[DEV->inflate=yes->deflate=no->SD]" in rlog
        assert re.search(r"autoxflate-sd\.c: inflate ratio: \d+\.\d\d%", rlog), rlog
        assert compare_trees(data, where / str(data).lstrip("/")) == []
    finally:
        con.close()
