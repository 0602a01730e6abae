"""The Director's commands to the File Daemon (Bareos's filed/dir_cmd.cc).

One :class:`DirSession` per authenticated Director connection runs the
command loop: every message is matched by *prefix* against the command
table (order matters, as in Bareos), the handler answers with Bareos's exact
reply strings and returns False to end the session.  When a job ran, the
session ends with ``2800 End Job ...`` and ⟨TERMINATE⟩.
"""

from __future__ import annotations

import logging
import os
import shlex
import socket
import subprocess
import threading
import time

from bareos.findlib.fileset import FileSetParser
from bareos.lib import bnet, cram, jmsg, tls
from bareos.lib import version as v
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, authenticate_client, connect
from bareos.lib.edit import edit_codes

from . import status as statusmod
from .backup import DEFAULT_BUFFER_SIZE, AccurateList, Backup, RecordWriter, SendError
from .jcr import (
    JS_BLOCKED, JS_CANCELED, JS_ERROR, JS_FATAL, JS_RUNNING, JS_TERMINATED, JS_WARNINGS, Jcr,
)
from .restore import BregexpError, Restorer, read_session
from bareos.plugins import bareosfd as B, fd as fdplugins
from .scan import bsscanf

log = logging.getLogger("bareos.filed")

ERRMSG = "2999 Invalid command\n"
INVALID_MONITOR = "2997 Invalid command for a Director with Monitor directive enabled.\n"
OK_INC = "2000 OK include\n"
OK_LEVEL = "2000 OK level\n"
OK_BACKUP = "2000 OK backup\n"
OK_RESTORE = "2000 OK restore\n"
OK_STORE = "2000 OK storage\n"
OK_STORE_END = "2000 OK storage end\n"
OK_BANDWIDTH = "2000 OK Bandwidth\n"
OK_AUTHORIZATION = "2000 OK Authorization\n"
OK_RUNSCRIPT = "2000 OK RunScript\n"
OK_RUNBEFORENOW = "2000 OK RunBeforeNow\n"
FAILED_RUNSCRIPT = "2905 Failed RunScript\n"
OK_PLUGINOPTIONS = "2000 OK PluginOptions\n"
BAD_PLUGINOPTIONS = "2905 Bad PluginOptions command.\n"
OK_RESTOREOBJECT = "2000 OK ObjectRestored\n"
BAD_JOB = "2901 Bad Job\n"
END_JOB = ("2800 End Job TermCode={} JobFiles={} ReadBytes={} JobBytes={} Errors={} "
           "VSS=0 Encrypt=0\n")

SCRIPT_AFTER = 1
SCRIPT_BEFORE = 2
SCRIPT_AFTER_VSS = 4


class RunScript:
    def __init__(self, on_success, on_failure, abort_on_error, when, command):
        self.on_success = bool(on_success)
        self.on_failure = bool(on_failure)
        self.abort_on_error = bool(abort_on_error)
        self.when = when
        self.command = command


class DirSession:
    """The command loop of one Director connection."""

    def __init__(self, daemon, bs, director) -> None:
        self.daemon = daemon
        self.bs = bs
        self.director = director
        self.jcr = Jcr(daemon, bs, director)
        self.monitor = bool(director.get("Monitor", False)) if director is not None else False
        self.table = [
            ("accurate", self.cmd_accurate, False),
            ("backup", self.cmd_backup, False),
            ("bootstrap", self.cmd_bootstrap, False),
            ("cancel", self.cmd_cancel, False),
            ("endrestore", self.cmd_endrestore, False),
            ("estimate", self.cmd_estimate, False),
            ("fileset", self.cmd_fileset, False),
            ("JobId=", self.cmd_job, False),
            ("level = ", self.cmd_level, False),
            ("pluginoptions", self.cmd_pluginoptions, False),
            ("RunBeforeNow", self.cmd_runbeforenow, False),
            ("Run", self.cmd_runscript, False),
            ("restoreobject", self.cmd_restoreobject, False),
            ("restore ", self.cmd_restore, False),
            ("resolve ", self.cmd_resolve, False),
            ("getSecureEraseCmd", self.cmd_secure_erase, False),
            ("session", self.cmd_session, False),
            ("setauthorization", self.cmd_setauthorization, False),
            ("setbandwidth=", self.cmd_setbandwidth, False),
            ("setdebug=", self.cmd_setdebug, False),
            ("status", self.cmd_status, True),
            (".status", self.cmd_qstatus, True),
            ("storage ", self.cmd_storage, False),
            ("verify", self.cmd_verify, False),
        ]
        self.msg = ""

    # -- helpers -----------------------------------------------------------
    def send(self, text: str | bytes) -> None:
        self.bs.send(text)

    def eod(self) -> None:
        self.bs.signal(bnet.BNET_EOD)

    def recv(self):
        while True:
            item = self.bs.recv()
            if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                continue
            return item

    def select(self, msg: str):
        for name, func, monitor_ok in self.table:
            if msg.startswith(name):
                return name, func, monitor_ok
        return None

    # -- the loop ----------------------------------------------------------
    def run(self) -> None:
        jcr = self.jcr
        self.daemon.register(jcr)
        try:
            while True:
                try:
                    item = self.recv()
                except (BnetError, OSError, TimeoutError):
                    break
                if not isinstance(item, bytes):
                    if item == bnet.BNET_TERMINATE or item < 0:
                        break
                    continue
                self.raw = item
                self.msg = item.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
                log.debug("<dird: %s", self.msg.rstrip())
                entry = self.select(self.msg)
                if entry is None:
                    self.send(ERRMSG)
                    break
                name, func, monitor_ok = entry
                if self.monitor and not monitor_ok:
                    self.send(INVALID_MONITOR)
                    self.eod()
                    break
                try:
                    keep_going = func()
                except (BnetError, OSError) as exc:
                    log.warning("%s: command %r failed: %s", self.bs.peer, name, exc)
                    jcr.set_status(JS_ERROR)
                    keep_going = False
                if not keep_going:
                    break
            self.finish()
        finally:
            self.daemon.unregister(jcr)

    def finish(self) -> None:
        jcr = self.jcr
        if jcr.store_bsock is not None:
            jcr.store_bsock.terminate()
            jcr.store_bsock = None
        if jcr.runscripts:
            self.run_scripts("ClientAfterJob", SCRIPT_AFTER)
        fdplugins.generate_event(jcr, B.bEventJobEnd)
        fdplugins.free_job_plugins(jcr)
        try:
            if jcr.job_id:
                if jcr.status in (JS_BLOCKED, JS_RUNNING, "C"):
                    jcr.set_status(JS_TERMINATED)
                self.send(END_JOB.format(ord(jcr.status), jcr.job_files, jcr.read_bytes,
                                         jcr.job_bytes, jcr.job_errors))
            self.bs.signal(bnet.BNET_TERMINATE)
        except (BnetError, OSError):
            pass
        if jcr.job_id:
            self.daemon.job_finished(jcr)

    # -- job setup ---------------------------------------------------------
    def cmd_job(self) -> bool:
        jcr = self.jcr
        vals = bsscanf(self.msg, "JobId=%d Job=%127s SDid=%u SDtime=%u Authorization=%100s ssl=%d\n")
        if len(vals) == 6:
            policy = vals[5]
        else:
            vals = bsscanf(self.msg, "JobId=%d Job=%127s SDid=%u SDtime=%u Authorization=%100s")
            if len(vals) != 5:
                jcr.jmsg(jmsg.M_FATAL, f"Bad Job Command: {self.msg}")
                self.send(BAD_JOB)
                return False
            policy = 0
        jcr.job_id, jcr.job, jcr.vol_session_id, jcr.vol_session_time = vals[0], vals[1], vals[2], vals[3]
        self._set_key(vals[4], policy)
        fdplugins.generate_event(jcr, B.bEventJobStart, f"JobId={jcr.job_id} Job={jcr.job}")
        self.send(f"2000 OK Job {v.VERSION} ({statusmod.short_date()}) "
                  f"{statusmod.os_info()},{statusmod.platform()}")
        return True

    def _set_key(self, key: str, policy: int) -> None:
        jcr = self.jcr
        if not key:
            return
        if jcr.store_bsock is not None:
            jcr.store_bsock.close()
            jcr.store_bsock = None
        if jcr.sd_auth_key:
            jcr.multi_restore = True
        jcr.sd_auth_key = key
        jcr.sd_tls_policy = policy

    def cmd_level(self) -> bool:
        jcr = self.jcr
        msg = self.msg
        if "accurate" in msg:
            jcr.accurate = True
        if "rerunning" in msg:
            jcr.rerunning = True
        vals = bsscanf(msg, "level = %s ")
        if len(vals) != 1 or not vals[0]:
            jcr.jmsg(jmsg.M_FATAL, f"Bad level command: {msg}")
            return False
        level = vals[0]
        if level == "base":
            jcr.level = "B"
        elif level == "full":
            jcr.level = "F"
        elif "differential" in level:
            jcr.level = "D"
            return True
        elif "incremental" in level:
            jcr.level = "I"
            return True
        elif level == "since_utime":
            vals = bsscanf(msg, "level = since_utime %s mtime_only=%d prev_job=%127s")
            if len(vals) != 3:
                vals = bsscanf(msg, "level = since_utime %s mtime_only=%d")
                if len(vals) != 2:
                    jcr.jmsg(jmsg.M_FATAL, f"Bad level command: {msg}")
                    return False
            else:
                jcr.prev_job = vals[2]
            try:
                since = int(vals[0])
            except ValueError:
                since = 0
            if jcr.level == " ":
                jcr.level = "S"
            adj_sum = 0
            for i in range(10):
                start = time.time_ns() // 1000
                self.bs.signal(bnet.BNET_BTIME)
                item = self.recv()
                if not isinstance(item, bytes):
                    jcr.jmsg(jmsg.M_FATAL, f"Bad level command: {msg}")
                    return False
                got = bsscanf(item.decode("ascii", "replace"), "btime %s")
                if len(got) != 1:
                    jcr.jmsg(jmsg.M_FATAL, f"Bad level command: {msg}")
                    return False
                if i < 2:
                    continue
                try:
                    his = int(got[0])
                except ValueError:
                    his = start
                rt = time.time_ns() // 1000 - start
                adj_sum += start - his - rt // 2
            # C integer division truncates toward zero: a clock skew of -0.3 ms is 0 s,
            # not -1 s (which would save again every file changed in the second before)
            adj = int(int(adj_sum / 8) / 1_000_000)
            since += adj
            if adj > 3 or adj < -3:
                mtype = jmsg.M_WARNING if abs(adj) > 600 else jmsg.M_INFO
                jcr.jmsg(mtype, f"DIR and FD clocks differ by {adj} seconds, FD automatically compensating.")
            self.eod()
            jcr.incremental = True
            jcr.since_time = since
        else:
            jcr.jmsg(jmsg.M_FATAL, f"Unknown backup level: {level}")
            return False
        if jcr.since_time:
            fdplugins.generate_event(jcr, B.bEventSince, jcr.since_time)
        fdplugins.generate_event(jcr, B.bEventLevel, ord(jcr.level[0]))
        self.send(OK_LEVEL)
        return True

    def cmd_fileset(self) -> bool:
        jcr = self.jcr
        parser = FileSetParser(expand_command=self._expand_command, expand_file=self._expand_file)
        while True:
            item = self.recv()
            if not isinstance(item, bytes):
                break
            parser.add(item.split(b"\0", 1)[0].decode("utf-8", "surrogateescape"))
        jcr.fileset = parser.result()
        for err in parser.errors:
            jcr.jmsg(jmsg.M_FATAL, err)
        if not parser.ok or parser.errors:
            return False
        if not fdplugins.fileset_plugin_commands(jcr):
            return False
        self.send(OK_INC)
        return True

    def _expand_command(self, cmd: str):
        cmd = self.edit_job_codes(cmd)
        try:
            proc = subprocess.run(shlex.split(cmd), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=3600, check=False)
        except (OSError, ValueError) as exc:
            raise OSError(f"Cannot run program: {cmd}. ERR={exc}") from None
        if proc.returncode != 0:
            raise OSError(f"Error running program: {cmd}. status={proc.returncode}: ERR=exit status {proc.returncode}")
        return [line.decode("utf-8", "surrogateescape") for line in proc.stdout.split(b"\n") if line]

    def _expand_file(self, path: str):
        try:
            with open(path, "rb") as f:
                return [line.decode("utf-8", "surrogateescape") for line in f.read().split(b"\n") if line]
        except OSError as exc:
            raise OSError(f"Cannot open FileSet input file: {path}. ERR={exc.strerror}") from None

    def edit_job_codes(self, text: str) -> str:
        jcr = self.jcr
        codes = {"%": "%", "c": self.daemon.name, "d": self.daemon.name,
                 "D": self.director.name if self.director is not None else "",
                 "i": str(jcr.job_id), "j": jcr.job, "l": statusmod.LEVEL_NAMES.get(jcr.level, ""),
                 "m": str(jcr.since_time), "n": jcr.job.rsplit(".", 3)[0] if jcr.job else "",
                 "e": statusmod._status_word(jcr.status), "s": str(jcr.since_time),
                 "t": {"B": "Backup", "R": "Restore"}.get(jcr.job_type, "")}
        return edit_codes(text, codes)

    def cmd_pluginoptions(self) -> bool:
        vals = bsscanf(self.msg, "pluginoptions %s")
        if len(vals) != 1:
            self.jcr.jmsg(jmsg.M_FATAL, f"Bad Plugin Options command: {self.msg}")
            self.send(BAD_PLUGINOPTIONS)
            return False
        self.jcr.plugin_options.append(bnet.unbash_spaces(vals[0]))
        fdplugins.generate_event(self.jcr, B.bEventNewPluginOptions, self.jcr.plugin_options[-1])
        self.send(OK_PLUGINOPTIONS)
        return True

    def cmd_restoreobject(self) -> bool:
        from bareos.plugins.restore_objects import restore_object_command
        return restore_object_command(self.jcr, self.msg, self.recv, self.send)

    def cmd_secure_erase(self) -> bool:
        res = self.daemon.client
        cmd = res.get("Secure Erase Command") if res is not None else None
        self.send(f"2000 OK FDSecureEraseCmd {cmd or '*None*'}\n")
        return True

    def cmd_setbandwidth(self) -> bool:
        vals = bsscanf(self.msg, "setbandwidth=%d Job=%127s")
        if len(vals) != 2 or vals[0] < 0:
            self.send(f"2991 Bad setbandwidth command: {self.msg}\n")
            return False
        bw, job = vals
        if job:
            target = self.daemon.find_job(job)
            if target is None:
                self.send(f"2901 Job {job} not found.\n")
            else:
                target.max_bandwidth = bw
        else:
            self.daemon.max_bandwidth = bw
        self.send(OK_BANDWIDTH)
        return True

    def cmd_setdebug(self) -> bool:
        vals = bsscanf(self.msg, "setdebug=%d trace=%d hangup=%d timestamp=%d")
        if len(vals) != 4:
            vals = bsscanf(self.msg, "setdebug=%d trace=%d hangup=%d")
        if len(vals) not in (3, 4):
            vals = bsscanf(self.msg, "setdebug=%d trace=%d")
            if len(vals) != 2:
                self.send(f"2991 Bad setdebug command: {self.msg}\n")
                return False
            vals = vals + [-1]
        level, trace, hangup = vals[0], vals[1], vals[2]
        d = self.daemon
        if level >= 0:
            d.debug_level = level
            logging.getLogger("bareos").setLevel(logging.DEBUG if level > 0 else logging.INFO)
        d.trace = bool(trace)
        d.hangup = hangup
        tracefile = os.path.join(d.working_directory or ".", f"{d.name}.trace")
        if len(vals) == 4:
            d.timestamp = vals[3]
            self.send(f"2000 OK setdebug={level} trace={int(d.trace)} hangup={hangup} "
                      f"timestamp={vals[3]} tracefile={tracefile}\n")
        else:
            self.send(f"2000 OK setdebug={level} trace={int(d.trace)} hangup={hangup} "
                      f"tracefile={tracefile}\n")
        return True

    def cmd_resolve(self) -> bool:
        vals = bsscanf(self.msg, "resolve %s")
        host = vals[0] if vals else ""
        try:
            infos = socket.getaddrinfo(host, None)
            addrs = sorted({f"[{'ipv6' if i[0] == socket.AF_INET6 else 'ipv4'};{i[4][0]};0]" for i in infos})
            self.send(f"{self.daemon.name} resolves {host} to {' '.join(addrs)}\n")
        except OSError:
            self.send(f"{self.daemon.name}: Failed to resolve {host}\n")
        self.eod()
        return True

    def cmd_session(self) -> bool:
        vals = bsscanf(self.msg, "session %127s %d %d %d %d %d %d\n")
        if len(vals) != 7:
            self.jcr.jmsg(jmsg.M_FATAL, f"Bad session command: {self.msg}")
            return False
        self.jcr.vol_session_id, self.jcr.vol_session_time = vals[1], vals[2]
        self.send("2000 OK session\n")
        return True

    def cmd_bootstrap(self) -> bool:
        # deprecated: the BSR goes to the SD; read and drop it
        while True:
            item = self.recv()
            if not isinstance(item, bytes):
                break
        self.send("2000 OK bootstrap\n")
        return True

    def cmd_verify(self) -> bool:
        from . import verify as verifymod

        jcr = self.jcr
        if not self._allowed("verify"):
            self.send(f"2994 Bad verify command: {self.msg}\n")
            return False
        jcr.job_type = "V"
        vals = bsscanf(self.msg, "verify level=%30s")
        word = vals[0].lower() if len(vals) == 1 else ""
        if word not in verifymod.LEVELS or word == "data":
            self.send(f"2994 Bad verify level: {self.msg}\n")
            return False
        jcr.level = verifymod.LEVELS[word]
        self.send("2000 OK verify\n")
        hb = _Heartbeat(self.bs, self.daemon.heartbeat_interval)
        try:
            verifymod.run(self, word)
        finally:
            hb.stop()
        self.eod()
        return False

    def cmd_setauthorization(self) -> bool:
        vals = bsscanf(self.msg, "setauthorization Authorization=%100s")
        if len(vals) != 1:
            self.send("2902 Bad setauthorization\n")
            return False
        self._set_key(vals[0], self.jcr.sd_tls_policy)
        self.send(OK_AUTHORIZATION)
        return True

    def cmd_cancel(self) -> bool:
        vals = bsscanf(self.msg, "cancel Job=%127s")
        if len(vals) == 1 and vals[0]:
            target = self.daemon.find_job(vals[0])
            if target is None:
                self.send(f"2901 Job {vals[0]} not found.\n")
            else:
                target.cancel()
                self.send(f"2001 Job {vals[0]} marked to be canceled.\n")
        else:
            self.send("2902 Error scanning cancel command.\n")
        self.eod()
        return True

    # -- run scripts -------------------------------------------------------
    def cmd_runscript(self) -> bool:
        vals = bsscanf(self.msg, "Run OnSuccess=%d OnFailure=%d AbortOnError=%d When=%d Command=%s")
        if len(vals) != 5:
            self.jcr.jmsg(jmsg.M_FATAL, f"Bad RunScript command: {self.msg}")
            self.send(FAILED_RUNSCRIPT)
            return False
        if not self._allowed("runscript"):
            self.send(FAILED_RUNSCRIPT)
            return False
        self.jcr.runscripts.append(RunScript(vals[0], vals[1], vals[2], vals[3],
                                             bnet.unbash_spaces(vals[4])))
        self.send(OK_RUNSCRIPT)
        return True

    def cmd_runbeforenow(self) -> bool:
        self.run_scripts("ClientBeforeJob", SCRIPT_BEFORE)
        if self.jcr.is_canceled:
            self.send(FAILED_RUNSCRIPT)
            return False
        self.send(OK_RUNBEFORENOW)
        return True

    def run_scripts(self, label: str, when: int) -> None:
        jcr = self.jcr
        ok_job = jcr.status in (JS_TERMINATED, JS_WARNINGS, JS_RUNNING, JS_BLOCKED, "C")
        for rs in jcr.runscripts:
            if not rs.when & when:
                continue
            if when == SCRIPT_AFTER and not ((ok_job and rs.on_success) or (not ok_job and rs.on_failure)):
                continue
            cmd = self.edit_job_codes(rs.command)
            jcr.jmsg(jmsg.M_INFO, f'shell command: run {label} "{cmd}"')
            try:
                proc = subprocess.run(shlex.split(cmd), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, timeout=24 * 3600, check=False)
                for line in proc.stdout.decode("utf-8", "replace").splitlines():
                    jcr.jmsg(jmsg.M_INFO, f"{label}: {line}")
                rc = proc.returncode
                err = f"Runscript: {label} returned non-zero status={rc}. ERR=exit status {rc}"
            except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
                rc = -1
                err = f"Runscript: {label} could not execute. ERR={exc}"
            if rc != 0:
                jcr.jmsg(jmsg.M_ERROR, err)
                if rs.abort_on_error:
                    # Bareos: a failing script with Fail Job On Error ends the job in
                    # error whenever it runs (the EndJob status says so)
                    jcr.set_status(JS_ERROR)
                    if when == SCRIPT_BEFORE:
                        jcr.canceled.set()

    def _allowed(self, what: str) -> bool:
        allowed = None
        if self.director is not None and self.director.get("Allowed Job Command"):
            allowed = self.director.get("Allowed Job Command")
        elif self.daemon.client is not None and self.daemon.client.get("Allowed Job Command"):
            allowed = self.daemon.client.get("Allowed Job Command")
        if not allowed:
            return True
        if any(a.lower() == what for a in allowed):
            return True
        self.jcr.jmsg(jmsg.M_FATAL, f'Illegal "{what}" command not allowed by Allowed Job Cmds setting of this filed.')
        return False

    # -- accurate ----------------------------------------------------------
    def cmd_accurate(self) -> bool:
        jcr = self.jcr
        vals = bsscanf(self.msg, "accurate files=%u")
        if len(vals) != 1:
            self.send("2991 Bad accurate command\n")
            return False
        lst = AccurateList()
        while True:
            item = self.recv()
            if not isinstance(item, bytes):
                break
            lst.add_message(item)
        jcr.accurate_list = lst
        jcr.accurate = True
        return True

    # -- storage -----------------------------------------------------------
    def cmd_storage(self) -> bool:
        jcr = self.jcr
        vals = bsscanf(self.msg, "storage address=%s port=%d ssl=%d Authorization=%100s")
        if len(vals) != 4:
            vals = bsscanf(self.msg, "storage address=%s port=%d ssl=%d")
            if len(vals) != 3:
                jcr.jmsg(jmsg.M_FATAL, f"Bad storage command: {self.msg}")
                self.send("2902 Bad storage\n")
                return False
        else:
            self._set_key(vals[3], vals[2])
        host, port, policy = vals[0], vals[1], vals[2]
        jcr.sd_tls_policy = policy
        res = self.daemon.client
        timeout = float(res.get("SD Connect Timeout", 1800) or 1800) if res is not None else 1800.0
        use_tls = policy == tls.TLS_POLICY_AUTO
        try:
            sd = self._connect_sd(host, port, use_tls, min(timeout, 60.0))
        except (OSError, tls.TlsError, BnetError) as exc:
            jcr.jmsg(jmsg.M_FATAL, f"Failed to connect to Storage daemon: {host}:{port}")
            log.warning("connect to SD %s:%d failed: %s", host, port, exc)
            self.send("2902 Bad storage\n")
            return False
        cipher = sd.tls_cipher()
        enc = f"{cipher[0]} {cipher[1]}" if cipher else "None"
        if jcr.job_id:
            jcr.jmsg(jmsg.M_INFO, f"Connected Storage daemon at {host}:{port}, encryption: {enc}")
            jcr.jmsg(jmsg.M_INFO, f" Encryption: {enc}")
        try:
            sd.send(bnet.make_hello(HelloKind.START_JOB, jcr.job, v.VERSION))
            authenticate_client(sd, jcr.sd_auth_key.encode("utf-8"),
                                cram.qualified_name("R_CLIENT", self.daemon.name),
                                tls.TLS_POLICY_NONE if not use_tls else tls.TLS_POLICY_REQUIRED)
        except (AuthenticationFailed, BnetError, OSError) as exc:
            log.warning("authentication with SD %s:%d failed: %s", host, port, exc)
            jcr.jmsg(jmsg.M_FATAL, "Failed to authenticate Storage daemon.")
            sd.close()
            self.send("2902 Bad storage\n")
            return False
        sd.settimeout(None)
        jcr.store_bsock = sd
        self.send(OK_STORE)
        return True

    def _connect_sd(self, host, port, use_tls, timeout):
        jcr = self.jcr
        settings = tls.TlsSettings.disabled()
        if use_tls:
            # connection 6: the certificate directives are the FD's own Client resource's
            settings = tls.TlsSettings.from_resource(self.daemon.client)
            settings.enable = settings.require = True
        deadline = time.monotonic() + timeout
        while True:
            try:
                return connect(host, port, "R_JOB", jcr.job, jcr.sd_auth_key.encode("utf-8"),
                               settings, use_tls=use_tls, timeout=None, connect_timeout=10,
                               psk_identity=tls.psk_identity("R_JOB", jcr.job))
            except ConnectionRefusedError:
                if time.monotonic() >= deadline or jcr.is_canceled:
                    raise
                time.sleep(1)

    # -- backup ------------------------------------------------------------
    def cmd_backup(self) -> bool:
        jcr = self.jcr
        if not self._allowed("backup"):
            return False
        vals = bsscanf(self.msg, "backup FileIndex=%d\n")
        if len(vals) == 1:
            jcr.job_files = vals[0]
        jcr.job_type = "B"
        sd = jcr.store_bsock
        if sd is None:  # a passive client: the SD is calling us right now
            from .netmodes import wait_for_storage

            sd = wait_for_storage(jcr)
        if jcr.fileset is None:
            jcr.jmsg(jmsg.M_FATAL, "Improper calling sequence: no FileSet.")
            self.send("2902 Bad backup\n")
            return False
        self._log_flag("XATTR", "Extended attribute support ")
        self._log_flag("ACL", "ACL support ")
        jcr.set_status(JS_BLOCKED)
        if sd is None:
            jcr.jmsg(jmsg.M_FATAL, "Cannot contact Storage daemon")
            self.send("2902 Bad backup\n")
            return False
        self.send(OK_BACKUP)
        try:
            sd.send("append open session\n")
            reply = self._sd_msg(sd)
            got = bsscanf(reply.decode("utf-8", "replace"), "3000 OK open ticket = %d") if reply else []
            if len(got) != 1:
                jcr.jmsg(jmsg.M_FATAL, f"Bad response to append open: {reply!r}")
                return False
            jcr.ticket = got[0]
            sd.send(f"append data {jcr.ticket}\n")
            if not self._response(sd, b"3000 OK data\n", "Append Data"):
                return False
            ok = self._blast(sd)
            if not ok:
                jcr.set_status(JS_ERROR)
                return False
            jcr.set_status(JS_TERMINATED)
            if jcr.status not in (JS_TERMINATED, JS_WARNINGS):
                return False
            if not self._response(sd, b"3000 OK append data\n", "Append Data"):
                jcr.set_status(JS_ERROR)
                return False
            sd.send(f"append end session {jcr.ticket}\n")
            if not self._response(sd, b"3000 OK end\n", "Append End"):
                jcr.set_status(JS_ERROR)
                return False
            sd.send(f"append close session {jcr.ticket}\n")
            sd_status = None
            while True:
                item = self._sd_item(sd)
                if not isinstance(item, bytes):
                    break
                got = bsscanf(item.decode("utf-8", "replace"), "3000 OK close Status = %d")
                if len(got) == 1:
                    sd_status = got[0]
            if sd_status is None:
                jcr.jmsg(jmsg.M_FATAL, "Append Close with SD failed.")
                return False
            if sd_status not in (ord(JS_TERMINATED), ord(JS_WARNINGS)):
                jcr.jmsg(jmsg.M_FATAL, f"Bad status {sd_status} returned from Storage Daemon.")
        except (BnetError, OSError, SendError) as exc:
            if not jcr.is_canceled:
                jcr.jmsg(jmsg.M_FATAL, f"Network error with SD: {exc}")
            jcr.set_status(JS_ERROR)
        return False

    def _log_flag(self, flag: str, text: str) -> None:
        fs = self.jcr.fileset
        found = any(flag in fo.flags for inc in fs.include_list for fo in inc.opts_list)
        self.jcr.jmsg(jmsg.M_INFO, text + ("is enabled" if found else "is disabled"))

    def _blast(self, sd) -> bool:
        jcr = self.jcr
        jcr.set_status(JS_RUNNING)
        jcr.jmsg(jmsg.M_INFO, f"Version: {v.VERSION} ({v.BDATE}) {statusmod.os_info()}")
        res = self.daemon.client
        buf_size = int(res.get("Maximum Network Buffer Size", 0) or 0) if res is not None else 0
        # the job's Maximum Bandwidth (setbandwidth=), else the Client's
        # Maximum Bandwidth Per Job
        bandwidth = int(jcr.max_bandwidth or self.daemon.max_bandwidth or 0)
        writer = RecordWriter(sd, bandwidth=bandwidth)
        hb = _Heartbeat(self.bs, self.daemon.heartbeat_interval)
        ok = False
        try:
            backup = Backup(jcr, writer, buf_size or DEFAULT_BUFFER_SIZE)
            fdplugins.generate_event(jcr, B.bEventStartBackupJob)
            ok = backup.run()
            fdplugins.generate_event(jcr, B.bEventEndBackupJob)
            writer.signal(bnet.BNET_EOD)
            writer.close()
        except SendError as exc:
            if not jcr.is_canceled:
                jcr.jmsg(jmsg.M_FATAL, str(exc))
            ok = False
        finally:
            hb.stop()
            if writer.thread is not None and writer.thread.is_alive():
                writer.q.put(None)
        return ok and not jcr.is_canceled

    def _sd_item(self, sd):
        while True:
            item = sd.recv()
            if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                log.debug("job %s: heartbeat from the Storage daemon", self.jcr.job)
                continue
            return item

    def _sd_msg(self, sd):
        item = self._sd_item(sd)
        return item if isinstance(item, bytes) else None

    def _response(self, sd, want: bytes, what: str) -> bool:
        jcr = self.jcr
        try:
            got = self._sd_msg(sd)
        except (BnetError, OSError) as exc:
            if not jcr.is_canceled:
                jcr.jmsg(jmsg.M_FATAL, f"Comm error with SD. bad response to {what}. ERR={exc}")
            return False
        if got == want:
            return True
        if not jcr.is_canceled:
            jcr.jmsg(jmsg.M_FATAL, f"Bad response to {what} command. Wanted {want.decode()}, got "
                                   f"{(got or b'').decode('utf-8', 'replace')}")
        return False

    # -- estimate ----------------------------------------------------------
    def cmd_estimate(self) -> bool:
        jcr = self.jcr
        if not self._allowed("estimate"):
            self.send("2992 Bad estimate command.\n")
            return False
        vals = bsscanf(self.msg, "estimate listing=%d")
        if len(vals) != 1:
            jcr.jmsg(jmsg.M_FATAL, f"Bad estimate command: {self.msg}")
            self.send("2992 Bad estimate command.\n")
            return False
        jcr.listing = vals[0]
        if jcr.fileset is None:
            self.send("2992 Bad estimate command.\n")
            return False
        from bareos.lib.edit import edit_uint64_with_commas
        jcr.set_status(JS_RUNNING)
        Backup(jcr, None, estimate=True).run()
        self.send(f"2000 OK estimate files={edit_uint64_with_commas(jcr.num_files_examined)} "
                  f"bytes={edit_uint64_with_commas(jcr.job_bytes)}\n")
        self.eod()
        return True

    # -- restore -----------------------------------------------------------
    def cmd_restore(self) -> bool:
        jcr = self.jcr
        if not self._allowed("restore"):
            return False
        jcr.job_type = "R"
        use_regex = False
        vals = bsscanf(self.msg, "restore replace=%c prelinks=%d where=%s\n")
        if len(vals) != 3:
            vals = bsscanf(self.msg, "restore replace=%c prelinks=%d regexwhere=%s\n")
            if len(vals) != 3:
                vals = bsscanf(self.msg, "restore replace=%c prelinks=%d where=\n")
                if len(vals) != 2:
                    jcr.jmsg(jmsg.M_FATAL, f"Bad replace command. CMD={self.msg}")
                    return False
                vals = vals + [""]
            use_regex = True
        replace, prelinks, args = vals
        if args == "/":
            args = ""
        args = bnet.unbash_spaces(args)
        try:
            if use_regex and args:
                restorer = Restorer(jcr, regexwhere=args, replace=replace, prefix_links=bool(prelinks))
            else:
                restorer = Restorer(jcr, where=args, replace=replace, prefix_links=bool(prelinks))
        except BregexpError:
            jcr.jmsg(jmsg.M_FATAL, f"Bad where regexp. where={args}")
            return False
        self.send(OK_RESTORE)
        jcr.set_status(JS_BLOCKED)
        sd = jcr.store_bsock
        if sd is None:  # a passive client: the SD is calling us right now
            from .netmodes import wait_for_storage

            sd = wait_for_storage(jcr)
        if sd is None:
            jcr.jmsg(jmsg.M_FATAL, "Improper calling sequence.")
            jcr.set_status(JS_ERROR)
        else:
            jcr.set_status(JS_RUNNING)
            jcr.jmsg(jmsg.M_INFO, f"Version: {v.VERSION} ({v.BDATE}) {statusmod.os_info()}")
            hb = _Heartbeat(self.bs, self.daemon.heartbeat_interval)
            try:
                restorer.plugins = fdplugins.job_plugins(jcr)
                fdplugins.generate_event(jcr, B.bEventStartRestoreJob)
                ok = read_session(jcr, sd, restorer)
                fdplugins.generate_event(jcr, B.bEventEndRestoreJob)
            except (BnetError, OSError) as exc:
                jcr.jmsg(jmsg.M_FATAL, f"Network error with SD during restore: {exc}")
                ok = False
            finally:
                hb.stop()
            if not ok:
                jcr.set_status(JS_ERROR)
            elif jcr.job_warnings:
                jcr.set_status(JS_WARNINGS)
            else:
                jcr.set_status(JS_TERMINATED)
            sd.close()
            jcr.store_bsock = None
        if jcr.job_errors:
            jcr.set_status(JS_ERROR)
        if jcr.multi_restore and not jcr.is_canceled:
            self.send(OK_STORE_END)
            return True
        return False

    def cmd_endrestore(self) -> bool:
        return False

    # -- status ------------------------------------------------------------
    def cmd_status(self) -> bool:
        self.send("\n")
        for line in statusmod.status_text(self.daemon):
            self.send(line)
        self.eod()
        return True

    def cmd_qstatus(self) -> bool:
        vals = bsscanf(self.msg, ".status %s\n")
        if len(vals) != 1 or not vals[0]:
            self.send("2900 Bad .status command, missing argument.\n")
            self.eod()
            return False
        arg = vals[0]
        d = self.daemon
        if arg == "current":
            self.send("2000 OK .status\n")
            for j in d.jobs():
                if j.job_id > 0:
                    self.send(f"JobId={j.job_id} JobStatus={j.status} JobErrors={j.job_errors}\n")
        elif arg == "last":
            self.send("2000 OK .status\n")
            recent = d.recent_jobs()
            if recent:
                je = recent[-1]
                self.send(f"JobId={je['jobid']} JobStatus={je['status']} JobErrors={je['errors']}\n")
        elif arg.lower() == "header":
            for line in statusmod.header_lines(d):
                self.send(line)
        elif arg.lower() == "running":
            for line in statusmod.running_lines(d):
                self.send(line)
        elif arg.lower() == "terminated":
            for line in statusmod.terminated_lines(d, api=True):
                self.send(line)
        else:
            self.send("2900 Bad .status command, wrong argument.\n")
            self.eod()
            return False
        self.eod()
        return True


class _Heartbeat:
    """Sends ⟨HEARTBEAT⟩ to the Director every *interval* seconds while a job runs."""

    def __init__(self, bs, interval: float) -> None:
        self.stop_ev = threading.Event()
        self.thread = None
        if interval and interval > 0:
            self.thread = threading.Thread(target=self._run, args=(bs, interval),
                                           name="fd-heartbeat", daemon=True)
            self.thread.start()

    def _run(self, bs, interval):
        while not self.stop_ev.wait(interval):
            try:
                bs.signal(bnet.BNET_HEARTBEAT)
            except (BnetError, OSError):
                return

    def stop(self) -> None:
        self.stop_ev.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


__all__ = ["DirSession", "RunScript", "JS_CANCELED", "JS_FATAL"]
