"""Bootstrap files: parsing, writing, and record selection."""

import pytest

from bareos.lib.bsr import (
    ALL_DONE, MATCH, NO_MATCH, Bsr, BsrEntry, BsrError, BsrMatcher, BsrVolume, format_bsr,
    load_bsr, parse_bsr,
)
from bareos.lib.stat import encode_attributes
from bareos.stored.volume.label import SessionLabel
from bareos.stored.volume.record import Record

DIRECTOR_BSR = """\
Storage="File"
Volume="Full-0001"
MediaType="File"
Device="FileStorage"
VolSessionId=1
VolSessionTime=1562050726
VolAddr=209-822
FileIndex=1-5
FileIndex=9
Count=6
Storage="File"
Volume="Full-0002|Full-0003"
MediaType="File"
Slot=3
VolSessionId=2
VolSessionTime=1562050726
VolAddr=189-99999
FileIndex=1-2
Count=2
"""


def test_parse_director_bsr():
    bsr = parse_bsr(DIRECTOR_BSR, "restore.bsr")
    assert len(bsr.entries) == 2
    e1, e2 = bsr.entries
    assert e1.volume_names == ["Full-0001"] and e1.storage == "File"
    assert (e1.volumes[0].media_type, e1.volumes[0].device) == ("File", "FileStorage")
    assert e1.sessids == [(1, 1)] and e1.sesstimes == [1562050726]
    assert e1.voladdrs == [(209, 822)] and e1.fileindexes == [(1, 5), (9, 9)] and e1.count == 6
    assert e2.volume_names == ["Full-0002", "Full-0003"] and e2.storage == "File"
    assert [v.media_type for v in e2.volumes] == ["File", "File"]
    assert e2.volumes[0].slot == 3
    assert bsr.use_fast_rejection and bsr.use_positioning
    assert [v.name for v in bsr.volume_list()] == ["Full-0001", "Full-0002", "Full-0003"]
    assert e1.start_address() == 209


def test_format_is_what_the_director_writes_and_round_trips():
    bsr = parse_bsr(DIRECTOR_BSR)
    text = format_bsr(bsr)
    assert text.splitlines()[:10] == DIRECTOR_BSR.splitlines()[:10]
    assert parse_bsr(text) == parse_bsr(DIRECTOR_BSR)


def test_lexer_details(tmp_path):
    text = """# a comment line
volume = "Vol 1"   # trailing comment
  mediatype=File ; VOLSESSIONID = 1-3,7
VolSessionTime=10,20
FileIndex=1,4-6, 8
JobId=3
Job=backup.2026-01-01_00.00.00_01
Client="my-fd"
Stream=2,-29
VolFile=0-1
VolBlock=0-4294967295
Include=anything at all here
JobType=B
"""
    p = tmp_path / "x.bsr"
    p.write_text(text)
    bsr = load_bsr(p)
    (e,) = bsr.entries
    assert e.volume_names == ["Vol 1"] and e.volumes[0].media_type == "File"
    assert e.sessids == [(1, 3), (7, 7)] and e.sesstimes == [10, 20]
    assert e.fileindexes == [(1, 1), (4, 6), (8, 8)]
    assert e.jobids == [(3, 3)] and e.jobs == ["backup.2026-01-01_00.00.00_01"]
    assert e.clients == ["my-fd"] and e.streams == [2, -29]
    assert e.volfiles == [(0, 1)] and e.volblocks == [(0, 4294967295)]
    assert bsr.warnings and "JobType" in bsr.warnings[0]
    assert bsr.use_positioning and bsr.use_fast_rejection
    assert parse_bsr(format_bsr(bsr)).entries == bsr.entries


@pytest.mark.parametrize("text,line,needle", [
    ("Volume=a\nFrobnicate=1\n", 2, "Keyword Frobnicate not found"),
    ("Volume=a\nFileIndex 1\n", 2, "expected an equals"),
    ("Volume=a\nFileIndex=x\n", 2, "expected a number"),
    ("Volume=a\nFileIndex=5-2\n", 2, "runs backwards"),
    ("Volume=\"open\n", 1, "unterminated"),
    ("Volume=a\nVolSessionId=-1\n", 2, "out of range"),
    ("Volume=a\nFileRegex=\"(\"\n", 2, "REGEX"),
])
def test_errors_name_file_and_line(text, line, needle):
    with pytest.raises(BsrError) as exc:
        parse_bsr(text, "bad.bsr")
    assert exc.value.line == line and exc.value.filename == "bad.bsr"
    assert needle in str(exc.value) and "bad.bsr:" in str(exc.value)


def test_mediatype_before_volume_is_a_warning():
    bsr = parse_bsr("MediaType=File\nVolume=a\n", "w.bsr")
    assert bsr.warnings and "inappropriate place" in bsr.warnings[0]
    assert bsr.entries[0].volume_names == ["a"]


def _rec(fi, stream=2, sid=1, stime=1562050726, addr=500, data=b""):
    return Record(fi, stream, data, sid, stime, address=addr)


def test_match_file_indexes_and_done():
    bsr = parse_bsr("Volume=V\nVolSessionId=1\nVolSessionTime=1562050726\nFileIndex=2-3\n"
                    "FileIndex=5\n")
    m = BsrMatcher(bsr)
    assert m.match("V", _rec(1)) == NO_MATCH
    assert m.match("V", _rec(2)) == MATCH
    assert m.match("V", _rec(2, stream=3)) == MATCH
    assert m.match("V", _rec(3)) == MATCH
    assert m.match("Other", _rec(3)) == NO_MATCH          # the volume must match
    assert m.match("V", _rec(3, sid=2)) == NO_MATCH       # another session
    assert m.match("V", _rec(4)) == NO_MATCH
    assert m.match("V", _rec(5)) == MATCH
    assert not m.done
    assert m.match("V", _rec(6)) == ALL_DONE              # past every range
    assert m.done


def test_match_voladdr_and_done_by_position():
    bsr = parse_bsr("Volume=V\nVolAddr=100-199\nVolAddr=300-399\n")
    m = BsrMatcher(bsr)
    assert m.match("V", _rec(1, addr=50)) == NO_MATCH
    assert m.match("V", _rec(1, addr=150)) == MATCH
    assert m.match("V", _rec(2, addr=250)) == NO_MATCH
    assert m.match("V", _rec(3, addr=399)) == MATCH
    assert m.match("V", _rec(4, addr=400)) == ALL_DONE


def test_match_volfile_uses_high_half_of_the_address():
    bsr = parse_bsr("Volume=V\nVolFile=1\n")
    m = BsrMatcher(bsr)
    assert m.match("V", _rec(1, addr=(0 << 32) | 5)) == NO_MATCH
    assert m.match("V", _rec(1, addr=(1 << 32) | 5)) == MATCH
    assert m.match("V", _rec(1, addr=(2 << 32))) == ALL_DONE


def test_session_time_done():
    bsr = parse_bsr("Volume=V\nVolSessionTime=100\n")
    m = BsrMatcher(bsr)
    assert m.match("V", _rec(1, stime=100)) == MATCH
    assert m.match("V", _rec(1, stime=101)) == ALL_DONE


def test_two_entries_done_only_when_both_are():
    bsr = parse_bsr("Volume=V\nVolSessionId=1\nVolSessionTime=7\nFileIndex=1\n"
                    "Volume=V\nVolSessionId=2\nVolSessionTime=7\nFileIndex=1-2\n")
    m = BsrMatcher(bsr)
    assert m.match("V", _rec(1, sid=1, stime=7)) == MATCH
    assert m.match("V", _rec(2, sid=1, stime=7)) == NO_MATCH      # entry 1 done, 2 not
    assert m.match("V", _rec(2, sid=2, stime=7)) == MATCH
    assert m.match("V", _rec(3, sid=2, stime=7)) == ALL_DONE


def test_count_stops_after_the_last_file_is_complete():
    bsr = parse_bsr("Volume=V\nVolSessionId=1\nVolSessionTime=7\nFileIndex=1-100\nCount=2\n")
    m = BsrMatcher(bsr)
    assert m.match("V", _rec(1, stime=7, stream=1)) == MATCH
    assert m.match("V", _rec(1, stime=7, stream=2)) == MATCH
    assert m.match("V", _rec(2, stime=7, stream=1)) == MATCH
    assert m.match("V", _rec(2, stime=7, stream=2)) == MATCH   # rest of the last file
    assert m.match("V", _rec(3, stime=7)) == ALL_DONE


def test_fast_block_rejection():
    bsr = parse_bsr(DIRECTOR_BSR)
    m = BsrMatcher(bsr)
    assert m.match_block(1, 1562050726)
    assert m.match_block(2, 1562050726)
    assert not m.match_block(3, 1562050726)
    assert not m.match_block(1, 1)
    loose = BsrMatcher(parse_bsr("Volume=V\nFileIndex=1\n"))
    assert loose.match_block(99, 99)           # no session given: cannot reject


def test_file_regex_selects_by_attribute_name():
    bsr = parse_bsr('Volume=V\nFileRegex="\\.conf$"\n')
    m = BsrMatcher(bsr)
    conf = encode_attributes(1, 3, "/etc/bareos/bareos-sd.conf", "A")
    other = encode_attributes(2, 3, "/etc/passwd", "A")
    assert m.match("V", _rec(1, stream=1, data=conf)) == MATCH
    assert m.match("V", _rec(1, stream=2, data=b"file data")) == MATCH
    assert m.match("V", _rec(2, stream=1, data=other)) == NO_MATCH
    assert m.match("V", _rec(2, stream=2, data=b"skipped data")) == NO_MATCH


def test_job_client_and_stream_selection_uses_the_session_label():
    bsr = parse_bsr("Volume=V\nJobId=3-4\nClient=fd1\nStream=2\n")
    m = BsrMatcher(bsr)
    sess = SessionLabel(job_id=3, client_name="fd1", job="j.3")
    assert m.match("V", _rec(1, stream=2), session=sess) == MATCH
    assert m.match("V", _rec(1, stream=1), session=sess) == NO_MATCH
    assert m.match("V", _rec(1, stream=2), session=SessionLabel(job_id=5, client_name="fd1")) \
        == NO_MATCH
    assert m.match("V", _rec(1, stream=2)) == NO_MATCH            # no session known


def test_wants_volume_and_programmatic_bsr():
    e = BsrEntry(volumes=[BsrVolume("A", media_type="File")], sessids=[(1, 1)],
                 sesstimes=[5], voladdrs=[(0, 10)], fileindexes=[(1, 1)], count=1)
    bsr = Bsr([e])
    text = format_bsr(bsr)
    assert text == ('Volume="A"\nMediaType="File"\nVolSessionId=1\nVolSessionTime=5\n'
                    'VolAddr=0-10\nFileIndex=1\nCount=1\n')
    m = BsrMatcher(bsr)
    assert m.wants_volume("A") and not m.wants_volume("B")


def test_repeated_record_of_the_last_match_is_matched_without_walking_the_entries():
    bsr = parse_bsr("Volume=V\nVolSessionId=1\nVolSessionTime=7\nFileIndex=1-2\nCount=2\n")
    m = BsrMatcher(bsr)
    assert m.repeats_match
    assert m.match_fields("V", 2, 1, 1, 7, 500) == MATCH
    st = m._state[0]
    found = st.found
    assert m.match_fields("V", 2, 2, 1, 7, 500) == MATCH           # the same file, same block
    assert m.match_fields("V", 2, 3, 1, 7, 500) == MATCH
    assert st.found == found == 1
    # the same FileIndex in another session, block or volume is asked for again
    assert m.match_fields("V", 2, 2, 2, 7, 500) == NO_MATCH
    assert m.match_fields("W", 2, 2, 1, 7, 500) == NO_MATCH
    assert m.match_fields("V", 2, 2, 1, 7, 900) == MATCH
    assert m.match_fields("V", 3, 1, 1, 7, 900) == ALL_DONE


@pytest.mark.parametrize("text", ["Volume=V\nStream=2\n", 'Volume=V\nFileRegex="x$"\n'])
def test_stream_and_regex_selections_ask_for_every_record(text):
    m = BsrMatcher(parse_bsr(text))
    assert not m.repeats_match
    if "Stream" in text:
        assert m.match_fields("V", 1, 2, 1, 7, 500) == MATCH
        assert m.match_fields("V", 1, 3, 1, 7, 500) == NO_MATCH   # same file, other stream
    else:
        x = encode_attributes(1, 3, "/a/x", "A")
        y = encode_attributes(2, 3, "/a/y", "A")
        assert m.match_fields("V", 1, 1, 1, 7, 500, x) == MATCH
        assert m.match_fields("V", 2, 1, 1, 7, 500, y) == NO_MATCH
        assert m.match_fields("V", 2, 2, 1, 7, 500, b"data") == NO_MATCH
