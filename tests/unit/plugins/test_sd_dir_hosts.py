"""python3-sd / python3-dir hosts without daemons: option parsing, instance
dispatch, the module's calls acting on the calling instance, failures as
fatal job messages."""

from __future__ import annotations

from types import SimpleNamespace

from bareos.lib import jobcodes
from bareos.plugins import PluginInfo, bareosdir, bareossd, bRC_Error, bRC_OK
from bareos.plugins import dir as dirplugins
from bareos.plugins.python_dir import PythonDirPlugin
from bareos.plugins.python_sd import PythonSdPlugin

MODULE = '''
import bareosdir

def load_bareos_plugin(defn):
    global seen
    seen = [("load", defn, bareosdir.GetValue(bareosdir.bDirVarJobId))]
    bareosdir.RegisterEvents([bareosdir.bDirEventJobStart, bareosdir.bDirEventJobEnd, 99])
    return bareosdir.bRC_OK

def parse_plugin_definition(defn):
    seen.append(("parse", defn))
    return bareosdir.bRC_OK

def handle_plugin_event(event):
    seen.append(("event", event, bareosdir.GetInstanceCount()))
    bareosdir.JobMessage(bareosdir.M_INFO, "hello %d\\n" % event)
    if "boom" in "".join(str(s) for s in seen):
        raise KeyError("boom")
    return bareosdir.bRC_OK
'''


class FakeJcr(SimpleNamespace):
    def msg(self, mtype, text):
        self.messages.append((mtype, text))

    def fatal(self, text):
        self.messages.append((3, text))
        self.status = jobcodes.JS_FATAL_ERROR


def make_jcr(tmp_path, options):
    (tmp_path / "mymod.py").write_text(MODULE)
    res = SimpleNamespace(name="job1", get=lambda k, d=None: options if k == "Dir Plugin Options" else d)
    director = SimpleNamespace(_dir_plugins=[PluginInfo("python3", PythonDirPlugin, "python3-dir",
                                                        aliases=("python",))],
                               plugin_directory=str(tmp_path))
    return FakeJcr(director=director, job_res=res, jobid=7, level="F", job_type="B",
                   status=jobcodes.JS_CREATED, client=None, pool=None, storage=None,
                   messages=[], volumes=[])


def test_parse_definition_takes_module_keys_and_passes_the_rest():
    ctx = SimpleNamespace(register_events=lambda evs, on=True: 0, job_message=lambda *a: None)
    host = PythonSdPlugin(ctx)
    rc, rest = host.parse_definition("python3:module_path=/x:instance=2:a=1:Module_Name=m:b=c\\:d")
    assert rc == bRC_OK
    assert (host.module_path, host.module_name, host.instance) == ("/x", "m", 2)
    assert rest == "a=1:b=c\\:d:"
    msgs = []
    host2 = PythonSdPlugin(SimpleNamespace(register_events=lambda evs, on=True: 0,
                                           job_message=lambda t, m: msgs.append((t, m))))
    assert host2.parse_definition("python3:novalue")[0] == bRC_Error
    assert msgs and "Illegal argument novalue without value" in msgs[0][1]


def test_modules_have_bareos_numbers():
    assert bareossd.bsdEventNewPluginOptions == 22 and bareossd.bsdVarPluginDir == 16
    assert bareossd.bsdEventType[b"bsdEventChangerUnlock"] == 24
    assert bareosdir.bDirEventNewPluginOptions == 11 and bareosdir.bDirVarReadBytes == 27
    assert bareosdir.bRCs[b"bRC_Cancel"] == 8 and bareosdir.M_VOLMGMT == 16


def test_two_instances_get_their_options_and_events(tmp_path):
    jcr = make_jcr(tmp_path, ["python3:instance=0:module_name=mymod:tag=a",
                              "python:instance=1:module_name=mymod:tag=b",
                              "noplugin", "python3:instance=500:module_name=mymod"])
    assert dirplugins.job_start(jcr)
    jp = jcr._dir_job_plugins
    assert [c.instance for c in jp.contexts] == [0, 1]
    mods = [c.plugin.module for c in jp.contexts]
    assert mods[0] is not mods[1]                      # an own module copy per instance
    assert mods[0].seen[0] == ("load", "tag=a:", 7) and mods[1].seen[0] == ("load", "tag=b:", 7)
    assert ("event", bareosdir.bDirEventJobStart, 2) in mods[0].seen
    assert all(e[1] != bareosdir.bDirEventJobInit for e in mods[0].seen if e[0] == "event")
    assert 99 not in jp.contexts[0].events
    texts = [t for _, t in jcr.messages]
    assert "python3-dir-mod: hello 1\n" in texts
    assert any("Illegal DIR plugin options encountered, noplugin skipping" in t for t in texts)
    assert any("instance 500 skipping" in t for t in texts)
    dirplugins.job_end(jcr)
    assert ("event", bareosdir.bDirEventJobEnd, 2) in mods[1].seen
    assert jcr._dir_job_plugins is None


def test_exception_is_a_fatal_message_and_fails_the_job(tmp_path):
    jcr = make_jcr(tmp_path, ["python3:module_name=mymod:x=boom"])
    assert not dirplugins.job_start(jcr)
    assert jcr.status == jobcodes.JS_FATAL_ERROR
    fatal = [t for m, t in jcr.messages if m == 3]
    assert fatal and fatal[0].startswith("bareosdir: Traceback") and "KeyError: 'boom'" in fatal[0]
    dirplugins.job_end(jcr)
