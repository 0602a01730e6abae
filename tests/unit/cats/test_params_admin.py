"""Catalog parameters from Catalog resources, backend choice, the admin CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bareos.cats import CatalogError, CatalogParams, open_catalog
from bareos.cats.admin import main as admin_main

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("BAREOS_SHARED", REPO.parent / "shared"))
GOLDEN_CONFIG = SHARED / "reference" / "golden" / "config"


def need_golden_config():
    if not GOLDEN_CONFIG.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared data missing at {SHARED}")
        pytest.skip(f"shared data missing at {SHARED}")


class FakePassword:
    def __init__(self, plain):
        self.plain = plain
        self.md5 = "x"


def test_params_from_dict_resource():
    p = CatalogParams.from_resource({
        "Name": "MyCatalog", "DB Name": "bareos", "DB User": "bareos",
        "DB Password": FakePassword("secret"), "DB Address": "db.example", "DB Port": 5433,
    })
    assert not p.is_sqlite and p.driver == "postgresql"
    assert p.conninfo() == {"dbname": "bareos", "host": "db.example", "port": 5433,
                            "user": "bareos", "password": "secret"}
    assert p.catalog_name == "MyCatalog"


def test_driver_selection(tmp_path):
    p = CatalogParams.from_resource({"DBDriver": "sqlite3", "dbname": "cat1"},
                                    working_directory=str(tmp_path))
    assert p.is_sqlite and p.sqlite_path == str(tmp_path / "cat1.db")
    assert CatalogParams.from_resource({"DB Driver": "PostgreSQL"}).driver == "postgresql"
    with pytest.raises(CatalogError, match="mysql"):
        CatalogParams.from_resource({"DB Driver": "mysql"})
    with pytest.raises(CatalogError, match="Working Directory"):
        CatalogParams.from_resource({"DB Driver": "sqlite3"}).sqlite_path


def test_open_catalog_sqlite_file_location(tmp_path):
    cat = open_catalog({"Name": "MyCatalog", "DB Driver": "sqlite3", "DB Name": "bareos"},
                       working_directory=str(tmp_path))
    try:
        assert cat.backend == "sqlite3"
        assert (tmp_path / "bareos.db").is_file()
        assert cat.schema_version() == 2250
    finally:
        cat.close()
    with pytest.raises(CatalogError, match="does not exist"):
        open_catalog(driver="sqlite3", path=str(tmp_path / "missing" / "x.db"))
    with pytest.raises(TypeError):
        open_catalog(driver="sqlite3", working_directory=str(tmp_path), bogus=1)


def test_open_catalog_postgresql_unreachable():
    with pytest.raises(CatalogError, match="cannot connect"):
        open_catalog(driver="postgresql", name="bareos", address="127.0.0.1", port=1,
                     user="nobody")


def test_params_from_real_config_resource():
    need_golden_config()
    from bareos.dird.config import SCHEMA
    from bareos.lib.config import load_config

    cfg = load_config(str(GOLDEN_CONFIG), SCHEMA)
    res = cfg.resources("Catalog")[0]
    p = CatalogParams.from_resource(res, working_directory="/w")
    assert (p.driver, p.name, p.user, p.address, p.port) == (
        "postgresql", "bareos", "bareos", "127.0.0.1", 25432)
    assert p.password in ("", None) and "password" not in p.conninfo()


def test_sync_pools_from_real_config(cat):
    need_golden_config()
    from bareos.dird.config import SCHEMA
    from bareos.lib.config import load_config

    cfg = load_config(str(GOLDEN_CONFIG), SCHEMA)
    ids = cat.sync_pools(cfg.resources("Pool"))
    assert list(ids) == ["Scratch", "Incremental", "Full", "Differential"]
    assert [(p["name"], p["maxvols"], p["pooltype"], p["labelformat"]) for p in cat.list_pools()] == [
        ("Scratch", "0", "Scratch", "*"), ("Incremental", "100", "Backup", "Incremental-"),
        ("Full", "100", "Backup", "Full-"), ("Differential", "100", "Backup", "Differential-")]
    full = cat.get_pool("Full")
    assert full["VolRetention"] == 31536000 and full["MaxVolBytes"] == 53687091200
    assert cat.get_pool("Incremental")["VolRetention"] == 2592000


def test_admin_sqlite(tmp_path, capsys):
    args = ["--driver", "sqlite3", "--working-directory", str(tmp_path), "--db-name", "cat"]
    assert admin_main(["check"] + args) == 1
    assert "empty" in capsys.readouterr().out
    assert admin_main(["create"] + args) == 0
    assert "created catalog schema version 2250" in capsys.readouterr().out
    assert admin_main(["create"] + args) == 0
    assert "already holds" in capsys.readouterr().out
    assert admin_main(["check"] + args) == 0
    assert admin_main(["upgrade"] + args) == 0
    assert "already version 2250" in capsys.readouterr().out
    assert admin_main(["version"] + args) == 0
    assert capsys.readouterr().out.strip() == "2250"
    assert (tmp_path / "cat.db").is_file()


@pytest.mark.postgresql
def test_admin_postgresql_with_config(pg_server, pg_database, capsys):
    need_golden_config()
    args = ["-c", str(GOLDEN_CONFIG), "--db-name", pg_database.name, "--db-address",
            pg_server.host, "--db-port", str(pg_server.port)]
    assert admin_main(["upgrade"] + args) == 0
    assert "was empty; created" in capsys.readouterr().out
    assert admin_main(["check"] + args) == 0
    assert "is complete" in capsys.readouterr().out


def test_admin_module_entry_point(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bareos.cats.admin", "create", "--driver", "sqlite3",
         "--db-file", str(tmp_path / "x.db")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "x.db").is_file()
    proc = subprocess.run(
        [sys.executable, "-m", "bareos.cats.admin", "check", "-c", str(tmp_path / "nope.conf")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and "nope.conf" in proc.stderr
