"""The walk's short way for regular files (FindFiles._walk_entries) reports
the same files with the same types as the general way (find_one), and the
since test of an Incremental is made on whole seconds like Bareos's."""

from __future__ import annotations

import os

from bareos.findlib import fileset as fsm
from bareos.findlib.find import FindFiles, since_time_check
from bareos.lib.streams import FT_DIREND, FT_LNK, FT_LNKSAVED, FT_NOCHG, FT_REG, FT_REGE

T_OLD = 1_600_000_000          # 2020-09-13
T_NEW = 1_700_000_000          # 2023-11-14


def _tree(root):
    (root / "d").mkdir()
    for i in range(20):
        (root / "d" / f"f{i}").write_bytes(b"x" * i)
    (root / "d" / "empty").write_bytes(b"")
    (root / "d" / "lnk").symlink_to("f1")
    os.link(root / "d" / "f2", root / "hard2")
    (root / "old").write_bytes(b"old")
    (root / "oldm").write_bytes(b"old mtime, new ctime")
    return root


def _walk(fs, check=None, on_unchanged=None, trivial=True):
    seen = []
    unchanged = []

    def handle(ff):
        seen.append((ff.type, ff.fname))
        ff.file_index = len(seen)        # as the backup numbers what it saves
        return 1

    def unch(fname, st, opts):
        unchanged.append(fname)
        return 1

    f = FindFiles(fs, handle, check_changes=check, on_unchanged=unch if on_unchanged else None)
    if not trivial:
        # force the general way for every entry
        f._trivial_accept = lambda incexe: False
    assert f.run()
    return sorted(seen), sorted(unchanged)


def test_full_walk_same_types_both_ways(tmp_path):
    _tree(tmp_path)
    fs = fsm.parse_fileset(["I", "O M", "N", f"F {tmp_path}", "N"])
    fast, _ = _walk(fs)
    slow, _ = _walk(fs, trivial=False)
    assert fast == slow
    types = dict((n, t) for t, n in fast if t != FT_DIREND)
    assert types[f"{tmp_path}/d/f3"] == FT_REG
    assert types[f"{tmp_path}/d/empty"] == FT_REGE
    assert types[f"{tmp_path}/d/lnk"] == FT_LNK
    # one name of the hard-link pair carries the data, the other points to it
    assert {types[f"{tmp_path}/d/f2"], types[f"{tmp_path}/hard2"]} == {FT_REG, FT_LNKSAVED}


def test_incremental_unchanged_files_go_to_on_unchanged(tmp_path):
    _tree(tmp_path)
    for p in tmp_path.rglob("*"):
        if not p.is_symlink():
            os.utime(p, (T_OLD, T_OLD))
    # ctime is "now" for every file: only mtimeonly makes them unchanged
    fs_m = fsm.parse_fileset(["I", "O Mm", "N", f"F {tmp_path}", "N"])
    since = T_NEW
    seen, unchanged = _walk(fs_m, since_time_check(since, True), on_unchanged=True)
    seen_slow, _ = _walk(fs_m, since_time_check(since, True), trivial=False)
    # the regular files with one link are counted by on_unchanged, the rest
    # still come as FT_NOCHG packets; together they are what the slow way gives
    assert f"{tmp_path}/d/f5" in unchanged
    assert f"{tmp_path}/hard2" not in unchanged
    fast_all = sorted(seen + [(FT_NOCHG, n) for n in unchanged])
    assert fast_all == seen_slow
    # without mtimeonly the ctime makes every file changed
    fs = fsm.parse_fileset(["I", "O M", "N", f"F {tmp_path}", "N"])
    seen2, unchanged2 = _walk(fs, since_time_check(since, True), on_unchanged=True)
    assert unchanged2 == []
    assert (FT_REG, f"{tmp_path}/d/f5") in seen2


def test_since_compares_whole_seconds(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x")
    # mtime = since - 1 ns: its whole second is since - 1, so unchanged
    # (a float of the time would round it up to since)
    since = T_NEW
    os.utime(p, ns=(since * 10**9 - 1, since * 10**9 - 1))
    fs = fsm.parse_fileset(["I", "O Mm", "N", f"F {tmp_path}", "N"])
    _, unchanged = _walk(fs, since_time_check(since, True), on_unchanged=True)
    assert unchanged == [str(p)]
    os.utime(p, ns=(since * 10**9, since * 10**9))
    seen, unchanged = _walk(fs, since_time_check(since, True), on_unchanged=True)
    assert unchanged == []
    assert (FT_REG, str(p)) in seen
