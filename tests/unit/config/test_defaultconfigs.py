"""Bareos's shipped default configuration trees load and print back."""

import os

import pytest

from bareos.console.config import SCHEMA as CONSOLE_SCHEMA  # noqa: F401
from bareos.dird.config import SCHEMA as DIR_SCHEMA
from bareos.filed.config import SCHEMA as FD_SCHEMA
from bareos.lib.config import format_resource, load_config, resource_to_json
from bareos.lib.config.printer import format_config
from bareos.stored.config import SCHEMA as SD_SCHEMA
from bareos.tools.traymon_config import SCHEMA as TRAY_SCHEMA


@pytest.mark.parametrize("schema", [DIR_SCHEMA, SD_SCHEMA, FD_SCHEMA, TRAY_SCHEMA],
                         ids=lambda s: s.daemon)
def test_default_tree_loads_and_shows(schema, default_tree):
    cfg = load_config(default_tree, schema)
    assert cfg.config_dir == os.path.join(default_tree, schema.config_dir_name)
    resources = cfg.resources()
    assert resources
    files = {os.path.relpath(r.source_file, cfg.config_dir) for r in resources}
    conf_files = set()
    for root, _d, fs in os.walk(cfg.config_dir):
        for f in fs:
            if f.endswith(".conf"):
                conf_files.add(os.path.relpath(os.path.join(root, f), cfg.config_dir))
    assert files == conf_files
    for r in resources:
        text = format_resource(r)
        assert text.startswith("%s {\n" % r.rtype.name)
        assert '  Name = "%s"\n' % r.name in text
        assert text.endswith("}\n\n")
        assert resource_to_json(r)["name"] == r.name
        assert format_resource(r, verbose=True).count("\n") >= text.count("\n")
    export = format_config(cfg)
    assert export.count("Name = ") >= len(resources)


def test_default_tree_can_be_named_by_its_d_directory(default_tree):
    cfg = load_config(os.path.join(default_tree, "bareos-dir.d"), DIR_SCHEMA)
    assert cfg.first("Director").name == "bareos-dir"


def test_default_director_values(default_tree):
    cfg = load_config(default_tree, DIR_SCHEMA)
    d = cfg.first("Director")
    assert d["TLS Enable"] is True and d["TLS Require"] is True
    assert d["Port"] is None or True
    assert [a.port for a in d["Addresses"]] == [9101, 9101]
    con = cfg.get("Console", "bareos-mon")
    assert "status" in con["CommandACL"]
    sd = load_config(default_tree, SD_SCHEMA)
    dev = sd.resources("Device")[0]
    assert dev["Media Type"] == "File"
    fd = load_config(default_tree, FD_SCHEMA)
    assert fd.first("FileDaemon") is fd.first("Client")
