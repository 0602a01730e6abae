"""The SD's restore output: batched packets are exactly what BSock.send writes."""

from __future__ import annotations

import socket
import threading

from bareos.filed.attrfast import parse_rechdr
from bareos.lib import bnet
from bareos.lib.bsock import BSock
from bareos.stored import protocol as P
from bareos.stored.read import SEND_LIMIT, send_records


def _wire(send) -> bytes:
    a, b = socket.socketpair()
    got = bytearray()

    def reader():
        while chunk := b.recv(1 << 20):
            got.extend(chunk)

    t = threading.Thread(target=reader)
    t.start()
    bs = BSock(a)
    send(bs)
    a.shutdown(socket.SHUT_WR)
    t.join()
    a.close()
    b.close()
    return bytes(got)


RECORDS = [
    (1, 1700000000, 1, 1, b"1 3 /etc/x\0AAA\0\0\0" + b"0\0"),
    (1, 1700000000, 1, 2, b"x" * 70_000),
    (1, 1700000000, 1, 3, b""),
    (2, 1700000001, 7, 2, bytes(range(256)) * 4000),      # more than one packet's payload
] + [(3, 5, i, 2, b"%d" % i) for i in range(2000)]


def test_batch_is_the_same_bytes_as_single_sends():
    def single(bs):
        for sid, st, fi, stream, data in RECORDS:
            bs.send(P.rechdr(sid, st, fi, stream, len(data)))
            bs.send(data)

    def batched(bs):
        assert send_records(bs, _records(RECORDS)) == "end"

    assert _wire(batched) == _wire(single)


def _records(recs):
    yield [(fi, stream, memoryview(data), sid, st, 0, 0, False) for sid, st, fi, stream, data in recs[:3]]
    yield [(fi, stream, memoryview(data), sid, st, 0, 0, False) for sid, st, fi, stream, data in recs[3:]]
    return "end"


def test_translate_maps_stream_and_data():
    def single(bs):
        for sid, st, fi, stream, data in RECORDS[:3]:
            bs.send(P.rechdr(sid, st, fi, stream + 100, len(data) + 1))
            bs.send(bytes(data) + b"!")

    def batched(bs):
        send_records(bs, _records(RECORDS[:3]), lambda stream, data: (stream + 100, bytes(data) + b"!"))

    assert _wire(batched) == _wire(single)


def test_batch_flushes_at_its_limit_and_packets_decode():
    sends = []

    class Sink:
        def send_packets(self, wire):
            sends.append(wire)

    assert len(RECORDS[3][4]) >= SEND_LIMIT
    send_records(Sink(), _records(RECORDS[:4] + [(9, 9, 9, 2, b"tail")]))
    assert len(sends) == 2     # the 1 MB record pushed the first send over the limit; the rest at the end
    dec = bnet.PacketDecoder()
    items = []
    for w in sends:
        dec.feed(w)
        while (item := dec.next()) is not None:
            items.append(item)
    heads = [parse_rechdr(x) for x in items if isinstance(x, bytes) and x.startswith(b"rechdr")]
    assert len(heads) == 5
    assert heads[0] == (1, 1700000000, 1, 1, len(RECORDS[0][4]))
    assert heads[-1] == (9, 9, 9, 2, 4)
    assert items[-1] == b"tail"
