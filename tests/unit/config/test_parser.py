"""Parser behaviour: errors with places, includes, JobDefs, passwords, lists."""

import hashlib
import os
import stat

import pytest

from bareos.dird.config import SCHEMA
from bareos.lib.config import (ConfigError, add_resource, format_resource,
                               load_config, load_config_text, resource_to_json)

BASE = '''
Director {
  Name = dir
  Password = "secret"
}
Messages { Name = Standard; console = all, !skipped }
Catalog { Name = cat; DbName = bareos; DbUser = bareos }
Pool { Name = Full }
Storage { Name = File; Address = localhost; Password = sdpw; Device = FileStorage; Media Type = File }
Client { Name = fd; Address = 127.0.0.1; Password = "[md5]0123456789abcdef0123456789abcdef" }
FileSet { Name = fs; Include { File = /etc } }
'''


def load(text, tmp_path, name="bareos-dir.conf"):
    p = tmp_path / name
    p.write_text(text)
    return load_config(str(p), SCHEMA)


def test_single_file_and_values(tmp_path):
    cfg = load(BASE, tmp_path)
    assert cfg.config_dir is None
    d = cfg.first("Director")
    assert d["Password"].md5 == hashlib.md5(b"secret").hexdigest()
    assert d["Password"].plain == "secret"
    c = cfg.get("Client", "fd")
    assert c["Password"].md5 == "0123456789abcdef0123456789abcdef"
    assert c["Password"].plain is None
    assert c["Port"] == 9102
    assert c.source_line == 10
    assert c.source_file == str(tmp_path / "bareos-dir.conf")


def test_unknown_directive_names_file_line_directive(tmp_path):
    with pytest.raises(ConfigError) as ei:
        load(BASE + "Pool {\n  Name = X\n  Bogus Thing = 1\n}\n", tmp_path)
    e = ei.value
    assert e.file.endswith("bareos-dir.conf")
    assert e.line == BASE.count("\n") + 3
    assert e.directive == "BogusThing"
    assert "not permitted" in e.message


def test_bad_value(tmp_path):
    with pytest.raises(ConfigError) as ei:
        load(BASE + "Pool {\n  Name = X\n  Maximum Volumes = lots\n}\n", tmp_path)
    assert ei.value.directive == "MaximumVolumes"
    assert "positive integer" in ei.value.message
    with pytest.raises(ConfigError) as ei:
        load(BASE + "Pool {\n  Name = X\n  Volume Retention = 3 fortnights\n}\n", tmp_path)
    assert ei.value.directive == "VolumeRetention"
    assert "time period" in ei.value.message
    with pytest.raises(ConfigError) as ei:
        load(BASE + "Pool {\n  Name = X\n  Recycle = maybe\n}\n", tmp_path)
    assert "YES, NO" in ei.value.message


def test_missing_required(tmp_path):
    with pytest.raises(ConfigError) as ei:
        load(BASE + "Client {\n  Name = c2\n  Password = x\n}\n", tmp_path)
    assert ei.value.directive == "Address"
    assert "required" in ei.value.message
    assert ei.value.line == BASE.count("\n") + 1


def test_unknown_reference(tmp_path):
    job = ('Job { Name = j; Type = Backup; Client = nope; FileSet = fs; '
           'Messages = Standard; Pool = Full; Storage = File }\n')
    with pytest.raises(ConfigError) as ei:
        load(BASE + job, tmp_path)
    assert ei.value.directive == "Client"
    assert '"nope"' in ei.value.message


def test_duplicate_resource(tmp_path):
    with pytest.raises(ConfigError) as ei:
        load(BASE + "Pool { Name = Full }\n", tmp_path)
    assert "second Pool" in ei.value.message


def test_jobdefs_chain_and_override(tmp_path):
    text = BASE + '''
JobDefs { Name = base; Type = Backup; Messages = Standard; Pool = Full; Priority = 7
          Client = fd; FileSet = fs; Storage = File; RunBeforeJob = "echo base" }
JobDefs { Name = mid; JobDefs = base; Priority = 8; Level = Incremental }
Job { Name = j; JobDefs = mid; Level = Full }
'''
    cfg = load(text, tmp_path)
    j = cfg.get("Job", "j")
    assert j["Priority"] == 8
    assert j["Level"] == "Full"
    assert j["Pool"] == "Full"
    assert j["Client"] == "fd"
    assert [s["Command"] for s in j["RunScript"]] == ["echo base"]
    shown = format_resource(j)
    assert "Priority" not in shown and 'JobDefs = "mid"' in shown
    assert "Level = Full" in shown
    verbose = format_resource(j, verbose=True)
    assert "# Priority = 8" in verbose


def test_acl_lists_and_repeats(tmp_path):
    text = BASE + '''
Console { Name = c; Password = p
  JobACL = a, "b c"
  Job ACL = d
  CommandACL = !delete, *all* }
'''
    cfg = load(text, tmp_path)
    c = cfg.get("Console", "c")
    assert c["JobACL"] == ["a", "b c", "d"]
    assert c["Command ACL"] == ["!delete", "*all*"]
    assert 'JobAcl = "a", "b c", "d"' in format_resource(c)
    assert resource_to_json(c)["jobacl"] == ["a", "b c", "d"]


def test_include_glob_relative_and_missing_wildcard(tmp_path, monkeypatch):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "a.conf").write_text("Pool { Name = A }\n")
    (inc / "b.conf").write_text("Pool { Name = B }\n")
    monkeypatch.chdir(tmp_path)
    cfg = load(BASE + "@inc/*.conf\n@nothing/*.conf\nPool { Name = C }\n", tmp_path)
    # Bareos reads the matches last first
    assert cfg.names("Pool") == ["Full", "B", "A", "C"]
    assert cfg.get("Pool", "A").source_file == "inc/a.conf"
    with pytest.raises(ConfigError) as ei:
        load(BASE + "@missing.conf\n", tmp_path)
    assert "missing.conf" in ei.value.message


def test_include_quoted_and_pipe(tmp_path):
    (tmp_path / "with space.conf").write_text("Pool { Name = Q }\n")
    text = BASE + '@"%s"\n@|"echo Pool { Name = P }"\n' % (tmp_path / "with space.conf")
    cfg = load(text, tmp_path)
    assert cfg.names("Pool") == ["Full", "Q", "P"]


def test_fileset_file_list_keeps_command_and_file_forms(tmp_path):
    text = BASE + '''
FileSet { Name = fs2
  Include {
    Options { Signature = MD5; Compression = GZIP; WildFile = "*.o"; wildfile = "*.a" }
    File = "<%s"
    File = "|ls /"
    File = /home, /srv
  }
}
''' % (tmp_path / "list")
    cfg = load(text, tmp_path)
    inc = cfg.get("FileSet", "fs2")["Include"][0]
    assert inc["File"] == ["<%s" % (tmp_path / "list"), "|ls /", "/home", "/srv"][:3] + \
        inc["File"][3:]
    opts = inc["Options"][0]
    assert opts["WildFile"] == ["*.o", "*.a"]
    shown = format_resource(cfg.get("FileSet", "fs2"))
    assert 'File = "\\<%s"' % (tmp_path / "list") in shown
    assert 'Signature = "MD5"' in shown and 'Compression = "GZIP"' in shown


def test_addresses_block(tmp_path):
    text = BASE.replace('Password = "secret"', '''Password = "secret"
  Addresses = {
    ipv4 = { addr = 127.0.0.1; port = 9101 }
    ipv6 = { addr = ::1; port = 9102 }
  }''')
    cfg = load(text, tmp_path)
    addrs = cfg.first("Director")["Addresses"]
    assert [(a.family, a.addr, a.port) for a in addrs] == [
        ("ipv4", "127.0.0.1", 9101), ("ipv6", "::1", 9102)]


def test_directory_tree_and_configure_add(tmp_path):
    d = tmp_path / "bareos-dir.d"
    for rt, body in [("director", "Director { Name = dir; Password = x }"),
                     ("messages", "Messages { Name = Standard }")]:
        (d / rt).mkdir(parents=True)
        (d / rt / "x.conf").write_text(body + "\n")
    cfg = load_config(str(tmp_path), SCHEMA)
    assert cfg.config_dir == str(d)
    res, path, text = add_resource(cfg, "console", [("Name", "x"), ("Password", "y")])
    assert path == str(d / "console" / "x.conf")
    assert text == 'Console {\n  Name = "x"\n  Password = "y"\n}\n'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert cfg.get("Console", "x") is res
    with pytest.raises(ConfigError) as ei:
        add_resource(cfg, "console", [("Name", "x"), ("Password", "y")])
    assert ei.value.message == 'Resource "Console" with name "x" already exists.'
    # the written file loads again
    assert load_config(str(tmp_path), SCHEMA).get("Console", "x") is not None


def test_messages_printing(tmp_path):
    cfg = load(BASE + 'Messages { Name = M; append = "/tmp/x.log" = all, !skipped; '
               'mail = a@b, c@d = error }\n', tmp_path)
    text = format_resource(cfg.get("Messages", "M"))
    assert "  append = /tmp/x.log = all,!skipped" in text
    assert "  mail = a@b c@d = error\n" in text


def test_load_config_text_and_bom():
    cfg = load_config_text("\ufeff" + BASE, SCHEMA)
    assert cfg.first("Director").name == "dir"
