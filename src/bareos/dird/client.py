"""The Director's side of a job's File Daemon session (bareos/bareos:
core/src/dird/fd_cmds.cc semantics): job info, level, fileset, storage,
backup/restore, and waiting for the FD's end-of-job report.
"""

from __future__ import annotations

import logging
import re
import subprocess
import time

from bareos.lib import bnet, jmsg, jobcodes, tls
from bareos.lib.bnet import BnetError, bash_spaces

from .daemonconn import Connected, DaemonConnectError, recv_text
from .jcr import JobFailed

log = logging.getLogger("bareos.dird.client")

_END_JOB = re.compile(r"2800 End Job TermCode=(\d+) JobFiles=(\d+) ReadBytes=(\d+) JobBytes=(\d+) Errors=(\d+)")


# -- FileSet on the wire -------------------------------------------------------------

_OPTION_LETTERS_BOOL = {
    # directive: (letter when yes, letter when no)
    "onefs": ("", "f"), "recurse": ("", "h"), "sparse": ("s", ""), "hardlinks": ("", "H"),
    "readfifo": ("r", ""), "portable": ("p", ""), "mtimeonly": ("m", ""), "keepatime": ("k", ""),
    "noatime": ("K", ""), "checkfilechanges": ("c", ""), "honornodumpflag": ("N", ""),
    "xattrsupport": ("X", ""), "aclsupport": ("A", ""), "ignorecase": ("i", ""),
    "enhancedwild": ("W", ""), "exclude": ("e", ""), "autoexclude": ("", "x"),
    "hfsplussupport": ("R", ""),
}
_SIGNATURES = {"md5": "M", "sha1": "S", "sha256": "S2", "sha512": "S3", "xxh128": "S4"}
_COMPRESSION = {"gzip": "Z6", "lzo": "Zo", "lzfast": "Zff", "lz4": "Zf4", "lz4hc": "Zfh"}
# Appended unless the Options block sets them (Bareos's OptionsDefaultValues).
_DEFAULT_LETTERS = (("hardlinks", "H"), ("aclsupport", "A"), ("xattrsupport", "X"))


def option_letters(opts) -> str:
    """The `O` line letters of one Options block (§7.5 of the protocol notes)."""
    letters = []
    seen = set()
    for name, value in _iter_options(opts):
        key = name.replace(" ", "").lower()
        seen.add(key)
        if key == "signature":
            letters.append(_SIGNATURES.get(str(value).lower(), ""))
        elif key == "compression":
            v = str(value).lower()
            if v.startswith("gzip") and v[4:].isdigit():
                letters.append(f"Z{v[4:]}")
            else:
                letters.append(_COMPRESSION.get(v, ""))
        elif key == "replace":
            letters.append({"always": "a", "ifnewer": "w", "ifolder": "o", "never": "n"}.get(
                str(value).lower(), ""))
        elif key == "verify":
            letters.append(f"V{value}:")
        elif key == "accurate":
            letters.append(f"C{value}:")
        elif key == "basejob":
            letters.append(f"J{value}:")
        elif key == "strippath":
            letters.append(f"P{value}:")
        elif key == "size":
            letters.append(f"z{value}:")
        elif key == "shadowing":
            letters.append({"localwarn": "d1", "localremove": "d2", "globalwarn": "d3",
                            "globalremove": "d4"}.get(str(value).lower(), ""))
        elif key in _OPTION_LETTERS_BOOL:
            yes, no = _OPTION_LETTERS_BOOL[key]
            letters.append(yes if _truthy(value) else no)
    for key, letter in _DEFAULT_LETTERS:
        if key not in seen:
            letters.append(letter)
    return "".join(letters)


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("yes", "true", "1")


_LIST_OPTIONS = {"wild": "W", "wilddir": "WD", "wildfile": "WF", "regex": "R", "regexdir": "RD",
                 "regexfile": "RF", "base": "B", "fstype": "X", "drivetype": "XD", "plugin": "G",
                 "meta": "M"}


def _iter_options(opts):
    """(directive name, value) pairs explicitly set in an Options block."""
    values = getattr(opts, "values", {})
    order = getattr(opts, "order", list(values))
    present = getattr(opts, "present", set(values))
    for key in order:
        if key in present:
            d = opts.rtype.directive(key)
            yield (d.name if d is not None else key), values[key]


def fileset_wire_items(fileset) -> list[str]:
    """The messages of the `fileset` command for a FileSet resource."""
    items: list[str] = []
    for kind, letter in (("Include", "I"), ("Exclude", "E")):
        for block in fileset.get(kind) or []:
            items.append(letter)
            for opts in block.get("Options") or []:
                items.append(f"O {option_letters(opts)}")
                for name, value in _iter_options(opts):
                    key = name.replace(" ", "").lower()
                    if key in _LIST_OPTIONS:
                        for v in value if isinstance(value, list) else [value]:
                            items.append(f"{_LIST_OPTIONS[key]} {v}")
                items.append("N")
            for d in block.get("Exclude Dir Containing") or []:
                items.append(f"Z {d}")
            for entry in _expand_files(block.get("File") or []):
                items.append(f"F {entry}")
            items.append("N")
            for plugin in block.get("Plugin") or []:
                items.append(f"P {plugin}")
            items.append("N")
    return items


def _expand_files(entries) -> list[str]:
    """`|command` and `<file` are expanded on the Director; `\\|` and `\\<` go to the
    FD without their backslash (the FD runs the command or reads the file)."""
    out = []
    for e in entries:
        if e.startswith("\\"):
            out.append(e[1:])
        elif e.startswith("|"):
            try:
                res = subprocess.run(e[1:], shell=True, capture_output=True, text=True, timeout=300)
                out.extend(line for line in res.stdout.splitlines() if line)
            except (OSError, subprocess.SubprocessError) as exc:
                log.error("FileSet command %r failed: %s", e[1:], exc)
        elif e.startswith("<"):
            try:
                with open(e[1:], encoding="utf-8", errors="surrogateescape") as f:
                    out.extend(line.rstrip("\n") for line in f if line.strip())
            except OSError as exc:
                log.error("FileSet file %r: %s", e[1:], exc)
        else:
            out.append(e)
    return out


class ClientSession:
    def __init__(self, jcr, client_res):
        self.jcr = jcr
        self.res = client_res
        self.conn: Connected | None = None
        self.fd_version = 0

    @property
    def bs(self):
        return self.conn.bsock

    def connect(self) -> None:
        from .fdconn import connect_client, handshake_text

        jcr = self.jcr
        probing = self.res.name not in jcr.director.handshake_modes
        try:
            self.conn = connect_client(jcr.director, self.res, cancel_event=jcr.cancel_event,
                                       say=jcr.info)
        except DaemonConnectError as exc:
            raise JobFailed(str(exc)) from None
        jcr.sockets.append(self.bs)
        m = re.match(r"2000 OK Hello (\d+)", self.conn.reply)
        self.fd_version = int(m.group(1)) if m else 0
        enc = self.conn.cipher_text()
        if getattr(self.conn, "waiting", None) is None:
            jcr.info(f"Connected Client: {self.res.name} at {self.conn.address}:{self.conn.port}, "
                     f"encryption: {enc}\n")
        else:
            log.info("job %s uses the waiting connection of client %s", jcr.job, self.res.name)
        jcr.info(f"{'   ' if probing else ' '}Handshake: {handshake_text(self.conn)} \n")
        jcr.info(f" Encryption: {enc}\n")

    @property
    def passive(self) -> bool:
        return bool(self.res.get("Passive", False))

    def tls_policy_for_passive(self) -> int:
        """The `ssl=` the SD is told for a passive client (Bareos's rule)."""
        from .fdconn import MODE_TLS

        settings = tls.TlsSettings.from_resource(self.res)
        if getattr(self.conn, "handshake", None) != MODE_TLS:
            return settings.policy()
        return tls.TLS_POLICY_AUTO if settings.policy() != tls.TLS_POLICY_NONE else tls.TLS_POLICY_NONE

    def send_authorization(self) -> None:
        """Passive restore: the key the SD will use when it calls the FD."""
        self._expect(f"setauthorization Authorization={self.jcr.sd_auth}\n", "2000 OK Authorization",
                     "Client refused the authorization")

    def _reply(self, timeout: float | None = 600) -> str:
        while True:
            msg = recv_text(self.bs, timeout=timeout)
            if isinstance(msg, int):
                if msg == bnet.BNET_BTIME:
                    self.bs.send(f"btime {int(time.time() * 1_000_000)}\n")
                    continue
                if msg == bnet.BNET_EOD:
                    continue
                raise JobFailed(f"File daemon sent signal {bnet.signal_name(msg)} instead of an answer")
            if msg.startswith("Jmsg "):
                self._jmsg(msg)
                continue
            return msg

    def _jmsg(self, msg: str) -> None:
        m = jmsg.parse_jmsg(msg)
        if m is not None and self.jcr.sink is not None:
            if m.mtype == jmsg.M_ERROR:
                self.jcr.job_errors += 0  # counted from the FD's End Job report
            self.jcr.sink.deliver(m.mtype, m.text, m.mtime or None)

    def _expect(self, line: str, want: str, error: str) -> str:
        self.bs.send(line)
        reply = self._reply()
        if not reply.startswith(want):
            raise JobFailed(f"{error}: {reply.strip()}")
        return reply

    def _cleartext_client(self) -> bool:
        from .fdconn import MODE_CLEARTEXT

        return getattr(self.conn, "handshake", None) == MODE_CLEARTEXT

    def _storage_ssl(self, storage_tls: bool) -> int:
        """`ssl=` for the FD's connection to the SD: 4/0 for 18.2+ clients, the
        Storage resource's policy for clients reached with the old handshake."""
        if self._cleartext_client() and self.jcr.storage is not None:
            return tls.TlsSettings.from_resource(self.jcr.storage).policy()
        return 4 if storage_tls else 0

    def send_job_info(self, storage_tls: bool) -> None:
        jcr = self.jcr
        ssl = self._storage_ssl(storage_tls)
        tail = "" if self._cleartext_client() else f" ssl={ssl}"
        reply = self._expect(f"JobId={jcr.jobid} Job={jcr.job} SDid={jcr.vol_session_id} "
                             f"SDtime={jcr.vol_session_time} Authorization={jcr.sd_auth}{tail}\n",
                             "2000 OK Job", "Client refused the job")
        jcr.fd_uname = reply[len("2000 OK Job "):].strip()

    def send_level(self) -> None:
        jcr = self.jcr
        acc = "accurate_" if jcr.accurate else ""
        if jcr.level == jobcodes.L_FULL:
            # Bareos sends Full (and Base) without "accurate_"; the FD knows no "accurate_full"
            line = "level = full  mtime_only=0 \n"
        elif jcr.level == jobcodes.L_BASE:
            line = "level = base  mtime_only=0 \n"
        else:
            word = "differential" if jcr.level == jobcodes.L_DIFFERENTIAL else "incremental"
            self.bs.send(f"level = {acc}{word}  mtime_only=0 \n")
            line = (f"level = since_utime {int(jcr.since_time or 0)} mtime_only=0 "
                    f"prev_job={jcr.prev_job}\n")
        self._expect(line, "2000 OK level", "Client refused the level")

    def send_fileset(self) -> None:
        self.bs.send("fileset vss=0\n")
        for item in fileset_wire_items(self.jcr.fileset):
            self.bs.send(item)
        self.bs.signal(bnet.BNET_EOD)
        reply = self._reply()
        if not reply.startswith("2000 OK include"):
            raise JobFailed(f"Client refused the FileSet: {reply.strip()}")

    def send_plugin_options(self, options: list[str]) -> None:
        for opt in options:
            self._expect(f"pluginoptions {bash_spaces(opt)}\n", "2000 OK", "Client refused plugin options")

    def send_bandwidth(self, limit: int) -> bool:
        """``setbandwidth=`` for this job (Bareos's SendBwlimitToFd); a
        client that refuses it runs the job without a limit."""
        jcr = self.jcr
        self.bs.send(f"setbandwidth={limit} Job={bash_spaces(jcr.job)}\n")
        reply = self._reply()
        if not reply.startswith("2000 OK Bandwidth"):
            jcr.msg(jmsg.M_ERROR, f"Bad response to Bandwidth command: wanted 2000 OK Bandwidth, "
                                  f"got {reply.strip()}\n")
            jcr.max_bandwidth = 0
            return False
        jcr.max_bandwidth = limit
        return True

    def secure_erase(self) -> None:
        if self.fd_version > 53:
            self.bs.send("getSecureEraseCmd\n")
            self._reply()

    def send_client_scripts(self, lines: list[str], before: bool) -> None:
        """Client run scripts, and `RunBeforeNow` when one runs before the job."""
        for line in lines:
            self._expect(line, "2000 OK RunScript", "Client refused a RunScript")
        if before:
            self.bs.send("RunBeforeNow\n")
            reply = self._reply()
            if not reply.startswith("2000 OK RunBeforeNow"):
                raise JobFailed(f"Client run script before the job failed: {reply.strip()}")

    def send_accurate(self, entries) -> None:
        """`accurate files=N` and the previous state of every file; no answer."""
        self.bs.send(f"accurate files={len(entries)}\n")
        for e in entries:
            self.bs.send(e)
        self.bs.signal(bnet.BNET_EOD)

    def send_storage(self, address: str, port: int, storage_tls: bool) -> None:
        ssl = self._storage_ssl(storage_tls)
        self._expect(f"storage address={address} port={port} ssl={ssl}\n", "2000 OK storage",
                     "Client could not connect to the Storage daemon")

    def send_storage_restore(self, address: str, port: int, storage_tls: bool) -> None:
        ssl = self._storage_ssl(storage_tls)
        self._expect(f"storage address={address} port={port} ssl={ssl} Authorization={self.jcr.sd_auth}\n",
                     "2000 OK storage", "Client could not connect to the Storage daemon")

    def start_backup(self) -> None:
        self._expect("backup FileIndex=0\n", "2000 OK backup", "Client refused the backup")

    def start_restore(self) -> None:
        jcr = self.jcr
        replace = {"always": "a", "ifnewer": "w", "ifolder": "o", "never": "n"}.get(
            (jcr.replace or "always").lower(), "a")
        if jcr.regexwhere:
            line = f"restore replace={replace} prelinks=0 regexwhere={bash_spaces(jcr.regexwhere)}\n"
        else:
            line = f"restore replace={replace} prelinks=0 where={bash_spaces(jcr.where or '')}\n"
        self._expect(line, "2000 OK restore", "Client refused the restore")

    def end_restore(self) -> None:
        self.bs.send("endrestore")

    def wait_end(self) -> None:
        """Read until the FD's `2800 End Job` and TERMINATE."""
        jcr = self.jcr
        got_end = False
        try:
            while True:
                msg = self.bs.recv(timeout=None)
                if isinstance(msg, int):
                    if msg == bnet.BNET_TERMINATE:
                        break
                    if msg == bnet.BNET_HEARTBEAT:
                        log.debug("job %s: heartbeat from the File Daemon", jcr.job)
                        continue
                    if msg == bnet.BNET_BTIME:
                        self.bs.send(f"btime {int(time.time() * 1_000_000)}\n")
                    continue
                text = msg.decode("utf-8", "replace")
                if text.startswith("Jmsg "):
                    self._jmsg(text)
                    continue
                m = _END_JOB.match(text)
                if m:
                    got_end = True
                    jcr.fd_status = chr(int(m.group(1)))
                    jcr.job_files = int(m.group(2))
                    jcr.read_bytes = int(m.group(3))
                    jcr.job_bytes = int(m.group(4))
                    jcr.job_errors += int(m.group(5))
                    continue
                if text.startswith("2000 OK storage end"):
                    continue
                log.debug("FD message ignored: %s", text.strip())
        except (BnetError, OSError, TimeoutError) as exc:
            if not got_end and not jcr.cancel_event.is_set():
                jcr.msg(jmsg.M_FATAL, f"Network error with FD during {jcr.type_name}: ERR={exc}\n")
        if not got_end:
            jcr.fd_status = jobcodes.JS_CANCELED if jcr.cancel_event.is_set() else jobcodes.JS_ERROR_TERMINATED

    def close(self) -> None:
        if self.conn is not None:
            from .fdconn import release

            self.bs.terminate()
            release(self.conn)


def storage_uses_tls(storage_res) -> bool:
    return tls.TlsSettings.from_resource(storage_res).policy() != tls.TLS_POLICY_NONE
