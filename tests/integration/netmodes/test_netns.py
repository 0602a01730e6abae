"""Each network mode on separate test hosts (network namespaces joined by veth
pairs), under the firewall / NAT conditions the mode exists for.

Skipped with the reason where namespaces cannot be created; the same modes
run on loopback in test_loopback.py.
"""

from __future__ import annotations

import re
import time

import pytest

from .conftest import make_tree, needs_psk

pytestmark = needs_psk


def _subnet(net) -> int:
    return 20 + int(net.tag, 16) % 200


def _tree(tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    return src


def _two_hosts(net):
    """This process's namespace (Director, SD) and a client host joined by one link."""
    x = _subnet(net)
    fdh = net.host("fd")
    net.link(None, f"10.77.{x}.1", fdh, f"10.77.{x}.2")
    return fdh, f"10.77.{x}.1", f"10.77.{x}.2"


def test_client_initiated_through_a_firewall(net, site_factory, tmp_path):
    """The client host rejects every incoming connection; the FD dials the Director."""
    fdh, dir_ip, fd_ip = _two_hosts(net)
    net.iptables(fdh, "-A", "INPUT", "-p", "tcp", "--syn", "-j", "REJECT")
    site = site_factory(
        _tree(tmp_path), ns={"bareos-fd": fdh},
        fd_address=fd_ip, sd_address=dir_ip,
        client_extra="  Connection From Client To Director = yes\n",
        fd_director_extra=f"  Address = {dir_ip}\n  Port = {{dir_port}}\n"
                          "  Connection From Client To Director = yes\n")
    v = site.values
    v["dir_listen_addrs"].append((dir_ip, v["dir_port"]))
    site = _rewrite(site_factory, site, dir_listen_addrs=v["dir_listen_addrs"],
                    sd_listen_addrs=[(dir_ip, v["sd_port"])], fd_listen_addrs=[(fd_ip, v["fd_port"])])
    site.start()
    assert not net.can_connect(None, fd_ip, v["fd_port"]), "the firewall lets the Director in"
    con = site.console()
    try:
        status = _wait_for_waiting(con)
        assert re.search(r"\s54\s+1\s+bareos-fd", status), status
        blog, rlog = site.backup_and_restore(con)
        assert "Connected Client:" not in blog and "Connected Client:" not in rlog
        assert "bareos-fd" in _wait_for_waiting(con).split("Client Initiated Connections")[1]
    finally:
        con.close()


def test_passive_client_that_cannot_open_connections(net, site_factory, tmp_path):
    fdh, dir_ip, fd_ip = _two_hosts(net)
    net.iptables(fdh, "-A", "OUTPUT", "-p", "tcp", "--syn", "-j", "REJECT")
    site = site_factory(_tree(tmp_path), ns={"bareos-fd": fdh}, fd_address=fd_ip, sd_address=dir_ip,
                        client_extra="  Passive = yes\n")
    v = site.values
    site = _rewrite(site_factory, site, sd_listen_addrs=[(dir_ip, v["sd_port"])],
                    fd_listen_addrs=[(fd_ip, v["fd_port"])])
    site.start()
    assert not net.can_connect(fdh, dir_ip, v["sd_port"]), "the client host can still dial out"
    con = site.console()
    try:
        blog, rlog = site.backup_and_restore(con)
        for log in (blog, rlog):
            assert f"bareos-sd JobId" in log and f"Connected File Daemon at {fd_ip}:{v['fd_port']}" in log, log
    finally:
        con.close()


@pytest.mark.parametrize("passive", [False, True], ids=["active", "passive"])
def test_lan_address_behind_nat(net, site_factory, tmp_path, passive):
    """The seed's scheme: Director outside, FD and SD inside a LAN behind a NAT
    gateway; the FD and SD use their inside (Lan) addresses between them."""
    x = _subnet(net)
    wan, lan = f"10.88.{x}", f"10.99.{x}"
    gw, fdh, sdh = net.host("gw"), net.host("fdl"), net.host("sdl")
    _va, gw_wan = net.link(None, f"{wan}.1", gw, f"{wan}.254")
    for public in (f"{wan}.10", f"{wan}.20"):
        net.run(gw, "ip", "addr", "add", f"{public}/32", "dev", gw_wan)
    net.run(gw, "ip", "link", "add", "br0", "type", "bridge")
    net.run(gw, "ip", "addr", "add", f"{lan}.1/24", "dev", "br0")
    net.run(gw, "ip", "link", "set", "br0", "up")
    for host, last in ((fdh, 10), (sdh, 20)):
        inner, outer = net.link(host, f"{lan}.{last}", gw, "")
        net.run(gw, "ip", "link", "set", outer, "master", "br0")
        net.run(host, "ip", "route", "add", "default", "via", f"{lan}.1")
    net.run(gw, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    for last in (10, 20):
        net.iptables(gw, "-t", "nat", "-A", "PREROUTING", "-d", f"{wan}.{last}", "-s", f"{wan}.0/24",
                     "-j", "DNAT", "--to-destination", f"{lan}.{last}")
    # no hairpin: from inside, the outside addresses lead nowhere
    net.iptables(gw, "-A", "INPUT", "-s", f"{lan}.0/24", "-d", f"{wan}.0/24", "-j", "REJECT")
    site = site_factory(_tree(tmp_path), ns={"bareos-fd": fdh, "bareos-sd": sdh},
                        fd_address=f"{wan}.10", sd_address=f"{wan}.20",
                        client_extra=f"  Lan Address = {lan}.10\n" + ("  Passive = yes\n" if passive else ""),
                        storage_extra=f"  Lan Address = {lan}.20\n")
    v = site.values
    site = _rewrite(site_factory, site, sd_listen_addrs=[(f"{lan}.20", v["sd_port"])],
                    fd_listen_addrs=[(f"{lan}.10", v["fd_port"])])
    site.start()
    assert net.can_connect(None, f"{wan}.10", v["fd_port"])      # port forwarding works
    assert not net.can_connect(fdh, f"{wan}.20", v["sd_port"])   # the outside address does not
    con = site.console()
    try:
        blog, rlog = site.backup_and_restore(con)
        for log in (blog, rlog):
            if passive:
                assert f"Connected File Daemon at {lan}.10:{v['fd_port']}" in log, log
            else:
                assert f"bareos-fd JobId" in log and f"Connected Storage daemon at {lan}.20:{v['sd_port']}" in log, log
            assert f"Connected Client: bareos-fd at {wan}.10:" in log
    finally:
        con.close()


def _rewrite(site_factory, site, **listen):
    """The same site with other listen addresses (configuration written again)."""
    v = dict(site.values)
    v.update(listen)
    for k in ("dir_listen", "sd_listen", "fd_listen"):
        v.pop(k, None)
    keep = {k: v[k] for k in v if k not in ("backup_dir",)}
    return site_factory(site.backup_dir, name=site.base.name, ns=site.ns, **keep)


def _wait_for_waiting(con, timeout=30.0) -> str:
    deadline = time.time() + timeout
    while True:
        out = con.call("status director").decode()
        tail = out.split("Client Initiated Connections (waiting for jobs):", 1)[1]
        if "bareos-fd" in tail or time.time() > deadline:
            return out
        time.sleep(0.3)
