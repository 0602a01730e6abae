import io
import subprocess
import sys

from bareos.dird.config import SCHEMA
from bareos.lib.config import cli
from bareos.stored import daemon as sd_daemon

from .conftest import fill_templates


def test_test_config_ok_and_error(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    out, err = io.StringIO(), io.StringIO()
    args, cfg = cli.parse_and_load(["-t", "-c", tree], SCHEMA, "bareos-dir", out=out, err=err)
    assert cfg is None and args.exit_code == 0
    bad = tmp_path / "etc" / "bareos-dir.d" / "pool" / "Bad.conf"
    bad.write_text("Pool {\n  Name = Bad\n  Frobnicate = 1\n}\n")
    args, cfg = cli.parse_and_load(["-t", "-c", tree], SCHEMA, "bareos-dir", out=out, err=err)
    assert args.exit_code == 1
    msg = err.getvalue()
    assert str(bad) + ":3:" in msg and "Frobnicate" in msg


def test_export_config(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    out = io.StringIO()
    args, cfg = cli.parse_and_load(["--xc", "-c", tree], SCHEMA, "bareos-dir", out=out)
    assert cfg is None and args.exit_code == 0
    text = out.getvalue()
    assert text.startswith("Director {\n")
    assert 'Name = "bareos-mon"' in text


def test_normal_run_returns_config(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    args, cfg = cli.parse_and_load(["-f", "-d", "100", "-c", tree], SCHEMA, "bareos-dir")
    assert cfg.first("Director").name == "bareos-dir"
    assert args.foreground and cli.debug_level(args) == 100


def test_daemons_test_their_configuration(tmp_path):
    tree = fill_templates(str(tmp_path / "etc"))
    for module in ("bareos.stored.daemon", "bareos.filed.daemon", "bareos.dird.daemon"):
        ok = subprocess.run([sys.executable, "-m", module, "-t", "-c", tree],
                            capture_output=True, text=True)
        assert ok.returncode == 0, (module, ok.stderr)
    assert sd_daemon.main(["-t", "-c", str(tmp_path / "nowhere")]) == 1
