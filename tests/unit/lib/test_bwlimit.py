"""lib/bwlimit: the token bucket's accounting with a clock the test drives."""

import pytest

from bareos.lib.bwlimit import BandwidthLimit


class Clock:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.t += s


def test_unlimited_never_waits():
    c = Clock()
    lim = BandwidthLimit(0, clock=c, sleep=c.sleep)
    assert lim.delay(10**9) == 0.0
    out = []
    lim.send(out.append, b"x" * 100_000)
    assert out == [b"x" * 100_000] and c.slept == []


def test_delay_is_the_time_the_bytes_take_at_the_rate():
    c = Clock()
    lim = BandwidthLimit(1000, clock=c, sleep=c.sleep)
    assert lim.delay(500) == 0.5          # no credit at the start
    c.t += 0.5
    assert lim.delay(0) == 0.0            # paid off
    c.t += 0.05
    assert lim.delay(100) == pytest.approx(0.05)   # 50 bytes of credit, 100 sent


def test_idle_time_saves_little_without_burst_and_all_with_it():
    c = Clock()
    lim = BandwidthLimit(1000, clock=c, sleep=c.sleep)
    c.t += 60
    assert lim.delay(1100) == 1.0         # only 0.1 s worth (100 bytes) was saved
    c2 = Clock()
    burst = BandwidthLimit(1000, burst=True, clock=c2, sleep=c2.sleep)
    c2.t += 60
    assert burst.delay(1100) == 0.0


def test_send_trickles_pieces_at_the_rate():
    c = Clock()
    lim = BandwidthLimit(30_000, clock=c, sleep=c.sleep)
    out = []
    data = bytes(range(256)) * 600            # 153,600 bytes
    lim.send(out.append, data)
    assert b"".join(bytes(p) for p in out) == data
    assert max(len(p) for p in out) == 3000   # a tenth of a second's worth
    assert abs(sum(c.slept) - len(data) / 30_000) < 1e-6
