"""Fixtures: a real StorageDaemon on 127.0.0.1 with an ephemeral port."""

import pytest

from bareos.lib.config import load_config_text
from bareos.stored.config import SCHEMA
from bareos.stored.daemon import StorageDaemon

from .toys import sd_config


@pytest.fixture
def start_sd(tmp_path):
    daemons = []

    def start(**kw):
        work = tmp_path / "work"
        archive = tmp_path / "storage"
        work.mkdir(exist_ok=True)
        archive.mkdir(exist_ok=True)
        cfg = load_config_text(sd_config(str(work), str(archive), **kw), SCHEMA)
        sd = StorageDaemon(cfg)
        sd.start([("127.0.0.1", 0)])
        sd.archive = archive
        daemons.append(sd)
        return sd

    yield start
    for sd in daemons:
        sd.shutdown()
