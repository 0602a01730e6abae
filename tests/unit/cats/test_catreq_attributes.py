"""The Director's attribute path (CatalogService.upd_cat) on each catalog backend,
and its fast attribute parser against bareos.lib.stat.decode_attributes."""

from __future__ import annotations

import os
import types

from hypothesis import given, settings
from hypothesis import strategies as st

from bareos.dird.catreq import CatalogService, _attribute_fields
from bareos.lib import streams
from bareos.lib.base64 import bin_to_base64
from bareos.lib.stat import decode_attributes, encode_attributes
from bareos.stored import protocol as P

LSTAT = "P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C"


def _slow_fields(data: bytes):
    try:
        a = decode_attributes(data)
    except Exception:
        return "error"
    return (a.type, a.fname, a.lstat, int(a.delta_seq or 0))


@settings(max_examples=300)
@given(st.integers(-5, 10**6), st.sampled_from([3, 4, 5, 23, 25, 3 | streams.AR_DATA_STREAM, 70000]),
       st.binary(max_size=40).filter(lambda b: b"\0" not in b),
       st.sampled_from([b"0", b"", b"12", b"x", b" 3", b"-1"]),
       st.booleans())
def test_fast_fields_agree_with_decode_attributes(fi, ftype, name, tail, terminated):
    data = b"%d %d " % (fi, ftype) + name + b"\0" + LSTAT.encode() + b"\0link\0\0" + tail
    if terminated:
        data += b"\0"
    fast = _attribute_fields(data)
    if fast is not None:
        assert fast == _slow_fields(data)


@settings(max_examples=200)
@given(st.binary(max_size=60))
def test_fast_fields_on_garbage(data):
    fast = _attribute_fields(data)
    if fast is not None:
        assert fast == _slow_fields(data)


def _updcat(fi: int, stream: int, data: bytes) -> bytes:
    return P.update_file_attributes("job.1", 1, 2, fi, stream, data)


def test_upd_cat_files_rows_as_the_reference_path(cat):
    jid = cat.create_job("job.1", "job", "B", "F")
    ref = cat.create_job("ref.1", "ref", "B", "F")
    svc = CatalogService(types.SimpleNamespace(jobid=jid, msg=lambda *a: None), cat)
    expected = []
    fi = 0
    for d in range(3):
        fi += 1
        dname = f"/data/dir {d}/"
        svc.upd_cat(_updcat(fi, streams.STREAM_UNIX_ATTRIBUTES,
                            encode_attributes(fi, streams.FT_DIREND, dname, LSTAT)))
        expected.append((dname, LSTAT, "0", fi, 0))
        for k in range(4):
            fi += 1
            name = f"/data/dir {d}/f{k}".encode() + (b"\xff\xfe" if k == 3 else b"")
            digest = os.urandom(16)
            svc.upd_cat(_updcat(fi, streams.STREAM_UNIX_ATTRIBUTES,
                                encode_attributes(fi, streams.FT_REG, name, LSTAT, delta_seq=k)))
            svc.upd_cat(_updcat(fi, streams.STREAM_MD5_DIGEST, digest))
            stored = name.decode("latin-1") if k == 3 else name.decode()
            expected.append((stored, LSTAT, bin_to_base64(digest, compatible=True), fi, k))
    fi += 1
    svc.upd_cat(_updcat(fi, streams.STREAM_UNIX_ATTRIBUTES,
                        encode_attributes(fi, streams.FT_DELETED, "/data/gone", LSTAT)))
    expected.append(("/data/gone", LSTAT, "0", 0, 0))
    fi += 1
    flagged = encode_attributes(fi, streams.FT_REG | streams.AR_DATA_STREAM, "/data/flagged",
                                LSTAT)[:-2] + b"C\0"
    svc.upd_cat(_updcat(fi, streams.STREAM_UNIX_ATTRIBUTES_EX, flagged))
    expected.append(("/data/flagged", LSTAT, "0", fi, 0))
    svc.upd_cat(_updcat(fi + 1, streams.STREAM_UNIX_ATTRIBUTES, b"garbage"))  # skipped
    svc.finish()
    cat.insert_attributes(ref, expected)

    def rows(job_id):
        return [(f["Path"], f["Name"], f["LStat"], f["Md5"], f["FileIndex"], f["DeltaSeq"])
                for f in cat.get_files(job_id)]

    assert svc.files == len(expected)
    assert rows(jid) == rows(ref)
    assert len(rows(jid)) == len(expected)
