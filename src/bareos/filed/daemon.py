"""bareos-fd: the File Daemon (listener, Director authentication, job registry)."""

from __future__ import annotations

import logging
import ssl
import sys
import threading
import time

from bareos.filed.config import SCHEMA
from bareos.lib import bnet, cram, jmsg, tls
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, authenticate_server
from bareos.lib.config import cli
from bareos.lib.daemon import drop_privileges, run_daemon, setup_logging
from bareos.lib.netserver import NetServer

log = logging.getLogger("bareos-fd")

DEFAULT_FD_PORT = 9102
FD_HELLO_LIMITS = (25, 500)
OK_HELLO = "2000 OK Hello 54\n"
DIR_SORRY = "2999 You are not authorized.\n"
MAX_TERMINATED = 10


def listen_addresses(res) -> list[tuple[str, int]]:
    """(host, port) pairs from the Client's FD Addresses / FD Port / FD Address."""
    addrs = res.get("Addresses") if res is not None else None
    out = []
    for a in addrs or []:
        out.append((getattr(a, "addr", "") or "", int(getattr(a, "port", DEFAULT_FD_PORT))))
    return out or [("", DEFAULT_FD_PORT)]


class FileDaemon:
    """One running File Daemon."""

    def __init__(self, config, *, config_path: str | None = None) -> None:
        self.config = config
        self.config_path = config_path
        self.start_time = time.time()
        self.num_jobs_run = 0
        self.debug_level = 0
        self.trace = False
        self.hangup = 0
        self.timestamp = 0
        self.server: NetServer | None = None
        self._jobs: list = []
        self._terminated: list[dict] = []
        self._lock = threading.Lock()
        self._shutdown = threading.Event()
        res = self.client
        self.max_bandwidth = int(res.get("Maximum Bandwidth Per Job", 0) or 0) if res is not None else 0
        self._message_types = self._director_message_types()
        from bareos.plugins import load_plugins
        self.plugin_directory = res.get("Plugin Directory") if res is not None else None
        self.plugins = load_plugins("fd", self.plugin_directory,
                                    res.get("Plugin Names") if res is not None else None)

    # -- configuration -----------------------------------------------------
    @property
    def client(self):
        return self.config.first("Client")

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def working_directory(self) -> str | None:
        return self.client.get("Working Directory")

    @property
    def heartbeat_interval(self) -> float:
        return float(self.client.get("Heartbeat Interval", 0) or 0)

    @property
    def config_warnings(self) -> list:
        return list(getattr(self.config, "warnings", []) or [])

    def director(self, name: str):
        return self.config.get("Director", name)

    def _director_message_types(self) -> set[int] | None:
        res = self.client
        mname = res.get("Messages") if res is not None else None
        mres = self.config.get("Messages", mname) if mname else self.config.first("Messages")
        if mres is None:
            return None
        types: set[int] = set()
        try:
            dests = mres.get("Director") or []
        except KeyError:
            dests = []
        for d in dests:
            for t in getattr(d, "types", []) or []:
                code = jmsg.TYPES_BY_NAME.get(str(t).lower())
                if code is not None:
                    types.add(code)
        return types

    def message_wanted(self, mtype: int) -> bool:
        if self._message_types is None:
            return mtype not in (jmsg.M_SKIPPED, jmsg.M_RESTORED)
        return mtype in self._message_types

    # -- job registry ------------------------------------------------------
    def register(self, jcr) -> None:
        with self._lock:
            self._jobs.append(jcr)

    def unregister(self, jcr) -> None:
        with self._lock:
            if jcr in self._jobs:
                self._jobs.remove(jcr)

    def jobs(self) -> list:
        with self._lock:
            return list(self._jobs)

    def running_count(self) -> int:
        return sum(1 for j in self.jobs() if j.job_id > 0)

    def find_job(self, job: str):
        for j in self.jobs():
            if j.job == job:
                return j
        return None

    def job_finished(self, jcr) -> None:
        with self._lock:
            self.num_jobs_run += 1
            self._terminated.append({
                "jobid": jcr.job_id, "job": jcr.job, "type": jcr.job_type, "level": jcr.level,
                "files": jcr.job_files, "bytes": jcr.job_bytes, "status": jcr.status,
                "errors": jcr.job_errors, "end": time.time(),
            })
            del self._terminated[:-MAX_TERMINATED]

    def recent_jobs(self) -> list[dict]:
        with self._lock:
            return list(self._terminated)

    # -- network -----------------------------------------------------------
    def psk_lookup(self, identity: bytes) -> bytes | None:
        parts = tls.split_psk_identity(identity)
        if parts is None:
            return None
        rtype, name = parts
        if rtype == "R_JOB":
            from .netmodes import job_psk

            return job_psk(self, name)
        if rtype != "R_DIRECTOR":
            return None
        res = self.director(name)
        if res is None:
            return None
        return cram.as_key(res.get("Password"))

    def cleartext_only(self) -> bool:
        """True when this FD is configured as a client before Bareos 18.2.

        ``TLS Enable = no`` in the Client resource and in every Director
        resource: like an old FD the port then does not understand TLS at all
        (a ClientHello is read as a bad Hello and the connection dropped), so
        that a probing Director falls back to the cleartext handshake at once.
        """
        if tls.TlsSettings.from_resource(self.client).enable:
            return False
        return not any(tls.TlsSettings.from_resource(r).enable for r in self.config.resources("Director"))

    def start(self, addresses: list[tuple[str, int]] | None = None) -> "FileDaemon":
        settings = tls.TlsSettings.from_resource(self.client)
        old_style = self.cleartext_only()
        self.server = NetServer(
            addresses or listen_addresses(self.client),
            self.handle_connection,
            psk_lookup=self.psk_lookup if tls.psk_available() and not old_style else None,
            tls_settings=settings if settings.has_certificate and not old_style else None,
            hello_limits=FD_HELLO_LIMITS,
            name=self.name,
        )
        self.server.start()
        from .netmodes import start_dialers

        self.dialers = start_dialers(self)
        return self

    @property
    def port(self) -> int:
        return self.server.port

    def handle_connection(self, bs, raw_hello: bytes, tls_used: bool) -> None:
        try:
            hello = bnet.parse_hello(raw_hello)
        except (BnetError, ValueError) as exc:
            log.warning("%s: Bad Hello command: %s", bs.peer, exc)
            bs.terminate(close=False)
            return
        if hello.kind is HelloKind.STORAGE_START_JOB:
            from .netmodes import handle_storage_connection

            handle_storage_connection(self, bs, hello, tls_used)
            return
        if hello.kind is not HelloKind.DIRECTOR:
            log.warning("%s: %s connection is not accepted by this File Daemon",
                        bs.peer, hello.kind.value)
            bs.terminate(close=False)
            return
        res = self.director(hello.name)
        if res is None:
            log.warning("Connection from unknown Director %s at %s rejected.", hello.name, bs.peer)
            bs.terminate(close=False)
            return
        if not res.get("Connection From Director To Client", True):
            log.warning("Connection from Director %s rejected.", hello.name)
            bs.terminate(close=False)
            return
        settings = tls.TlsSettings.from_resource(res)
        local = settings.policy()
        try:
            # cleartext: read no byte past CRAM-MD5 (an old Director's ClientHello may follow)
            remote = authenticate_server(bs if tls_used else tls.ExactReads(bs), cram.as_key(res.get("Password")),
                                         cram.qualified_name("R_CLIENT", self.name), local)
        except AuthenticationFailed as exc:
            log.warning("Unable to authenticate Director %s at %s: %s", hello.name, bs.peer, exc)
            try:
                bs.send(DIR_SORRY)
            except (BnetError, OSError):
                pass
            return
        if tls.needs_tls_after_auth(tls_used, remote, local):
            # a Director before 18.2 with TLS: certificate TLS inside the
            # authenticated connection, this Director resource's certificates
            try:
                tls.start_tls_after_auth(bs, settings, server_side=True, handshake_timeout=10)
            except (ssl.SSLError, tls.TlsError, OSError) as exc:
                log.warning("Director %s at %s: TLS negotiation after CRAM-MD5 failed: %s",
                            hello.name, bs.peer, exc)
                return
            log.info("Director %s at %s: TLS started after CRAM-MD5 (peer before 18.2), %s",
                     hello.name, bs.peer, " ".join(bs.tls_cipher() or ()))
        elif not tls_used and tls.cleartext_decision(remote, local) != tls.CLEARTEXT_OK:
            log.warning("Director %s at %s: TLS required but the connection is cleartext", hello.name, bs.peer)
            try:
                bs.send(DIR_SORRY)
            except (BnetError, OSError):
                pass
            return
        bs.send(OK_HELLO)
        bs.settimeout(None)
        from .dircmd import DirSession
        DirSession(self, bs, res).run()

    def serve_forever(self) -> None:
        while not self._shutdown.wait(1.0):
            pass

    def shutdown(self) -> None:
        self._shutdown.set()
        for dialer in getattr(self, "dialers", []):
            dialer.shutdown()
        for j in self.jobs():
            j.cancel()
        if self.server is not None:
            self.server.shutdown()


def main(argv=None) -> int:
    args, cfg = cli.parse_and_load(sys.argv[1:] if argv is None else argv, SCHEMA,
                                   prog="bareos-fd", description="Bareos File Daemon")
    if drop_privileges(args, "bareos-fd"):
        return 1
    if cfg is None:
        return args.exit_code
    setup_logging(args, "bareos-fd")
    fd = FileDaemon(cfg, config_path=getattr(args, "config", None))
    fd.debug_level = cli.debug_level(args)
    return run_daemon(fd, log, describe=f"File Daemon {fd.name}",
                      addresses=lambda: listen_addresses(fd.client),
                      pid_file=getattr(args, "pid_file", None))


if __name__ == "__main__":
    sys.exit(main())
