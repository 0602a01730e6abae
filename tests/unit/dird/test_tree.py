"""The restore selection tree: building from a real SQLite catalog, marking
with wildcards, hard links, Windows paths and the tree shell's texts."""

from __future__ import annotations

import pytest

from bareos.dird.tree import DIR, DIRWIN, FILE, NEWDIR, TreeShell, build_tree, fnmatch
from bareos.lib.base64 import int_to_base64


def lstat(mode=0o100644, size=10, nlink=1, link_fi=0):
    vals = [1, 2, mode, nlink, 0, 0, 0, size, 4096, 1, 5, 5, 5, link_fi, 0, 1]
    return " ".join(int_to_base64(v) for v in vals)


D = lstat(0o40755, 4096, nlink=2)


# the catalog fixtures of the catalog tests: every test runs on SQLite and on
# a real PostgreSQL (skipped when no PostgreSQL server can be started)
from tests.unit.cats.conftest import cat, pg_server, pg_template  # noqa: E402,F401


def job(cat, rows, name="j", tdate=100):
    jid = cat.create_job(f"{name}.{tdate}", name, "B", "F")
    cat.insert_attributes(jid, rows)
    cat.update_job(jid, JobTDate=tdate, JobFiles=len(rows))
    return jid


def sample(cat):
    rows = [("/data/a/one.txt", lstat(size=100), "x", 1),
            ("/data/a/two.log", lstat(size=200), "x", 2),
            ("/data/a/", D, "0", 3),
            ("/data/b/sub/deep.txt", lstat(size=300), "x", 4),
            ("/data/b/sub/", D, "0", 5),
            ("/data/b/link", lstat(0o120777, 7), "x", 6),
            ("/data/b/", D, "0", 7),
            ("/data/empty/", D, "0", 8),
            ("/data/", D, "0", 9)]
    return job(cat, rows)


def shell_out(tree, cat, line):
    out = []
    sh = TreeShell(tree, cat, out.append)
    sh.execute(line)
    return "".join(out)


def test_fnmatch_like_posix_without_pathname():
    assert fnmatch("*.txt", "a.txt") and not fnmatch("*.txt", "a.log")
    assert fnmatch("*", "a/b")          # no FNM_PATHNAME
    assert fnmatch("[ab]?", "bx") and not fnmatch("[!ab]?", "ax")
    assert fnmatch("a\\*", "a*") and not fnmatch("a\\*", "ab")
    assert fnmatch("[", "[")


def test_build_counts_types_and_paths(cat):
    jid = sample(cat)
    t = build_tree(cat, [jid])
    assert t.cnt == 9
    # a directory entry after its content does not create a node (Bareos counts it out)
    assert t.file_count == 9 - 4  # a, b, b/sub and data existed already
    data = t.cwd("/data")
    assert t.ntype[data] == DIR and t.ntype[t.parent[data]] == NEWDIR or t.parent[data] == 0
    assert [t.name(c) for c in t.child_list(data)] == ["a", "b", "empty"]
    link = t.cwd("/data/b")
    kids = {t.name(c): c for c in t.child_list(link)}
    assert t.ntype[kids["link"]] == FILE and kids["link"] in t.soft_link
    assert t.getpath(kids["sub"]) == "/data/b/sub/"
    assert t.getpath(0) == "/"
    assert t.cwd("/data/b/link") is None      # a file is no directory
    assert t.cwd("../a", link) == t.cwd("/data/a")
    assert t.cwd("/d*/e*") == t.cwd("/data/empty")


def test_mark_unmark_wildcards_and_counts(cat):
    t = build_tree(cat, [sample(cat)])
    t.node = t.cwd("/data")
    assert t.mark_elements(["a/*.txt"]) == 1
    # as in Bareos an empty directory is listed without "/"
    assert shell_out(t, cat, "ls") == "+a/\nb/\nempty\n"
    assert t.mark_elements(["b"]) == 4            # b, sub, deep.txt, link
    assert t.mark_elements(["b"]) == 0
    assert shell_out(t, cat, "count") == "9 total files/dirs. 5 marked to be restored.\n"
    assert t.mark_elements(["b/sub"], extract=False) == 2
    assert shell_out(t, cat, "ls b") == "*b/\n"
    t.node = t.cwd("/data/b")
    assert shell_out(t, cat, "ls") == "*link\nsub/\n"
    t.node = 0
    assert t.mark_elements(["/data/**/deep.txt"]) == 1
    assert t.mark_elements(["**/*.log"]) == 1
    sel, n = t.selection()
    assert n == 5 and sorted(sel[1]) == [1, 2, 4, 6, 7]
    assert shell_out(t, cat, "unmark *") == "5 files newly unmarked.\n"
    assert shell_out(t, cat, "lsmark") == ""
    assert t.desc.count(1) == 0


def test_shell_texts(cat):
    t = build_tree(cat, [sample(cat)])
    assert shell_out(t, cat, "cd /data/a") == "cwd is: /data/a/\n"
    assert shell_out(t, cat, "mark *") == "2 files newly marked.\n"
    assert shell_out(t, cat, "mark one.txt") == "No files newly marked.\n"
    assert shell_out(t, cat, "unmark one.txt") == "1 file newly unmarked.\n"
    assert shell_out(t, cat, "estimate") == "9 total files; 3 marked to be restored; 200 bytes.\n"
    assert shell_out(t, cat, "mark") == "No files marked.\n"
    assert shell_out(t, cat, "cd") == "Too few or too many arguments. Try using double quotes.\n"
    assert shell_out(t, cat, "find *.txt") == "/data/a/one.txt\n/data/b/sub/deep.txt\n"
    assert shell_out(t, cat, ".ls") == "one.txt\ntwo.log\n"
    assert shell_out(t, cat, ".lsmark") == "two.log\n"
    assert shell_out(t, cat, "pw") == "cwd is: /data/a/\n"          # prefix of pwd
    assert shell_out(t, cat, "markdir x") == "No directories newly marked.\n"
    d = shell_out(t, cat, "dir two.log")
    assert d.startswith("-rw-r--r--   1 0 (") and d.endswith(" * /data/a/two.log\n")
    assert "           200  " in d
    help_text = shell_out(t, cat, "help")
    assert help_text.startswith("  Command    Description\n  =======    ===========\n  abort      ")
    assert ".ls" not in help_text
    out = []
    sh = TreeShell(t, cat, out.append)
    assert sh.execute("done") is False and not sh.quit
    assert sh.execute("quit") is False and sh.quit
    assert sh.execute("   ") is None
    assert sh.execute(".unknown") is True


def test_newest_version_wins_and_deleted_files_vanish(cat):
    full = job(cat, [("/d/keep", lstat(size=1), "x", 1), ("/d/gone", lstat(size=2), "x", 2),
                     ("/d/", D, "0", 3)], tdate=100)
    inc = job(cat, [("/d/keep", lstat(size=5), "x", 1), ("/d/gone", lstat(), "x", 0),
                    ("/d/", D, "0", 2)], name="i", tdate=200)
    t = build_tree(cat, [full, inc], all_marked=True)
    d = t.cwd("/d")
    assert [t.name(c) for c in t.child_list(d)] == ["keep"]
    sel, n = t.selection()
    assert {j: sorted(v) for j, v in sel.items()} == {inc: [1, 2]} and n == 2


def test_hard_links_mark_the_data_holder(cat):
    rows = [("/h/orig", lstat(nlink=2), "x", 1),
            ("/h/copy", lstat(nlink=2, link_fi=1), "x", 2),
            ("/h/", D, "0", 3)]
    t = build_tree(cat, [job(cat, rows)])
    t.node = t.cwd("/h")
    assert t.mark_elements(["copy"]) == 2
    assert sorted(t.selection()[0][1]) == [1, 2]


def test_windows_paths(cat):
    rows = [("C:/Users/a.txt", lstat(), "x", 1), ("C:/Users/", D, "0", 2), ("C:/", D, "0", 3)]
    t = build_tree(cat, [job(cat, rows)])
    (drive,) = t.child_list(0)
    assert t.name(drive) == "C:" and t.ntype[drive] == DIRWIN
    users = t.cwd("C:/Users", 0)
    assert users is not None and t.getpath(users) == "C:/Users/"
    assert shell_out(t, cat, "cd C:/Users") == "cwd is: C:/Users/\n"
    t.node = 0
    assert t.mark_elements(["C:/Users/*"]) == 1


def test_non_ascii_names(cat):
    rows = [("/x/Grüße.txt", lstat(), "x", 1), ("/x/b.txt", lstat(), "x", 2), ("/x/", D, "0", 3)]
    t = build_tree(cat, [job(cat, rows)])
    x = t.cwd("/x")
    assert [t.name(c) for c in t.child_list(x)] == ["Grüße.txt", "b.txt"] or \
        [t.name(c) for c in t.child_list(x)] == ["b.txt", "Grüße.txt"]
    assert t.cwd("/x") == x and t.getpath(t.child_list(x)[0]).startswith("/x/")
