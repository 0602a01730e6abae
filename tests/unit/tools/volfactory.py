"""Build Bareos volumes for the volume-tool tests the way a Storage Daemon
writes them: a volume label block, then per job a start-of-session label,
the File Daemon's records (attributes on stream 1, data on stream 2 or a
variant, a digest), and an end-of-session label -- all packed by
``RecordWriter`` into BB02 blocks.

The file records follow the File Daemon: depth-first, a directory's own
record (``FT_DIREND``, name with a trailing slash) after its contents, a
second name of a hard-linked file as ``FT_LNKSAVED`` pointing at the first.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zlib
from dataclasses import dataclass, field

from bareos.lib.stat import encode_attributes, encode_stat
from bareos.lib.streams import (
    FT_DIREND, FT_LNK, FT_LNKSAVED, FT_REG, FT_REGE, FT_SPEC, STREAM_COMPRESSED_DATA,
    STREAM_FILE_DATA, STREAM_MD5_DIGEST, STREAM_SPARSE_DATA, STREAM_UNIX_ATTRIBUTES,
    STREAM_XATTR_LINUX,
)
from bareos.stored.volume import SessionLabel, VolumeLabel, label_volume_block
from bareos.stored.volume.label import btime_now
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL, RecordWriter

DATA_CHUNK = 65536          # the FD reads and sends 64 KiB buffers
XATTR_MAGIC = 0x5C5884


@dataclass
class FileEntry:
    file_index: int
    ftype: int
    fname: str           # as on the volume (directories with trailing "/")
    lstat: str
    link: str = ""
    md5: str = "0"       # unpadded base64 like the catalog, "0" without digest
    size: int = 0


@dataclass
class JobInfo:
    job_id: int
    job: str
    name: str = "backup-job"
    client: str = "client-fd"
    fileset: str = "FullSet"
    fileset_md5: str = "FilesetMd5Value+/AAA"
    pool: str = "Full"
    level: str = "F"
    jtype: str = "B"
    session_id: int = 1
    session_time: int = 1_700_000_000
    files: list[FileEntry] = field(default_factory=list)
    job_bytes: int = 0
    first_block_offset: int = 0
    last_block_end: int = 0
    start_btime: int = 0
    end_btime: int = 0


def _xattr_stream(path: str) -> bytes | None:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return None
    out = []
    for n in names:
        try:
            v = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            continue
        nb = n.encode()
        out.append(struct.pack(">II", XATTR_MAGIC, len(nb)) + nb + struct.pack(">I", len(v)) + v)
    return b"".join(out) if out else None


def _compressed(chunk: bytes, level: int = 6) -> bytes:
    body = zlib.compress(chunk, level)
    return struct.pack(">4sIHH", b"GZIP", len(body), level, 1) + body


class VolumeBuilder:
    """Write a volume file record by record, like an SD's append session."""

    def __init__(self, path: str, volume_name: str | None = None, *, pool: str = "Full",
                 media_type: str = "File", block_size: int = 64512):
        self.path = path
        self.volume_name = volume_name or os.path.basename(path)
        self.pool = pool
        self.media_type = media_type
        self.block_size = block_size
        self.fh = open(path, "wb")
        self.label = VolumeLabel(self.volume_name, pool_name=pool, media_type=media_type,
                                 host_name="testhost")
        self.fh.write(label_volume_block(self.label))
        self.block_number = 1
        self.jobs: list[JobInfo] = []

    @property
    def offset(self) -> int:
        return self.fh.tell()

    def _put(self, blocks, job: JobInfo) -> None:
        for b in blocks:
            if not job.first_block_offset:
                job.first_block_offset = self.fh.tell()
            self.fh.write(b)
            job.last_block_end = self.fh.tell() - 1
            self.block_number = b.block_number + 1

    def backup_tree(self, root: str, job: JobInfo, *, compress: bool = False,
                    sparse: bool = False, xattrs: bool = False, digest: bool = True,
                    exclude: tuple[str, ...] = ()) -> JobInfo:
        """Write one job session saving everything below ``root``."""
        w = RecordWriter(self.block_size, vol_session_id=job.session_id,
                         vol_session_time=job.session_time, block_number=self.block_number)
        job.start_btime = btime_now()
        sos = SessionLabel(SOS_LABEL, job_id=job.job_id, job_name=job.name,
                           client_name=job.client, job=job.job, fileset_name=job.fileset,
                           fileset_md5=job.fileset_md5, pool_name=job.pool,
                           job_type=job.jtype, job_level=job.level,
                           write_btime=job.start_btime)
        self._put(w.write_label(SOS_LABEL, job.job_id, sos.encode()), job)
        fi = 0
        seen_inodes: dict[tuple[int, int], tuple[int, str]] = {}

        def save(path: str) -> None:
            nonlocal fi
            st = os.lstat(path)
            fi += 1
            data_stream = STREAM_COMPRESSED_DATA if compress else (
                STREAM_SPARSE_DATA if sparse else STREAM_FILE_DATA)
            link = ""
            link_fi = 0
            fname = path
            if stat.S_ISDIR(st.st_mode):
                ftype = FT_DIREND
                fname = path.rstrip("/") + "/"
            elif stat.S_ISLNK(st.st_mode):
                ftype = FT_LNK
                link = os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in seen_inodes:
                    ftype = FT_LNKSAVED
                    link_fi, link = seen_inodes[key]
                else:
                    if st.st_nlink > 1:
                        seen_inodes[key] = (fi, path)
                    ftype = FT_REG if st.st_size else FT_REGE
            else:
                ftype = FT_SPEC
            lstat = encode_stat(st, link_fi, data_stream)
            attrs = encode_attributes(fi, ftype, fname, lstat, link)
            self._put(w.write(fi, STREAM_UNIX_ATTRIBUTES, attrs), job)
            entry = FileEntry(fi, ftype, fname, lstat, link, size=st.st_size)
            if ftype == FT_REG:
                md5 = hashlib.md5()
                with open(path, "rb") as fh:
                    pos = 0
                    while True:
                        chunk = fh.read(DATA_CHUNK)
                        if not chunk:
                            break
                        md5.update(chunk)
                        job.job_bytes += len(chunk)
                        if sparse:
                            if chunk.count(0) == len(chunk) and pos + len(chunk) < st.st_size:
                                pos += len(chunk)
                                continue
                            rec = struct.pack(">Q", pos) + chunk
                            self._put(w.write(fi, STREAM_SPARSE_DATA, rec), job)
                        elif compress:
                            self._put(w.write(fi, STREAM_COMPRESSED_DATA, _compressed(chunk)), job)
                        else:
                            self._put(w.write(fi, STREAM_FILE_DATA, chunk), job)
                        pos += len(chunk)
                if digest:
                    d = md5.digest()
                    self._put(w.write(fi, STREAM_MD5_DIGEST, d), job)
                    from bareos.lib.base64 import bin_to_base64
                    entry.md5 = bin_to_base64(d, True)
            if xattrs and ftype in (FT_REG, FT_REGE, FT_DIREND):
                xs = _xattr_stream(path)
                if xs:
                    self._put(w.write(fi, STREAM_XATTR_LINUX, xs), job)
            job.files.append(entry)

        def walk(d: str) -> None:
            for name in sorted(os.listdir(d)):
                p = os.path.join(d, name)
                if p in exclude:
                    continue
                if os.path.isdir(p) and not os.path.islink(p):
                    walk(p)
                else:
                    save(p)
            save(d)

        walk(root)
        job.end_btime = btime_now()
        eos = SessionLabel(EOS_LABEL, job_id=job.job_id, job_name=job.name,
                           client_name=job.client, job=job.job, fileset_name=job.fileset,
                           fileset_md5=job.fileset_md5, pool_name=job.pool,
                           job_type=job.jtype, job_level=job.level, job_files=fi,
                           job_bytes=job.job_bytes, write_btime=job.end_btime,
                           start_block=job.first_block_offset & 0xFFFFFFFF,
                           start_file=job.first_block_offset >> 32)
        self._put(w.write_label(EOS_LABEL, job.job_id, eos.encode()), job)
        last = w.flush()
        if last is not None:
            self._put([last], job)
        self.jobs.append(job)
        return job

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()


def make_tree(root: str) -> dict[str, str]:
    """A small tree with every kind of entry the tests need; returns
    {kind: path}."""
    os.makedirs(root)
    sub = os.path.join(root, "sub")
    deep = os.path.join(sub, "deeper")
    os.makedirs(deep)
    paths = {}
    p = os.path.join(root, "regular.txt")
    with open(p, "w") as fh:
        fh.write("hello bareos\n" * 10)
    os.chmod(p, 0o640)
    paths["regular"] = p
    p = os.path.join(root, "empty")
    open(p, "w").close()
    paths["empty"] = p
    p = os.path.join(sub, "large.bin")
    # about 1.3 MB, several blocks; not trivially compressible
    import random
    rnd = random.Random(42)
    with open(p, "wb") as fh:
        for _ in range(20):
            fh.write(rnd.randbytes(32768) + b"A" * 32768)
        fh.write(b"tail")
    paths["large"] = p
    p = os.path.join(deep, "note.md")
    with open(p, "w") as fh:
        fh.write("# deep\n")
    os.chmod(p, 0o600)
    paths["deep"] = p
    link = os.path.join(root, "symlink")
    os.symlink("regular.txt", link)
    paths["symlink"] = link
    abslink = os.path.join(sub, "abslink")
    os.symlink("/nonexistent/target", abslink)
    paths["abslink"] = abslink
    hl = os.path.join(sub, "hardlink.txt")
    os.link(paths["regular"], hl)
    paths["hardlink"] = hl
    fifo = os.path.join(sub, "fifo")
    os.mkfifo(fifo)
    os.chmod(fifo, 0o620)
    paths["fifo"] = fifo
    os.chmod(deep, 0o750)
    # fixed, distinct times so the restore check means something
    t = 1_600_000_000
    for i, pth in enumerate(sorted(paths.values()) + [deep, sub, root]):
        os.utime(pth, (t + i, t + 1000 + i), follow_symlinks=False)
    paths["sub"] = sub
    paths["deeper"] = deep
    return paths


def write_sd_config(confdir: str, archive_dir: str, device: str = "FileStorage",
                    media_type: str = "File") -> str:
    """A minimal bareos-sd.d tree with one file Device."""
    d = os.path.join(confdir, "bareos-sd.d")
    for sub in ("storage", "device", "director", "messages"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "storage", "bareos-sd.conf"), "w") as fh:
        fh.write('Storage {\n  Name = bareos-sd\n  Maximum Concurrent Jobs = 20\n}\n')
    with open(os.path.join(d, "director", "bareos-dir.conf"), "w") as fh:
        fh.write('Director {\n  Name = bareos-dir\n  Password = "secret"\n}\n')
    with open(os.path.join(d, "device", f"{device}.conf"), "w") as fh:
        fh.write(f'Device {{\n  Name = {device}\n  Media Type = {media_type}\n'
                 f'  Archive Device = {archive_dir}\n  LabelMedia = yes\n'
                 '  Random Access = yes\n  AutomaticMount = yes\n  RemovableMedia = no\n'
                 '  AlwaysOpen = no\n}\n')
    with open(os.path.join(d, "messages", "Standard.conf"), "w") as fh:
        fh.write('Messages {\n  Name = Standard\n  Director = bareos-dir = all\n}\n')
    return confdir
