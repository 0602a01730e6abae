"""A toy Director and a toy File Daemon that speak to our SD exactly as the
spec (daemon-protocols.md §1-§2, Appendix A) says a Bareos Director and FD do.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bareos.lib import bnet, cram, tls
from bareos.lib.bnet import HelloKind, bash_spaces
from bareos.lib.bsock import BSock, authenticate_client, connect
from bareos.stored import protocol as P

DIR_NAME = "bareos-dir"
DIR_PASSWORD = "dirsecret"
SD_NAME = "bareos-sd"


def sd_config(workdir, archive, *, tls_enable=False, jit=True, devices=None, extra="") -> str:
    tls_line = "" if tls_enable else "  TLS Enable = no\n"
    if devices is None:
        devices = [dict(name="FileStorage", max_jobs=1)]
    devtext = ""
    for d in devices:
        devtext += (
            "Device {\n"
            f"  Name = {d['name']}\n"
            f"  Media Type = {d.get('media_type', 'File')}\n"
            f"  Archive Device = {d.get('archive', archive)}\n"
            "  Label Media = yes\n  Random Access = yes\n  Automatic Mount = yes\n"
            "  Removable Media = no\n"
            f"  Always Open = {d.get('always_open', 'no')}\n"
            f"  Maximum Concurrent Jobs = {d.get('max_jobs', 1)}\n"
            + (f"  Maximum Block Size = {d['block_size']}\n" if 'block_size' in d else "")
            + (f"  Count = {d['count']}\n" if 'count' in d else "")
            + "".join(f"  {k} = {v}\n" for k, v in d.get("directives", {}).items())
            + "}\n")
    return (
        "Storage {\n"
        f"  Name = {SD_NAME}\n"
        f"  Working Directory = {workdir}\n"
        "  SD Port = 0\n"
        f"  Just In Time Reservation = {'yes' if jit else 'no'}\n"
        "  Client Connect Wait = 20\n"
        + tls_line + extra +
        "}\n"
        "Director {\n"
        f"  Name = {DIR_NAME}\n"
        f"  Password = \"{DIR_PASSWORD}\"\n"
        + tls_line +
        "}\n"
        "Director {\n"
        "  Name = bareos-mon\n"
        "  Password = \"monpass\"\n"
        "  Monitor = yes\n"
        + tls_line +
        "}\n" + devtext)


@dataclass
class ToyPool:
    name: str = "Full"
    media_type: str = "File"
    max_vol_bytes: int = 0
    label_format: str = "Full-"
    volumes: dict = field(default_factory=dict)
    next_media_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)

    def find(self, unwanted: list[str]) -> P.VolumeInfo:
        with self.lock:
            for v in self.volumes.values():
                if v.status == "Append" and v.name not in unwanted:
                    return v
            name = f"{self.label_format}{self.next_media_id:04d}"
            v = P.VolumeInfo(name, max_bytes=self.max_vol_bytes, media_id=self.next_media_id,
                             status="Append")
            self.next_media_id += 1
            self.volumes[name] = v
            return v


class ToyDirector:
    """One Director connection to the SD, driving one job."""

    def __init__(self, port: int, *, use_tls: bool = False, name: str = DIR_NAME,
                 password: str = DIR_PASSWORD, pool: ToyPool | None = None) -> None:
        self.pool = pool or ToyPool()
        settings = tls.TlsSettings() if use_tls else tls.TlsSettings.disabled()
        self.bs: BSock = connect("127.0.0.1", port, "R_DIRECTOR", name,
                                 cram.password_key(password), settings,
                                 hello=bnet.make_hello(HelloKind.DIRECTOR, name, version="25.1.1"),
                                 timeout=30, use_tls=use_tls)
        authenticate_client(self.bs, cram.password_key(password),
                            cram.qualified_name("R_DIRECTOR", name), 0)
        self.hello_reply = self.text()
        self.messages: list = []        # everything the SD sent during the job
        self.attributes: list = []      # parsed UpdCat packets
        self.jobmedia: list[str] = []
        self.catreqs: list[str] = []
        self.jmsgs: list[str] = []
        self.statuses: list[int] = []
        self.end_line = ""

    def text(self) -> str:
        item = self.bs.recv()
        assert isinstance(item, bytes), item
        return item.decode()

    def send(self, line) -> None:
        self.bs.send(line)

    def job(self, job_id: int, job: str, *, job_type="B", level="F", client="fd1",
            fileset="Full Set", name="backup job", spool_data=False, spool_attr=False,
            spool_size=0) -> tuple[int, int, str]:
        line = (f"JobId={job_id} job={job} job_name={bash_spaces(name)} "
                f"client_name={bash_spaces(client)} type={ord(job_type)} level={ord(level)} "
                f"FileSet={bash_spaces(fileset)} NoAttr=0 SpoolAttr={int(spool_attr)} "
                f"FileSetMD5=abc SpoolData={int(spool_data)} PreferMountedVols=1 "
                f"SpoolSize={spool_size} rerunning=0 VolSessionId=0 "
                f"VolSessionTime=0 Quota=0 Protocol=0 BackupFormat=Native\n")
        self.send(line)
        reply = self.text()
        v = P.bsscanf(reply, "3000 OK Job SDid=%u SDtime=%u Authorization=%100s")
        assert len(v) == 3, reply
        return v[0], v[1], v[2]

    def use(self, devices=("FileStorage",), *, append=True, store="File", media_type="File") -> str:
        self.send(f"use storage={store} media_type={media_type} pool_name={self.pool.name} "
                  f"pool_type=Backup append={int(append)} copy=0 stripe=0\n")
        for d in devices:
            self.send(f"use device={bash_spaces(d)}\n")
        self.bs.signal(bnet.BNET_EOD)
        self.bs.signal(bnet.BNET_EOD)
        return self.serve_until_digit()

    def serve_until_digit(self) -> str:
        """Answer catalog requests until a numbered reply arrives."""
        while True:
            item = self.bs.recv()
            if isinstance(item, int):
                raise AssertionError(f"signal {item} before a reply")
            if item[:1].isdigit():
                return item.decode()
            self.handle(item)

    def handle(self, item: bytes) -> None:
        self.messages.append(item)
        if item.startswith(b"UpdCat"):
            self.attributes.append(P.parse_update_file_attributes(item))
            return
        text = item.decode("utf-8", "replace")
        if text.startswith("Jmsg"):
            self.jmsgs.append(text)
            return
        if text.startswith("Status"):
            self.statuses.append(int(text.split("JobStatus=")[1]))
            return
        if text.startswith("CatReq"):
            self.catreqs.append(text)
            self.send(self.answer(text))
            return
        raise AssertionError(f"unexpected message from SD: {text[:200]!r}")

    def answer(self, text: str) -> str:
        pool = self.pool
        if " FindMedia=" in text:
            v = P.bsscanf(text, "CatReq Job=%127s FindMedia=%d pool_name=%127s media_type=%127s unwanted_volumes=%s")
            unwanted = [u for u in v[4].split(",") if u] if len(v) == 5 else []
            return pool.find(unwanted).reply()
        if " GetVolInfo " in text:
            v = P.bsscanf(text, "CatReq Job=%127s GetVolInfo VolName=%127s write=%d")
            vol = pool.volumes.get(v[1])
            return vol.reply() if vol else f'1997 Volume "{v[1]}" not in catalog.\n'
        if " UpdateMedia " in text:
            v = P.bsscanf(text, "CatReq Job=%127s UpdateMedia VolName=%127s VolJobs=%u VolFiles=%u "
                                "VolBlocks=%u VolBytes=%lld VolMounts=%u VolErrors=%u VolWrites=%u "
                                "MaxVolBytes=%lld EndTime=%lld VolStatus=%20s")
            vol = pool.volumes[v[1]]
            vol.jobs, vol.files, vol.blocks, vol.bytes, vol.mounts = v[2], v[3], v[4], v[5], v[6]
            vol.status = v[11]
            return vol.reply()
        if " CreateJobMedia " in text:
            self.jobmedia.append(text)
            return P.OK_CREATE_JOBMEDIA
        if " DeleteNullJobmediaRecords " in text:
            return "1000 OK DeleteNullJobmediaRecords\n"
        raise AssertionError(f"unknown CatReq {text!r}")

    def run_and_serve(self) -> str:
        """``run`` and serve the job's messages until ``3099 ... end`` + EOD."""
        self.send("run")
        return self.serve_job()

    def serve_job(self) -> str:
        while True:
            item = self.bs.recv()
            if isinstance(item, int):
                if item == bnet.BNET_EOD and self.end_line:
                    return self.end_line
                if item == bnet.BNET_TERMINATE:
                    return self.end_line
                continue
            if item.startswith(b"3099"):
                self.end_line = item.decode()
                continue
            if item.startswith(b"3010"):
                self.messages.append(item)
                continue
            self.handle(item)

    def close(self) -> None:
        self.bs.close()


class ToyFD:
    """The File Daemon's data connection to the SD."""

    def __init__(self, port: int, job: str, key: str, *, use_tls: bool = False,
                 client: str = "fd1") -> None:
        settings = tls.TlsSettings() if use_tls else tls.TlsSettings.disabled()
        self.bs = connect("127.0.0.1", port, "R_JOB", job, key.encode(), settings,
                          hello=bnet.make_hello(HelloKind.START_JOB, job, version="25.1.1"),
                          timeout=60, use_tls=use_tls)
        authenticate_client(self.bs, key.encode(), cram.qualified_name("R_CLIENT", client), 0)

    def text(self) -> str:
        item = self.bs.recv()
        assert isinstance(item, bytes), f"expected a message, got signal {item}"
        return item.decode()

    def backup(self, files: list[list[tuple[int, bytes | list[bytes]]]]) -> list[str]:
        """files: per file a list of (stream, data or list of data messages).
        Returns the SD's replies in order."""
        replies = []
        self.bs.send("append open session\n")
        replies.append(self.text())
        ticket = replies[-1].split("=")[1].strip()
        self.bs.send(f"append data {ticket}\n")
        replies.append(self.text())
        for fi, streams in enumerate(files, start=1):
            for stream, data in streams:
                self.bs.send(f"{fi} {stream} 0")
                for piece in (data if isinstance(data, list) else [data]):
                    self.bs.send(piece)
                self.bs.signal(bnet.BNET_EOD)
        self.bs.signal(bnet.BNET_EOD)
        replies.append(self.text())
        self.bs.send(f"append end session {ticket}\n")
        replies.append(self.text())
        self.bs.send(f"append close session {ticket}\n")
        replies.append(self.text())
        assert self.bs.recv() == bnet.BNET_EOD
        self.bs.signal(bnet.BNET_TERMINATE)
        return replies

    def restore(self, sdid: int, sdtime: int) -> tuple[list[str], list[tuple]]:
        replies = []
        self.bs.send(f"read open session = DummyVolume {sdid} {sdtime} 0 0 0 0\n")
        replies.append(self.text())
        ticket = replies[-1].split("=")[1].strip()
        self.bs.send(f"read data {ticket}\n")
        replies.append(self.text())
        records = []
        while True:
            item = self.bs.recv()
            if item == bnet.BNET_EOD:
                break
            hdr = P.parse_rechdr(item)
            assert hdr is not None, item
            data = b""
            while True:
                part = self.bs.recv()
                assert isinstance(part, bytes)
                data += part
                if len(data) >= hdr[4]:
                    break
            records.append((hdr, data))
        self.bs.send(f"read close session {ticket}\n")
        replies.append(self.text())
        assert self.bs.recv() == bnet.BNET_EOD
        self.bs.signal(bnet.BNET_TERMINATE)
        return replies, records

    def close(self) -> None:
        self.bs.close()
