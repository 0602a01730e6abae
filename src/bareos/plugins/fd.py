"""The File Daemon side of plugins (Bareos's fd_plugins): one instance of
every loaded plugin per job, events, command plugins (``Plugin =`` in an
Include), option plugins (``Plugin =`` in Options), the plugin name records
around plugin files, and the restore of those files through their plugin.

A plugin is a class with the methods of :class:`FdPlugin`; it is created
with an :class:`FdPluginContext` (the core functions a plugin may call).
Every call into a plugin goes through :meth:`FdPluginContext.call`, which
turns an exception into a fatal job message: a plugin never takes the
daemon down.
"""

from __future__ import annotations

import io
import logging
import os
import struct

from bareos.lib import bnet, compression, digest as digestmod, jmsg
from bareos.lib.streams import (
    FT_DIREND, FT_FIFO, FT_PLUGIN_CONFIG, FT_PLUGIN_CONFIG_FILLED, FT_RAW, FT_REG, FT_REGE,
    FT_RESTORE_FIRST, STREAM_FILE_DATA, STREAM_PLUGIN_NAME, STREAM_RESTORE_OBJECT,
)

from . import PluginError, bRC_Core, bRC_Error, bRC_More, bRC_OK, bRC_Skip, bRC_Stop, plugin_name_of
from . import bareosfd as B
from . import fd_aclxattr as aclxattr

log = logging.getLogger("bareos.plugins.fd")

_OFFSET = struct.Struct(">Q")
_OBJECT_TYPES = (FT_RESTORE_FIRST, FT_PLUGIN_CONFIG, FT_PLUGIN_CONFIG_FILLED)


class FdPlugin:
    """What a File Daemon plugin implements (every method may be left out of
    a subclass; the defaults do nothing and return bRC_OK)."""

    def __init__(self, ctx: "FdPluginContext") -> None:
        self.ctx = ctx

    def handle_event(self, event: int, value) -> int:
        return bRC_OK

    def start_backup_file(self, sp: B.SavePacket) -> int:
        return bRC_Stop

    def end_backup_file(self) -> int:
        return bRC_OK

    def start_restore_file(self, cmd: str) -> int:
        return bRC_OK

    def end_restore_file(self) -> int:
        return bRC_OK

    def plugin_io(self, iop: B.IoPacket) -> int:
        return bRC_OK

    def create_file(self, rp: B.RestorePacket) -> int:
        rp.create_status = B.CF_CORE
        return bRC_OK

    def set_file_attributes(self, rp: B.RestorePacket) -> int:
        return bRC_OK

    def check_file(self, fname: str) -> int:
        return bRC_OK

    # getAcl/setAcl/getXattr/setXattr (see plugins/fd_aclxattr.py): None
    # means the plugin has none; a plugin that has them defines
    # get_acl(ap: AclPacket), set_acl(ap), get_xattr(xp: XattrPacket),
    # set_xattr(xp), each returning a bRC.
    get_acl = None
    set_acl = None
    get_xattr = None
    set_xattr = None

    def free(self) -> None:
        pass


class FdPluginContext:
    """The core side of one plugin instance (bareos_core_functions)."""

    def __init__(self, manager: "FdJobPlugins", info) -> None:
        self.manager = manager
        self.info = info
        self.jcr = manager.jcr
        self.events: set[int] = set()
        self.disabled = False
        self.restore_file_started = False
        self.create_file_called = False
        self.plugin = None
        self.plugin = self.call("newPlugin", info.cls, self, default=None)
        if self.plugin is None:
            self.disabled = True

    @property
    def name(self) -> str:
        return self.info.name

    def call(self, what: str, func, *args, default=bRC_Error):
        """Run a plugin function; an exception fails the job, never the daemon."""
        try:
            return func(*args)
        except Exception as exc:  # noqa: BLE001 - a plugin's failure belongs to its job
            log.debug("plugin %s %s failed", self.info.name, what, exc_info=True)
            self.job_message(B.M_FATAL, f"{self.info.file or self.info.name}: {what} failed: "
                                        f"{type(exc).__name__}: {exc}")
            return default

    # -- core functions --------------------------------------------------------
    def job_message(self, mtype: int, text: str) -> None:
        self.jcr.jmsg(mtype, text)

    def debug_message(self, level: int, text: str) -> None:
        log.log(logging.DEBUG, "%s: %s", self.info.name, text.rstrip())

    def register_events(self, events, on: bool = True) -> int:
        for e in events:
            (self.events.add if on else self.events.discard)(int(e))
        return bRC_OK

    def instance_count(self) -> int:
        return 1

    def get_value(self, var: int):
        jcr = self.jcr
        daemon = jcr.daemon
        if var == B.bVarJobId:
            return jcr.job_id
        if var == B.bVarFDName:
            return daemon.name
        if var == B.bVarLevel:
            return ord((jcr.level or " ")[0])
        if var == B.bVarType:
            return ord((jcr.job_type or " ")[0])
        if var == B.bVarClient:
            return daemon.name
        if var == B.bVarJobName:
            return jcr.job
        if var == B.bVarJobStatus:
            return ord(jcr.status[0])
        if var == B.bVarSinceTime:
            return int(jcr.since_time or 0)
        if var == B.bVarAccurate:
            return int(bool(jcr.accurate))
        if var == B.bVarWorkingDir:
            return daemon.working_directory or ""
        if var == B.bVarWhere:
            return jcr.where or ""
        if var == B.bVarRegexWhere:
            return jcr.regexwhere or ""
        if var == B.bVarExePath:
            import sys
            return os.path.dirname(sys.argv[0] or "")
        if var == B.bVarVersion:
            from bareos.lib import version
            return f"{version.VERSION} ({version.BDATE})"
        if var == B.bVarDistName:
            return "python"
        if var == B.bVarPrevJobName:
            return jcr.prev_job or ""
        if var == B.bVarPrefixLinks:
            return int(bool(jcr.prefix_links))
        if var == B.bVarUsedConfig:
            path = getattr(daemon, "config_path", None) or ""
            if path and os.path.isdir(path):
                d = os.path.join(path, "bareos-fd.d")
                return (d if os.path.isdir(d) else path) + "/*/*.conf"
            return path
        if var == B.bVarCheckChanges:
            return int(bool(getattr(jcr, "check_changes", False)))
        return None

    def set_value(self, var: int, value) -> int:
        if var == B.bVarFileSeen:
            return self.set_seen(False, value, True)
        if var == B.bVarCheckChanges:
            self.jcr.check_changes = bool(value)
            return bRC_OK
        return bRC_Error

    def set_seen(self, all_files: bool, fname, on: bool) -> int:
        lst = self.jcr.accurate_list
        if lst is None:
            return bRC_Error
        if all_files:
            for e in lst.files.values():
                e[3] = on
            return bRC_OK
        e = lst.files.get(fname or "")
        if e is None:
            return bRC_Error
        e[3] = on
        return bRC_OK

    def check_changes(self, sp) -> int:
        """bareosCheckChanges: bRC_Seen when the file is unchanged."""
        backup = self.manager.backup
        if backup is None:
            return bRC_OK
        from bareos.findlib.find import FFPkt
        from bareos.findlib.fileset import FindOptions
        ff = FFPkt(fname=sp.fname, statp=_as_stat(sp.statp), type=sp.type, opts=FindOptions(),
                   top_fname=sp.fname, link=sp.link or "")
        changed = backup.check_changes()(ff)
        sp.accurate_found = ff.accurate_found
        return bRC_OK if changed else B.bRC_Seen

    def accept_file(self, sp) -> int:
        from bareos.findlib.match import accept_file
        fs = self.jcr.fileset
        for inc in fs.include_list:
            ok, _ = accept_file(fs, inc, sp.fname, getattr(sp.statp, "st_mode", 0))
            if ok:
                return bRC_OK
        return bRC_Skip

    def fileset_call(self, what: str, *args) -> int:
        return self.manager.fileset_call(self, what, *args)


def _as_stat(statp):
    """A plugin's StatPacket with every field an int."""
    from bareos.lib.stat import StatPacket
    sp = StatPacket()
    for name in ("st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev",
                 "st_size", "st_blksize", "st_blocks", "st_atime", "st_mtime", "st_ctime"):
        v = getattr(statp, name, 0)
        try:
            setattr(sp, name, int(v or 0))
        except (TypeError, ValueError):
            setattr(sp, name, 0)
    return sp


class FdJobPlugins:
    """The plugin instances of one job (Bareos's jcr->plugin_ctx_list)."""

    def __init__(self, jcr, plugins) -> None:
        self.jcr = jcr
        self.backup = None
        self.current: FdPluginContext | None = None   # jcr->plugin_ctx
        self.fileset_edits: list = []
        self.writer = None
        self.aclxattr_errors = aclxattr.RestoreErrors()
        self.contexts = [FdPluginContext(self, info) for info in plugins]

    # -- lookup ------------------------------------------------------------
    def find(self, name: str, event: int | None = None) -> FdPluginContext | None:
        for ctx in self.contexts:
            if not ctx.info.matches(name):
                continue
            if event is not None and event not in ctx.events:
                continue
            return ctx
        return None

    # -- events ------------------------------------------------------------
    def event(self, ev: int, value=None, name: str | None = None) -> int:
        """GeneratePluginEvent: to every plugin that registered *ev*, or only to
        the plugin *name* is for.  Returns the last return code."""
        rc = bRC_OK
        call_if_canceled = ev in (B.bEventEndBackupJob, B.bEventEndVerifyJob, B.bEventEndRestoreJob,
                                  B.bEventJobEnd, B.bEventCancelCommand)
        if not call_if_canceled and self.jcr.is_canceled:
            return B.bRC_Cancel
        if ev in (B.bEventPluginCommand, B.bEventOptionPlugin, B.bEventNewPluginOptions) and value:
            name = plugin_name_of(value)
        if ev == B.bEventRestoreObject and value is not None and getattr(value, "plugin_name", ""):
            name = plugin_name_of(value.plugin_name)
        if ev == B.bEventEndRestoreJob:
            self.aclxattr_errors.summary(self.jcr)
        if ev == B.bEventStartRestoreJob:
            for ctx in self.contexts:
                ctx.restore_file_started = ctx.create_file_called = False
        for ctx in self.contexts:
            if name is not None and not ctx.info.matches(name):
                continue
            if ctx.disabled or ev not in ctx.events:
                continue
            if ev == B.bEventEndRestoreJob and ctx.restore_file_started:
                ctx.call("endRestoreFile", ctx.plugin.end_restore_file)
                ctx.restore_file_started = ctx.create_file_called = False
            rc = ctx.call(f"handlePluginEvent({ev})", ctx.plugin.handle_event, ev, value)
            if name is not None:
                break
        return rc

    def fileset_call(self, ctx, what: str, *args) -> int:
        """AddInclude/AddExclude/... from a plugin: applied to the job's FileSet."""
        from bareos.findlib.fileset import FindOptions, IncludeExclude, parse_option_letters
        fs = self.jcr.fileset
        if fs is None:
            return bRC_Error
        if what in ("NewInclude", "NewPreInclude"):
            inc = IncludeExclude()
            if what == "NewPreInclude":
                fs.include_list.insert(0, inc)
            else:
                fs.include_list.append(inc)
            self._inc = inc
            return bRC_OK
        inc = getattr(self, "_inc", None)
        if inc is None:
            inc = self._inc = IncludeExclude()
            fs.include_list.append(inc)
        if what == "AddInclude":
            inc.name_list.append(args[0])
        elif what == "AddExclude":
            ex = IncludeExclude()
            ex.name_list.append(args[0])
            fs.exclude_list.append(ex)
        elif what == "NewOptions":
            inc.current_opts = FindOptions()
            inc.opts_list.append(inc.current_opts)
        else:
            fo = inc.current_opts
            if fo is None:
                fo = inc.current_opts = FindOptions()
                inc.opts_list.append(fo)
            if what == "AddOptions":
                parse_option_letters(args[0] or "", fo)
            elif what == "AddWild":
                t = chr(args[1]) if args[1] else " "
                {" ": fo.wild, "D": fo.wilddir, "F": fo.wildfile, "B": fo.wildbase}.get(t, fo.wild).append(args[0])
            elif what == "AddRegex":
                import re
                t = chr(args[1]) if args[1] else " "
                {" ": fo.regex, "D": fo.regexdir, "F": fo.regexfile}.get(t, fo.regex).append(re.compile(args[0]))
        return bRC_OK

    def free(self) -> None:
        for ctx in self.contexts:
            if ctx.plugin is not None:
                ctx.call("freePlugin", ctx.plugin.free, default=None)

    # -- backup ------------------------------------------------------------
    def save_command(self, backup, cmd: str, opts, incexe) -> bool:
        """PluginSave: run one ``Plugin =`` item of an Include."""
        jcr = self.jcr
        self.backup = backup
        name = plugin_name_of(cmd)
        ctx = self.find(name, B.bEventBackupCommand)
        if ctx is None or ctx.disabled:
            jcr.jmsg(jmsg.M_FATAL, f'Command plugin "{cmd}" not found.')
            return False
        self.current = ctx
        if ctx.call("handlePluginEvent(BackupCommand)", ctx.plugin.handle_event,
                    B.bEventBackupCommand, cmd) != bRC_OK:
            if not jcr.is_canceled and jcr.status not in ("f", "E"):
                jcr.jmsg(jmsg.M_FATAL, f'Command plugin "{cmd}" failed to start the backup.')
            return False
        while not jcr.is_canceled:
            sp = B.SavePacket(cmd=cmd, portable=True)
            sp.statp = B.StatPacket()
            rc = ctx.call("startBackupFile", ctx.plugin.start_backup_file, sp)
            if rc == bRC_Stop:
                return True
            if rc == bRC_Skip:
                continue
            if rc == bRC_Error:
                jcr.jmsg(jmsg.M_FATAL, f'Command plugin "{cmd}": startBackupFile failed.')
                return False
            if rc != bRC_OK:
                jcr.jmsg(jmsg.M_ERROR, f'Command plugin "{cmd}": unhandled returncode from startBackupFile.')
                return True
            if not sp.type:
                jcr.jmsg(jmsg.M_FATAL, f'Command plugin "{cmd}": no type in startBackupFile packet.')
                return False
            if sp.type in _OBJECT_TYPES:
                if not sp.object_name:
                    jcr.jmsg(jmsg.M_FATAL, f'Command plugin "{cmd}": no object_name in startBackupFile '
                                           'packet.')
                    return False
                self.save_restore_object(backup, sp, cmd)
            else:
                if not sp.fname:
                    jcr.jmsg(jmsg.M_FATAL, f'Command plugin "{cmd}": no fname in startBackupFile packet.')
                    return False
                self.save_plugin_file(backup, ctx, sp, opts, incexe, cmd)
            if jcr.is_canceled:
                return False
            rc = ctx.call("endBackupFile", ctx.plugin.end_backup_file)
            if rc in (bRC_More, bRC_OK) and sp.type not in _OBJECT_TYPES:
                self._mark_seen(sp.fname)
            if rc == bRC_More:
                continue
            return rc != bRC_Error
        return False

    def save_restore_object(self, backup, sp, cmd: str) -> None:
        """A restore object of a command plugin: plugin name record, the
        STREAM_RESTORE_OBJECT record (the full plugin string as its file
        name), the closing name record."""
        from .restore_objects import backup_record, object_bytes
        jcr = self.jcr
        w = backup.w
        fi = jcr.job_files + 1
        w.packet(b"%d %d 0" % (fi, STREAM_PLUGIN_NAME))
        w.packet(b"%d 1 %d " % (fi, 1 if sp.portable else 0) + cmd.encode("utf-8", "surrogateescape") + b"\0")
        w.signal(bnet.BNET_EOD)
        jcr.job_files += 1
        fi = jcr.job_files
        w.packet(b"%d %d 0" % (fi, STREAM_RESTORE_OBJECT))
        w.packet(backup_record(fi, sp.type, cmd, str(sp.object_name), object_bytes(sp),
                               int(sp.object_index or 0)))
        w.signal(bnet.BNET_EOD)
        w.packet(b"%d %d 0" % (jcr.job_files, STREAM_PLUGIN_NAME))
        w.packet(b"%d 0" % jcr.job_files)
        w.signal(bnet.BNET_EOD)

    def _mark_seen(self, fname: str) -> None:
        lst = self.jcr.accurate_list
        if lst is not None:
            e = lst.files.get(fname) or lst.files.get(fname.rstrip("/"))
            if e is not None:
                e[3] = True

    def option_handle_file(self, backup, ff) -> int | None:
        """PluginOptionHandleFile for a file of an Options block with a
        plugin: None lets the core save it, else SaveFile's return value."""
        cmd = ff.opts.plugin
        self.backup = backup
        ctx = self.find(plugin_name_of(cmd), B.bEventHandleBackupFile)
        if ctx is None or ctx.disabled:
            return None
        st = ff.statp
        sp = B.SavePacket(cmd=cmd, fname=ff.fname, link=ff.link or "", type=ff.type,
                          delta_seq=ff.delta_seq, accurate_found=ff.accurate_found)
        sp.statp = B.StatPacket(dev=st.st_dev, ino=st.st_ino, mode=st.st_mode, nlink=st.st_nlink,
                                uid=st.st_uid, gid=st.st_gid, rdev=st.st_rdev, size=st.st_size,
                                atime=int(st.st_atime), mtime=int(st.st_mtime),
                                ctime=int(st.st_ctime), blksize=getattr(st, "st_blksize", 4096),
                                blocks=getattr(st, "st_blocks", 0))
        self.current = ctx
        rc = ctx.call("handlePluginEvent(HandleBackupFile)", ctx.plugin.handle_event,
                      B.bEventHandleBackupFile, sp)
        if rc == bRC_Skip:
            return 1
        if rc != bRC_OK:
            return None if rc in (bRC_Core, bRC_More) else (0 if self.jcr.is_canceled else 1)
        self.save_plugin_file(backup, ctx, sp, ff.opts, ff.incexe, cmd, ff=ff)
        ctx.call("endBackupFile", ctx.plugin.end_backup_file)
        return 0 if self.jcr.is_canceled else 1

    def save_plugin_file(self, backup, ctx, sp, opts, incexe, cmd, ff=None) -> None:
        """SaveFile for a file a plugin supplies: plugin name record, the
        attributes, the data read through the plugin, digest, name end."""
        from bareos.filed.backup import select_data_stream
        from bareos.findlib.find import FFPkt
        from bareos.findlib.fileset import FO_COMPRESS, FO_OFFSETS, FO_SPARSE
        jcr = self.jcr
        w = backup.w
        st = _as_stat(sp.statp)
        ftype = sp.type
        link = sp.link or ""
        fname = sp.fname
        if ftype == FT_DIREND and not link:
            link = fname if fname.endswith("/") else fname + "/"
        pff = FFPkt(fname=fname, statp=st, type=ftype, opts=opts, top_fname=cmd, incexe=incexe,
                    link=link, delta_seq=0)
        jcr.num_files_examined += 1
        has_data = ftype in (FT_REG, FT_REGE, FT_RAW, FT_FIFO) and not sp.no_read
        dstream = opts.digest_stream if has_data else 0
        digest = None
        if dstream:
            try:
                digest = digestmod.new_digest(dstream)
            except digestmod.DigestUnavailable:
                dstream = 0
        import copy
        popts = copy.copy(opts)
        popts.flags = set(opts.flags) - {FO_SPARSE, FO_OFFSETS}   # sparse does not work with pipes
        data_stream = select_data_stream(popts)
        if FO_COMPRESS in popts.flags and not compression.available(popts.compress_algo):
            data_stream = STREAM_FILE_DATA
        fi = jcr.job_files + 1
        # plugin name start: "<fi> 1 <portable> <cmd>\0"
        w.packet(b"%d %d 0" % (fi, STREAM_PLUGIN_NAME))
        w.packet(b"%d 1 %d " % (fi, 1 if sp.portable else 0) + cmd.encode("utf-8", "surrogateescape") + b"\0")
        w.signal(bnet.BNET_EOD)
        pff.opts = popts
        backup.send_attributes(pff, data_stream)
        fi = pff.file_index
        if has_data:
            self._send_plugin_data(backup, ctx, pff, fname, fi, data_stream, digest, popts)
        aclxattr.send_streams(backup, ctx, fname, ftype, opts.flags, fi)
        if digest is not None:
            w.packet(b"%d %d 0" % (fi, dstream))
            w.packet(digest.digest())
            w.signal(bnet.BNET_EOD)
        # plugin name end: "<JobFiles> 0"
        w.packet(b"%d %d 0" % (jcr.job_files, STREAM_PLUGIN_NAME))
        w.packet(b"%d 0" % jcr.job_files)
        w.signal(bnet.BNET_EOD)

    def _send_plugin_data(self, backup, ctx, ff, fname, fi, stream, digest, opts) -> None:
        jcr = self.jcr
        w = backup.w
        iop = B.IoPacket(func=B.IO_OPEN, fname=fname, flags=os.O_RDONLY, mode=0)
        rc = ctx.call("pluginIO(open)", ctx.plugin.plugin_io, iop)
        if rc != bRC_OK or iop.status < 0:
            jcr.jmsg(jmsg.M_NOTSAVED, f'     Cannot open "{fname}": ERR={os.strerror(iop.io_errno or 5)}.')
            jcr.job_errors += 1
            return
        core_fd = iop.filedes if iop.status == B.iostat_do_in_core and iop.filedes >= 0 else None
        compress = stream != STREAM_FILE_DATA
        size = backup.buf_size
        w.packet(b"%d %d 0" % (fi, stream))
        f = io.FileIO(core_fd, "rb", closefd=False) if core_fd is not None else None
        try:
            while not jcr.is_canceled:
                if f is not None:
                    chunk = f.read(size)
                else:
                    iop = B.IoPacket(func=B.IO_READ, fname=fname, count=size)
                    rc = ctx.call("pluginIO(read)", ctx.plugin.plugin_io, iop)
                    if rc != bRC_OK or iop.status < 0:
                        jcr.jmsg(jmsg.M_ERROR, f"Read error on file {fname}. ERR={os.strerror(iop.io_errno or 5)}")
                        break
                    buf = iop.buf or b""
                    chunk = bytes(buf[: iop.status]) if iop.status else b""
                if not chunk:
                    break
                jcr.read_bytes += len(chunk)
                if digest is not None:
                    digest.update(chunk)
                if compress:
                    payload = compression.compress_record(opts.compress_algo, opts.compress_level, chunk)
                    w.packet(payload)
                    jcr.job_bytes += len(payload)
                else:
                    w.packet(chunk)
                    jcr.job_bytes += len(chunk)
        finally:
            w.signal(bnet.BNET_EOD)
            iop = B.IoPacket(func=B.IO_CLOSE, fname=fname)
            ctx.call("pluginIO(close)", ctx.plugin.plugin_io, iop)

    # -- restore -----------------------------------------------------------
    def name_stream(self, data: bytes) -> None:
        """PluginNameStream: a plugin name record during restore."""
        text = bytes(data).split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        parts = text.split(" ", 3)
        start = len(parts) > 1 and parts[1] == "1"
        if not start:
            ctx = self.current
            if ctx is not None and ctx.restore_file_started:
                ctx.call("endRestoreFile", ctx.plugin.end_restore_file)
            if ctx is not None:
                ctx.restore_file_started = ctx.create_file_called = False
            self.current = None
            return
        cmd = parts[3] if len(parts) > 3 else ""
        name = plugin_name_of(cmd)
        ctx = self.find(name, B.bEventRestoreCommand)
        if ctx is None or ctx.disabled:
            self.jcr.jmsg(jmsg.M_WARNING, f"Plugin={cmd} not found.")
            self.current = None
            return
        self.current = ctx
        if ctx.call("handlePluginEvent(RestoreCommand)", ctx.plugin.handle_event,
                    B.bEventRestoreCommand, cmd) != bRC_OK:
            return
        if ctx.restore_file_started:
            self.jcr.jmsg(jmsg.M_FATAL, f"Second call to startRestoreFile. plugin={ctx.info.file} cmd={cmd}")
            ctx.restore_file_started = False
            return
        if ctx.call("startRestoreFile", ctx.plugin.start_restore_file, cmd) == bRC_OK:
            ctx.restore_file_started = True

    @property
    def restoring(self) -> bool:
        return self.current is not None and self.current.restore_file_started

    def create_file(self, restorer, attrs, st, path: str):
        """PluginCreateFile; returns (create_status, PluginWriter | None)."""
        ctx = self.current
        jcr = self.jcr
        if ctx.create_file_called:
            jcr.jmsg(jmsg.M_FATAL, f"Unbalanced call to createFile=1 {int(ctx.restore_file_started)}")
            ctx.create_file_called = False
            return B.CF_ERROR, None
        rp = B.RestorePacket(stream=1, data_stream=st.data_stream, type=attrs.type,
                             file_index=attrs.file_index, linkFI=st.link_fi, uid=st.st_uid,
                             statp=_py_stat(st), attrEX=attrs.attr_ex if isinstance(getattr(attrs, "attr_ex", ""), str) else "",
                             ofname=path, olname=restorer._link_target(attrs.link) if attrs.link else "",
                             where=restorer.where, regexwhere=jcr.regexwhere or "",
                             replace=ord((restorer.replace or "a")[0]), create_status=B.CF_ERROR)
        rp.delta_seq = getattr(attrs, "delta_seq", 0)
        rc = ctx.call("createFile", ctx.plugin.create_file, rp)
        ctx.create_file_called = True
        if rc != bRC_OK:
            jcr.jmsg(jmsg.M_ERROR, f"Plugin createFile call failed. Stat={rc} file={path}")
            return B.CF_ERROR, rp
        status = rp.create_status
        if status == B.CF_ERROR:
            jcr.jmsg(jmsg.M_ERROR, f"Plugin createFile call failed. Returned CF_ERROR file={path}")
        if status != B.CF_EXTRACT:
            return status, rp
        if self.open_writer(path, rp) is None:
            return B.CF_ERROR, rp
        return B.CF_EXTRACT, rp

    def open_writer(self, path: str, rp):
        """Open *path* through the current plugin's pluginIO for restoring
        data (Bareos's bopen on a command plugin's file); the writer, also
        kept as :attr:`writer`, or None when the open failed (reported)."""
        writer = PluginWriter(self.current, path, rp)
        return writer if writer.open() else None

    def set_attributes(self, rp) -> bool:
        """The plugin's setFileAttributes; True when it answers CF_CORE (the
        core then sets owner, mode and times itself, as Bareos)."""
        ctx = self.current
        if ctx is None or rp is None:
            return False
        created = rp.create_status        # what createFile said (ACL/xattr rules use it)
        rp.create_status = B.CF_ERROR
        ctx.call("setFileAttributes", ctx.plugin.set_file_attributes, rp)
        core = rp.create_status == B.CF_CORE
        rp.create_status = created
        return core

    def restore_acl_xattr(self, stream: int, data, path: str, rp, ftype: int) -> None:
        """A STREAM_ACL_PLUGIN/STREAM_XATTR_PLUGIN record of the file just
        restored (after its attributes): to the current plugin's set_acl /
        set_xattr; ignored outside a plugin's files, for files the plugin
        only created (CF_CREATED, not directories), as Bareos does.  *rp* is
        the file's RestorePacket, None when the core made the file."""
        ctx = self.current
        if ctx is None or ctx.disabled or not aclxattr.wanted_on_restore(rp, ftype):
            return
        aclxattr.restore_stream(ctx, self.aclxattr_errors, stream, data, path)


def _py_stat(st) -> B.StatPacket:
    return B.StatPacket(dev=st.st_dev, ino=st.st_ino, mode=st.st_mode, nlink=st.st_nlink,
                        uid=st.st_uid, gid=st.st_gid, rdev=st.st_rdev, size=st.st_size,
                        atime=st.st_atime, mtime=st.st_mtime, ctime=st.st_ctime,
                        blksize=st.st_blksize, blocks=st.st_blocks)


class PluginWriter:
    """Restore data written through a plugin's pluginIO (or a descriptor it
    hands back to do the I/O in the core)."""

    def __init__(self, ctx: FdPluginContext, path: str, rp) -> None:
        self.ctx = ctx
        self.path = path
        self.rp = rp
        self.core_fd = -1
        self.failed = False

    def open(self) -> bool:
        iop = B.IoPacket(func=B.IO_OPEN, fname=self.path, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                         mode=0o600)
        rc = self.ctx.call("pluginIO(open)", self.ctx.plugin.plugin_io, iop)
        if rc != bRC_OK or iop.status < 0:
            self.ctx.jcr.jmsg(jmsg.M_ERROR, f"Could not create {self.path}: ERR={os.strerror(iop.io_errno or 5)}")
            return False
        if iop.status == B.iostat_do_in_core and iop.filedes >= 0:
            self.core_fd = iop.filedes
        self.ctx.manager.writer = self
        return True

    def write(self, data) -> bool:
        if self.failed:
            return False
        if self.core_fd >= 0:
            mv = memoryview(data)
            while mv:
                n = os.write(self.core_fd, mv)
                mv = mv[n:]
            return True
        iop = B.IoPacket(func=B.IO_WRITE, fname=self.path, count=len(data), buf=bytearray(data))
        rc = self.ctx.call("pluginIO(write)", self.ctx.plugin.plugin_io, iop)
        if rc != bRC_OK or iop.status < 0:
            self.failed = True
            self.ctx.jcr.jmsg(jmsg.M_ERROR, f"Write error on {self.path}: ERR={os.strerror(iop.io_errno or 5)}")
            return False
        return True

    def close(self) -> None:
        iop = B.IoPacket(func=B.IO_CLOSE, fname=self.path)
        self.ctx.call("pluginIO(close)", self.ctx.plugin.plugin_io, iop)


def job_plugins(jcr):
    """The job's plugin instances, created on first use (None without plugins)."""
    jp = getattr(jcr, "fd_plugins", None)
    if jp is None:
        plugins = getattr(jcr.daemon, "plugins", None) or []
        if not plugins:
            return None
        jp = jcr.fd_plugins = FdJobPlugins(jcr, plugins)
    return jp


def generate_event(jcr, ev: int, value=None) -> int:
    """GeneratePluginEvent for a job; bRC_OK when the job has no plugins."""
    jp = job_plugins(jcr)
    if jp is None:
        return bRC_OK
    return jp.event(ev, value)


def free_job_plugins(jcr) -> None:
    jp = getattr(jcr, "fd_plugins", None)
    if jp is not None:
        jp.free()
        jcr.fd_plugins = None


__all__ = ["FdPlugin", "FdPluginContext", "FdJobPlugins", "PluginWriter", "job_plugins",
           "generate_event", "free_job_plugins", "PluginError"]


def fileset_plugin_commands(jcr) -> bool:
    """After the FileSet arrived: bEventPluginCommand for every plugin item
    (``P``) and every Options plugin (``G``); refuse plugins without a
    Plugin Directory as Bareos does."""
    fs = jcr.fileset
    items = [p for inc in fs.include_list for p in inc.plugin_list]
    opts = [fo.plugin for inc in fs.include_list for fo in inc.opts_list if fo.plugin]
    if not items and not opts:
        return True
    if not getattr(jcr.daemon, "plugin_directory", None):
        for p in items:
            jcr.jmsg(jmsg.M_FATAL, f'Plugin Directory not defined. Cannot use plugin: "{p}"')
        if items:
            return False
    jp = job_plugins(jcr)
    if jp is None:
        return True
    for p in items + opts:
        jp.event(B.bEventPluginCommand, p)
    jp.event(B.bEventEndFileSet)
    return not jcr.is_canceled
