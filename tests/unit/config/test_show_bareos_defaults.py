"""``show ... verbose`` decides "default or not" as Bareos 25 does.

What Bareos's systemtest ``config-dump`` checks: a directive's default is the
compiled-in one (not the environment), and only the value types Bareos's
HasDefaultValue knows can be "default"; the others are printed whenever
``verbose`` asks, commented when the configuration did not give them.
"""

import pytest

from bareos.dird.config import SCHEMA
from bareos.lib.config.parser import load_config_text
from bareos.lib.config.paths import set_paths
from bareos.lib.config.printer import format_resource

BASE = ('Director {\n  Name = d\n  Password = p\n  Messages = M\n'
        '  WorkingDirectory = "/srv/test/working"\n}\n'
        'Messages {\n  Name = M\n}\n')


@pytest.fixture
def layout():
    set_paths(prefix="/opt/bareos-build")
    yield
    set_paths()


def test_working_directory_default_ignores_environment(layout, monkeypatch):
    # the systemtests export BAREOS_WORKING_DIR and set WorkingDirectory to it
    monkeypatch.setenv("BAREOS_WORKING_DIR", "/srv/test/working")
    cfg = load_config_text(BASE, SCHEMA)
    out = format_resource(cfg.first("Director"), verbose=True)
    assert '  WorkingDirectory = "/srv/test/working"\n' in out
    assert '  WorkingDirectory = "/srv/test/working"\n' in format_resource(cfg.first("Director"))
    plain = load_config_text(BASE.replace('  WorkingDirectory = "/srv/test/working"\n', ""),
                             SCHEMA)
    out = format_resource(plain.first("Director"), verbose=True)
    assert '  # WorkingDirectory = "/opt/bareos-build/var/lib/bareos"\n' in out


def test_config_dir_still_follows_environment(monkeypatch):
    from bareos.lib.config.paths import default_config_dir
    monkeypatch.setenv("BAREOS_CONFIG_DIR", "/srv/test/etc")
    assert default_config_dir() == "/srv/test/etc"


FULL = BASE + (
    'Catalog {\n  Name = FirstCat\n  DbName = bareos\n  DbUser = bareos\n}\n'
    'Catalog {\n  Name = OtherCat\n  DbName = other\n  DbUser = bareos\n  DbDriver = sqlite3\n}\n'
    'Client {\n  Name = c1\n  Address = localhost\n  Password = x\n}\n'
    'Client {\n  Name = c2\n  Address = localhost\n  Password = x\n  Catalog = OtherCat\n}\n'
    'Pool {\n  Name = Plain\n}\n'
    'Pool {\n  Name = Given\n  ActionOnPurge = None\n}\n'
    'FileSet {\n  Name = fs\n  Include {\n    File = /tmp\n  }\n}\n'
    'Storage {\n  Name = st\n  Address = localhost\n  Password = x\n  Device = d\n'
    '  MediaType = File\n}\n'
    'Job {\n  Name = j\n  Type = Restore\n  Messages = M\n  Pool = Plain\n  Client = c1\n'
    '  FileSet = fs\n  Storage = st\n}\n'
)


def _res(cfg, rtype, name, verbose=True):
    return format_resource(cfg.get(rtype, name), verbose=verbose)


def test_keyword_and_bit_directives_as_bareos_prints_them():
    cfg = load_config_text(FULL, SCHEMA)
    job = _res(cfg, "Job", "j")
    assert "  # Level = \n" in job
    assert "Level" not in _res(cfg, "Job", "j", verbose=False)
    plain = _res(cfg, "Pool", "Plain")
    assert '  # LabelType = "bareos"\n' in plain
    assert "  # ActionOnPurge = None\n" in plain
    # given explicitly: printed as set, even though it is the zero value
    assert "  ActionOnPurge = None\n" in _res(cfg, "Pool", "Given", verbose=False)
    assert "ActionOnPurge" not in _res(cfg, "Pool", "Plain", verbose=False)
    cat = _res(cfg, "Catalog", "FirstCat")
    assert "  # MultipleConnections = No\n" in cat


def test_db_driver_extension_printed_only_when_set():
    cfg = load_config_text(FULL, SCHEMA)
    assert "DbDriver" not in _res(cfg, "Catalog", "FirstCat")
    assert '  DbDriver = "sqlite3"\n' in _res(cfg, "Catalog", "OtherCat", verbose=False)


def test_client_catalog_defaults_to_the_first_catalog():
    cfg = load_config_text(FULL, SCHEMA)
    assert cfg.get("Client", "c1").get("Catalog") == "FirstCat"
    assert not cfg.get("Client", "c1").is_set("Catalog")
    assert '  # Catalog = "FirstCat"\n' in _res(cfg, "Client", "c1")
    assert "Catalog" not in _res(cfg, "Client", "c1", verbose=False)
    assert '  Catalog = "OtherCat"\n' in _res(cfg, "Client", "c2", verbose=False)
    # a Job's Catalog stays unset
    assert '  # Catalog = ""\n' in _res(cfg, "Job", "j")


def test_user_agent_console_only_in_verbose():
    from bareos.lib.config import format_config, shown_resources
    cfg = load_config_text(FULL, SCHEMA)
    assert cfg.get("Console", "*UserAgent*") is None  # not part of the configuration
    assert "*UserAgent*" not in format_config(cfg)
    text = format_config(cfg, verbose=True)
    start = text.index("# Console {\n")
    block = text[start:text.index("# }\n", start) + 4]
    lines = block.splitlines()
    assert lines[1] == '  # Name = "*UserAgent*"'
    assert '  # Description = "root console definition"' in lines
    assert '  # TlsEnable = Yes' in lines and '  # TlsRequire = No' in lines
    director_pw = cfg.first("Director")["Password"].config_text()
    assert '  # Password = "%s"' % director_pw in lines
    assert all(line.startswith(("# ", "  # ")) for line in lines)
    [ua] = shown_resources(cfg, "Console", verbose=True)
    assert ua.name == "*UserAgent*" and shown_resources(cfg, "Console") == []


def test_hidden_passwords_also_in_commented_lines():
    from bareos.lib.config import format_config, resource_to_json
    cfg = load_config_text(FULL, SCHEMA)
    hidden = format_resource(cfg.first("Director"), hide=True)
    assert '  Password = "****************"\n' in hidden
    assert resource_to_json(cfg.first("Director"), hide=True)["password"] == "*" * 16
    [ua] = [r for r in SCHEMA.internal_resources(cfg)]
    assert '  # Password = "****************"\n' in format_resource(ua, verbose=True, hide=True)
    assert "[md5]" not in format_resource(ua, verbose=True, hide=True)
    assert "*UserAgent*" in format_config(cfg, verbose=True)
