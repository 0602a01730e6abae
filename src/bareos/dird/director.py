"""The Director daemon object: its configuration, listener and shared state."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

from bareos.lib import cram, tls
from bareos.lib.netserver import DIRECTOR_HELLO_LIMITS, NetServer

log = logging.getLogger("bareos.dird")

DEFAULT_DIR_PORT = 9101


class ConsoleMessages:
    """Messages for the consoles (the `console` destination), read and
    cleared by `messages`.

    Kept in memory until :meth:`attach` names a file; from then on (the
    running Director: ``<Working Directory>/<director name>.conmsg``, as
    Bareos) they are kept in that file, so that messages no console has
    read yet are still there after a restart: a file with content makes
    them pending at once."""

    def __init__(self, path: str | None = None) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._path: str | None = None
        self._pending = False
        if path is not None:
            self.attach(path)

    @property
    def path(self) -> str | None:
        """The file the messages are kept in (None: in memory)."""
        return self._path

    @property
    def pending(self) -> bool:
        return self._pending if self._path is not None else bool(self._lines)

    def attach(self, path: str) -> None:
        """Keep the messages in the file *path* from now on; what it holds
        already is pending, and what was queued in memory is added to it.
        Raises OSError when the file cannot be opened (the messages stay in
        memory then)."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with self._lock:
            try:
                size = os.lseek(fd, 0, os.SEEK_END)
                if self._lines:
                    os.write(fd, _encode("".join(self._lines)))
                    size += 1
                    self._lines = []
            finally:
                os.close(fd)
            self._path = path
            self._pending = size > 0

    def add(self, text: str) -> None:
        with self._lock:
            if self._path is not None:
                if not text.endswith("\n"):
                    text += "\n"
                try:
                    with open(self._path, "ab") as f:
                        f.write(_encode(text))
                    self._pending = True
                    return
                except OSError as exc:
                    log.warning("cannot write the console message file %s: %s", self._path, exc)
            for line in text.splitlines(keepends=True):
                self._lines.append(line)

    def take(self) -> list[str]:
        """The pending messages, one line each, and forget them."""
        with self._lock:
            lines, self._lines = self._lines, []
            if self._path is not None:
                try:
                    with open(self._path, "r+b") as f:
                        data = f.read()
                        f.seek(0)
                        f.truncate()
                except OSError as exc:
                    log.warning("cannot read the console message file %s: %s", self._path, exc)
                    data = b""
                self._pending = False
                lines += data.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        return lines


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def console_message_file(working_directory: str, director_name: str) -> str:
    """Where a Director keeps its console messages (Bareos's con_fname)."""
    return os.path.join(working_directory, f"{director_name}.conmsg")


@dataclass
class ClientConnectionInfo:
    name: str
    connect_time: float
    protocol_version: int


def listen_addresses(res, default_port: int, addresses_key: str, port_key: str,
                     address_key: str) -> list[tuple[str, int]]:
    """(host, port) pairs a daemon listens on, from its `... Addresses`, `... Port`
    and `... Address` directives as Bareos combines them."""
    addrs = res.get(addresses_key) if res.is_set(addresses_key) else None
    if addrs:
        out = []
        for a in addrs:
            out.append((getattr(a, "addr", None) or "", int(getattr(a, "port", default_port) or default_port)))
        return out
    port = int(res.get(port_key) or default_port)
    host = res.get(address_key) if res.is_set(address_key) else None
    return [(host or "", port)]


def check_catalogs(config) -> tuple[list[str], list[str]]:
    """Bareos's CheckCatalog at start-up, ``-t`` and reload, for the
    PostgreSQL catalogs: every one is connected to and must pass the checks
    done at connect (the SQL_ASCII encoding).  Returns (errors, warnings).

    A database that is there but refused is an error: the Director does not
    start, ``-t`` fails, a reload keeps the running configuration.  A server
    that cannot be reached is only a warning here (Bareos stops; we open the
    catalog when a job first needs it and report it then).  SQLite catalogs
    (ours, not Bareos's) are files of the Director and are not touched."""
    from bareos.cats import CatalogError, CatalogParams, open_catalog

    errors: list[str] = []
    warnings: list[str] = []
    director = config.first("Director")
    workdir = director.get("Working Directory") if director is not None else None
    for res in config.resources("Catalog"):
        try:
            params = CatalogParams.from_resource(res, workdir)
        except CatalogError as exc:
            errors.append('Could not open Catalog "%s": %s' % (res.name, exc))
            continue
        if params.is_sqlite:
            continue
        try:
            open_catalog(params, check=False).close()
        except CatalogError as exc:
            text = 'Could not open Catalog "%s", database "%s": %s' % (res.name, params.name, exc)
            (warnings if exc.__cause__ is not None else errors).append(text)
    return errors, warnings


def startup_check(config, test_only: bool = False) -> tuple[list[str], list[str]]:
    """The checks of the configuration beyond the parser's, before the
    Director starts (and with ``-t``): the catalogs.  (errors, warnings)."""
    return check_catalogs(config)


class CatalogCheckError(Exception):
    """A new configuration names a catalog the Director cannot use."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class Director:
    """One running Director."""

    def __init__(self, config, *, config_path: str | None = None, clock=time.time) -> None:
        self.config = config
        self.config_path = config_path
        self.clock = clock
        self.start_time = clock()
        self.console_messages = ConsoleMessages()
        self._consoles: dict[int, float] = {}
        self._lock = threading.RLock()
        self.server: NetServer | None = None
        self._shutdown = threading.Event()
        self._catalog = None
        from .fdconn import ConnectionPool
        from .jobs import JobEngine

        self.jobs = JobEngine(self)
        #: client-initiated connections waiting for jobs
        self.client_pool = ConnectionPool()
        #: client name -> handshake mode that worked ("tls" / "cleartext"), until reload
        self.handshake_modes: dict[str, str] = {}

    # -- configuration -----------------------------------------------------
    @property
    def resource(self):
        return self.config.first("Director")

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def custom_version_id(self) -> str:
        res = self.resource
        return (res.get("Ver Id") if res.is_set("Ver Id") else None) or ""

    @property
    def config_warnings(self) -> list[str]:
        return list(getattr(self.config, "warnings", []) or [])

    @property
    def db_driver_name(self) -> str:
        cat = self.config.first("Catalog")
        if cat is not None and cat.is_set("DB Driver"):
            return str(cat.get("DB Driver")).lower()
        return "postgresql"

    def resources(self, rtype: str):
        """Resources of a type in the order Bareos iterates them."""
        return self.config.resources(rtype)

    def get(self, rtype: str, name: str | None):
        if name is None:
            return None
        return self.config.get(rtype, name)

    def add_resource_text(self, text: str, filename: str):
        """Parse one resource (as `configure add` writes it) and add it to the
        running configuration; raises ConfigError when it is not valid."""
        from bareos.lib.config import Config
        from bareos.lib.config.parser import _check_references
        from bareos.lib.config.runtime import parse_resource_text

        with self._lock:
            res = parse_resource_text(self.config, text, filename)
            _check_references(Config(schema=self.config.schema,
                                     _resources=self.config.resources() + [res]))
            self.config.add(res)
            return res

    def remove_resource(self, rtype: str, name: str) -> None:
        with self._lock:
            res = self.config.get(rtype, name)
            if res is not None:
                self.config.remove(res)

    def reload(self) -> None:
        """Read the configuration again; keeps the running one when the new one is bad."""
        from bareos.dird.config import SCHEMA
        from bareos.lib.config import load_config

        new = load_config(self.config_path, SCHEMA)
        errors, warnings = check_catalogs(new)
        for text in warnings:
            log.warning("%s", text)
        if errors:
            raise CatalogCheckError(errors)
        with self._lock:
            self.config = new
            self.handshake_modes.clear()
        if getattr(self, "scheduler", None) is not None:
            self.scheduler.reload()

    def daemon_message(self, mtype: int, text: str) -> None:
        """A message of the Director itself, not of a job (Bareos's Jmsg with
        the console's JobId 0): ``bareos-dir JobId 0: Fatal error: ...``,
        through the Director's Messages resource."""
        from bareos.lib import jmsg

        from .msgs import MessageSink

        prefix = {jmsg.M_FATAL: "Fatal error: ", jmsg.M_ERROR: "Error: ",
                  jmsg.M_WARNING: "Warning: "}.get(mtype, "")
        res = self.resource
        messages = self.get("Messages", res.get("Messages")) if res.get("Messages") else None
        if messages is None:
            messages = self.config.first("Messages")
        MessageSink(self, messages).deliver(mtype, "%s JobId 0: %s%s" % (self.name, prefix, text))

    # -- the catalog -----------------------------------------------------------
    @property
    def working_directory(self) -> str:
        return self.resource.get("Working Directory") or "/var/lib/bareos"

    @property
    def catalog(self):
        """The catalog of the first Catalog resource, opened (and created) on first use."""
        with self._lock:
            if self._catalog is None:
                from bareos.cats import open_catalog

                res = self.config.first("Catalog")
                cat = open_catalog(res, working_directory=self.working_directory)
                try:
                    cat.cleanup_stale_jobs()
                    cat.sync_pools(self.resources("Pool"))
                except Exception:
                    log.exception("catalog start-up maintenance failed")
                self._catalog = cat
            return self._catalog

    def catalog_log(self, jobid: int, text: str, mtime: float | None = None) -> None:
        try:
            self.catalog.add_log(jobid, text, mtime)
        except Exception:
            log.exception("cannot store a job log line for JobId %s", jobid)

    # -- job and connection state ---------------------------------------------
    @property
    def num_jobs_run(self) -> int:
        return self.jobs.num_jobs_run

    def job_count(self) -> int:
        return len(self.running_jobs())

    def running_jobs(self) -> list:
        return sorted(self.jobs.running.values(), key=lambda j: j.jobid)

    def recent_jobs(self) -> list:
        return list(self.jobs.recent)

    def scheduled_jobs(self, days: int) -> list:
        """Jobs due within ``days`` days (status director's Scheduled Jobs):
        ``ScheduledJob`` items (.job .type .level .priority .runtime .volume
        .pool .storage), sorted by run time and priority."""
        from .scheduler import list_scheduled_jobs

        return list_scheduled_jobs(self.config, self.clock(), days)

    def client_connections(self) -> list[ClientConnectionInfo]:
        """Client-initiated connections waiting for jobs (status director)."""
        return [ClientConnectionInfo(c.name, c.connect_time, c.protocol_version)
                for c in self.client_pool.waiting()]

    def console_connection_times(self) -> list[float]:
        with self._lock:
            return sorted(self._consoles.values())

    def console_connected(self, key: int) -> None:
        with self._lock:
            self._consoles[key] = self.clock()

    def console_disconnected(self, key: int) -> None:
        with self._lock:
            self._consoles.pop(key, None)

    # -- authentication keys -----------------------------------------------
    def console_password(self, name: str):
        """The password object for a console name (`*UserAgent*`: the Director's)."""
        if name == "*UserAgent*":
            return self.resource.get("Password")
        con = self.config.get("Console", name)
        return con.get("Password") if con is not None else None

    def psk_lookup(self, identity: bytes) -> bytes | None:
        parts = tls.split_psk_identity(identity)
        if parts is None:
            return None
        rtype, name = parts
        pw = None
        if rtype == "R_CONSOLE":
            pw = self.console_password(name)
        elif rtype == "R_CLIENT":
            client = self.config.get("Client", name)
            pw = client.get("Password") if client is not None else None
        if pw is None:
            return None
        return cram.as_key(pw)

    # -- network -----------------------------------------------------------
    def addresses(self) -> list[tuple[str, int]]:
        return listen_addresses(self.resource, DEFAULT_DIR_PORT, "Dir Addresses",
                                "Dir Port", "Dir Address")

    def start(self, addresses: list[tuple[str, int]] | None = None) -> "Director":
        from .ua_server import handle_connection

        from bareos.plugins.dir import load_director_plugins

        load_director_plugins(self)                   # Plugin Directory / Plugin Names
        self.attach_console_messages()
        settings = tls.TlsSettings.from_resource(self.resource)
        psk = self.psk_lookup if tls.psk_available() else None
        self.server = NetServer(
            addresses or self.addresses(),
            lambda bs, hello, tls_used: handle_connection(self, bs, hello, tls_used),
            psk_lookup=psk,
            tls_settings=settings if settings.has_certificate else None,
            hello_limits=DIRECTOR_HELLO_LIMITS,
            name=self.name,
        )
        self.server.start()
        self.start_scheduler()
        return self

    def attach_console_messages(self) -> None:
        """Keep the console messages in <Working Directory>/<name>.conmsg
        (messages a console has not read survive a restart); in memory when
        that file cannot be opened."""
        if self.console_messages.path is not None:
            return
        path = console_message_file(self.working_directory, self.name)
        try:
            self.console_messages.attach(path)
        except OSError as exc:
            log.warning("Could not open console message file %s: ERR=%s", path, exc.strerror or exc)

    def start_scheduler(self, clock=None) -> None:
        """Run scheduled jobs (Schedule resources of automatic jobs)."""
        from .scheduler import Scheduler

        if getattr(self, "scheduler", None) is not None:
            return
        manual = False
        if clock is None and hasattr(self.clock, "sleep"):
            clock = self.clock  # a FakeClock given to the Director: tests step it themselves
            manual = True
        self.scheduler = Scheduler(lambda: self.config, self.run_scheduled_job, clock=clock)
        if not manual:
            self.scheduler.start()

    def run_scheduled_job(self, job_name: str, overrides: dict) -> int | None:
        job = self.get("Job", job_name)
        if job is None:
            log.error("scheduled job %s is not defined any more", job_name)
            return None
        over = {k: v for k, v in overrides.items()
                if k in ("level", "pool", "storage", "messages", "priority", "accurate",
                         "full_pool", "incremental_pool", "differential_pool")}
        jcr = self.jobs.new_jcr(job, triggered_by="Scheduler", **over)
        return self.jobs.submit(jcr)

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def serve_forever(self) -> None:
        while not self._shutdown.wait(1.0):
            pass

    def shutdown(self) -> None:
        self._shutdown.set()
        if getattr(self, "scheduler", None) is not None:
            self.scheduler.stop()
        self.client_pool.clear()
        if self.server is not None:
            self.server.shutdown()
