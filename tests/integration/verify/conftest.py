"""Verify-job fixtures: the e2e site (three real daemons on 127.0.0.1) with
Verify jobs added to its Director configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.e2e.conftest import Site, needs_psk  # noqa: F401 - re-exported

VERIFY_OPTS = "pins5"


def add_verify_job(site: Site, name: str, level: str, *extra: str) -> None:
    lines = "".join(f"  {line}\n" for line in extra)
    site.dir_conf(f"job/{name}.conf").write_text(
        f'Job {{\n  Name = "{name}"\n  Type = Verify\n  Level = {level}\n  Client = bareos-fd\n'
        f'  FileSet = "Quickstart"\n  Storage = File\n  Messages = Standard\n  Pool = Full\n{lines}}}\n')


@pytest.fixture
def verify_site(tmp_path):
    """A started site over tmp_path/data with verify jobs of every level."""
    src = tmp_path / "data"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha\n")
    (src / "b.bin").write_bytes(bytes(range(256)) * 40)
    (src / "sub" / "c.txt").write_text("gamma\n" * 100)
    (src / "link").symlink_to("a.txt")
    site = Site(tmp_path / "site", src)
    site.write_fileset(options={"Signature": "XXH128", "Verify": VERIFY_OPTS})
    add_verify_job(site, "verify-init", "InitCatalog")
    add_verify_job(site, "verify-catalog", "Catalog")
    add_verify_job(site, "verify-disk", "DiskToCatalog", 'Job To Verify = "backup-bareos-fd"')
    add_verify_job(site, "verify-volume", "VolumeToCatalog", 'Job To Verify = "backup-bareos-fd"')
    site.start()
    yield site
    site.stop()


def data_dir(site: Site) -> Path:
    return site.backup_dir
