import os
import re
import shutil

import pytest

DEFAULTS = "/work/shared/bareos-data/defaultconfigs"
GOLDEN = "/work/shared/reference/golden"

PLACEHOLDERS = {
    "archivedir": "/var/lib/bareos/storage",
    "basename": "testhost",
    "bindir": "/usr/bin",
    "sbindir": "/usr/sbin",
    "confdir": "/etc/bareos",
    "db_name": "bareos",
    "db_password": "dbpw",
    "db_user": "bareos",
    "dir_password": "dirpw",
    "fd_password": "fdpw",
    "sd_password": "sdpw",
    "mon_dir_password": "mondirpw",
    "mon_fd_password": "monfdpw",
    "mon_sd_password": "monsdpw",
    "hostname": "localhost",
    "job_email": "root@localhost",
    "smtp_host": "localhost",
    "logdir": "/var/log/bareos",
    "plugindir": "/usr/lib/bareos/plugins",
    "scriptdir": "/usr/lib/bareos/scripts",
    "working_dir": "/var/lib/bareos",
    "workingdir": "/var/lib/bareos",
    "backenddir": "/usr/lib/bareos/backends",
    "configtemplatedir": "/usr/lib/bareos/defaultconfigs",
    "TAPEDRIVE": "/dev/nst0",
}


def fill_templates(dest: str) -> str:
    """Copy the default config trees to dest, placeholders filled, .in dropped."""
    for root, _dirs, files in os.walk(DEFAULTS):
        rel = os.path.relpath(root, DEFAULTS)
        os.makedirs(os.path.join(dest, rel), exist_ok=True)
        for f in files:
            src = os.path.join(root, f)
            name = f[:-3] if f.endswith(".in") else f
            with open(src, encoding="utf-8") as fh:
                text = fh.read()
            text = re.sub(r"@([A-Za-z_]+)@",
                          lambda m: PLACEHOLDERS.get(m.group(1), m.group(0)), text)
            with open(os.path.join(dest, rel, name), "w", encoding="utf-8") as fh:
                fh.write(text)
    return dest


@pytest.fixture
def default_tree(tmp_path):
    return fill_templates(str(tmp_path / "etc"))


@pytest.fixture
def golden_paths():
    from bareos.lib.config.paths import set_paths
    set_paths(prefix="/srv/bareos-demo")
    yield
    set_paths()
