"""Shared test fixtures: paths to the shared data, and a running Director."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BAREOS_SHARED", REPO.parent / "shared"))
GOLDEN = SHARED / "reference" / "golden"
GOLDEN_CONFIG = GOLDEN / "config"
DEFAULTCONFIGS = SHARED / "bareos-data" / "defaultconfigs"

# Passwords of the consoles the test configuration adds to the golden tree.
DIR_PASSWORD = "ref-dir-console-pw"
CONSOLES = {
    "admin": ("admin-pw", ["Profile = operator"]),
    "notls": ("notls-pw", ["TLS Enable = no", "TLS Require = no", "Profile = operator"]),
    "tlsopt": ("tlsopt-pw", ["TLS Require = no", "Profile = operator"]),
    "jobsonly": ("jobsonly-pw", ['Command ACL = .api, .jobs, whoami, show, !.clients',
                                 'Job ACL = backup-bareos-fd']),
}


def need_shared():
    if not GOLDEN_CONFIG.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data missing at {SHARED}")
        pytest.skip(f"shared data missing at {SHARED}")


SQLITE_CATALOG = ("Catalog {\n  Name = MyCatalog\n  DB Driver = sqlite3\n  DB Name = bareos\n"
                  "  DB User = bareos\n}\n")


def write_director_config(dest: Path, consoles=CONSOLES, sqlite: bool = False) -> Path:
    """A Director configuration: the golden tree plus the test consoles.

    Returns the directory that holds ``bareos-dir.d``.
    """
    need_shared()
    etc = dest / "etc"
    shutil.copytree(GOLDEN_CONFIG / "bareos-dir.d", etc / "bareos-dir.d")
    work = dest / "work"
    work.mkdir(parents=True, exist_ok=True)
    dconf = etc / "bareos-dir.d" / "director" / "bareos-dir.conf"
    text = dconf.read_text()
    text = text.replace('"/srv/bareos-demo/var/lib/bareos"', f'"{work}"')
    dconf.write_text(text)
    if sqlite:
        (etc / "bareos-dir.d" / "catalog" / "MyCatalog.conf").write_text(SQLITE_CATALOG)
    for name, (pw, extra) in consoles.items():
        lines = ["Console {", f"  Name = {name}", f'  Password = "{pw}"'] + [f"  {x}" for x in extra] + ["}", ""]
        (etc / "bareos-dir.d" / "console" / f"{name}.conf").write_text("\n".join(lines))
    return etc


@pytest.fixture
def director_config_dir(tmp_path):
    return write_director_config(tmp_path)


@pytest.fixture
def director(director_config_dir):
    """A real Director, in this process, listening on 127.0.0.1 (ephemeral port)."""
    from bareos.dird.config import SCHEMA
    from bareos.dird.director import Director
    from bareos.lib.config import load_config

    cfg = load_config(str(director_config_dir), SCHEMA)
    d = Director(cfg, config_path=str(director_config_dir))
    d.start([("127.0.0.1", 0)])
    yield d
    d.shutdown()


@pytest.fixture
def director_sqlite(tmp_path):
    """Like `director`, with the embedded SQLite catalog instead of PostgreSQL."""
    from bareos.dird.config import SCHEMA
    from bareos.dird.director import Director
    from bareos.lib.config import load_config

    etc = write_director_config(tmp_path, sqlite=True)
    d = Director(load_config(str(etc), SCHEMA), config_path=str(etc))
    d.start([("127.0.0.1", 0)])
    yield d
    d.shutdown()
