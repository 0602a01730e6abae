"""`show`, `configure` and `reload` against the golden outputs of Bareos 25."""

from __future__ import annotations

import json
import os

import pytest

from bareos.bsock import DirectorConsole, DirectorConsoleJson, Password
from bareos.exceptions import JsonRpcErrorReceivedException
from bareos.lib import tls

from tests.conftest import DIR_PASSWORD, GOLDEN

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")


def connect(director, cls=DirectorConsole, name="*UserAgent*", password=DIR_PASSWORD):
    return cls(address="127.0.0.1", port=director.port, name=name, password=Password(password))


def test_help_configure_usage_matches_golden(director):
    con = connect(director, DirectorConsoleJson)
    try:
        golden = json.loads((GOLDEN / "help.api2.json").read_text())["result"]["configure"]
        assert con.call("help")["configure"] == golden
    finally:
        con.close()


@pytest.mark.parametrize("what", ["client", "job", "fileset", "pool", "storage"])
def test_show_matches_golden(director, what):
    con = connect(director)
    jcon = connect(director, DirectorConsoleJson)
    try:
        assert con.call(f"show {what}").decode() == (GOLDEN / f"show-{what}.api0.txt").read_text()
        golden = json.loads((GOLDEN / f"show-{what}.api2.json").read_text())["result"]
        assert jcon.call(f"show {what}") == golden
    finally:
        con.close()
        jcon.close()


def test_show_director_and_passwords_hidden_without_configure(director):
    con = connect(director)
    admin = connect(director, name="admin", password="admin-pw")
    try:
        text = con.call("show director").decode()
        assert text.startswith('Director {\n  Name = "bareos-dir"\n')
        assert 'Password = "[md5]3bcab822d89bd28f16a8e426ec37691c"' in text
        hidden = admin.call("show director").decode()
        assert "3bcab822" not in hidden and 'Password = "****************"' in hidden
        assert "Console {" in con.call("show all").decode()
        assert con.call("show disabled").decode() == (
            "No disabled Jobs.\nNo disabled Clients.\nNo disabled Schedules.\n")
    finally:
        con.close()
        admin.close()


def test_configure_add_console_like_bareos(director, director_config_dir):
    con = connect(director)
    jcon = connect(director, DirectorConsoleJson)
    try:
        text = con.call("configure add console name=x password=y").decode()
        path = director_config_dir / "bareos-dir.d" / "console" / "x.conf"
        assert text == f'Created resource config file "{path}":\n' + \
            (GOLDEN / "configure-add-console-written-x.conf").read_text()
        assert path.read_text() == (GOLDEN / "configure-add-console-written-x.conf").read_text()
        assert oct(os.stat(path).st_mode & 0o777) == "0o640"
        result = jcon.call("configure add console name=x2 password=y")
        path2 = director_config_dir / "bareos-dir.d" / "console" / "x2.conf"
        assert result == {"configure": {"add": {"resource": "Console", "name": "x2",
                                                "filename": str(path2),
                                                "content": path2.read_text()}}}
        with pytest.raises(JsonRpcErrorReceivedException) as err:
            jcon.call("configure add console name=x2 password=y")
        assert 'Resource "Console" with name "x2" already exists.' in str(err.value)
        golden = json.loads((GOLDEN / "configure-add-console-again.api2.json").read_text())
        raw = jcon.call_fullresult("configure add console name=x2 password=y")
        assert raw == golden
        # the new console can log in at once
        x = connect(director, name="x", password="y")
        assert x.call("whoami").decode() == "x\n"
        x.close()
    finally:
        con.close()
        jcon.close()


def test_configure_add_refuses_bad_input(director):
    con = connect(director)
    try:
        assert "does not permit directive" in con.call("configure add console name=z bogus=1").decode()
        assert "is forbidden" in con.call("configure add console name=z password=a@b").decode()
        assert "Only one Director resource allowed" in con.call("configure add director name=d2").decode()
        assert "Could not find config resource" in con.call(
            "configure add client name=c2 address=h password=p catalog=nope").decode()
    finally:
        con.close()


def test_configure_export_client(director, director_config_dir):
    con = connect(director)
    try:
        text = con.call("configure export client=bareos-fd").decode()
        assert text.startswith('Exported resource file "')
        exported = director_config_dir / "bareos-dir-export" / "client" / "bareos-fd" / \
            "bareos-fd.d" / "director" / "bareos-dir.conf"
        assert exported.read_text() == ('Director {\n  Name = "bareos-dir"\n'
                                        '  Password = "[md5]27b885918eec500075a7bd4b9a493e2a"\n}\n')
    finally:
        con.close()


def test_reload_picks_up_new_resources_and_survives_bad_config(director, director_config_dir):
    con = connect(director, DirectorConsoleJson)
    try:
        new = director_config_dir / "bareos-dir.d" / "console" / "late.conf"
        new.write_text('Console {\n  Name = late\n  Password = "late-pw"\n}\n')
        assert con.call("reload") == {"reload": {"success": True}}
        assert {"name": "late"} in con.call(".consoles")["consoles"]
        new.write_text('Console {\n  Name = late\n  Bogus = 1\n}\n')
        with pytest.raises(JsonRpcErrorReceivedException):
            con.call("reload")
        assert {"name": "late"} in con.call(".consoles")["consoles"]
    finally:
        con.close()


def test_show_verbose_lists_the_internal_user_agent_console(director):
    con = connect(director)
    admin = connect(director, name="admin", password="admin-pw")
    try:
        assert "*UserAgent*" not in con.call("show all").decode()
        assert "*UserAgent*" not in con.call("show consoles").decode()
        text = con.call("show consoles verbose").decode()
        assert '# Console {\n  # Name = "*UserAgent*"\n' in text
        assert '  # Password = "[md5]3bcab822d89bd28f16a8e426ec37691c"\n' in text
        assert '# Console {\n  # Name = "*UserAgent*"\n' in con.call("show all verbose").decode()
        hidden = admin.call("show consoles verbose").decode()
        assert "3bcab822" not in hidden
        assert '  # Name = "*UserAgent*"\n  # Description = "root console definition"\n' \
            '  # Password = "****************"\n' in hidden
    finally:
        con.close()
        admin.close()
