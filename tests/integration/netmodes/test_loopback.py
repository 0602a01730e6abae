"""The network modes on 127.0.0.1 (they also run where namespaces cannot be made)."""

from __future__ import annotations

import re

from .conftest import make_tree, needs_psk

pytestmark = needs_psk


def _tree(tmp_path, marker=b""):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, marker)
    return src


def test_client_initiated_only(site_factory, tmp_path):
    """The Director never dials the FD; the FD's waiting connection carries the jobs."""
    src = _tree(tmp_path)
    site = site_factory(src, client_extra="  Connection From Director To Client = no\n"
                                          "  Connection From Client To Director = yes\n",
                        fd_director_extra="  Address = 127.0.0.1\n  Port = {dir_port}\n"
                                          "  Connection From Client To Director = yes\n"
                                          "  Connection From Director To Client = no\n")
    site.start()
    con = site.console()
    try:
        status = _wait_waiting(con)
        assert re.search(r"\n\S+ \S+\s+54\s+1\s+bareos-fd", status), status
        blog, rlog = site.backup_and_restore(con)
        assert "Probing client protocol" in blog
        assert "Connected Client:" not in blog  # no outbound connection
        assert "Handshake: Immediate TLS" in blog
        # the FD opened a new waiting connection after each job took one
        assert "bareos-fd" in _wait_waiting(con).split("Client Initiated Connections")[1]
    finally:
        con.close()


def _wait_waiting(con, timeout=20.0):
    import time

    deadline = time.time() + timeout
    while True:
        out = con.call("status director").decode()
        part = out.split("Client Initiated Connections (waiting for jobs):", 1)[1]
        if "bareos-fd" in part.split("====\n", 1)[0] + part[:600] or time.time() > deadline:
            return out
        time.sleep(0.3)


def test_passive_client(site_factory, tmp_path):
    src = _tree(tmp_path)
    site = site_factory(src, client_extra="  Passive = yes\n")
    site.start()
    con = site.console()
    try:
        blog, rlog = site.backup_and_restore(con)
        for log in (blog, rlog):
            assert re.search(r"bareos-sd JobId \d+: Connected File Daemon at 127\.0\.0\.1:\d+", log), log
            assert not re.search(r"bareos-fd JobId \d+: Connected Storage daemon", log), log
    finally:
        con.close()
