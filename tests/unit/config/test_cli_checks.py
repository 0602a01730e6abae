"""``bareos-dir -t``: the checks after parsing, worded as Bareos's Director."""

import io

from bareos.dird.config import SCHEMA
from bareos.lib.config import cli

from .conftest import fill_templates


def test_second_director_is_a_fatal_error(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    extra = tmp_path / "etc" / "bareos-dir.d" / "director" / "second.conf"
    extra.write_text('Director {\n  Name = second-dir\n  Password = "x"\n}\n')
    err = io.StringIO()
    args, cfg = cli.parse_and_load(["-t", "-c", tree], SCHEMA, "bareos-dir",
                                   out=io.StringIO(), err=err)
    assert cfg is None and args.exit_code == 1
    assert err.getvalue() == ("bareos-dir JobId 0: Fatal error: Only one Director resource "
                              "permitted in %s\n" % tree)


def test_check_errors_end_the_run_and_warnings_do_not(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    seen = []

    def check(cfg, test_only):
        seen.append(test_only)
        return ["Could not open Catalog \"MyCatalog\": no"], []

    err = io.StringIO()
    args, cfg = cli.parse_and_load(["-t", "-c", tree], SCHEMA, "bareos-dir",
                                   out=io.StringIO(), err=err, check=check)
    assert cfg is None and args.exit_code == 1 and seen == [True]
    assert 'bareos-dir JobId 0: Fatal error: Could not open Catalog "MyCatalog": no\n' in err.getvalue()
    assert "Please correct configuration file: %s\n" % tree in err.getvalue()
    err = io.StringIO()
    args, cfg = cli.parse_and_load(["-c", tree], SCHEMA, "bareos-dir", out=io.StringIO(), err=err,
                                   check=lambda cfg, t: ([], ["server away"]))
    assert cfg is not None and err.getvalue() == "bareos-dir: Warning: server away\n"
