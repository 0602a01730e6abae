"""Plugin tests run the three real daemons (tests/integration/e2e's Site)
with plugin directories configured."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.e2e.conftest import Site, needs_psk  # noqa: F401


def add_to_resource(path: Path, *lines: str) -> None:
    text = path.read_text().rstrip()
    assert text.endswith("}"), text
    path.write_text(text[:-1] + "".join(f"  {line}\n" for line in lines) + "}\n")


class PluginSite(Site):
    def enable_plugins(self, daemon: str, plugin_dir: Path, names: str | None = None) -> None:
        rel = {"fd": "bareos-fd.d/client/myself.conf", "sd": "bareos-sd.d/storage/bareos-sd.conf",
               "dir": "bareos-dir.d/director/bareos-dir.conf"}[daemon]
        lines = [f'Plugin Directory = "{plugin_dir}"']
        if names:
            lines.append(f'Plugin Names = "{names}"')
        add_to_resource(self.base / "etc" / rel, *lines)

    def plugin_fileset(self, name: str, plugins: list[str], options: dict | None = None,
                       files: list | None = None, option_plugin: str | None = None) -> None:
        opts = {"Signature": "MD5"} if options is None else dict(options)
        body = "".join(f"      {k} = {v}\n" for k, v in opts.items())
        if option_plugin:
            body += f'      Plugin = "{option_plugin}"\n'
        entries = "".join(f'    File = "{f}"\n' for f in (files or []))
        entries += "".join(f'    Plugin = "{p}"\n' for p in plugins)
        self.dir_conf(f"fileset/{name}.conf").write_text(
            f'FileSet {{\n  Name = "{name}"\n  Include {{\n    Options {{\n{body}    }}\n'
            f"{entries}  }}\n}}\n")


def job_status(log: str) -> str:
    m = re.search(r"Termination:\s+(.*)", log)
    return m.group(1) if m else ""


@pytest.fixture
def plugin_site(tmp_path):
    sites = []

    def make(backup_dir: Path, name: str = "site") -> PluginSite:
        s = PluginSite(tmp_path / name, backup_dir)
        sites.append(s)
        return s

    yield make
    for s in sites:
        s.stop()
