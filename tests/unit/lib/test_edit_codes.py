"""edit_codes: the %-code replacement of job scripts, messages and changer commands."""

from __future__ import annotations

from bareos.lib.edit import edit_codes


def test_edit_codes_variants():
    codes = {"%": "%", "j": "Job.1"}
    assert edit_codes("run %j %x 100%% %", codes) == "run Job.1 %x 100% %"
    assert edit_codes("run %j %x %", codes, keep_unknown=False, keep_lone=False) == "run Job.1  "
