"""The Director's side of Verify jobs without daemons: the FD's lines and
the comparison with catalog rows (Bareos's messages)."""

from __future__ import annotations

import os

from bareos.dird.verify import CatalogCompare, compare_stat, parse_fd_line, verify_term_text
from bareos.filed.verify import attribute_line, digest_line
from bareos.lib import jmsg
from bareos.lib.stat import StatPacket, encode_stat
from bareos.lib.streams import STREAM_XXH128_DIGEST


def _lstat(**kw) -> str:
    base = dict(st_dev=1, st_ino=10, st_mode=0o100644, st_nlink=1, st_uid=0, st_gid=0,
                st_size=6, st_atime=100, st_mtime=200, st_ctime=300)
    base.update(kw)
    return encode_stat(StatPacket(**base))


def test_fd_lines_round_trip():
    line = parse_fd_line(attribute_line(3, "Vpins5", "/a b/c", _lstat(), b""))
    assert (line.file_index, line.stream, line.opts, line.fname) == (3, 1, "Vpins5", "/a b/c")
    assert line.lstat == _lstat()
    link = parse_fd_line(attribute_line(4, "V", "/l", _lstat(), "target"))
    assert link.link == "target"
    dig = parse_fd_line(digest_line(3, STREAM_XXH128_DIGEST, b"\x01" * 16))
    assert dig.stream == STREAM_XXH128_DIGEST and dig.file_index == 3
    assert dig.opts == "AQEBAQEBAQEBAQEBAQEBAQ"
    assert parse_fd_line(b"garbage") is None


def test_compare_stat_letters():
    lines, digest = compare_stat("Vpins5", _lstat(), _lstat(st_size=18, st_mode=0o100600))
    assert lines == ["      st_mode  differ. Cat: 81a4 File: 8180\n",
                     "      st_size  differ. Cat: 6 File: 18\n"]
    assert digest
    lines, digest = compare_stat("V", _lstat(), _lstat(st_size=18))
    assert lines == [] and not digest
    lines, _ = compare_stat("md", _lstat(), _lstat(st_mtime=201, st_size=5))
    assert lines == ["      st_mtime differs\n", "      st_size  decrease. Cat: 6 File: 5\n"]


def test_catalog_compare_reports_new_changed_and_missing():
    said = []
    rows = [{"Path": "/d/", "Name": "a", "LStat": _lstat(), "Md5": "AAAA", "FileIndex": 1},
            {"Path": "/d/", "Name": "gone", "LStat": _lstat(), "Md5": "0", "FileIndex": 2},
            {"Path": "/d/", "Name": "deleted", "LStat": _lstat(), "Md5": "0", "FileIndex": 0}]
    cmp = CatalogCompare(rows, lambda t, text: said.append((t, text)))
    assert cmp.line(parse_fd_line(attribute_line(1, "Vs5", "/d/a", _lstat(st_size=7)))) is None
    cmp.line(parse_fd_line(b"1 %d BBBB *XXH128-1*" % STREAM_XXH128_DIGEST))
    cmp.line(parse_fd_line(attribute_line(2, "Vs5", "/d/new", _lstat())))
    assert cmp.missing() == ["/d/gone"]
    assert said == [
        (jmsg.M_INFO, "File: /d/a\n"),
        (jmsg.M_INFO, "      st_size  differ. Cat: 6 File: 7\n"),
        (jmsg.M_INFO, "      XXH128 differs. File=BBBB Cat=AAAA\n"),
        (jmsg.M_INFO, "New file: /d/new\n"),
        (jmsg.M_WARNING, "The following files are in the Catalog but not on disk:\n"),
        (jmsg.M_INFO, "      /d/gone\n"),
    ]
    assert cmp.differences and cmp.files == 2
    # a digest line for another file than the last attributes is an error
    assert "not same as attributes" in cmp.line(parse_fd_line(b"9 %d X *XXH128-9*" % STREAM_XXH128_DIGEST))


def test_unchanged_files_give_no_difference():
    said = []
    st = os.stat(__file__)
    lstat = encode_stat(st)
    cmp = CatalogCompare([{"Path": "/x/", "Name": "f", "LStat": lstat, "Md5": "Q", "FileIndex": 1}],
                         lambda t, text: said.append(text))
    cmp.line(parse_fd_line(attribute_line(1, "Vpinsugmc5", "/x/f", lstat)))
    cmp.line(parse_fd_line(b"1 %d Q *XXH128-1*" % STREAM_XXH128_DIGEST))
    assert cmp.missing() == [] and said == [] and not cmp.differences


def test_term_texts():
    assert verify_term_text("T") == "Verify OK"
    assert verify_term_text("D") == "Verify Differences"
    assert verify_term_text("f") == "*** Verify Error ***"
    assert verify_term_text("A") == "Verify Canceled"
