"""random-commands: random ``update`` console commands, for robustness tests.

    python -m bareos.tools.random_commands [--zero] [-s SEED] [-o OFFSET] [-c COUNT]

Like Bareos's ``random-commands`` tool (used by the random-commands
systemtest): each line is ``update`` followed by 1 to 9 random parts, each a
keyword of the update command with a plausible value (job ids, pools, volume
names, sizes, durations, yes/no ...), sometimes a random value instead, or a
random garbage word.  A xorshift* generator seeded with SEED (a random seed
when none is given, printed on standard error as ``Chosen seed: 0x...``) makes
a run repeatable.  ``--zero`` ends each command with a NUL byte instead of a
newline.
"""

from __future__ import annotations

import argparse
import secrets
import sys

_MASK = (1 << 64) - 1

POOLS = ("Full", "Incremental", "Differential")
JOB_IDS = (1, 2, 3)
CONFIG_JOBS = ("copy-full", "copy-incr", "backup-bareos-fd", "RestoreFiles", "BackupCatalog")
CLIENTS = ("bareos-fd",)
FILESET_IDS = (1,)
STORAGES = ("File",)
JOB_TYPES = ("B", "M", "V", "R", "U", "I", "D", "A", "C", "c", "g", "S", "O")
VOLUMES = ("Full-0001", "Full-0002", "Full-0003", "Incremental-0001", "Incremental-0002",
           "Incremental-0003", "Differential-0001", "Differential-0002", "Differential-0003")
VOLUME_STATUS = ("Append", "Archive", "Disabled", "Full", "Used", "Cleaning", "Recycle",
                 "Read-Only", "Error")
SIZE_UNITS = ("*", "K", "KB", "M", "MB", "G", "GB", "T", "TB", "P", "PB", "E", "EB", "")
DURATION_UNITS = ("N", "SECONDS", "MONTHS", "MINUTES", "MINS", "HOURS", "DAYS", "WEEKS",
                  "QUARTERS", "YEARS", "")
YESNO = ("Yes", "True", "No", "False")


class XorShiftStar:
    """The xorshift* generator (64-bit state, never 0)."""

    def __init__(self, seed: int) -> None:
        if seed & _MASK == 0:
            raise ValueError("seed must not be 0")
        self.state = seed & _MASK

    def next(self) -> int:
        x = self.state
        x ^= x >> 12
        x = (x ^ (x << 25)) & _MASK
        x ^= x >> 27
        self.state = (x * 0x2545F4914F6CDD1D) & _MASK
        return self.state

    def choice(self, seq):
        return seq[self.next() % len(seq)]

    def in_range(self, lo: int, hi: int) -> int:
        """lo <= n < hi (lo when the range is empty)."""
        r = self.next()
        return lo + (r % (hi - lo)) if hi > lo else lo


def random_string(rand: XorShiftStar, max_size: int = 100, min_size: int = 0) -> str:
    return "".join(chr(rand.in_range(ord("!"), ord("~")))
                   for _ in range(rand.in_range(min_size, max_size)))


def random_number(rand: XorShiftStar, max_digits: int = 19, min_digits: int = 0) -> str:
    return "".join(chr(rand.in_range(ord("0"), ord("9")))
                   for _ in range(rand.in_range(min_digits, max_digits)))


def _amount(rand: XorShiftStar, units) -> str:
    out = []
    for _ in range(rand.in_range(1, 10)):
        out.append(random_number(rand))
        if rand.in_range(1, 100) < 20:
            out.append(" ")
        out.append(rand.choice(units))
        if rand.in_range(1, 100) < 20:
            out.append(" ")
    return "".join(out)


def _starttime(rand: XorShiftStar) -> str:
    n = [random_number(rand) for _ in range(7)]
    return f'"{n[0]}-{n[1]}-{n[2]} {n[3]}:{n[4]}:{n[5]}{n[6]}{random_string(rand, 15)}"'


GENERATORS = (
    lambda r: ("jobid", str(r.choice(JOB_IDS))),
    lambda r: ("jobname", r.choice(CONFIG_JOBS)),
    lambda r: ("jobtype", r.choice(JOB_TYPES)),
    lambda r: ("starttime", _starttime(r)),
    lambda r: ("client", r.choice(CLIENTS)),
    lambda r: ("filesetid", str(r.choice(FILESET_IDS))),
    lambda r: ("stats", ""),
    lambda r: ("days", random_number(r)),
    lambda r: ("pool", r.choice(POOLS)),
    lambda r: ("volume", r.choice(VOLUMES) if r.next() % 2 == 0 else ""),
    lambda r: ("maxvoljobs", random_number(r)),
    lambda r: ("maxvolfiles", random_number(r)),
    lambda r: ("maxvolbytes", _amount(r, SIZE_UNITS)),
    lambda r: ("recycle", r.choice(YESNO)),
    lambda r: ("inchanger", r.choice(YESNO)),
    lambda r: ("frompool", r.choice(POOLS)),
    lambda r: ("allfrompool", r.choice(POOLS)),
    lambda r: ("recyclepool", r.choice(POOLS) if r.next() % 2 == 0 else ""),
    lambda r: ("storage", r.choice(STORAGES)),
    lambda r: ("slot", random_number(r)),
    lambda r: ("actiononpurge", "truncate" if r.next() % 2 == 0 else random_string(r)),
    lambda r: ("enabled", r.choice((r.choice(YESNO), random_number(r), "archive"))),
    lambda r: ("volretention", _amount(r, DURATION_UNITS)),
    lambda r: ("voluse", _amount(r, DURATION_UNITS)),
    lambda r: ("volstatus", r.choice(VOLUME_STATUS)),
    lambda r: (random_string(r), ""),
)


def random_update(rand: XorShiftStar) -> str:
    """One ``update ...`` command line."""
    parts = []
    for _ in range(rand.in_range(1, 10)):
        name, value = rand.choice(GENERATORS)(rand)
        if rand.in_range(1, 101) <= 5:
            value = random_string(rand)
        if value:
            parts.append(f'{name}="{value}"' if " " in value else f"{name}={value}")
        else:
            parts.append(name)
    return "update " + "".join(p + " " for p in parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="random-commands", description="generate random commands")
    ap.add_argument("--zero", action="store_true",
                    help="use a literal 0 instead of a line feed to delimit generated strings")
    ap.add_argument("-s", "--seed", type=lambda t: int(t, 0), default=0,
                    help="number to seed the prng")
    ap.add_argument("-o", "--offset", type=int, default=0,
                    help="skip the first `offset` generated values")
    ap.add_argument("-c", "--count", type=int, default=1000, help="generate `count` values")
    a = ap.parse_args(argv)
    if a.seed < 0:
        ap.error("--seed must be positive")
    seed = a.seed or (secrets.randbits(64) or 1)
    print(f"Chosen seed: 0x{seed:x}", file=sys.stderr, flush=True)
    rand = XorShiftStar(seed)
    end = "\0" if a.zero else "\n"
    out = sys.stdout
    for i in range(a.offset + a.count):
        cmd = random_update(rand)
        if i < a.offset:
            continue
        try:
            out.write(cmd + end)
            out.flush()
        except BrokenPipeError:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
