"""BSock's receive buffer and send_many() over real socket pairs."""

from __future__ import annotations

import random
import socket
import threading

import pytest

from bareos.lib import bnet
from bareos.lib.bsock import BSock, ConnectionClosed, ProtocolError


def _pair(**kw):
    a, b = socket.socketpair()
    return BSock(a, peer="a", timeout=10, **kw), BSock(b, peer="b", timeout=10, **kw)


def _writer(sock: socket.socket, data: bytes, sizes: list[int]) -> threading.Thread:
    """Write *data* in pieces of the given sizes (cycled), then close."""

    def run():
        pos = 0
        i = 0
        while pos < len(data):
            n = sizes[i % len(sizes)]
            sock.sendall(data[pos:pos + n])
            pos += n
            i += 1
        sock.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("sizes,big", [([1], 2000), ([3, 7], 20_000), ([4096], 999_996),
                                       ([65536 + 5], 999_996), ([1 << 20], 999_996)])
def test_packets_split_anywhere_arrive_whole(sizes, big):
    rnd = random.Random(7)
    items: list[bytes | int] = []
    for i in range(400):
        r = rnd.random()
        if r < 0.1:
            items.append(rnd.choice([bnet.BNET_EOD, bnet.BNET_HEARTBEAT, bnet.BNET_EOD_POLL]))
        elif r < 0.15:
            items.append(b"")
        elif r < 0.2:
            items.append(rnd.randbytes(rnd.randint(big // 2, big)))
        else:
            items.append(rnd.randbytes(rnd.randint(1, 300 if big < 10_000 else 3000)))
    wire = b"".join(bnet.encode_signal(x) if isinstance(x, int) else bnet.encode_packet(x)
                    for x in items)
    a, b = socket.socketpair()
    bs = BSock(b, peer="b", timeout=30)
    t = _writer(a, wire, sizes)
    got = [bs.recv() for _ in items]
    assert got == items
    assert bs.buffered == 0
    with pytest.raises(ConnectionClosed):
        bs.recv()
    t.join()
    a.close()
    bs.close()


def test_send_many_is_the_same_bytes_as_send():
    msgs = [b"UpdCat Job=x FileAttributes " + bytes(range(256)) * 3, "text line\n", b"",
            bytearray(b"abc"), b"x" * 1_500_000]
    a, b = socket.socketpair()
    bs = BSock(a, timeout=10)
    t = threading.Thread(target=bs.send_many, args=(msgs,), daemon=True)
    t.start()
    expected = b"".join(bnet.encode_packet(m) for m in msgs)
    got = bytearray()
    b.settimeout(10)
    while len(got) < len(expected):
        got += b.recv(1 << 20)
    t.join()
    assert bytes(got) == expected
    bs.close()
    b.close()


def test_many_packets_in_one_write_are_returned_one_by_one():
    x, y = _pair()

    def send():
        x.send_many([f"line {i}\n" for i in range(5000)])
        x.signal(bnet.BNET_EOD)

    t = threading.Thread(target=send, daemon=True)
    t.start()
    for i in range(5000):
        assert y.recv() == f"line {i}\n".encode()
    assert y.recv() == bnet.BNET_EOD
    assert y.buffered == 0
    t.join()
    x.terminate()
    assert y.recv() == bnet.BNET_TERMINATE
    assert y.terminated
    y.close()


def test_oversized_header_is_a_protocol_error_and_stays_one():
    a, b = socket.socketpair()
    bs = BSock(b, timeout=10, max_packet_size=1000)
    a.sendall(bnet.encode_packet(b"ok") + bnet._HEADER.pack(1001) + b"z" * 1001)
    assert bs.recv() == b"ok"
    with pytest.raises(ProtocolError):
        bs.recv()
    with pytest.raises(ProtocolError):
        bs.recv()
    a.close()
    bs.close()


def test_close_in_the_middle_of_a_packet():
    a, b = socket.socketpair()
    bs = BSock(b, timeout=10)
    a.sendall(bnet._HEADER.pack(100) + b"only part")
    a.close()
    with pytest.raises(ConnectionClosed, match="middle of a packet"):
        bs.recv()
    bs.close()


def test_timeout_argument_when_nothing_arrives():
    x, y = _pair()
    with pytest.raises(TimeoutError):
        y.recv(timeout=0.05)
    x.send(b"late")
    assert y.recv(timeout=5) == b"late"
    x.close()
    y.close()


def test_timeout_in_the_middle_of_a_packet_loses_nothing():
    a, b = socket.socketpair()
    bs = BSock(b, timeout=10)
    wire = bnet.encode_packet(b"first") + bnet.encode_packet(b"y" * 300_000) + bnet.encode_packet(b"z")
    a.sendall(wire[:2])
    with pytest.raises(TimeoutError):
        bs.recv(timeout=0.05)
    a.sendall(wire[2:100])
    assert bs.recv() == b"first"
    with pytest.raises(TimeoutError):
        bs.recv(timeout=0.05)
    t = _writer(a, wire[100:], [70_000])
    assert bs.recv() == b"y" * 300_000
    assert bs.recv() == b"z"
    t.join()
    a.close()
    bs.close()
