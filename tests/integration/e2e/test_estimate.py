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


def test_client_side_file_list_and_command(site_factory, tmp_path):
    """`File = "\\\\<file"` and `"\\\\|command"`: the FD reads the list / runs the command."""
    src = tmp_path / "data"
    (src / "listed").mkdir(parents=True)
    (src / "listed" / "l.txt").write_text("l\n")
    (src / "ran").mkdir()
    (src / "ran" / "r.txt").write_text("r\n")
    (src / "other").mkdir()
    (src / "other" / "o.txt").write_text("o\n")
    lst = tmp_path / "client-list"
    lst.write_text(f"{src / 'listed'}\n")
    script = tmp_path / "cmd.sh"
    script.write_text(f"#!/bin/sh\necho {src / 'ran'}\n")
    script.chmod(0o755)
    site = site_factory(src)
    site.write_fileset("ClientSide", files=[f"\\\\<{lst}", f"\\\\|sh -c '{script}'"])
    site.add_backup_job("backup-client-side", "ClientSide")
    site.start()
    con = site.console()
    try:
        listing = con.call("estimate job=backup-client-side listing").decode()
    finally:
        con.close()
    assert "2000 OK estimate files=4 " in listing, listing
    assert f"{src / 'listed' / 'l.txt'}" in listing
    assert f"{src / 'ran' / 'r.txt'}" in listing
    assert "o.txt" not in listing


def test_fileset_text_is_the_resource_and_is_restored(site_factory, tmp_path):
    """FileSet.FileSetText holds the resource as `show fileset` prints it; a
    row whose text differs is corrected at the next use (Bareos's
    filesettext-is-updated)."""
    src = tmp_path / "data"
    src.mkdir()
    (src / "x").write_text("x\n")
    site = site_factory(src)
    site.start()

    def call(*cmds: str) -> str:
        con = site.console()
        try:
            return "".join(con.call(c).decode() for c in cmds)
        finally:
            con.close()

    def stored_text() -> str:
        return call("sqlquery", "select filesettext from fileset where fileset='Quickstart';", "")

    call("estimate job=backup-bareos-fd")
    out = stored_text()
    assert "FileSet {" in out and 'Name = "Quickstart"' in out, out
    assert 'Name = "Quickstart"' in call("show fileset=Quickstart")
    call("sqlquery", "update fileset set filesettext='invalid-text' where fileset='Quickstart';", "")
    assert "invalid-text" in stored_text()
    call("estimate job=backup-bareos-fd")
    out = stored_text()
    assert "invalid-text" not in out and "FileSet {" in out, out
