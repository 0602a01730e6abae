"""Copy job selection types through the real daemons."""

from __future__ import annotations

import re

from .conftest import configure, job_row, joblog, make_tree, needs_psk, query, run, wait

pytestmark = needs_psk


def _workers(con, control: int, op: str = "Copying") -> list[int]:
    log = joblog(con, control)
    ids = [int(x) for x in re.findall(rf"{op} JobId (\d+) started\.", log)]
    for i in ids:
        assert wait(con, i) == "T", joblog(con, i)
    return ids


def _copied(site, workers: list[int]) -> list[int]:
    """The previous JobIds the workers copied."""
    out = []
    for w in workers:
        new = job_row(site, job_row(site, w)["PriorJobId"])
        assert new["Type"] == "C"
        out.append(new["PriorJobId"])
    return sorted(out)


def test_selection_types(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=21)
    site = site_factory(src)
    configure(site, extra_jobs={
        "copy-client": 'Type = Copy\n  Pool = Full\n  Selection Type = Client\n'
                       '  Selection Pattern = "bareos-f."',
        "copy-volume": 'Type = Copy\n  Pool = Full\n  Selection Type = Volume\n'
                       '  Selection Pattern = "^Full-"',
        "copy-sql": 'Type = Copy\n  Pool = Full\n  Selection Type = SQLQuery\n'
                    "  Selection Pattern = \"SELECT JobId FROM Job WHERE Type = 'B' AND Level = 'F' "
                    "ORDER BY JobId DESC LIMIT 1\"",
        "copy-nopattern": "Type = Copy\n  Pool = Full\n  Selection Type = Job",
        "copy-nomatch": 'Type = Copy\n  Pool = Full\n  Selection Type = Job\n'
                        '  Selection Pattern = "^nothing-matches$"',
    })
    site.start()
    con = site.console()
    try:
        b1 = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, b1) == "T", joblog(con, b1)
        b2 = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, b2) == "T", joblog(con, b2)

        sel = run(con, "run job=copy-uncopied yes")
        assert wait(con, sel) == "T"
        assert f"The following 2 JobIds were chosen to be copied: {b1},{b2}" in joblog(con, sel)
        assert _copied(site, _workers(con, sel)) == [b1, b2]
        sel = run(con, "run job=copy-uncopied yes")
        assert wait(con, sel) == "T"
        assert "No JobIds found to copy." in joblog(con, sel)

        sel = run(con, "run job=copy-client yes")
        assert wait(con, sel) == "T"
        assert _copied(site, _workers(con, sel)) == [b1, b2]

        sel = run(con, "run job=copy-sql yes")
        assert wait(con, sel) == "T"
        assert f"The following 1 JobId was chosen to be copied: {b2}" in joblog(con, sel)
        assert _copied(site, _workers(con, sel)) == [b2]

        # Volume selection only looks at Full/Used volumes
        sel = run(con, "run job=copy-volume yes")
        assert wait(con, sel) == "T"
        assert 'Query of Pool "Full" returned no Jobs to copy.' in joblog(con, sel)
        query(site, "UPDATE Media SET VolStatus = 'Used' WHERE VolumeName = 'Full-0001'")
        sel = run(con, "run job=copy-volume yes")
        assert wait(con, sel) == "T"
        assert _copied(site, _workers(con, sel)) == [b1, b2]

        sel = run(con, "run job=copy-nomatch yes")
        assert wait(con, sel) == "T"
        log = joblog(con, sel)
        assert "Regex pattern matched no Jobs to copy." in log
        assert "Termination:            Copying -- no files to copy" in log

        sel = run(con, "run job=copy-nopattern yes")
        assert wait(con, sel) != "T"
        assert "No Copying Job selection pattern specified." in joblog(con, sel)
    finally:
        con.close()
