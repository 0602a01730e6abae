"""`estimate` against the real File Daemon."""

from .conftest import needs_psk
from .test_backup_restore import make_tree

pytestmark = needs_psk


def test_estimate_counts_and_lists_files(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()

    def call(cmd: str) -> str:
        # a fresh console each time: the relayed "2000 OK estimate" line ends a
        # python-bareos-style response early (as with a real Bareos Director)
        con = site.console()
        try:
            return con.call(cmd).decode()
        finally:
            con.close()

    listing = call("estimate job=backup-bareos-fd listing")
    assert "Connecting to Client bareos-fd at 127.0.0.1:" in listing
    assert "/a/f1.txt" in listing, listing
    assert "2000 OK estimate files=" in call("estimate job=backup-bareos-fd")
    assert 'Fileset "nope" not found.' in call("estimate job=backup-bareos-fd fileset=nope")
    assert "Client name missing." in call("estimate client")
