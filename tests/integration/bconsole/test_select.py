"""Which Director and Console resource bconsole picks (Bareos's SelectDirector)."""

from __future__ import annotations

from bareos.console.bconsole import check_resources, select_director
from bareos.console.config import SCHEMA
from bareos.console.connect import Login
from bareos.console.output import ConsoleOutput
from bareos.lib.config.parser import load_config_text

CONF = """
Director { Name = dir-a; Address = a.example; Password = pa }
Director { Name = dir-b; Address = b.example; DirPort = 19101; Password = pb }
Console { Name = c-any; Password = x }
Console { Name = c-b; Password = y; Director = dir-b; TLS Enable = no }
"""


class Collect:
    def __init__(self):
        self.text = ""

    def write(self, t):
        self.text += t

    def flush(self):
        pass


def _out():
    sink = Collect()
    return ConsoleOutput(stdout=sink), sink


def test_console_linked_to_the_director_wins():
    cfg = load_config_text(CONF, SCHEMA)
    out, _ = _out()
    d, c = select_director(cfg, "dir-b", out, lambda p: None)
    assert (d.name, c.name) == ("dir-b", "c-b")
    login = Login.from_resources(d, c)
    assert (login.address, login.port, login.name) == ("b.example", 19101, "c-b")
    assert login.tls.policy() == 0
    assert login.qualified_name == "R_CONSOLE::c-b"


def test_unlinked_console_for_other_directors():
    cfg = load_config_text(CONF, SCHEMA)
    out, _ = _out()
    d, c = select_director(cfg, "dir-a", out, lambda p: None)
    assert (d.name, c.name) == ("dir-a", "c-any")
    assert Login.from_resources(d, c).port == 9101


def test_prompt_for_a_director():
    cfg = load_config_text(CONF, SCHEMA)
    out, sink = _out()
    answers = iter(["0", "two", "2"])
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return next(answers)

    d, c = select_director(cfg, None, out, ask)
    assert d.name == "dir-b"
    assert asked == ["Select Director by entering a number: "] * 3
    assert " 1:  dir-a at a.example:9101\n" in sink.text
    assert "You must enter a number between 1 and 2\n" in sink.text
    assert "two is not a number. You must enter a number between 1 and 2\n" in sink.text


def test_default_console_uses_the_director_password():
    cfg = load_config_text('Director { Name = d; Address = h; Password = "secret" }', SCHEMA)
    assert check_resources(cfg) is None
    out, _ = _out()
    d, c = select_director(cfg, None, out, lambda p: None)
    assert c is None
    login = Login.from_resources(d, c)
    assert login.name == "*UserAgent*"
    assert login.key == b"5ebe2294ecd0e0f08eab7690d2a6ee69"
    assert login.tls.policy() == 2


def test_check_resources_wants_a_password():
    cfg = load_config_text("Director { Name = d; Address = h }", SCHEMA)
    assert "Password item is required" in check_resources(cfg)
