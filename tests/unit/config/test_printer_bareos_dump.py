"""`show all verbose` as Bareos's config-dump systemtest expects it."""

from bareos.dird.config import SCHEMA
from bareos.lib.config import load_config
from bareos.lib.config.printer import format_config

from .conftest import fill_templates


def test_source_address_is_never_printed(tmp_path):
    # Bareos keeps SourceAddress with the addresses and prints nothing for it,
    # set or not, verbose or not
    tree = fill_templates(str(tmp_path / "etc"))
    d = tmp_path / "etc" / "bareos-dir.d" / "director" / "bareos-dir.conf"
    d.write_text(d.read_text().replace("Name = bareos-dir", "Name = bareos-dir\n  SourceAddress = 127.0.0.1", 1))
    cfg = load_config(tree, SCHEMA)
    assert cfg.first("Director").get("SourceAddress") not in (None, "0")
    for verbose in (False, True):
        text = format_config(cfg, verbose=verbose)
        assert "SourceAddress" not in text
        assert 'Name = "bareos-dir"' in text
