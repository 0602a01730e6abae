"""The real bconsole program against the in-process Director on 127.0.0.1."""

from __future__ import annotations

import os
import re

import pytest

from bareos.lib import tls

from .conftest import bconsole_conf

BANNER_OK = "1000 OK: bareos-dir Version: 25.1.1 (05 December 2025)"
ENTER = "Enter a period (.) to cancel a command."

needs_psk = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK not available")


def _after_banner(lines: list[str]) -> list[str]:
    return lines[lines.index(ENTER) + 1:]


@needs_psk
def test_default_console_over_tls_psk(director, run_bconsole):
    r = run_bconsole(bconsole_conf(director.port), stdin="whoami\nversion\n")
    assert r.returncode == 0, r.stderr
    lines = r.lines
    assert lines[0] == f"Connecting to Director 127.0.0.1:{director.port}"
    m = re.fullmatch(r" Encryption: (\S+) (TLSv1\.[23])", lines[1])
    assert m, lines[1]
    assert "PSK" in m.group(1) or m.group(2) == "TLSv1.3"
    assert lines[2] == BANNER_OK
    # the 1002 text, a blank line, then the hint, as in the golden banner
    i = lines.index(ENTER)
    assert lines[i - 1] == ""
    assert lines[i - 2] == "You are connected using the default console"
    # scripted input is echoed after the (not shown) prompt, then the answer
    rest = _after_banner(lines)
    assert rest[0] == "whoami"
    assert rest[1] == "root"
    assert rest[2] == "version"
    assert rest[3].startswith("bareos-dir Version: 25.1.1 (05 December 2025) ")


@needs_psk
def test_named_console_with_profile(director, run_bconsole):
    conf = bconsole_conf(director.port, director_password=None, console=("admin", "admin-pw"))
    r = run_bconsole(conf, stdin="whoami\ndelete\n")
    assert r.returncode == 0, r.stderr
    assert "You are logged in as: admin" in r.lines
    rest = _after_banner(r.lines)
    assert rest == ["whoami", "admin", "delete", "delete: is an invalid command."]


@needs_psk
def test_wrong_password_over_tls(director, run_bconsole):
    r = run_bconsole(bconsole_conf(director.port, director_password="not-the-password"), stdin="whoami\n")
    assert r.returncode == 1
    assert r.lines[-1] == "Failed to connect to Director. Giving up."
    assert "root" not in r.lines
    assert "TLS negotiation with Director" in r.stderr
    assert "passwords" in r.stderr


def test_wrong_password_cleartext(director, run_bconsole):
    conf = bconsole_conf(director.port, director_password=None, console=("notls", "wrong"), tls=False)
    r = run_bconsole(conf, stdin="whoami\n")
    assert r.returncode == 1
    assert r.lines[-1] == "Failed to connect to Director. Giving up."
    assert "Director authorization problem" in r.stderr
    assert "Most likely the passwords do not agree." in r.stderr


def test_cleartext_console(director, run_bconsole):
    conf = bconsole_conf(director.port, director_password=None, console=("notls", "notls-pw"), tls=False)
    r = run_bconsole(conf, stdin="whoami\n")
    assert r.returncode == 0, r.stderr
    assert r.lines[1] == " Encryption: None"
    assert r.lines[2] == BANNER_OK
    assert "You are logged in as: notls" in r.lines
    assert _after_banner(r.lines) == ["whoami", "notls"]


def test_cleartext_refused_for_a_tls_console(director, run_bconsole):
    # console "admin" requires TLS on the Director's side
    conf = bconsole_conf(director.port, director_password=None, console=("admin", "admin-pw"), tls=False)
    r = run_bconsole(conf, stdin="whoami\n")
    assert r.returncode == 1
    assert "Failed to connect to Director. Giving up." in r.lines
    assert "refused the connection" in r.stderr


def test_test_config_good(run_bconsole):
    r = run_bconsole(bconsole_conf(9101), "-t")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""


def test_test_config_bad_directive(tmp_path, run_bconsole):
    conf = bconsole_conf(9101).replace("  Address = 127.0.0.1\n", "  Address = 127.0.0.1\n  Colour = blue\n")
    r = run_bconsole(conf, "-t")
    assert r.returncode == 1
    assert "Config error" in r.stderr
    assert str(tmp_path / "bconsole.conf") + ":4:" in r.stderr
    assert '"Colour"' in r.stderr


def test_test_config_bad_value(tmp_path, run_bconsole):
    conf = bconsole_conf(9101).replace("DirPort = 9101", "DirPort = many")
    r = run_bconsole(conf, "-t")
    assert r.returncode == 1
    assert str(tmp_path / "bconsole.conf") + ":4:" in r.stderr
    assert '"Port"' in r.stderr or '"DirPort"' in r.stderr


def test_test_config_without_director(tmp_path, run_bconsole):
    r = run_bconsole('Console {\n  Name = c\n  Password = p\n}\n', "-t")
    assert r.returncode == 1
    assert "No Director resource defined" in r.stderr


def test_test_config_missing_file(tmp_path, run_bconsole):
    r = run_bconsole(None, "-t", "-c", str(tmp_path / "nope.conf"))
    assert r.returncode == 1
    assert "nope.conf" in r.stderr


SECOND_DIRECTOR = """
Director {
  Name = other-dir
  Address = 127.0.0.2
  DirPort = 19101
  Password = "other"
}
"""


def test_list_directors(run_bconsole):
    r = run_bconsole(bconsole_conf(9101, extra_directors=SECOND_DIRECTOR), "-l")
    assert r.returncode == 0, r.stderr
    assert r.lines == ["bareos-dir", "other-dir"]


def test_config_directory(tmp_path, run_bconsole, director):
    d = tmp_path / "etc" / "bconsole.d" / "director"
    d.mkdir(parents=True)
    (d / "bareos-dir.conf").write_text(bconsole_conf(director.port, tls=False, director_password=None))
    c = tmp_path / "etc" / "bconsole.d" / "console"
    c.mkdir()
    (c / "notls.conf").write_text('Console {\n  Name = notls\n  Password = "notls-pw"\n  TLS Enable = no\n}\n')
    r = run_bconsole(None, "-c", str(tmp_path / "etc"), stdin="whoami\n")
    assert r.returncode == 0, r.stderr
    assert _after_banner(r.lines) == ["whoami", "notls"]


@needs_psk
def test_select_director_by_name(director, run_bconsole):
    conf = bconsole_conf(director.port, extra_directors=SECOND_DIRECTOR)
    r = run_bconsole(conf, "-D", "bareos-dir", stdin="whoami\n")
    assert r.returncode == 0, r.stderr
    assert _after_banner(r.lines) == ["whoami", "root"]
    r = run_bconsole(conf, "-D", "nosuch-dir", stdin="whoami\n")
    assert r.returncode == 1
    assert "Can't find nosuch-dir in Director list" in r.stdout


@needs_psk
def test_select_director_by_number(director, run_bconsole):
    conf = bconsole_conf(director.port, extra_directors=SECOND_DIRECTOR)
    r = run_bconsole(conf, stdin="x\n1\nwhoami\n")
    assert r.returncode == 0, r.stderr
    assert "Available Directors:" in r.lines
    assert f" 1:  bareos-dir at 127.0.0.1:{director.port}" in r.lines
    assert " 2:  other-dir at 127.0.0.2:19101" in r.lines
    assert "x is not a number. You must enter a number between 1 and 2" in r.stdout
    assert _after_banner(r.lines) == ["whoami", "root"]


@needs_psk
def test_scripted_session(director, run_bconsole):
    script = "whoami\nbogus-command\n\nstatus\n.\nstatus\n1\n@echo hello  world\n@version\nwhoami\n"
    r = run_bconsole(bconsole_conf(director.port), stdin=script)
    assert r.returncode == 0, r.stderr
    rest = _after_banner(r.lines)
    assert rest[:5] == ["whoami", "root", "bogus-command", "bogus-command: is an invalid command.", ""]
    # the sub prompt: the Director's question, the echoed answer after it
    i = rest.index("status")
    assert rest[i + 1] == "Status available for:"
    assert rest[i + 7] == "Select daemon type for status (1-5): ."
    assert rest[i + 8] == "Selection aborted, nothing done."
    j = rest.index("Select daemon type for status (1-5): 1")
    assert rest[j + 1].startswith("bareos-dir Version: 25.1.1")
    assert "hello world " in rest
    assert any(ln.startswith("Version: 25.1.1 (05 December 2025)") for ln in rest)
    assert rest[-2:] == ["whoami", "root"]


@needs_psk
def test_dot_quit_and_at_quit_end_the_session(director, run_bconsole):
    r = run_bconsole(bconsole_conf(director.port), stdin="whoami\n@quit\nversion\n")
    assert r.returncode == 0, r.stderr
    assert _after_banner(r.lines) == ["whoami", "root", "@quit"]
    r = run_bconsole(bconsole_conf(director.port), stdin="whoami\nquit\nversion\n")
    assert r.returncode == 0, r.stderr
    assert _after_banner(r.lines) == ["whoami", "root", "quit"]


@needs_psk
def test_output_to_file(director, run_bconsole, tmp_path):
    out = tmp_path / "out.txt"
    script = f"@output {out} w\nwhoami\nversion\n@output\nwhoami\n"
    r = run_bconsole(bconsole_conf(director.port), stdin=script, env={"BCONSOLE_ALLOW_UNSAFE_COMMANDS": "1"})
    assert r.returncode == 0, r.stderr
    rest = _after_banner(r.lines)
    assert rest[0] == f"@output {out} w"
    # while the file is open, the echo and the answers go there only
    text = out.read_text().splitlines()
    assert text[:3] == ["whoami", "root", "version"]
    assert text[3].startswith("bareos-dir Version: 25.1.1")
    assert text[4] == "@output"
    assert rest[1:] == ["whoami", "root"]
    # mode "a" (the default) appends
    r = run_bconsole(bconsole_conf(director.port), stdin=f"@output {out}\nwhoami\n",
                     env={"BCONSOLE_ALLOW_UNSAFE_COMMANDS": "1"})
    assert r.returncode == 0
    assert out.read_text().splitlines()[-2:] == ["whoami", "root"]
    assert len(out.read_text().splitlines()) == 7


@needs_psk
def test_tee_to_file(director, run_bconsole, tmp_path):
    out = tmp_path / "tee.txt"
    r = run_bconsole(bconsole_conf(director.port), stdin=f"@tee {out} w\nwhoami\n",
                     env={"BCONSOLE_ALLOW_UNSAFE_COMMANDS": "1"})
    assert r.returncode == 0, r.stderr
    assert _after_banner(r.lines)[1:] == ["whoami", "root"]
    assert out.read_text().splitlines() == ["whoami", "root"]


@needs_psk
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_unsafe_commands_refused_as_root(director, run_bconsole, tmp_path):
    out = tmp_path / "out.txt"
    r = run_bconsole(bconsole_conf(director.port), stdin=f"@output {out}\nwhoami\n")
    assert r.returncode == 0, r.stderr
    assert "@output command is not allowed as privileged user." in r.lines
    assert not out.exists()
    assert _after_banner(r.lines)[-2:] == ["whoami", "root"]


@needs_psk
def test_input_file(director, run_bconsole, tmp_path):
    cmds = tmp_path / "cmds.txt"
    cmds.write_text("whoami\n@quit\nversion\n")
    r = run_bconsole(bconsole_conf(director.port), stdin=f"@input {cmds}\n@echo back\n",
                     env={"BCONSOLE_ALLOW_UNSAFE_COMMANDS": "1"})
    assert r.returncode == 0, r.stderr
    # @quit ends only the file being read, as in Bareos
    assert _after_banner(r.lines) == [f"@input {cmds}", "whoami", "root", "@quit", "@echo back", "back "]


def test_local_commands_without_director(director, run_bconsole):
    conf = bconsole_conf(director.port, director_password=None, console=("notls", "notls-pw"), tls=False)
    r = run_bconsole(conf, stdin="@help\n@nosuch x\n@separator ;\n@separator x\n@time\n@sleep 0\n")
    assert r.returncode == 0, r.stderr
    rest = _after_banner(r.lines)
    assert "  input      input from file" in rest
    assert "  separator  set command separator" in rest
    assert "@nosuch x: is an invalid command" in rest
    assert "Illegal separator character." in rest
    assert any(re.fullmatch(r"\d\d-\w\w\w-\d{4} \d\d:\d\d:\d\d", ln) for ln in rest)


def test_rc_file_runs_first(director, run_bconsole, home):
    (home / ".bconsolerc").write_text("@echo from-rc\n")
    conf = bconsole_conf(director.port, director_password=None, console=("notls", "notls-pw"), tls=False)
    r = run_bconsole(conf, stdin="whoami\n")
    assert r.returncode == 0, r.stderr
    assert _after_banner(r.lines) == ["@echo from-rc", "from-rc ", "whoami", "notls"]
