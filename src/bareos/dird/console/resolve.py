"""`resolve [client=<name>] [storage=<name>] <host-name>...`: resolve host
names on the Director, or ask a File or Storage Daemon to (Bareos's ResolveCmd)."""

from __future__ import annotations

import socket

from .. import acl
from .setdebug import _daemon_command, _port


def addresses_text(host: str) -> str | None:
    """Bareos's BuildAddressesString without ports: ``host[ipv4;127.0.0.1] ``."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    out, seen = [], set()
    for family, _t, _p, _c, addr in infos:
        key = (family, addr[0])
        if key in seen:
            continue
        seen.add(key)
        kind = "ipv6" if family == socket.AF_INET6 else "ipv4"
        out.append(f"host[{kind};{addr[0]}] ")
    return "".join(out)


def run(ua) -> bool:
    d = ua.director
    client = storage = None
    zapped = set()
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        if key in ("client", "fd"):
            if not ua.argv[i]:
                ua.error_msg("Client name missing.\n")
                return True
            client = d.get("Client", ua.argv[i])
            if client is None or not ua.acl_access_ok(acl.CLIENT, client.name):
                ua.error_msg(f'Client "{ua.argv[i]}" not found.\n')
                return True
            zapped.add(i)
        elif key == "storage":
            if not ua.argv[i]:
                ua.error_msg("Storage name missing.\n")
                return True
            storage = d.get("Storage", ua.argv[i])
            if storage is None or not ua.acl_access_ok(acl.STORAGE, storage.name):
                ua.error_msg(f'Storage "{ua.argv[i]}" not found.\n')
                return True
            zapped.add(i)
    hosts = [ua.argk[i] for i in range(1, ua.argc) if i not in zapped]
    if client is not None:
        if not ua.api:
            ua.send_msg(f"Connecting to Client {client.name} at {client.get('Address')}:"
                        f"{_port(client, 'client')}\n")
        for host in hosts:
            lines = _daemon_command(ua, client, "client", f"resolve {host}", until_eod=True)
            if lines is None:
                ua.send_msg(f"\nFailed to connect to Client {client.name}.\n====\n")
                break
            for text in lines:
                ua.send_msg(text)
    if storage is not None:
        for host in hosts:
            lines = _daemon_command(ua, storage, "storage", f"resolve {host}", until_eod=True)
            if lines is None:
                ua.error_msg(f"Failed to connect to Storage daemon {storage.name}.\n")
                break
            if not lines:
                ua.warning_msg(f"Storage daemon {storage.name} does not answer the resolve "
                               "command.\n")
            for text in lines:
                ua.send_msg(text)
    if client is None and storage is None:
        for host in hosts:
            text = addresses_text(host)
            if text is None:
                ua.error_msg(f"{d.name} Failed to resolve {host}\n")
                return False
            ua.send_msg(f"{d.name} resolves {host} to {text}\n")
    return True
