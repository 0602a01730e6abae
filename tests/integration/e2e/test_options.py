"""Every Signature and Compression of a FileSet's Options backs up and
restores identically through the three real daemons; the catalog holds a
digest of the right length and the job report the compression."""

from __future__ import annotations

import os
import random
import re

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk

# Signature -> length of the catalog's base64 digest (Bareos's base64, no padding)
SIGNATURES = {"MD5": 22, "SHA1": 27, "SHA256": 43, "SHA512": 86, "XXH128": 22}
# Compression -> the name Bareos's job report gives it
COMPRESSIONS = {"GZIP": "gzip", "GZIP9": "gzip9", "LZ4": "lz4", "LZO": "lzo"}


def make_tree(root):
    rnd = random.Random(11)
    (root / "d").mkdir(parents=True)
    (root / "text.txt").write_text("".join(f"line {i} of a compressible file\n" for i in range(40000)))
    (root / "random.bin").write_bytes(rnd.randbytes(300_000))   # incompressible
    (root / "d" / "zeros.bin").write_bytes(bytes(200_000))
    (root / "d" / "empty").write_bytes(b"")
    (root / "d" / "small.txt").write_text("x")
    with open(root / "sparse.bin", "wb") as f:
        f.seek(3 << 20)
        f.write(b"after a hole" * 1000)
    os.symlink("text.txt", root / "link")


def test_signatures_and_compressions_round_trip(site_factory, tmp_path):
    src = tmp_path / "data"
    make_tree(src)
    site = site_factory(src)
    variants = []
    for sig in SIGNATURES:
        variants.append((f"sig-{sig}", {"Signature": sig}))
    for comp in COMPRESSIONS:
        variants.append((f"comp-{comp}", {"Signature": "MD5", "Compression": comp}))
    variants.append(("comp-GZIP-sparse", {"Signature": "SHA1", "Compression": "GZIP", "Sparse": "yes"}))
    variants.append(("comp-LZ4-sparse", {"Signature": "XXH128", "Compression": "LZ4", "Sparse": "yes"}))
    for name, opts in variants:
        site.write_fileset(f"FS-{name}", opts)
        site.add_backup_job(f"job-{name}", f"FS-{name}")
    site.start()
    con = site.console()
    try:
        problems = {}
        for name, opts in variants:
            jobid, status = site.run_job(con, f"run job=job-{name} level=Full yes")
            log = site.job_log(con, jobid)
            assert status == "T", log
            comp = opts.get("Compression")
            m = re.search(r"Software Compression: +(.*)\n", log)
            assert m, log
            if comp:
                # Bareos prints the saving and the algorithm, e.g. "71.3 % (lz4)"
                assert re.fullmatch(rf"\d+\.\d % \({COMPRESSIONS[comp]}\)", m.group(1)), (name, m.group(1))
            else:
                assert m.group(1) == "None", (name, m.group(1))
            # the catalog holds the digest of every regular file with data
            rows = con.call(f'.sql query="SELECT File.MD5 FROM File WHERE JobId={jobid} '
                            f"AND Name LIKE '%.txt'\"").decode()
            digests = re.findall(r"\|\s*([A-Za-z0-9+/]{10,})\s*\|", rows)
            assert len(digests) == 2, (name, rows)
            want = SIGNATURES[opts["Signature"]]
            assert {len(d) for d in digests} == {want}, (name, rows)
            where = tmp_path / "restored" / name
            rjobid, rstatus = site.restore_all(con, where, fileset=f"FS-{name}")
            rlog = site.job_log(con, rjobid)
            assert rstatus == "T", rlog
            assert "mismatch" not in rlog, rlog
            diff = compare_strict(src, where / str(src).lstrip("/"))
            if diff:
                problems[name] = diff
        assert problems == {}
    finally:
        con.close()
