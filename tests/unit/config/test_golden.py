"""show output of the golden configuration, byte for byte against Bareos 25."""

import json
import os

import pytest

from bareos.dird.config import SCHEMA
from bareos.lib.config import format_resource, load_config, resource_to_json
from bareos.lib.config.printer import format_resource_for_file, resources_to_json

GOLDEN = "/work/shared/reference/golden"

TYPES = ["director", "client", "job", "fileset", "pool", "storage"]


@pytest.mark.parametrize("rtype", TYPES)
def test_show_api0_matches_golden(rtype, golden_paths):
    cfg = load_config(os.path.join(GOLDEN, "config"), SCHEMA)
    text = "".join(format_resource(r) for r in cfg.resources(rtype))
    with open(os.path.join(GOLDEN, "show-%s.api0.txt" % rtype), encoding="utf-8") as fh:
        assert text == fh.read()


@pytest.mark.parametrize("rtype", TYPES)
def test_show_api2_matches_golden(rtype, golden_paths):
    cfg = load_config(os.path.join(GOLDEN, "config"), SCHEMA)
    got = resources_to_json(cfg.resources(rtype))
    with open(os.path.join(GOLDEN, "show-%s.api2.json" % rtype), encoding="utf-8") as fh:
        want = json.loads(fh.read())["result"]
    # same keys in the same order, same value types
    assert json.dumps(got, separators=(",", ":")) == json.dumps(want, separators=(",", ":"))
    for r in cfg.resources(rtype):
        assert resource_to_json(r) == want[r.rtype.group.lower()][r.name]


def test_configure_add_file_text():
    text = format_resource_for_file("Console", [("Name", "x"), ("Password", "y")])
    with open(os.path.join(GOLDEN, "configure-add-console-written-x.conf"),
              encoding="utf-8") as fh:
        assert text == fh.read()


def test_golden_resources_read_in_bareos_order(golden_paths):
    # Bareos reads globbed files last match first
    cfg = load_config(os.path.join(GOLDEN, "config"), SCHEMA)
    assert cfg.names("Pool") == ["Scratch", "Incremental", "Full", "Differential"]
    assert cfg.config_dir == os.path.join(GOLDEN, "config", "bareos-dir.d")


def test_golden_values(golden_paths):
    cfg = load_config(os.path.join(GOLDEN, "config"), SCHEMA)
    d = cfg.first("Director")
    assert d["Maximum Concurrent Jobs"] == 10
    assert d["MaximumConcurrentJobs"] == 10
    assert d["Password"].md5 == "3bcab822d89bd28f16a8e426ec37691c"
    assert d["Password"].plain == "ref-dir-console-pw"
    assert d["Auditing"] is True
    addr = d["Addresses"]
    assert [(a.family, a.addr, a.port) for a in addr] == [("ipv4", "127.0.0.1", 29101)]
    job = cfg.get("Job", "backup-bareos-fd")
    # inherited from JobDefs DefaultJob
    assert job["Pool"] == "Incremental"
    assert job["Storage"] == ["File"]
    assert job["Type"] == "Backup"
    assert job.is_set("Client")
    pool = cfg.get("Pool", "Incremental")
    assert pool["Volume Retention"] == 30 * 86400
    assert pool["Maximum Volume Bytes"] == 1024 ** 3
    bc = cfg.get("Job", "BackupCatalog")
    scripts = bc["RunScript"]
    assert [s["RunsWhen"] for s in scripts] == ["Before", "After"]
    assert bc["WriteBootstrap"].startswith('|/srv/bareos-demo/bin/bsmtp -h localhost -f "(Bareos) "')
