"""The deterministic dataset of issue 7, its mutation and the reset back.

large/  4 files: two text-like (compressible), two random
small/  files of 1-16 KiB in directories of two levels (top/sub), plus one
        empty file and one symlink per leaf directory

Every byte follows from a seeded random generator, so two runs (and both
systems in one run) see the same data.  ``mutate`` rewrites 1 KiB in 1 % of
the small files and appends to one large file; ``reset`` undoes it exactly
(content; times are left as they fall, each round starts with a Full).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

MiB = 1024 * 1024
VERSION = 3


@dataclass(frozen=True)
class Spec:
    large_files: int = 4
    large_mib: int = 256
    small_files: int = 50_000
    top_dirs: int = 20
    sub_dirs: int = 25          # leaf directories = top_dirs * sub_dirs
    min_kib: int = 1
    max_kib: int = 16
    append_mib: int = 256
    mutate_share: float = 0.01

    @property
    def leaf_dirs(self) -> int:
        return self.top_dirs * self.sub_dirs


FULL = Spec()
QUICK = Spec(large_mib=32, small_files=5_000, top_dirs=10, sub_dirs=5, append_mib=32)


def _text_block(rnd: random.Random, size: int) -> bytes:
    """Text-like bytes: sentences of words drawn Zipf-like from a vocabulary of
    20,000 letter-frequency words (zlib-6 ratio ~2.5, LZ4 ~1.7; zlib and LZ4
    run at about the speed they show on natural text)."""
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [12, 9, 8, 7, 7, 6, 6, 6, 5, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1.5, 1, 0.8, 0.2, 0.2, 0.1, 0.1]
    words = ["".join(rnd.choices(letters, weights, k=rnd.randint(2, 10))) for _ in range(20_000)]
    cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    out = []
    n = 0
    while n < size:
        line = " ".join(rnd.choices(words, cum_weights=cum, k=rnd.randint(5, 16))) + ".\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def _write_large(path: Path, kind: str, mib: int, seed: int) -> None:
    rnd = random.Random(seed)
    chunk = 8 * MiB
    with open(path, "wb") as f:
        if kind == "random":
            left = mib * MiB
            while left:
                n = min(chunk, left)
                f.write(rnd.randbytes(n))
                left -= n
        else:
            block = _text_block(rnd, chunk)
            left = mib * MiB
            i = 0
            while left:
                n = min(chunk, left)
                # each chunk differs: a header and a rotation of the block
                rot = rnd.randrange(len(block))
                data = (f"## chunk {i}\n".encode() + block[rot:] + block[:rot])[:n]
                f.write(data)
                left -= n
                i += 1


def large_names(spec: Spec) -> list[tuple[str, str]]:
    kinds = ["text", "random"]
    return [(f"{kinds[i % 2]}-{i}.dat", kinds[i % 2]) for i in range(spec.large_files)]


def _small_layout(spec: Spec):
    """(relative path, size, seed) of every regular small file, in order."""
    rnd = random.Random(7)
    per_dir, extra = divmod(spec.small_files, spec.leaf_dirs)
    n = 0
    for t in range(spec.top_dirs):
        for s in range(spec.sub_dirs):
            d = f"d{t:03d}/s{s:03d}"
            count = per_dir + (1 if (t * spec.sub_dirs + s) < extra else 0)
            for k in range(count):
                size = rnd.randint(spec.min_kib * 1024, spec.max_kib * 1024)
                yield f"{d}/f{k:04d}.{'txt' if n % 2 else 'bin'}", size, n
                n += 1


def _small_content(pool_text: bytes, pool_rand: bytes, index: int, size: int) -> bytes:
    pool = pool_text if index % 2 else pool_rand
    start = (index * 7919) % (len(pool) - size)
    return f"{index}\n".encode() + pool[start:start + size - len(f"{index}\n")]


def _pools() -> tuple[bytes, bytes]:
    rnd = random.Random(11)
    return _text_block(rnd, 4 * MiB), rnd.randbytes(4 * MiB)


def _mutated(spec: Spec) -> list[tuple[str, int, int]]:
    layout = list(_small_layout(spec))
    step = max(1, round(1 / spec.mutate_share))
    return layout[::step]


class Dataset:
    def __init__(self, root: Path, spec: Spec):
        self.root = root
        self.spec = spec
        self.large = root / "large"
        self.small = root / "small"
        self.marker = root / "dataset.json"

    # -- generation ----------------------------------------------------------------
    def _want(self) -> dict:
        return {"version": VERSION, **asdict(self.spec)}

    def ensure(self, log=print) -> bool:
        """Create the dataset unless the same one exists; return True if made."""
        try:
            if json.loads(self.marker.read_text()) == self._want():
                self.reset()
                return False
        except (OSError, ValueError):
            pass
        if self.root.exists():
            shutil.rmtree(self.root)
        self.large.mkdir(parents=True)
        self.small.mkdir(parents=True)
        log(f"dataset: writing {self.spec.large_files} x {self.spec.large_mib} MiB to {self.large}")
        for i, (name, kind) in enumerate(large_names(self.spec)):
            _write_large(self.large / name, kind, self.spec.large_mib, 1000 + i)
        log(f"dataset: writing {self.spec.small_files} small files to {self.small}")
        pool_text, pool_rand = _pools()
        made_dirs = set()
        for rel, size, idx in _small_layout(self.spec):
            d = rel.rsplit("/", 1)[0]
            if d not in made_dirs:
                (self.small / d).mkdir(parents=True, exist_ok=True)
                (self.small / d / "empty").write_bytes(b"")
                os.symlink("../../" + rel, self.small / d / "link")
                made_dirs.add(d)
            with open(self.small / rel, "wb") as f:
                f.write(_small_content(pool_text, pool_rand, idx, size))
        self.marker.write_text(json.dumps(self._want()))
        return True

    # -- counts ------------------------------------------------------------------------
    def large_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.large.iterdir())

    def small_stats(self) -> tuple[int, int]:
        """(entries, bytes) of the small tree: files, empty files, links, directories."""
        n = size = 0
        for root, dirs, files in os.walk(self.small):
            n += len(dirs) + len(files)
            for f in files:
                size += os.lstat(os.path.join(root, f)).st_size
        return n, size

    # -- mutation ----------------------------------------------------------------------
    def mutate(self) -> dict:
        """1 KiB rewritten in 1 % of the small files; append to the first large file."""
        rnd = random.Random(99)
        n = 0
        for rel, size, idx in _mutated(self.spec):
            path = self.small / rel
            off = rnd.randrange(max(1, size - 1024))
            with open(path, "r+b") as f:
                f.seek(off)
                f.write(rnd.randbytes(min(1024, size)))
            n += 1
        big = self.large / large_names(self.spec)[0][0]
        rnd2 = random.Random(123)
        with open(big, "ab") as f:
            for _ in range(self.spec.append_mib // 8 or 1):
                f.write(rnd2.randbytes(min(8, self.spec.append_mib) * MiB))
        return {"small_changed": n, "large_appended_mib": self.spec.append_mib}

    def reset(self) -> None:
        """Undo ``mutate``: original content of the changed files, large file truncated."""
        pool_text, pool_rand = _pools()
        for rel, size, idx in _mutated(self.spec):
            path = self.small / rel
            want = _small_content(pool_text, pool_rand, idx, size)
            with open(path, "rb") as f:
                if f.read() == want:
                    continue
            with open(path, "wb") as f:
                f.write(want)
        big = self.large / large_names(self.spec)[0][0]
        if big.stat().st_size != self.spec.large_mib * MiB:
            os.truncate(big, self.spec.large_mib * MiB)
