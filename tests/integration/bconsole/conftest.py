"""Helpers to run the real bconsole program against a Director on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DIR_PASSWORD

RUN_TIMEOUT = 60


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def bconsole_conf(port: int, *, director_password: str | None = DIR_PASSWORD,
                  console: tuple[str, str] | None = None, tls: bool = True,
                  director_name: str = "bareos-dir", extra_directors: str = "",
                  console_extra: str = "") -> str:
    lines = ["Director {", f"  Name = {director_name}", "  Address = 127.0.0.1", f"  DirPort = {port}"]
    if director_password is not None:
        lines.append(f'  Password = "{director_password}"')
    if not tls:
        lines.append("  TLS Enable = no")
    lines += ["}", ""]
    if console is not None:
        name, pw = console
        lines += ["Console {", f"  Name = {name}", f'  Password = "{pw}"']
        if not tls:
            lines.append("  TLS Enable = no")
        if console_extra:
            lines.append(console_extra)
        lines += ["}", ""]
    return "\n".join(lines) + extra_directors


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def run_bconsole(tmp_path, home):
    """Run ``python -m bareos.console.bconsole`` with the given config text and stdin."""

    def run(conf_text: str | None, *args: str, stdin: str = "", conf_name: str = "bconsole.conf",
            env: dict | None = None) -> Result:
        cmd = [sys.executable, "-m", "bareos.console.bconsole"]
        if conf_text is not None:
            conf = tmp_path / conf_name
            conf.write_text(conf_text)
            cmd += ["-c", str(conf)]
        cmd += list(args)
        e = dict(os.environ, HOME=str(home))
        e.pop("BCONSOLE_ALLOW_UNSAFE_COMMANDS", None)
        if env:
            e.update(env)
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                           env=e, cwd=str(tmp_path))
        return Result(p.returncode, p.stdout, p.stderr)

    return run
