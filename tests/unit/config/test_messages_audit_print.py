"""A Messages destination is printed with every message type, audit included,
so that what `show`/`--xc` prints reads back the same (the config-dump
systemtest starts a Director on the `show all` output)."""

from bareos.dird.config import SCHEMA
from bareos.lib.config.parser import load_config_text
from bareos.lib.config.printer import format_resource

TEXT = '''Messages {
  Name = Daemon
  console = all, !skipped, !saved, !audit
  append = "/var/log/bareos/bareos-audit.log" = audit
  append = "/var/log/bareos/bareos.log" = all, !skipped, !audit
}
'''


DIRECTOR = 'Director {\n  Name = d\n  Password = p\n  Messages = Daemon\n}\n'


def _messages(text):
    return load_config_text(DIRECTOR + text, SCHEMA).get("Messages", "Daemon")


def test_audit_is_printed():
    out = format_resource(_messages(TEXT))
    assert "  append = /var/log/bareos/bareos-audit.log = audit\n" in out
    assert "  append = /var/log/bareos/bareos.log = all,!skipped,!audit\n" in out
    assert "  console = all,!saved,!skipped,!audit\n" in out


def test_printed_messages_read_back_the_same():
    first = format_resource(_messages(TEXT))
    again = format_resource(_messages(first))
    assert again == first
    verbose = format_resource(_messages(TEXT), verbose=True)
    assert ",!audit" in verbose and format_resource(_messages(verbose), verbose=True) == verbose
