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
