"""bareos-tray-monitor: a terminal status monitor for Bareos daemons.

Reads ``tray-monitor.d`` (or ``tray-monitor.conf``): one ``Monitor`` resource
(its name and password are how it logs in) and any number of ``Director``,
``Client`` and ``Storage`` resources.  It only reads status:

* Director (connection 9): a named console (``Console`` resource on the
  Director with the Monitor's name and password, usually with a Command ACL
  of ``status, .status``), command ``status director``;
* Client / Storage (connections 10 / 11): as a Director whose resource on the
  FD/SD has ``Monitor = yes`` (so the daemon itself refuses anything but
  ``status``), command ``status``.

TLS-PSK is used as each resource's TLS directives say (identity
``R_CONSOLE`` or ``R_DIRECTOR`` 0x1E <monitor name>).  ``--once`` prints one
refresh and exits; otherwise the screen is redrawn every Refresh Interval.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from bareos.lib import bnet, cram, tls
from bareos.lib import version as v
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, authenticate_client, connect

from .traymon_config import SCHEMA


@dataclass
class DaemonStatus:
    kind: str          # "Director", "Client", "Storage"
    name: str
    address: str
    port: int
    ok: bool
    text: str


def _timeout(monitor, key: str) -> float:
    return float(monitor.get(key) or 10)


def status_director(monitor, res) -> DaemonStatus:
    """`status director` through the console protocol, logged in as the Monitor.

    TLS as the seed's table says for connection 9: the certificate directives
    and TLS Enable/Require of this Director resource (TLS-PSK identity
    ``R_CONSOLE`` 0x1E <monitor name>, key = the Monitor's password).
    """
    from bareos.console.connect import MSG_INFO, MSG_OK, ConnectError, Login, authenticate, \
        open_connection, receive_response

    host, port = res.get("Address"), int(res.get("Port") or 9101)
    timeout = _timeout(monitor, "Dir Connect Timeout")
    login = Login(address=host, port=port, name=monitor.name, key=cram.as_key(monitor.get("Password")),
                  tls=tls.TlsSettings.from_resource(res))
    try:
        bs = open_connection(login, retry_interval=timeout, max_retry_time=0)
    except ConnectError as exc:
        return DaemonStatus("Director", res.name, host, port, False, f"Cannot connect: {exc}\n")
    try:
        bs.settimeout(timeout)
        msg_id, args = authenticate(bs, login, timeout=timeout)
        if msg_id != MSG_OK:
            raise ConnectError(f"login refused: {' '.join(args)}")
        info_id, _ = receive_response(bs, f"Director at {bs.peer}", timeout)
        if info_id != MSG_INFO:
            raise ConnectError(f"expected the info message 1002, got {info_id}")
        bs.send("status director")
        parts = []
        while True:
            msg = bs.recv(timeout=60)
            if isinstance(msg, bytes):
                parts.append(msg.decode("utf-8", "replace"))
            elif msg == bnet.BNET_HEARTBEAT:
                bs.signal(bnet.BNET_HB_RESPONSE)
            elif msg in (bnet.BNET_EOD, bnet.BNET_MAIN_PROMPT, bnet.BNET_TERMINATE):
                break
        bs.terminate(close=False)
        return DaemonStatus("Director", res.name, host, port, True, "".join(parts))
    except (ConnectError, BnetError, OSError, TimeoutError) as exc:
        return DaemonStatus("Director", res.name, host, port, False, f"Status failed: {exc}\n")
    finally:
        bs.close()


def status_daemon(monitor, res, kind: str) -> DaemonStatus:
    """`status` from a File or Storage Daemon, logged in as a monitor Director."""
    default_port = 9102 if kind == "Client" else 9103
    host, port = res.get("Address"), int(res.get("Port") or default_port)
    settings = tls.TlsSettings.from_resource(res)
    password = res.get("Password")
    key = "Fd Connect Timeout" if kind == "Client" else "Sd Connect Timeout"
    timeout = _timeout(monitor, key)
    name = monitor.name
    try:
        bs = connect(host, port, "R_DIRECTOR", name, password, settings,
                     hello=bnet.make_hello(HelloKind.DIRECTOR, name, v.VERSION),
                     timeout=timeout, connect_timeout=timeout)
    except (OSError, tls.TlsError, BnetError) as exc:
        return DaemonStatus(kind, res.name, host, port, False, f"Cannot connect: {exc}\n")
    try:
        local = settings.policy()
        remote = authenticate_client(bs, cram.as_key(password), cram.qualified_name("R_DIRECTOR", name), local)
        if not bs.tls_used and tls.cleartext_decision(remote, local) != tls.CLEARTEXT_OK:
            raise AuthenticationFailed("TLS policies do not allow a cleartext connection")
        hello = bs.recv(timeout=timeout)
        if isinstance(hello, int) or b"OK Hello" not in hello:
            raise AuthenticationFailed(f"refused: {hello!r}")
        bs.send("status\n")
        parts = []
        while True:
            msg = bs.recv(timeout=60)
            if isinstance(msg, int):
                break
            parts.append(msg.decode("utf-8", "replace"))
        bs.terminate(close=False)
        return DaemonStatus(kind, res.name, host, port, True, "".join(parts))
    except (AuthenticationFailed, BnetError, OSError, TimeoutError) as exc:
        return DaemonStatus(kind, res.name, host, port, False, f"Status failed: {exc}\n")
    finally:
        bs.close()


def refresh(config) -> list[DaemonStatus]:
    """One status round over every configured daemon."""
    monitor = config.first("Monitor")
    out = []
    for res in config.resources("Director"):
        out.append(status_director(monitor, res))
    for res in config.resources("Client"):
        out.append(status_daemon(monitor, res, "Client"))
    for res in config.resources("Storage"):
        out.append(status_daemon(monitor, res, "Storage"))
    return out


def render(statuses: list[DaemonStatus], width: int = 100) -> str:
    lines = []
    stamp = time.strftime("%d-%b-%Y %H:%M:%S")
    lines.append(f"Bareos tray monitor {v.VERSION} -- {stamp}")
    lines.append("")
    lines.append(f"{'Daemon':<10}{'Name':<30}{'Address':<30}State")
    for s in statuses:
        lines.append(f"{s.kind:<10}{s.name:<30}{s.address + ':' + str(s.port):<30}"
                     f"{'running' if s.ok else 'ERROR'}")
    for s in statuses:
        lines.append("")
        title = f" {s.kind} {s.name} ({s.address}:{s.port}) "
        lines.append(title.center(width, "="))
        lines.append(s.text.rstrip("\n"))
    return "\n".join(lines) + "\n"


def load(path: str):
    from bareos.lib.config import load_config

    return load_config(path, SCHEMA)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bareos-tray-monitor",
                                description="Show the status of Bareos daemons (read only).")
    p.add_argument("-c", "--config", default="/etc/bareos",
                   help="configuration file or directory (holding tray-monitor.d)")
    p.add_argument("--once", action="store_true", help="print one refresh and exit")
    p.add_argument("-i", "--interval", type=float, default=None,
                   help="seconds between refreshes (default: the Monitor's Refresh Interval)")
    p.add_argument("-t", "--test", action="store_true", help="test the configuration and exit")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    from bareos.lib.config import ConfigError

    try:
        config = load(args.config)
    except (ConfigError, OSError) as exc:
        print(f"bareos-tray-monitor: {exc}", file=sys.stderr)
        return 1
    if config.first("Monitor") is None:
        print("bareos-tray-monitor: no Monitor resource in the configuration", file=sys.stderr)
        return 1
    if args.test:
        return 0
    if args.once:
        statuses = refresh(config)
        sys.stdout.write(render(statuses))
        return 0 if all(s.ok for s in statuses) else 2
    interval = args.interval or float(config.first("Monitor").get("Refresh Interval") or 60)
    try:
        while True:
            text = render(refresh(config))
            if sys.stdout.isatty():
                sys.stdout.write("\x1b[H\x1b[2J")
            sys.stdout.write(text)
            sys.stdout.flush()
            time.sleep(interval)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
