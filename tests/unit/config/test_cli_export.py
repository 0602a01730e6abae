"""``--xc [<resource_type> [<name>]]`` as Bareos 25's daemons take it (the
config-dump systemtest): all, one type, one resource; 1 when nothing matches."""

import io
import subprocess
import sys

from bareos.dird.config import SCHEMA
from bareos.lib.config import cli

from .conftest import fill_templates


def _xc(tree, *words):
    out, err = io.StringIO(), io.StringIO()
    args, cfg = cli.parse_and_load(["-c", tree, "--xc", *words], SCHEMA, "bareos-dir",
                                   out=out, err=err)
    assert cfg is None
    return args.exit_code, out.getvalue(), err.getvalue()


def test_xc_type_and_name(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    rc, text, _ = _xc(tree, "console")
    assert rc == 0
    assert text.startswith("Console {\n") and 'Name = "bareos-mon"' in text
    assert "Director {" not in text
    rc, jobs, _ = _xc(tree, "job")
    assert rc == 0 and jobs.count("Job {\n") >= 2 and "\n}\n\nJob {\n" in jobs and "\n\n\n" not in jobs
    rc, one, _ = _xc(tree, "Console", "bareos-mon")
    assert rc == 0 and one.count("Console {\n") == 1 and 'Name = "bareos-mon"' in one
    # the old one-word form
    rc, same, _ = _xc(tree, "console=bareos-mon")
    assert rc == 0 and same == one


def test_xc_failures(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    for words in (["console admin"], ["console", "DOESNOTEXIST"], ["DOESNOTEXIST"],
                  ["counter"], ["console", "bareos-mon", "extra"]):
        rc, text, err = _xc(tree, *words)
        assert rc == 1, words
        assert text == "" and err, words


def test_xc_exit_status_of_the_program(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    ok = subprocess.run([sys.executable, "-m", "bareos.dird.daemon", "-c", tree, "--xc",
                         "director"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("Director {\n")
    bad = subprocess.run([sys.executable, "-m", "bareos.dird.daemon", "-c", tree, "--xc",
                          "counter"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stdout == ""


def test_xc_type_with_empty_name_is_every_resource_of_the_type(tmp_path):
    # config-dump's compare_export_config passes "console" "" for all consoles
    tree = fill_templates(str(tmp_path / "etc"))
    rc, every, _ = _xc(tree, "console")
    rc2, with_empty, _ = _xc(tree, "console", "")
    assert rc == rc2 == 0 and with_empty == every
    # the Director's internal "*UserAgent*" console is not exported
    assert "*UserAgent*" not in every
