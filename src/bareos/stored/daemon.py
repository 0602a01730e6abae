"""bareos-sd: the Storage Daemon.

:class:`StorageDaemon` owns the configuration, the devices, the jobs and the
listener.  Every connection starts with a Hello (after TLS-PSK, which the
:class:`NetServer` detects); dispatch by Hello kind:

* ``Hello Director <name> calling`` -- a Director (or a tray monitor, a
  Director resource with ``Monitor = yes``): CRAM-MD5 with that Director
  resource's password, ``3000 OK Hello``, then :class:`DirSession`;
* ``Hello Start Job <Job>`` -- the File Daemon's data connection: CRAM-MD5
  with the job's session key, then the connection is handed to the job;
* ``Hello Start Storage Job <Job>`` -- SD-SD replication: authenticated like an FD.

TLS-PSK identities: ``R_DIRECTOR`` 0x1E ``<director>`` -> that Director's
password (hex MD5); ``R_JOB`` 0x1E ``<Job>`` -> the job's session key.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass

from bareos.lib import bnet, cram, jmsg, tls
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, authenticate_client, authenticate_server
from bareos.lib.config import cli
from bareos.lib.daemon import drop_privileges, run_daemon, setup_logging
from bareos.lib.jobcodes import JS_CANCELED
from bareos.lib.netserver import NetServer
from bareos.plugins import sd as sdplugins
from bareos.stored import protocol as P
from bareos.stored.config import SCHEMA

log = logging.getLogger("bareos-sd")

DEFAULT_SD_PORT = 9103
RECENT_JOBS = 10


@dataclass
class JobResult:
    job_id: int
    job: str
    job_type: str
    job_level: str
    status: str
    files: int
    bytes: int
    errors: int
    end_time: float


def listen_addresses(res, default_port: int = DEFAULT_SD_PORT) -> list[tuple[str, int]]:
    """(host, port) pairs from ``SD Addresses`` / ``SD Port`` / ``SD Address``."""
    if res.is_set("Addresses"):
        out = []
        for a in res.get("Addresses") or []:
            port = getattr(a, "port", None)
            out.append((getattr(a, "addr", "") or "", default_port if port is None else int(port)))
        return out
    port = res.get("Port")
    port = getattr(port, "port", port)
    port = int(port) if port is not None and (port or res.is_set("Port")) else default_port
    host = res.get("Address") if res.is_set("Address") else ""
    host = getattr(host, "addr", host) or ""
    return [(host, port)]


class StorageDaemon:
    """One running Storage Daemon."""

    def __init__(self, config, *, config_path: str | None = None) -> None:
        from bareos.stored.reserve import DeviceManager
        from bareos.lib.version import distname

        self.config = config
        self.config_path = config_path
        self.resource = config.first("Storage")
        self.name = self.resource.name
        self.devices = DeviceManager(config)
        self.start_time = time.time()
        self.vol_session_time = int(self.start_time)
        self._session_id = 0
        self.jobs: dict[str, object] = {}
        self.results: list[JobResult] = []
        self.jobs_run = 0
        self.lock = threading.RLock()
        self.server: NetServer | None = None
        self._shutdown = threading.Event()
        self.waiting_jobs: set[int] = set()   # JobIds waiting to reserve a device
        self.debug_level = 0
        self.trace = False
        self._bsr_uniq = 0
        self.os_info = distname()[0]
        self.host_name = socket.gethostname()

    # -- configuration ------------------------------------------------------
    def _get(self, name, default=None):
        v = self.resource.get(name, default)
        return default if v is None else v

    @property
    def working_directory(self) -> str:
        return str(self._get("Working Directory", "/var/lib/bareos"))

    @property
    def just_in_time(self) -> bool:
        return bool(self._get("Just In Time Reservation", True))

    @property
    def client_connect_wait(self) -> int:
        return int(self._get("Client Connect Wait", 1800) or 1800)

    @property
    def fd_connect_timeout(self) -> int:
        return int(self._get("Fd Connect Timeout", 1800) or 1800)

    @property
    def secure_erase_command(self) -> str:
        return str(self._get("Secure Erase Command", "") or "")

    @property
    def max_bandwidth(self) -> int:
        return int(self._get("Maximum Bandwidth Per Job", 0) or 0)

    @property
    def max_concurrent_jobs(self) -> int:
        return int(self._get("Maximum Concurrent Jobs", 1000) or 1000)

    def tls_settings(self) -> tls.TlsSettings:
        return tls.TlsSettings.from_resource(self.resource)

    def director(self, name: str):
        return self.config.get("Director", name)

    # -- jobs ------------------------------------------------------------------
    def new_vol_session_id(self) -> int:
        with self.lock:
            self._session_id += 1
            return self._session_id

    def new_job(self, cmd: P.JobCommand, dir_bsock):
        from bareos.stored.job import SdJob

        if not cmd.rerunning:
            cmd.vol_session_id = self.new_vol_session_id()
            cmd.vol_session_time = self.vol_session_time
        job = SdJob(self, cmd, dir_bsock, P.make_session_key())
        with self.lock:
            old = self.jobs.get(cmd.job)
            if old is not None and not getattr(old, "authenticated", False):
                self.jobs.pop(cmd.job, None)
            self.jobs[cmd.job] = job
        return job

    def find_job(self, name: str):
        with self.lock:
            if name.isdigit():
                for j in self.jobs.values():
                    if j.job_id == int(name):
                        return j
                return None
            return self.jobs.get(name)

    def running_jobs(self) -> list:
        with self.lock:
            return list(self.jobs.values())

    def recent_results(self) -> list[JobResult]:
        with self.lock:
            return list(self.results)

    def job_ended(self, job) -> None:
        with self.lock:
            if self.jobs.get(job.job) is job:
                del self.jobs[job.job]
            else:
                return
            if job.start_time:
                self.jobs_run += 1
                self.results.append(JobResult(job.job_id, job.job, job.job_type, job.job_level,
                                              job.status, job.files, job.bytes, job.errors,
                                              job.end_time or time.time()))
                del self.results[:-RECENT_JOBS]

    def cancel_job(self, job) -> None:
        job.canceled = True
        job.set_status(JS_CANCELED)
        job.client_available.set()
        fd = job.fd
        if fd is not None:
            fd.shutdown()

    #: seconds between reservation attempts while a job waits for a device
    RESERVE_POLL = 0.5
    #: a wait round without Heartbeat Interval (Bareos's WaitForDevice waits a minute)
    RESERVE_ROUND = 60.0

    @property
    def heartbeat_interval(self) -> float:
        return float(self._get("Heartbeat Interval", 0) or 0)

    def reserve_for_job(self, job, append: bool):
        """Reserve a device for *job*, waiting while every suitable one is busy.

        As Bareos's reservation loop: the job waits until a device is free
        (or it is canceled), signals ⟨HEARTBEAT⟩ to the Director after every
        wait round (each Heartbeat Interval, else every minute) and, with a
        Heartbeat Interval, to the File Daemon when it is connected; every
        fifth round says "JobId=N, Job J waiting to reserve a device.".
        Returns None only when no configured device suits the job at all.
        """
        got = self.devices.reserve(job.stores, append, job.job_id)
        if got is not None or not self.devices.known(job.stores):
            return sdplugins.device_reserved(job, got)
        interval = self.heartbeat_interval
        round_len = interval if interval > 0 else self.RESERVE_ROUND
        log.info("JobId %s: all suitable devices are busy, waiting to reserve one", job.job_id)
        self.waiting_jobs.add(job.job_id)
        try:
            rounds = 0
            next_round = time.monotonic() + round_len
            while not job.is_canceled and not self._shutdown.is_set():
                self._shutdown.wait(self.RESERVE_POLL)
                got = self.devices.reserve(job.stores, append, job.job_id)
                if got is not None:
                    return sdplugins.device_reserved(job, got)
                if time.monotonic() < next_round:
                    continue
                next_round = time.monotonic() + round_len
                rounds += 1
                if rounds % 5 == 0:
                    job.jmsg(jmsg.M_MOUNT, f"JobId={job.job_id}, Job {job.job} waiting to reserve a device.")
                self.send_heartbeats(job, to_fd=interval > 0)
            return None
        finally:
            self.waiting_jobs.discard(job.job_id)

    @staticmethod
    def send_heartbeats(job, to_fd: bool = True) -> None:
        """⟨HEARTBEAT⟩ to the job's Director and (if *to_fd*) File Daemon connections."""
        peers = [("Director", job.dir)] + ([("File Daemon", job.fd)] if to_fd else [])
        for who, bs in peers:
            if bs is None:
                continue
            try:
                bs.signal(bnet.BNET_HEARTBEAT)
                log.debug("JobId %s: heartbeat sent to the %s", job.job_id, who)
            except (BnetError, OSError) as exc:
                log.debug("JobId %s: heartbeat to the %s failed: %s", job.job_id, who, exc)

    def bootstrap_path(self, job) -> str:
        with self.lock:
            self._bsr_uniq += 1
            n = self._bsr_uniq
        return os.path.join(self.working_directory, f"{self.name}.{job.job}.{n}.bootstrap")

    # -- device operations of the Director's commands --------------------------
    def label_volume(self, dev, lc: P.LabelCommand, msg=None) -> str:
        from bareos.stored.device import DeviceError, VolumeLabelError
        with dev.lock:
            if dev.num_writers or dev.num_readers or dev.num_reserved:
                return f'3937 Device {dev.print_name()} is busy with writers={dev.num_writers} reserved={dev.num_reserved}.\n'
            target = lc.old_volume if lc.relabel else lc.volume
            ch = dev.changer
            if ch is not None and ch.attached(dev):
                if ch.autoload(dev, lc.slot, lc.slot > 0, target, msg or (lambda t: None)) == -1:
                    return ""
            dev.unmount()
            try:
                if dev.volume_exists(target) and dev.volume_size(target) > 0:
                    dev.open(target, "read")
                    try:
                        lab = dev.read_volume_label()
                    except VolumeLabelError:
                        lab = None
                    dev.close()
                    if lab is not None:
                        if not lc.relabel:
                            return f'3920 Cannot label Volume because it is already labeled: "{lab.volume_name}"\n'
                        if lab.volume_name != lc.old_volume:
                            return "3921 Wrong volume mounted.\n"
                    if lc.relabel and lc.old_volume != lc.volume:
                        os.replace(dev.path(lc.old_volume), dev.path(lc.volume)) \
                            if hasattr(dev, "path") else None
                size = dev.write_volume_label(lc.volume, lc.pool, host_name=self.host_name,
                                              prog=self.name)
            except (DeviceError, OSError) as exc:
                dev.close()
                return f"3912 Failed to label Volume: ERR={exc}\n"
            dev.volume_name = lc.volume
            if not dev.settings.always_open:
                dev.close()
            return (f'3000 OK label. VolFiles=0 VolBytes={size} Volume="{lc.volume}" '
                    f"Device={dev.print_name()}\n")

    def mount_device(self, dev, slot: int = 0, msg=None) -> str:
        from bareos.stored.device import BST_UNMOUNTED, BST_NOT_BLOCKED
        ch = dev.changer
        if ch is not None and ch.attached(dev) and not ch.virtual(dev):
            return self._mount_changer_device(dev, slot, msg or (lambda t: None))
        with dev.lock:
            if dev.blocked == BST_UNMOUNTED:
                dev.blocked = BST_NOT_BLOCKED
                if dev.label is not None and dev.volume_name:
                    return f'3001 Device {dev.print_name()} is mounted with Volume "{dev.volume_name}"\n'
            if dev.is_open and dev.label is not None:
                return f'3001 Device {dev.print_name()} is mounted with Volume "{dev.volume_name}"\n'
            return f"3906 File device {dev.print_name()} is always mounted.\n"

    def _loaded_volume_label(self, dev):
        """Open the volume a changer put into a file drive and read its label
        (the drive directory holds the loaded volume); None when there is none."""
        from bareos.stored.autochanger import files_in
        from bareos.stored.device import DeviceError
        names = [dev.volume_name] if dev.volume_name else files_in(dev.settings.archive_device)
        for name in names:
            try:
                dev.open(name, "read")
                lab = dev.read_volume_label()
            except DeviceError:
                dev.close()
                continue
            dev.close()
            dev.volume_name = lab.volume_name
            return lab
        return None

    def _mount_changer_device(self, dev, slot: int, msg) -> str:
        from bareos.stored.device import BST_NOT_BLOCKED, BST_UNMOUNTED
        with dev.lock:
            if dev.num_writers or dev.num_readers:
                if slot > 0:
                    return f"3001 OK mount requested. Specified slot ignored. Device={dev.print_name()}\n"
                if dev.volume_name:
                    return f'3001 Device {dev.print_name()} is mounted with Volume "{dev.volume_name}"\n'
            if slot > 0:
                dev.changer.autoload(dev, slot, True, "", msg)
            if dev.blocked == BST_UNMOUNTED:
                dev.blocked = BST_NOT_BLOCKED
            if slot > 0 or dev.label is None:
                dev.volume_name = "" if slot > 0 else dev.volume_name
                lab = self._loaded_volume_label(dev)
                dev.label = lab
            if dev.label is not None:
                return f'3001 Device {dev.print_name()} is mounted with Volume "{dev.volume_name}"\n'
            return (f"3905 Device {dev.print_name()} open but no Bareos volume is mounted.\n"
                    "If this is not a blank tape, try unmounting and remounting the Volume.\n")

    def _unload_if_idle(self, dev, msg=None) -> None:
        ch = dev.changer
        if ch is not None and ch.attached(dev) and not ch.virtual(dev) \
                and not (dev.num_writers or dev.num_readers or dev.num_reserved):
            ch.unload(dev, msg or (lambda t: None))

    def unmount_device(self, dev) -> str:
        from bareos.stored.device import BST_UNMOUNTED
        with dev.lock:
            if dev.num_writers or dev.num_readers:
                return f'3937 Device "{dev.print_name()}" is busy with writers={dev.num_writers} reserved={dev.num_reserved}.\n'
            if not dev.is_open and dev.blocked == BST_UNMOUNTED:
                return f'3901 Device "{dev.print_name()}" is already unmounted.\n'
            dev.unmount()
            self._unload_if_idle(dev)
            dev.blocked = BST_UNMOUNTED
            return f'3002 Device "{dev.print_name()}" unmounted.\n'

    def release_device(self, dev) -> str:
        with dev.lock:
            if not dev.is_open:
                self._unload_if_idle(dev)
                return f'3921 Device "{dev.print_name()}" already released.\n'
            if dev.num_writers or dev.num_readers:
                return f'3937 Device "{dev.print_name()}" is busy with writers={dev.num_writers} reserved={dev.num_reserved}.\n'
            dev.unmount()
            self._unload_if_idle(dev)
            return f'3022 Device "{dev.print_name()}" released.\n'

    def read_label(self, dev, slot: int, msg=None) -> str:
        from bareos.stored.device import DeviceError
        ch = dev.changer
        if ch is not None and ch.attached(dev) and not ch.virtual(dev):
            with dev.lock:
                if dev.num_writers or dev.num_readers or dev.num_reserved:
                    return f'3937 Device {dev.print_name()} is busy with writers={dev.num_writers} reserved={dev.num_reserved}.\n'
                r = ch.autoload(dev, slot, slot > 0, "", msg or (lambda t: None))
                if r in (-1, -2):
                    return ""
                if r == 1 and slot > 0:
                    dev.volume_name = ""
                lab = self._loaded_volume_label(dev)
                if lab is None:
                    return (f'3902 Cannot mount Volume on Storage Device {dev.print_name()} '
                            "because:\nno Bareos volume is loaded\n")
                dev.label = lab
                return f"3001 Volume={lab.volume_name} Slot={slot}\n"
        with dev.lock:
            if not dev.volume_name:
                return f'3902 Cannot mount Volume on Storage Device {dev.print_name()} because:\nno volume mounted\n'
            try:
                if not dev.is_open:
                    dev.open(dev.volume_name, "read")
                    lab = dev.read_volume_label()
                    dev.close()
                else:
                    pos = dev.position
                    lab = dev.read_volume_label()
                    dev.seek(pos)
            except DeviceError as exc:
                return f'3902 Cannot mount Volume on Storage Device {dev.print_name()} because:\n{exc}\n'
            return f"3001 Volume={lab.volume_name} Slot={slot}\n"

    # -- connections ------------------------------------------------------------
    def psk_lookup(self, identity: bytes) -> bytes | None:
        parts = tls.split_psk_identity(identity)
        if parts is None:
            return None
        rtype, name = parts
        if rtype == "R_DIRECTOR":
            d = self.director(name)
            return cram.as_key(d.get("Password")) if d is not None else None
        if rtype == "R_JOB":
            job = self.find_job(name)
            if job is not None and not job.authenticated:
                return job.key.encode("ascii")
        return None

    @property
    def qualified_name(self) -> str:
        return cram.qualified_name("R_STORAGE", self.name)

    def handle_connection(self, bs, raw_hello: bytes, tls_used: bool) -> None:
        try:
            hello = bnet.parse_hello(raw_hello)
        except BnetError as exc:
            log.warning("%s: invalid connection: %s", bs.peer, exc)
            return
        if hello.kind == HelloKind.DIRECTOR:
            self._handle_director(bs, hello, raw_hello, tls_used)
        elif hello.kind == HelloKind.START_JOB:
            self._handle_fd(bs, hello, tls_used)
        elif hello.kind == HelloKind.START_STORAGE_JOB:
            self._handle_fd(bs, hello, tls_used)     # SD-SD replication (mac.cmd_listen)
        else:
            log.warning("%s: unexpected %s connection (%r) refused", bs.peer, hello.kind.value,
                        hello.name)
            bs.signal(bnet.BNET_TERMINATE)

    def _policy_ok(self, bs, remote: int, local: int, tls_used: bool, who: str) -> bool:
        if tls_used:
            return True
        decision = tls.cleartext_decision(remote, local)
        if decision == tls.CLEARTEXT_OK:
            return True
        log.warning("%s: %s: TLS policies do not allow this cleartext connection "
                    "(remote %d, local %d)", bs.peer, who, remote, local)
        return False

    def _handle_director(self, bs, hello, raw: bytes, tls_used: bool) -> None:
        from bareos.stored.dir_cmd import DirSession
        if not (25 <= len(raw) <= 500):
            log.warning("%s: Bad Hello command from Director. Len=%d.", bs.peer, len(raw))
            return
        director = self.director(hello.name)
        if director is None:
            log.warning("Connection from unknown Director %s at %s rejected.", hello.name, bs.peer)
            bs.signal(bnet.BNET_TERMINATE)
            return
        local = tls.TlsSettings.from_resource(director).policy()
        try:
            remote = authenticate_server(bs, cram.as_key(director.get("Password")),
                                         self.qualified_name, local)
        except AuthenticationFailed as exc:
            log.warning("Unable to authenticate Director %s at %s: %s", hello.name, bs.peer, exc)
            try:
                bs.send("3999 No go\n")
            except (BnetError, OSError):
                pass
            return
        if not self._policy_ok(bs, remote, local, tls_used, f"Director {hello.name}"):
            try:
                bs.send("3999 No go\n")
            except (BnetError, OSError):
                pass
            return
        bs.send("3000 OK Hello\n")
        bs.settimeout(None)
        DirSession(self, bs, director).run()

    def _handle_fd(self, bs, hello, tls_used: bool) -> None:
        job = self.find_job(hello.name)
        if job is None:
            log.warning("%s: FD connect failed: Job name not found: %s", bs.peer, hello.name)
            return
        if job.authenticated:
            log.warning("%s: JobId %s Job %s already authenticated.", bs.peer, job.job_id, job.job)
            return
        local = self.tls_settings().policy()
        try:
            remote = authenticate_server(bs, job.key.encode("ascii"), self.qualified_name, local)
        except AuthenticationFailed as exc:
            log.warning("%s: Authorization problem: Two way security handshake failed with "
                        "File daemon (job %s): %s", bs.peer, job.job, exc)
            return
        if not self._policy_ok(bs, remote, local, tls_used, f"File daemon of job {job.job}"):
            return
        bs.settimeout(None)
        job.fd = bs
        job.authenticated = True
        job.client_available.set()
        job.fd_done.wait()

    def connect_passive_client(self, job, host: str, port: int, ssl_policy: int) -> None:
        """``passive client``: the SD connects to the FD (Hello Storage calling Start Job)."""
        from bareos.lib.bsock import connect
        use_tls = ssl_policy == tls.TLS_POLICY_AUTO
        settings = self.tls_settings() if use_tls else tls.TlsSettings.disabled()
        bs = connect(host, port, "R_JOB", job.job, job.key.encode("ascii"), settings,
                     hello=bnet.make_hello(HelloKind.STORAGE_START_JOB, job.job),
                     connect_timeout=min(self.fd_connect_timeout, 60), use_tls=use_tls)
        try:
            remote = authenticate_client(bs, job.key.encode("ascii"), self.qualified_name,
                                         self.tls_settings().policy() if not use_tls else 0)
        except BaseException:
            bs.close()
            raise
        del remote
        cipher = bs.tls_cipher()
        enc = f"{cipher[0]} {cipher[1]}" if cipher else "None"
        job.info(f"Connected File Daemon at {host}:{port}, encryption: {enc}\n")
        heartbeat = float(self.resource.get("Heartbeat Interval", 0) or 0)
        if heartbeat > 0:  # TCP keepalive on the outbound data connection
            import socket

            try:
                bs.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                if hasattr(socket, "TCP_KEEPIDLE"):
                    bs.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, max(1, int(heartbeat)))
            except OSError:
                pass
        job.fd = bs
        job.authenticated = True
        job.client_available.set()
        threading.Thread(target=self._close_when_done, args=(job, bs), daemon=True,
                         name=f"passive-{job.job}").start()

    @staticmethod
    def _close_when_done(job, bs) -> None:
        job.fd_done.wait()
        bs.close()

    # -- lifecycle --------------------------------------------------------------
    def addresses(self) -> list[tuple[str, int]]:
        return listen_addresses(self.resource)

    def start(self, addresses: list[tuple[str, int]] | None = None) -> "StorageDaemon":
        settings = self.tls_settings()
        psk = self.psk_lookup if tls.psk_available() else None
        self.server = NetServer(
            addresses or self.addresses(), self.handle_connection, psk_lookup=psk,
            tls_settings=settings if settings.has_certificate else None,
            hello_limits=(1, 1000), name=self.name)
        self.server.start()
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def serve_forever(self) -> None:
        while not self._shutdown.wait(1.0):
            pass

    def shutdown(self) -> None:
        self._shutdown.set()
        for job in self.running_jobs():
            self.cancel_job(job)
        if self.server is not None:
            self.server.shutdown()
        for dev in self.devices.devices.values():
            with dev.lock:
                dev.close()


def main(argv=None) -> int:
    args, cfg = cli.parse_and_load(sys.argv[1:] if argv is None else argv, SCHEMA,
                                   prog="bareos-sd", description="Bareos Storage Daemon")
    if drop_privileges(args, "bareos-sd"):
        return 1
    if cfg is None:
        return args.exit_code
    setup_logging(args, "bareos-sd")
    sd = StorageDaemon(cfg, config_path=args.config)
    return run_daemon(sd, log, describe=f"Storage daemon {sd.name}", addresses=sd.addresses,
                      pid_file=getattr(args, "pid_file", None))


if __name__ == "__main__":
    sys.exit(main())
