"""The Director's console message queue (director.ConsoleMessages): in memory,
or kept in <Working Directory>/<name>.conmsg so that a restart keeps what no
console has read."""

from __future__ import annotations

import os
import stat

from bareos.dird.director import ConsoleMessages, console_message_file


def test_in_memory_queue_takes_lines_once():
    q = ConsoleMessages()
    assert not q.pending and q.path is None
    q.add("one\ntwo\n")
    q.add("three\n")
    assert q.pending
    assert q.take() == ["one\n", "two\n", "three\n"]
    assert not q.pending and q.take() == []


def test_file_queue_survives_a_new_queue_on_the_same_file(tmp_path):
    path = console_message_file(str(tmp_path), "bareos-dir")
    assert path == str(tmp_path / "bareos-dir.conmsg")
    first = ConsoleMessages(path)
    assert not first.pending
    first.add("22-Nov 07:00 bareos-dir JobId 1: Termination:  *** Restore Error ***\n")
    first.add("no newline at the end")
    assert first.pending
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # a "restarted Director": a new queue on the same file has them pending
    second = ConsoleMessages(path)
    assert second.pending
    assert second.take() == ["22-Nov 07:00 bareos-dir JobId 1: Termination:  *** Restore Error ***\n",
                             "no newline at the end\n"]
    assert not second.pending
    assert os.path.getsize(path) == 0
    assert not ConsoleMessages(path).pending


def test_attach_moves_what_was_queued_in_memory_to_the_file(tmp_path):
    path = str(tmp_path / "d.conmsg")
    with open(path, "wb") as f:
        f.write(b"left from the last run\n")
    q = ConsoleMessages()
    q.add("before start\n")
    q.attach(path)
    q.add("after start\n")
    assert q.take() == ["left from the last run\n", "before start\n", "after start\n"]


def test_undecodable_bytes_come_back_unchanged(tmp_path):
    path = str(tmp_path / "d.conmsg")
    q = ConsoleMessages(path)
    text = b"file \xe9t\xe9 restored\n".decode("utf-8", "surrogateescape")
    q.add(text)
    assert q.take() == [text]
