"""FileSet option values are read as strings, numbers included (the strippath
systemtest: ``StripPath = 8``), and StripPath must be a positive integer."""

import pytest

from bareos.dird.config import SCHEMA
from bareos.lib.config.errors import ConfigError
from bareos.lib.config.parser import load_config_text
from bareos.lib.config.printer import format_resource

DIRECTOR = 'Director {\n  Name = d\n  Password = p\n  Messages = M\n}\nMessages {\n  Name = M\n}\n'


def _fileset(value):
    text = (DIRECTOR + 'FileSet {\n  Name = fs\n  Include {\n    Options {\n'
            '      Signature = XXH128\n      StripPath = %s\n    }\n    File = /tmp\n  }\n}\n' % value)
    return load_config_text(text, SCHEMA, "fs.conf").get("FileSet", "fs")


def test_strippath_number():
    fs = _fileset("8")
    # Bareos prints the option as "Strip"
    assert 'Strip = "8"' in format_resource(fs)
    assert 'Strip = "2"' in format_resource(_fileset('"2"'))


def test_strippath_not_a_number():
    with pytest.raises(ConfigError) as e:
        _fileset("eight")
    assert "strip path" in str(e.value) and "fs.conf" in str(e.value)
