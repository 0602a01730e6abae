"""``show ... verbose``: an unset std::string directive (TlsKey, TlsProtocol...)
is printed as ``""`` as Bareos does; an unset char* one stays empty."""

from bareos.dird.config import SCHEMA
from bareos.lib.config.parser import load_config_text
from bareos.lib.config.printer import format_resource

TEXT = ('Director {\n  Name = d\n  Password = p\n  Messages = M\n}\n'
        'Messages {\n  Name = M\n}\n'
        'Client {\n  Name = c\n  Address = localhost\n  Password = x\n}\n')


def test_verbose_empty_std_strings():
    cfg = load_config_text(TEXT, SCHEMA)
    out = format_resource(cfg.get("Client", "c"), verbose=True)
    assert '  # TlsKey = ""\n' in out
    assert '  # TlsProtocol = ""\n' in out
    assert "  # Description = \n" in out
    assert "TlsKey" not in format_resource(cfg.get("Client", "c"))
