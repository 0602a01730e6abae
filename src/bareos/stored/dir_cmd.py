"""The Director's commands to the Storage Daemon (Bareos's dir_cmd.cc,
job.cc, reserve.cc ``use`` handling).

:class:`DirSession` runs the command loop of one authenticated Director
connection: prefix dispatch over the table :data:`COMMANDS`, as Bareos;
a Director resource with ``Monitor = yes`` may only use ``status`` and
``.status``.  The connection that sent ``JobId=`` owns that job; its ``run``
waits for the File Daemon and runs the job's data session in this thread.
"""

from __future__ import annotations

import logging
import os
import time

from bareos.lib import bnet
from bareos.lib.bnet import BnetError, unbash_spaces
from bareos.lib.bsr import BsrError, parse_bsr
from bareos.lib.jobcodes import (
    JS_ERROR_TERMINATED, JS_RUNNING, JS_WAIT_FD,
)
from bareos.plugins import sd as sdplugins
from bareos.stored import protocol as P

log = logging.getLogger("bareos.stored.dir_cmd")

INVALID_FOR_MONITOR = "3997 Invalid command for a Director with Monitor directive enabled.\n"


class DirSession:
    def __init__(self, sd, bs, director) -> None:
        self.sd = sd
        self.bs = bs
        self.director = director
        self.monitor = bool(director.get("Monitor", False)) if director is not None else False
        self.job = None
        self.pending_plugin_options: list[str] = []   # pluginoptions before the job command

    # -- loop ------------------------------------------------------------------
    def run(self) -> None:
        try:
            while True:
                try:
                    item = self.bs.recv(timeout=None)
                except (BnetError, OSError, TimeoutError):
                    break
                if isinstance(item, int):
                    if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                        continue
                    break
                line = P.as_text(item)
                for prefix, func, monitor_ok in COMMANDS:
                    if line.startswith(prefix):
                        if not monitor_ok and self.monitor:
                            self.bs.send(INVALID_FOR_MONITOR)
                            self.bs.signal(bnet.BNET_EOD)
                            break
                        if not func(self, line):
                            return
                        break
                else:
                    self.bs.send(f"3900 Invalid command: {line}\n")
                    return
        finally:
            self._cleanup()
            self.bs.terminate(close=False)

    def _cleanup(self) -> None:
        job = self.job
        if job is None:
            return
        if job.write_dcr is not None and not job.write_dcr.acquired:
            self.sd.devices.release(job.write_dcr.dev, job.job_id)
            job.write_dcr = None
        if job.read_device is not None and job.read_device.num_readers == 0:
            self.sd.devices.release(job.read_device, job.job_id)
            job.read_device = None
        job.fd_done.set()
        sdplugins.job_end(job)                 # bsdEventJobEnd unless the data session sent it
        self.sd.job_ended(job)

    # -- commands ----------------------------------------------------------------
    def cmd_job(self, line: str) -> bool:
        try:
            cmd = P.parse_job_command(line)
        except P.CommandError as exc:
            self.bs.send(exc.reply)
            return False
        if self.job is not None:
            self.bs.send(f"3915 Bad Job command. stat=0 CMD: {line}\n")
            return False
        self.job = self.sd.new_job(cmd, self.bs)
        self.job.plugin_options.extend(self.pending_plugin_options)
        sdplugins.job_start(self.job)          # plugin options, bsdEventJobStart
        self.bs.send(P.ok_job(self.job.vol_session_id, self.job.vol_session_time, self.job.key))
        return True

    def cmd_secure_erase(self, line: str) -> bool:
        cmd = self.sd.secure_erase_command or "*None*"
        self.bs.send(f"2000 OK SDSecureEraseCmd {cmd} \n")
        return True

    def cmd_pluginoptions(self, line: str) -> bool:
        v = P.bsscanf(line, "pluginoptions %s")
        if len(v) != 1:
            self.bs.send(f"3991 Bad plugin options command: {line}\n")
            return False
        if self.job is not None:
            self.job.plugin_options.append(unbash_spaces(v[0]))
        else:
            self.pending_plugin_options.append(unbash_spaces(v[0]))
        self.bs.send("2000 OK plugin options\n")
        return True

    def cmd_use(self, line: str) -> bool:
        job = self.job
        stores: list[P.DirStore] = []
        ok = True
        bad = line
        current = line
        while True:
            st = P.parse_use_storage(current)
            if st is None:
                ok = False
                bad = current
                break
            stores.append(st)
            while True:
                item = self.bs.recv()
                if isinstance(item, int):
                    break
                text = P.as_text(item)
                name = P.parse_use_device(text)
                if name is None:
                    ok = False
                    bad = text
                    break
                st.device_names.append(name)
            if not ok:
                break
            item = self.bs.recv()
            if isinstance(item, int):
                break
            current = P.as_text(item)
        if not ok or job is None:
            if job is not None:
                job.fatal(f"Failed command: {unbash_spaces(bad)}")
            self.bs.send(P.bad_use(unbash_spaces(bad)))
            return False
        job.stores.extend(stores)
        append = any(s.append for s in stores)
        dev_name = ""
        if append and job.cmd.protocol == 0 and self.sd.just_in_time and not _mac().is_mac_job(job):
            job.jit = True
            job.info(f"Using just in time reservation for job {job.job_id}")
            self.bs.send(P.ok_use_device("JustInTime Device"))
            return True
        got = self.sd.reserve_for_job(job, append=append)
        if got is None:
            names = [n for s in stores for n in s.device_names]
            dev_name = names[0] if names else ""
            job.fatal(f"Device reservation failed for JobId={job.job_id}: {line.rstrip()}")
            job.set_status(JS_ERROR_TERMINATED)
            self.bs.send(P.no_device(dev_name))
            return False
        dev, store = got
        if append:
            from bareos.stored.append import WriteDcr
            job.write_dcr = WriteDcr(job, dev, store)
        else:
            job.read_device = dev
            job.read_store = store
        self.bs.send(P.ok_use_device(dev.name))
        return True

    def cmd_bootstrap(self, line: str) -> bool:
        job = self.job
        lines = []
        while True:
            try:
                item = self.bs.recv()
            except (BnetError, OSError, TimeoutError):
                return False
            if isinstance(item, int):
                break
            lines.append(item.decode("utf-8", "surrogateescape"))
        text = "".join(lines)
        if job is None:
            self.bs.send("3904 Error bootstrap\n")
            return False
        fname = self.sd.bootstrap_path(job)
        try:
            with open(fname, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        except OSError as exc:
            log.info("cannot keep the bootstrap file %s: %s", fname, exc)
        try:
            job.bsr = parse_bsr(text, fname)
        except BsrError as exc:
            job.fatal(f"Error parsing bootstrap file. {exc}")
            self.bs.send("3904 Error bootstrap\n")
            return False
        finally:
            try:
                os.unlink(fname)
            except OSError:
                pass
        self.bs.send("3000 OK bootstrap\n")
        return True

    def cmd_run(self, line: str) -> bool:
        job = self.job
        if job is None:
            return False
        if _mac().is_mac_job(job):
            if getattr(job, "replicate_bs", None) is not None:
                _mac().run_replicate(self, job)
            else:
                _mac().run_local(self, job)
            return False
        job.send_status(JS_WAIT_FD)
        wait = self.sd.client_connect_wait or 1800
        job.client_available.wait(wait)
        if not job.authenticated or job.is_canceled:
            if not job.is_canceled:
                job.fatal(f"Job {job.job} canceled while waiting for the File Daemon "
                          f"(Client Connect Wait {wait} s).")
            return False
        self.run_job(job)
        return False

    def run_job(self, job) -> None:
        from bareos.stored.fd_cmds import FdSession
        self.bs.send(f"3010 Job {job.job} start\n")
        job.start_time = time.time()
        job.send_status(JS_RUNNING)
        from bareos.lib.version import BDATE, VERSION
        job.info(f"Version: {VERSION} ({BDATE}) {self.sd.os_info}")
        try:
            FdSession(job, job.fd).run()
        finally:
            job.end_time = time.time()
            job.finish_status()
            self.bs.send(job.end_line())
            self.bs.signal(bnet.BNET_EOD)
            job.fd_done.set()

    def cmd_passive(self, line: str) -> bool:
        job = self.job
        v = P.parse_passive(line)
        if v is None or job is None:
            if job is not None:
                job.fatal(f"Bad passiveclientcmd command: {line}")
            self.bs.send(f"3991 Bad passive client command: {line}\n")
            return False
        addr, port, ssl_policy = v
        try:
            self.sd.connect_passive_client(job, addr, port, ssl_policy)
        except Exception as exc:  # connection, TLS or CRAM failure
            job.fatal(f"Failed to connect to File daemon: {addr}:{port}: {exc}")
            self.bs.send(f"3991 Bad passive client command: {line}\n")
            return False
        self.bs.send("2000 OK passive client\n")
        return True

    def cmd_cancel(self, line: str) -> bool:
        name = P.parse_cancel(line)
        if name is None:
            self.bs.send("3903 Error scanning cancel command.\n")
        else:
            job = self.sd.find_job(name)
            if job is None:
                self.bs.send(f"3904 Job {name} not found.\n")
            else:
                self.sd.cancel_job(job)
                _wait().wake_job(job)          # a job waiting for a volume ends now
                self.bs.send(f'3000 JobId={job.job_id} Job="{job.job}" marked to be canceled.\n')
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_setdebug(self, line: str) -> bool:
        v = P.parse_setdebug(line)
        if v is None or v[0] < 0:
            self.bs.send(f"3991 Bad setdebug command: {line}\n")
            return False
        level, trace, ts = v
        self.sd.debug_level = level
        self.sd.trace = bool(trace)
        tracefile = os.path.join(self.sd.working_directory, f"{self.sd.name}.trace")
        logging.getLogger("bareos").setLevel(logging.DEBUG if level > 0 else logging.INFO)
        if ts is not None:
            self.bs.send(f"3000 OK setdebug={level} trace={int(bool(trace))} timestamp={ts} "
                         f"tracefile={tracefile}\n")
        else:
            self.bs.send(f"3000 OK setdebug={level} tracefile={tracefile}\n")
        return True

    def cmd_setbandwidth(self, line: str) -> bool:
        v = P.bsscanf(line, "setbandwidth=%lld Job=%127s")
        if len(v) != 2 or v[0] < 0:
            self.bs.send(f"2991 Bad setbandwidth command: {line}\n")
            return False
        self.bs.send("2000 OK Bandwidth\n")
        return True

    def cmd_status(self, line: str) -> bool:
        from bareos.stored.status import status_text
        v = P.bsscanf(line, "status %s\n")
        if len(v) != 1:
            self.bs.send(f"3900 No arg in status command: {line}\n")
            self.bs.signal(bnet.BNET_EOD)
            return False
        self.bs.send("\n")
        self.bs.send(status_text(self.sd, devices=unbash_spaces(v[0]) or None))
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_dotstatus(self, line: str) -> bool:
        from bareos.stored.status import dot_status
        v = P.bsscanf(line, ".status %127s\n")
        if len(v) != 1:
            self.bs.send(f"3900 No arg in .status command: {line}\n")
            self.bs.signal(bnet.BNET_EOD)
            return False
        text = dot_status(self.sd, unbash_spaces(v[0]))
        if text is None:
            self.bs.send(f"3900 Unknown arg in .status command: {line}\n")
            self.bs.signal(bnet.BNET_EOD)
            return False
        if text:
            self.bs.send(text)
        self.bs.signal(bnet.BNET_EOD)
        return True

    # -- device commands ------------------------------------------------------------
    def _device(self, name: str):
        return self.sd.devices.find(unbash_spaces(name))

    def cmd_label(self, line: str) -> bool:
        lc = P.parse_label_command(line)
        verb = "relabel" if line.startswith("relabel") else "label"
        if lc is None:
            self.bs.send(f"3903 Error scanning label command: {line}\n")
            self.bs.signal(bnet.BNET_EOD)
            return False
        dev = self.sd.devices.find_drive(unbash_spaces(lc.device), lc.drive)
        if dev is None:
            self.bs.send(f'3999 Device "{lc.device}" not found or could not be opened.\n')
            self.bs.signal(bnet.BNET_EOD)
            return True
        answer = _wait().label_request(self.sd, dev, lc, msg=self.bs.send)
        if answer is None:
            answer = self.sd.label_volume(dev, lc, msg=self.bs.send)
        if answer:
            self.bs.send(answer)
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_mount(self, line: str) -> bool:
        v = P.parse_device_command(line, "mount")
        if v is None:
            self.bs.send(f"3909 Error scanning mount command: {line}\n")
        else:
            dev = self.sd.devices.find_drive(unbash_spaces(v[0]), v[1])
            if dev is None:
                self.bs.send(f"3999 Device {v[0]} not found or could not be opened.\n")
            else:
                answer = _wait().mount_request(dev, slot=v[2] or 0)
                if answer is None:
                    answer = self.sd.mount_device(dev, slot=v[2] or 0, msg=self.bs.send)
                if answer:
                    self.bs.send(answer)
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_unmount(self, line: str) -> bool:
        v = P.parse_device_command(line, "unmount")
        if v is None:
            self.bs.send(f"3907 Error scanning unmount command: {line}\n")
        else:
            dev = self.sd.devices.find_drive(v[0], v[1])
            if dev is None:
                self.bs.send(f'3999 Device "{v[0]}" not found or could not be opened.\n')
            else:
                self.bs.send(_wait().unmount_request(dev) or self.sd.unmount_device(dev))
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_release(self, line: str) -> bool:
        v = P.parse_device_command(line, "release")
        if v is None:
            self.bs.send(f"3927 Error scanning release command: {line}\n")
        else:
            dev = self.sd.devices.find_drive(v[0], v[1])
            if dev is None:
                self.bs.send(f'3999 Device "{v[0]}" not found or could not be opened.\n')
            else:
                self.bs.send(self.sd.release_device(dev))
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_readlabel(self, line: str) -> bool:
        v = P.bsscanf(line, "readlabel %127s Slot=%hd drive=%hd")
        if len(v) != 3:
            self.bs.send(f"3909 Error scanning readlabel command: {line}\n")
        else:
            dev = self.sd.devices.find_drive(unbash_spaces(v[0]), v[2])
            if dev is None:
                self.bs.send(f'3999 Device "{v[0]}" not found or could not be opened.\n')
            else:
                answer = self.sd.read_label(dev, v[1], msg=self.bs.send)
                if answer:
                    self.bs.send(answer)
        self.bs.signal(bnet.BNET_EOD)
        return True

    def cmd_replicate(self, line: str) -> bool:
        return _mac().cmd_replicate(self, line)

    def cmd_listen(self, line: str) -> bool:
        return _mac().cmd_listen(self, line)

    def cmd_resolve(self, line: str) -> bool:
        import socket as _s
        v = P.bsscanf(line, "resolve %s")
        host = v[0] if v else ""
        try:
            infos = _s.getaddrinfo(host, None)
            addrs = sorted({i[4][0] for i in infos})
            self.bs.send(f"{self.sd.name} resolves {host} to {', '.join(addrs)}\n")
        except OSError:
            self.bs.send(f"{self.sd.name}: Failed to resolve {host}\n")
        self.bs.signal(bnet.BNET_EOD)
        return True


COMMANDS = (
    ("autochanger", lambda s, line: _changer_cmd(s, line), False),
    ("bootstrap", DirSession.cmd_bootstrap, False),
    ("cancel", DirSession.cmd_cancel, False),
    ("JobId=", DirSession.cmd_job, False),
    ("label", DirSession.cmd_label, False),
    ("listen", DirSession.cmd_listen, False),
    ("mount", DirSession.cmd_mount, False),
    ("passive", DirSession.cmd_passive, False),
    ("pluginoptions", DirSession.cmd_pluginoptions, False),
    ("readlabel", DirSession.cmd_readlabel, False),
    ("relabel", DirSession.cmd_label, False),
    ("release", DirSession.cmd_release, False),
    ("resolve", DirSession.cmd_resolve, False),
    ("replicate", DirSession.cmd_replicate, False),
    ("run", DirSession.cmd_run, False),
    ("getSecureEraseCmd", DirSession.cmd_secure_erase, False),
    ("setbandwidth=", DirSession.cmd_setbandwidth, False),
    ("setdebug=", DirSession.cmd_setdebug, False),
    ("status", DirSession.cmd_status, True),
    (".status", DirSession.cmd_dotstatus, True),
    ("unmount", DirSession.cmd_unmount, False),
    ("use storage=", DirSession.cmd_use, False),
)


def _wait():
    from bareos.stored import wait
    return wait


def _mac():
    from bareos.stored import mac
    return mac


def _changer_cmd(session: DirSession, line: str) -> bool:
    """``autochanger list|listall|slots|drives <dev>`` and ``autochanger
    transfer <dev> <src> <dst>`` (Bareos's ChangerCmd)."""
    from bareos.stored.autochanger import status_text
    bs = session.bs
    cmd = None
    src = dst = 0
    for op in ("listall", "list", "slots", "drives"):
        v = P.bsscanf(line, f"autochanger {op} %127s")
        if len(v) == 1:
            cmd, name = op, v[0]
            break
    else:
        v = P.bsscanf(line, "autochanger transfer %127s %hd %hd")
        if len(v) == 3:
            cmd, name, src, dst = "transfer", v[0], v[1], v[2]
    if cmd is None:
        bs.send(f"3908 Error scanning autochanger drives/list/slots command: {line}\n")
        bs.signal(bnet.BNET_EOD)
        return True
    dev = session.sd.devices.find_drive(unbash_spaces(name), None)
    ch = dev.changer if dev is not None else None
    if dev is None:
        bs.send(f'3999 Device "{unbash_spaces(name)}" not found or could not be opened.\n')
    elif ch is None:
        bs.send(f'3998 Device "{dev.print_name()}" is not an autochanger.\n')
    elif not ch.attached(dev) or not dev.settings.changer_command:
        if cmd == "drives":
            bs.send("drives=1\n")
        bs.send(f"3993 Device {dev.print_name()} not an autochanger device.\n")
    elif cmd == "drives":
        bs.send(f"drives={len(ch.devices)}\n")
    elif cmd == "transfer":
        bs.send("3306 Issuing autochanger transfer command.\n")
        status, lines = ch.transfer(dev, src, dst)
        for text in lines:
            bs.send(text)
        if status != 0:
            bs.send(f"3998 Autochanger error: ERR={status_text(status)}\n")
        else:
            bs.send(f"3308 Successfully transferred volume from slot {src} to {dst}.\n")
    else:
        bs.send(f'3306 Issuing autochanger "{cmd}" command.\n')
        if cmd == "slots":
            status, n = ch.num_slots(dev)
            bs.send(f"slots={n}")
        else:
            status, lines = ch.list_lines(dev, cmd)
            for text in lines:
                bs.send(text)
        if status != 0:
            bs.send(f"3998 Autochanger error: ERR={status_text(status)}\n")
    bs.signal(bnet.BNET_EOD)
    return True
