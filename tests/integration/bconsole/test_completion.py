"""The completion logic of bconsole (no I/O: the Director's answers are given)."""

from __future__ import annotations

import pytest

from bareos.console.completion import (
    Completer,
    command_names,
    first_keyword,
    help_arguments,
    previous_keyword,
)


@pytest.mark.parametrize("line,point,expected", [
    ("", 0, None),
    ("st", 0, None),
    ("status ", 7, "status"),
    ("status di", 7, "status"),
    ("run job=ba", 8, "job="),
    ("run job=x pool=", 15, "pool="),
    ("run   job=", 10, "job="),
    ('list files "a b" ', 18, '"a b"'),
])
def test_previous_keyword(line, point, expected):
    assert previous_keyword(line, point) == expected


def test_first_keyword():
    assert first_keyword("wh") is None
    assert first_keyword("list jobs") == "list"


def test_help_arguments_like_bareos():
    line = ("catalog=<catalog-name> | client=<client-name> | catalog | clients | "
            "disabled [ clients | jobs | schedules ] | all [verbose]")
    assert help_arguments([line]) == ["catalog=", "client=", "catalog", "clients", "disabled", "jobs",
                                      "schedules", "all"]


def test_command_names():
    assert command_names(["add", "autodisplay", "", "whoami"]) == ["add", "autodisplay", "whoami"]


class Answers:
    """What a Director would answer to the completion's dot commands."""

    def __init__(self):
        self.asked = []
        self.answers = {
            ".help all": ["status", "show", "setdebug", "whoami"],
            ".jobs": ["backup-bareos-fd", "BackupCatalog", "RestoreFiles"],
            ".pools": ["Full", "Incremental"],
            ".help item=show": ["catalog=<catalog-name> | job=<job-name> | jobs | all [verbose]"],
            ".ls": ["etc/", "home/", "hosts"],
            ".lsdir": ["etc/", "home/"],
        }

    def __call__(self, cmd):
        self.asked.append(cmd)
        return self.answers.get(cmd, [])


def _all(completer, text, line, begidx):
    out, state = [], 0
    while (m := completer.complete(text, state, line, begidx)) is not None:
        out.append(m)
        state += 1
    return out


def test_completer_commands_resources_and_arguments():
    answers = Answers()
    c = Completer(answers)
    assert _all(c, "s", "s", 0) == ["status", "show", "setdebug"]
    assert _all(c, "Back", "show job=Back", 9) == ["BackupCatalog"]
    assert _all(c, "", "run pool=", 9) == ["Full", "Incremental"]
    assert _all(c, "jo", "show jo", 5) == ["job=", "jobs"]
    assert answers.asked == [".help all", ".jobs", ".pools", ".help item=show"]


def test_completer_in_restore_tree():
    answers = Answers()
    c = Completer(answers)
    assert _all(c, "h", "cd h", 3) == []  # "cd" is a tree keyword only inside the tree
    c.file_selection = True
    assert _all(c, "h", "cd h", 3) == ["home/"]
    assert _all(c, "h", "mark h", 5) == ["home/", "hosts"]


def test_completer_swallows_errors():
    def broken(cmd):
        raise OSError("connection gone")

    assert Completer(broken).complete("x", 0, "x", 0) is None
