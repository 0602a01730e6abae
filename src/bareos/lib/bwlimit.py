"""Bandwidth limiting (what Bareos's ``lib/bwlimit`` does for a socket with
``Maximum Bandwidth``): a token bucket that says how long a sender must wait
before it may put *n* more bytes on the wire.

:meth:`BandwidthLimit.delay` is the pure accounting (clock passed in, no
sleeping); :meth:`BandwidthLimit.send` cuts data into small pieces and waits
between them, so the receiver sees a steady trickle rather than one burst
after a long pause.
"""

from __future__ import annotations

import time

__all__ = ["BandwidthLimit"]


class BandwidthLimit:
    """*rate* bytes per second (0 = unlimited).  Without *burst* at most
    ~0.1 s worth of unused bandwidth is saved up for later."""

    def __init__(self, rate: int, burst: bool = False, clock=time.monotonic,
                 sleep=time.sleep) -> None:
        self.rate = max(0, int(rate))
        self.burst = burst
        self.clock = clock
        self.sleep = sleep
        self._last = clock()
        self._credit = 0.0          # bytes that may go out now (negative: owed)

    @property
    def chunk(self) -> int:
        """Piece size for :meth:`send`: about a tenth of a second's worth."""
        return max(512, self.rate // 10) if self.rate else 1 << 30

    def delay(self, n: int, now: float | None = None) -> float:
        """Account *n* bytes sent at *now*; return the seconds to wait before
        sending more (0.0 when within the limit)."""
        if not self.rate:
            return 0.0
        if now is None:
            now = self.clock()
        elapsed = max(0.0, now - self._last)
        self._last = now
        credit = self._credit + elapsed * self.rate
        if not self.burst:
            credit = min(credit, self.rate / 10)
        credit -= n
        self._credit = credit
        return -credit / self.rate if credit < 0 else 0.0

    def control(self, n: int) -> None:
        """Account *n* bytes and sleep as long as the limit requires."""
        wait = self.delay(n)
        if wait > 0:
            self.sleep(wait)

    def send(self, sendall, data) -> None:
        """``sendall(piece)`` for pieces of *data*, keeping to the rate."""
        if not self.rate:
            sendall(data)
            return
        view = memoryview(data)
        step = self.chunk
        for i in range(0, len(view), step):
            piece = view[i:i + step]
            self.control(len(piece))
            sendall(piece)
