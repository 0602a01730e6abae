#!/usr/bin/env python3
"""Run one of Bareos's own systemtest scenarios against our daemons.

    python tests/scenarios/run_bareos_systemtest.py <scenario> [--mirror DIR]
        [--ref bareos-25] [--workdir DIR] [--keep] [--only NAME ...] [-v]

What it does, like Bareos's CMake does for a systemtest, but with our
programs in place of the C ones:

* takes ``systemtests/`` of the Bareos release ``--ref`` out of the git mirror
  (``--mirror``: a bare clone of github.com/bareos/bareos; default
  ``/work/.mirror/bareos+bareos/repo`` or ``$BAREOS_MIRROR``) into a scratch
  directory; nothing of it is kept in this project;
* lays out a build tree there: ``tests/<scenario>`` with every ``*.in`` file
  configured (``@var@`` replaced, as CMake's ``configure_file(@ONLY)``),
  ``environment``, ``bin/bareos``, ``bin/bconsole``, the shared ``scripts/``
  and ``data/``;
* puts our own programs in ``sbin/`` (``bareos-dir``, ``bareos-sd``,
  ``bareos-fd``, ``bconsole``, ``bls``, ``bextract``, ``bscan``: small shell
  wrappers running this interpreter with ``-m bareos...``) and our own daemon
  control scripts in ``scripts/bareos-ctl-{dir,sd,fd}`` (start in the
  background with ``-f``, wait until the daemon listens; stop with SIGTERM);
* starts a throw-away PostgreSQL server (tests/pgserver.py) for the catalog
  the scenario's ``MyCatalog`` names (``regress_<scenario>``, user
  ``regress``); the daemons find it through ``PGHOST``/``PGPORT``; the
  database scripts (``create_bareos_database`` ...) are our own small
  scripts; the Director creates the tables itself;
* runs ``testrunner`` with bash, or ``test-setup``, every ``testrunner-*``
  (in the order the scenario's CMakeLists asks, else alphabetic) and
  ``test-cleanup``, and reports which passed.

Exit status 0 when every runner passed.  The output of each runner is in
``<workdir>/build/tests/<scenario>/runner-<name>.log``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MIRROR = os.environ.get("BAREOS_MIRROR", "/work/.mirror/bareos+bareos/repo")
DEFAULT_REF = "bareos-25"

#: runners that others depend on (CMake fixtures), run first
RUN_FIRST = {
    "restore": ["testrunner-create-backup"],
    "tls-suites": ["testrunner-check-connections"],
}
#: shared scripts configured from systemtests/scripts
SHARED_SCRIPTS = ["functions", "cleanup", "redirect_output", "setup", "start_bareos.sh",
                  "check_for_zombie_jobs", "diff.pl.in", "bareos.in", "create_sparse_file.sh",
                  "bareos-ctl-funcs"]

_VAR = re.compile(r"@([A-Za-z0-9_.+-]+)@")


def configure_text(text: str, values: dict[str, str]) -> str:
    """CMake's configure_file(@ONLY): @VAR@ -> value, unknown names -> ''."""
    return _VAR.sub(lambda m: values.get(m.group(1), ""), text)


def configure_file(src: Path, dst: Path, values: dict[str, str]) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    data = src.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # e.g. a deliberately badly encoded config
        text = data.decode("latin-1")
        dst.write_bytes(configure_text(text, values).encode("latin-1"))
    else:
        dst.write_text(configure_text(text, values))
    shutil.copymode(src, dst)


def free_baseport(count: int = 10) -> int:
    """A base port with `count` consecutive free ports on 127.0.0.1 and ::1."""
    import random

    for _ in range(200):
        base = random.randrange(20000, 60000 - count)
        ok = True
        for port in range(base, base + count):
            s = socket.socket()
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
            except OSError:
                ok = False
            finally:
                s.close()
            if not ok:
                break
        if ok:
            return base
    raise RuntimeError("no free port range")


def extract_systemtests(mirror: Path, ref: str, dest: Path) -> Path:
    """git archive <ref> systemtests -> dest; returns dest."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as tmp:
        subprocess.run(["git", "-C", str(mirror), "archive", ref, "systemtests"], stdout=tmp, check=True)
        tmp.seek(0)
        with tarfile.open(fileobj=tmp) as tf:
            try:
                tf.extractall(dest, filter="tar")
            except TypeError:  # Python < 3.11.4
                tf.extractall(dest)
    return dest


# --------------------------------------------------------------------------
# our programs and scripts
# --------------------------------------------------------------------------

PROGRAMS = {
    "bareos-dir": "bareos.dird.daemon",
    "bareos-sd": "bareos.stored.daemon",
    "bareos-fd": "bareos.filed.daemon",
    "bconsole": "bareos.console.bconsole",
    "bls": "bareos.tools.bls",
    "bextract": "bareos.tools.bextract",
    "bscan": "bareos.tools.bscan",
    "gentestdata": "bareos.tools.gentestdata",
    "bcopy": "bareos.tools.bcopy",
    "random-commands": "bareos.tools.random_commands",
}

#: Bareos's test plugin spam-fd (heartbeat-interval): 50,000 job messages
#: from startBackupFile, no files.  Our own version, for our plugin loader.
SPAM_PLUGIN = '''"""spam-plugin-fd for the heartbeat-interval systemtest (generated)."""
from bareos.plugins import bRC_Skip, bRC_Stop
from bareos.plugins import bareosfd as B
from bareos.plugins.fd import FdPlugin


class SpamPlugin(FdPlugin):
    def __init__(self, ctx):
        super().__init__(ctx)
        self.sent = 0
        ctx.register_events([B.bEventBackupCommand])

    def start_backup_file(self, sp):
        if self.sent < 50000:
            self.ctx.job_message(B.M_INFO, "I am spamming (%d)\\n" % self.sent)
            self.sent += 1
            return bRC_Skip
        return bRC_Stop


PLUGIN_CLASS = SpamPlugin
'''

CTL_HELPER = r'''#!PYTHON
"""Start/stop/status of one of our daemons for a systemtest (generated)."""
import os, signal, subprocess, sys, time

kind, action = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
names = {"dir": "BAREOS_DIRECTOR_BINARY", "sd": "BAREOS_STORAGEDAEMON_BINARY",
         "fd": "BAREOS_FILEDAEMON_BINARY"}
binary = os.environ.get(names[kind], "")
confdir = os.environ.get("BAREOS_CONFIG_DIR", "")
working = os.environ.get("BAREOS_WORKING_DIR", ".")
tmp = os.environ.get("tmp", working)
label = os.path.basename(binary) or "bareos-" + kind
# one pid file per program name, as Bareos's ctl scripts find a daemon by
# its name (bin/bareos gives the daemons of a second config dir other names)
pidfile = os.path.join(working, "%s.ctl.pid" % label)
if not binary:  # bin/bareos: a config dir without this daemon
    sys.exit(0 if action == "stop" else 1)
if not os.access(binary, os.X_OK):
    print("%s not executable" % binary, file=sys.stderr)
    sys.exit(0 if action == "stop" else 1)


def read_pid():
    try:
        pid = int(open(pidfile).read().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    try:  # a zombie (our child that died) is not running
        if open("/proc/%d/stat" % pid).read().split(")")[-1].split()[0] == "Z":
            return None
    except OSError:
        pass
    return pid


def listening(pid):
    """Does process pid have a listening TCP socket?"""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A" and f[9] in inodes:
                return True
    return False


if action == "start":
    if read_pid():
        print("%s already running" % label)
        sys.exit(0)
    print("Starting the %s daemon" % label)
    test_out = os.path.join(tmp, "bareos-%s-config-test.out" % kind)
    # like bareos-ctl-*'s unquoted $2: "-u user -d 100" is several options
    args = [w for a in extra for w in a.split()]
    with open(test_out, "w") as out:
        rc = subprocess.call([binary, "-t", "-c", confdir] + args, stdout=out,
                             stderr=subprocess.STDOUT)
    if rc != 0:
        # bareos-ctl-*'s check_config shows the output and goes on; the
        # daemon would stop the same way and the script ends with "exit 0"
        sys.stdout.write(open(test_out).read())
        print("%s -t failed with %s" % (label, rc), file=sys.stderr)
        sys.exit(0)
    if os.environ.get("IGNORE_CONFIG_WARNINGS", "true") != "true":
        if "There are configuration warnings" in open(test_out).read():
            sys.stdout.write(open(test_out).read())
            sys.exit(7)
    logdir = os.environ.get("BAREOS_LOG_DIR") or working
    if not os.path.isabs(logdir):
        logdir = os.path.join(os.getcwd(), logdir)
    os.makedirs(logdir, exist_ok=True)
    logpath = os.path.join(logdir, "%s.%s.out" % (label, os.path.basename(confdir)))
    log = open(logpath, "ab")
    logstart = log.tell()
    proc = subprocess.Popen([binary, "-f", "-c", confdir] + args, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log, start_new_session=True)
    with open(pidfile, "w") as f:
        f.write("%d\n" % proc.pid)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            # a daemon that stops at start-up says why on the terminal of
            # bareos-ctl-* (it has not daemonized yet): show what it wrote
            with open(logpath, "rb") as f:
                f.seek(logstart)
                sys.stdout.write(f.read().decode("utf-8", "replace"))
            print("%s exited with %s" % (label, proc.returncode), file=sys.stderr)
            # bareos-ctl-* ends with "exit 0" whatever the daemon did
            sys.exit(0)
        # the wrapper is a shell that execs python: same pid
        if listening(proc.pid):
            sys.exit(0)
        time.sleep(0.1)
    print("%s does not listen" % label, file=sys.stderr)
    sys.exit(1)
elif action == "stop":
    pid = read_pid()
    if pid is None:
        sys.exit(0)
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 20
    while time.time() < deadline and read_pid():
        time.sleep(0.1)
    if read_pid():
        os.kill(pid, signal.SIGKILL)
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    print("%s stopped" % label)
elif action == "status":
    pid = read_pid()
    if pid:
        print("%s (pid %d) is running..." % (label, pid))
        sys.exit(0)
    print("%s is stopped" % label)
    sys.exit(1)
elif action == "restart":
    subprocess.call([sys.executable, __file__, kind, "stop"])
    sys.exit(subprocess.call([sys.executable, __file__, kind, "start"] + extra))
'''

DB_HELPER = r'''#!PYTHON
"""Catalog database scripts for a systemtest (generated): our PostgreSQL."""
import os, sys
import psycopg

what = sys.argv[1]
name = os.environ.get("db_name") or "regress"
user = os.environ.get("db_user") or "regress"
admin = dict(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user="bareos",
             dbname="postgres", autocommit=True)
with psycopg.connect(**admin) as conn:
    if what == "drop_bareos_database":
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    elif what == "create_bareos_database":
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        # as Bareos's create script: SQL_ASCII, the only encoding its Director takes
        conn.execute('CREATE DATABASE "%s" OWNER "%s" ENCODING \'SQL_ASCII\' LC_COLLATE \'C\' '
                     'LC_CTYPE \'C\' TEMPLATE template0' % (name, user))
    # make_bareos_tables / grant_bareos_privileges: the Director creates the
    # tables of an empty catalog itself, the role owns the database
if what in ("make_catalog_backup", "delete_catalog_backup"):
    # the BackupCatalog job's scripts: the dump in the working directory
    dump = os.path.join(os.environ.get("BAREOS_WORKING_DIR") or ".", name + ".sql")
    if what == "delete_catalog_backup":
        if os.path.exists(dump):
            os.unlink(dump)
    else:
        import shutil, subprocess
        pg_dump = os.path.join(os.environ.get("POSTGRES_BIN_PATH") or "", "pg_dump")
        if not os.access(pg_dump, os.X_OK):
            pg_dump = shutil.which("pg_dump") or "pg_dump"
        sys.exit(subprocess.call([pg_dump, "--no-owner", "-f", dump, "-U", user, name]))
elif what == "drop_bareos_tables":
    with psycopg.connect(**dict(admin, dbname=name)) as conn:
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                     ).fetchall():
            if isinstance(table, bytes):  # a SQL_ASCII database gives bytes
                table = table.decode("ascii", "replace")
            conn.execute('DROP TABLE IF EXISTS "%s" CASCADE' % table)
'''


def write_programs(build: Path, python: str) -> None:
    sbin = build / "sbin"
    sbin.mkdir(parents=True, exist_ok=True)
    for name, module in PROGRAMS.items():
        env = "os.environ['BCONSOLE_ALLOW_UNSAFE_COMMANDS'] = '1'\n" if name == "bconsole" else ""
        path = sbin / name
        src = str(REPO_ROOT / "src")
        # A Python script run by its interpreter: the process's arguments are
        # "<python> <this path> ...", so scripts that find their calling
        # daemon by its path in `ps -o args=` (cut at 80 columns without a
        # terminal; filesets' command.sh) see it right after the interpreter.
        path.write_text(f"#!{python}\n"
                        "import os, runpy, sys\n"
                        f"sys.path.insert(0, {src!r})\n"
                        f"os.environ['PYTHONPATH'] = os.pathsep.join(\n"
                        f"    p for p in ({src!r}, os.environ.get('PYTHONPATH', '')) if p)\n"
                        f"{env}"
                        f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n")
        path.chmod(0o755)
    scripts = build / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    helper = scripts / "ctl_helper.py"
    helper.write_text(CTL_HELPER.replace("PYTHON", python, 1))
    helper.chmod(0o755)
    for kind in ("dir", "sd", "fd"):
        p = scripts / f"bareos-ctl-{kind}"
        p.write_text(f'#!/bin/bash\nexec {python} "{helper}" {kind} "$@"\n')
        p.chmod(0o755)
    db = scripts / "db_helper.py"
    db.write_text(DB_HELPER.replace("PYTHON", python, 1))
    db.chmod(0o755)
    for name in ("drop_bareos_database", "create_bareos_database", "make_bareos_tables",
                 "grant_bareos_privileges", "update_bareos_tables", "drop_bareos_tables",
                 "make_catalog_backup", "delete_catalog_backup"):
        p = scripts / name
        p.write_text(f'#!/bin/bash\nexec {python} "{db}" {name} "$@"\n')
        p.chmod(0o755)
    mr = sbin / "messages_resource"
    mr.write_text(f"#!/bin/bash\nexport PYTHONPATH={REPO_ROOT / 'src'}\n"
                  f'exec {python} "{Path(__file__).with_name("messages_resource.py")}" "$@"\n')
    mr.chmod(0o755)
    bt = scripts / "btraceback"
    bt.write_text("#!/bin/bash\nexit 0\n")
    bt.chmod(0o755)


# --------------------------------------------------------------------------
# the test tree
# --------------------------------------------------------------------------

def _pg_bindir() -> str:
    sys.path.insert(0, str(REPO_ROOT))
    from tests.pgserver import find_pg_bindir

    return find_pg_bindir() or ""


def base_values(src: Path, build: Path, python: str) -> dict[str, str]:
    st = src / "systemtests"
    sbin = build / "sbin"
    tls = st / "tls"
    v = {
        "CMAKE_SOURCE_DIR": str(src), "CMAKE_BINARY_DIR": str(build),
        "PROJECT_SOURCE_DIR": str(st), "PROJECT_BINARY_DIR": str(build),
        "OS_NULL_DEVICE": "/dev/null", "HAVE_LINUX_OS": "1",
        "hostname": "localhost", "db_user": "regress", "db_password": "",
        "dir_password": "dir_password", "fd_password": "fd_password",
        "sd_password": "sd_password", "mon_dir_password": "mon_dir_password",
        "mon_fd_password": "mon_fd_password", "mon_sd_password": "mon_sd_password",
        "job_email": "root@localhost", "smtp_host": "smtp_host",
        "bin": str(build / "bin"), "bindir": str(build / "bin"),
        "sbin": str(sbin), "sbindir": str(sbin), "scriptdir": str(build / "scripts"),
        "dumps": str(build / "dumps"), "plugindirtmp": str(build / "plugindirtmp"),
        "src": str(build / "src"), "tmpsrc": str(build / "tmpsrc"),
        "BAREOS_DIR_BINARY": str(sbin / "bareos-dir"),
        "BAREOS_SD_BINARY": str(sbin / "bareos-sd"),
        "BAREOS_FD_BINARY": str(sbin / "bareos-fd"),
        "BCONSOLE_UNSAFE_BINARY": str(sbin / "bconsole"),
        "BCONSOLE_BINARY": str(sbin / "bconsole"),
        "BLS_BINARY": str(sbin / "bls"), "BEXTRACT_BINARY": str(sbin / "bextract"),
        "BSCAN_BINARY": str(sbin / "bscan"),
        "GENTESTDATA_BINARY": str(sbin / "gentestdata"),
        "BCOPY_BINARY": str(sbin / "bcopy"),
        "RANDOM_COMMANDS_BINARY": str(sbin / "random-commands"),
        "PERL": shutil.which("perl") or "/usr/bin/perl", "PYTHON_EXECUTABLE": python,
        "COMMENT_POD_USAGE_IN_DIFF_PL": "", "sd_backend_config": "",
        "SQLCMD": "", "PSCMD": "ps -e", "AWK": shutil.which("awk") or "awk",
        "PIDOF": shutil.which("pidof") or "", "PGREP": shutil.which("pgrep") or "",
        "tls_ca_certificate": str(tls / "bareos-ca.pem"),
        "tls_fd_certificate": str(tls / "client1.bareos.org.pem"),
        "tls_fd_key": str(tls / "client1.bareos.org-key.pem"),
        "tls_sd_certificate": str(tls / "bareos-sd1.bareos.org.pem"),
        "tls_sd_key": str(tls / "bareos-sd1.bareos.org-key.pem"),
        "tls_dir_certificate": str(tls / "bareos-dir.bareos.org.pem"),
        "tls_dir_key": str(tls / "bareos-dir.bareos.org-key.pem"),
        "tls_con_certificate": str(tls / "console.bareos.org.pem"),
        "tls_con_key": str(tls / "console.bareos.org-key.pem"),
        "pki_keypair": str(st / "pki" / "fd.pem"),
        "pki_master_key": str(st / "pki" / "master.cert"),
        "global_fileset_options": "",
        "POSTGRES_BIN_PATH": _pg_bindir(),
        # our plugins are built in (bpipe, python3 ...): an existing, empty
        # Plugin Directory lets the daemons use them, as CMake's build dirs do
        "FD_PLUGINS_DIR_TO_TEST": str(build / "plugins-fd"),
        "SD_PLUGINS_DIR_TO_TEST": str(build / "plugins-sd"),
        "DIR_PLUGINS_DIR_TO_TEST": str(build / "plugins-dir"),
    }
    return v


def test_values(base: dict[str, str], build: Path, name: str, baseport: int,
                ignore_warnings: bool) -> dict[str, str]:
    v = dict(base)
    d = build / "tests" / name
    v.update({
        "TEST_NAME": name, "basename": name, "CMAKE_CURRENT_BINARY_DIR": str(d),
        "db_name": ("regress-" + name).replace("-", "_"),
        "BASEPORT": str(baseport),
        "dir_port": str(baseport), "fd_port": str(baseport + 1),
        "sd_port": str(baseport + 2), "fd2_port": str(baseport + 3),
        "sd2_port": str(baseport + 4), "php_port": str(baseport + 5),
        "test_db_port": str(baseport + 6), "minio_port": str(baseport + 7),
        "restapi_port": str(baseport + 8),
        "archivedir": str(d / "storage"), "confdir": str(d / "etc" / "bareos"),
        "config_directory_dir_additional_test_config":
            str(d / "etc" / "bareos" / "bareos-dir.d" / "additional_test_config"),
        "logdir": str(d / "log"), "tmpdir": str(d / "tmp"), "tmp": str(d / "tmp"),
        "working_dir": str(d / "working"), "working": str(d / "working"),
        "dbHost": str(d / "tmp"),
        "python_plugin_module_src_dir": str(build / "plugins"),
        "python_plugin_module_src_test_dir": str(d / "python-modules"),
        # CMake's prepare_test_python (no gRPC variants here)
        "python_module_name": "python3", "dir_python_module_name": "python3",
        "IGNORE_CONFIG_WARNINGS": "true" if ignore_warnings else "false",
        "pythonpath": str(REPO_ROOT / "src"),
    })
    return v


def prepare(src: Path, build: Path, name: str, python: str) -> Path:
    st = src / "systemtests"
    tsrc = st / "tests" / name
    if not tsrc.is_dir():
        raise SystemExit(f"no scenario {name!r} in {st / 'tests'}")
    write_programs(build, python)
    base = base_values(src, build, python)
    # shared scripts and data (configured once per build, values of no test)
    scripts = build / "scripts"
    for s in SHARED_SCRIPTS:
        p = st / "scripts" / s
        if p.exists():
            configure_file(p, scripts / (s[:-3] if s.endswith(".in") else s), base)
    (scripts / "query.sql").write_text("")
    (build / "data").mkdir(parents=True, exist_ok=True)
    for f in (st / "data").iterdir():
        if f.name.endswith((".tgz", ".gz")):
            shutil.copy(f, build / "data" / f.name)
    for sub in ("bin", "working", "archivedir", "dumps", "plugins-fd", "plugins-sd", "plugins-dir"):
        (build / sub).mkdir(exist_ok=True)
    (build / "plugins-fd" / "spam-plugin-fd.py").write_text(SPAM_PLUGIN)

    cm = (tsrc / "CMakeLists.txt").read_text() if (tsrc / "CMakeLists.txt").exists() else ""
    ignore = "IGNORE_CONFIG_WARNINGS" in cm
    m = re.search(r'set\(global_fileset_options\s+"([^"]*)"\)\s*\nelse', cm)
    values = test_values(base, build, name, free_baseport(), ignore)
    if m is not None:
        values["global_fileset_options"] = ""
    d = build / "tests" / name
    if d.exists():
        shutil.rmtree(d)
    for p in sorted(tsrc.rglob("*")):
        if p.is_dir() or p.name == "CMakeLists.txt":
            continue
        rel = p.relative_to(tsrc)
        if p.name.endswith(".in"):
            configure_file(p, d / str(rel)[:-3], values)
        else:
            (d / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, d / rel)
    d.mkdir(parents=True, exist_ok=True)
    (d / ".cmake-fixtures").write_text(cm)  # for the runners' order
    for sub in ("tmp", "storage", "log", "working", "etc/bareos",
                "etc/bareos/bareos-dir.d/additional_test_config", "bin", "sbin",
                "python-modules"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    configure_file(st / "environment.in", d / "environment", values)
    if "messages_resource" in cm:  # CMake generates environment.local for it
        (d / "environment.local").write_text(
            f"MESSAGES_TEST_PROGRAM={build / 'sbin' / 'messages_resource'}\n")
    for b in ("bareos", "bconsole"):
        shutil.copy2(st / "bin" / b, d / "bin" / b)
    if not (d / "testrunner").exists():
        if not (d / "test-setup").exists():
            shutil.copy2(scripts / "start_bareos.sh", d / "test-setup")
        if not (d / "test-cleanup").exists():
            shutil.copy2(scripts / "cleanup", d / "test-cleanup")
    for p in d.iterdir():
        if p.name.startswith(("testrunner", "test-")):
            p.chmod(0o755)
    return d


_PROPS = re.compile(r"set_tests_properties\s*\(\s*(\S+)\s+PROPERTIES(.*?)\)", re.S)
_FIXTURE = re.compile(r"FIXTURES_(SETUP|REQUIRED)\s+\"([^\"]*)\"")


def fixture_order(cmake: str, name: str, rest: list[str]) -> list[str]:
    """*rest* (alphabetic) reordered so a runner comes after the runners that
    set up the fixtures it requires (CMake's FIXTURES_SETUP/REQUIRED)."""
    sets: dict[str, str] = {}
    needs: dict[str, set[str]] = {}
    for test, body in _PROPS.findall(cmake):
        runner = "testrunner-" + test.split(":")[-1]
        if not test.startswith(f"system:{name}:") or runner not in rest:
            continue
        for kind, fixtures in _FIXTURE.findall(body):
            for f in fixtures.split(";"):
                if kind == "SETUP":
                    sets[f] = runner
                else:
                    needs.setdefault(runner, set()).add(f)
    # add_requirements(<basename> "test" "req" ...): test runs after each req
    for m in re.finditer(r"add_requirements\s*\(\s*\S+((?:\s+\"[^\"]*\")+)\s*\)", cmake):
        words = re.findall(r'"([^"]*)"', m.group(1))
        runner = "testrunner-" + words[0]
        for req in words[1:]:
            if "testrunner-" + req in rest:
                sets[f"req:{req}"] = "testrunner-" + req
                needs.setdefault(runner, set()).add(f"req:{req}")
    out: list[str] = []

    def place(r: str, seen: frozenset) -> None:
        if r in out or r in seen:
            return
        for f in sorted(needs.get(r, ())):
            if f in sets:
                place(sets[f], seen | {r})
        out.append(r)

    for r in rest:
        place(r, frozenset())
    return out


def runners(d: Path, name: str) -> list[str]:
    if (d / "testrunner").exists():
        return ["testrunner"]
    rest = sorted(p.name for p in d.iterdir() if p.name.startswith("testrunner-"))
    cm = d / ".cmake-fixtures"
    rest = fixture_order(cm.read_text() if cm.exists() else "", name, rest)
    first = [r for r in RUN_FIRST.get(name, []) if r in rest]
    return ["test-setup"] + first + [r for r in rest if r not in first] + ["test-cleanup"]


def run(name: str, mirror: Path, ref: str, workdir: Path, only: list[str] | None,
        verbose: bool, python: str, timeout: float) -> dict[str, bool]:
    sys.path.insert(0, str(REPO_ROOT))
    from tests.pgserver import PgServer

    src = extract_systemtests(mirror, ref, workdir / "src")
    build = workdir / "build"
    d = prepare(src, build, name, python)
    pg = PgServer().start()
    results: dict[str, bool] = {}
    try:
        pg.execute("CREATE ROLE regress LOGIN SUPERUSER")
        env = dict(os.environ)
        env.update({"PGHOST": pg.host, "PGPORT": str(pg.port), "PGUSER": "regress",
                    "PYTHONUNBUFFERED": "1", "BCONSOLE_ALLOW_UNSAFE_COMMANDS": "1"})
        env.pop("PYTHONPATH", None)
        todo = runners(d, name)
        if only:
            todo = [r for r in todo if r in only or r.replace("testrunner-", "") in only
                    or r in ("test-setup", "test-cleanup")]
        for r in todo:
            log = d / f"runner-{r}.log"
            t0 = time.time()
            with open(log, "wb") as out:
                try:
                    rc = subprocess.run(["bash", f"./{r}"], cwd=d, env=env, stdout=out,
                                        stderr=subprocess.STDOUT, timeout=timeout).returncode
                except subprocess.TimeoutExpired:
                    rc = 124
            results[r] = rc == 0
            text = log.read_text(errors="replace")
            print(f"{name}:{r}: {'OK' if rc == 0 else 'FAILED (rc=%d)' % rc} "
                  f"({time.time() - t0:.0f}s) log: {log}", flush=True)
            if verbose or rc != 0:
                print(text[-6000:], flush=True)
            if rc != 0:  # keep what the runner wrote before a later cleanup removes it
                shutil.copytree(d / "tmp", d / f"failed-{r}-tmp", symlinks=True,
                                ignore=shutil.ignore_patterns("data", "bareos-restores*",
                                                              "restore*"),
                                dirs_exist_ok=True)
    finally:
        subprocess.run(["bash", "bin/bareos", "stop"], cwd=d, env={**os.environ},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pg.stop()
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--mirror", default=DEFAULT_MIRROR, help="bare git clone of bareos/bareos")
    ap.add_argument("--ref", default=DEFAULT_REF)
    ap.add_argument("--workdir", default=None, help="scratch directory (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--only", action="append", help="run only this testrunner (repeatable)")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    mirror = Path(a.mirror)
    if not (mirror / "HEAD").exists() and not (mirror / ".git").exists():
        print(f"no git mirror at {mirror}", file=sys.stderr)
        return 2
    workdir = Path(a.workdir) if a.workdir else Path(tempfile.mkdtemp(prefix=f"st-{a.scenario}-"))
    try:
        res = run(a.scenario, mirror, a.ref, workdir, a.only, a.verbose, a.python, a.timeout)
    finally:
        if not a.keep and not a.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    ok = bool(res) and all(res.values())
    print(f"{a.scenario}: {'PASSED' if ok else 'FAILED'} "
          f"({sum(res.values())}/{len(res)} runners)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
