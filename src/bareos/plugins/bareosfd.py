"""The ``bareosfd`` module that File Daemon Python plugins import.

Names, numbers, packet classes and calls follow Bareos 25's module, so a
plugin written for Bareos runs unchanged.  Calls act on the plugin instance
the current thread runs (see :mod:`bareos.plugins.pyhost`).
"""

from __future__ import annotations

from bareos.lib import streams as _st

from . import pyhost as _host

# -- return codes and message types -------------------------------------------
bRC_OK, bRC_Stop, bRC_Error, bRC_More, bRC_Term, bRC_Seen, bRC_Core, bRC_Skip, bRC_Cancel = range(9)
bRCs = {b"bRC_OK": 0, b"bRC_Stop": 1, b"bRC_Error": 2, b"bRC_More": 3, b"bRC_Term": 4,
        b"bRC_Seen": 5, b"bRC_Core": 6, b"bRC_Skip": 7, b"bRC_Cancel": 8}

(M_ABORT, M_DEBUG, M_FATAL, M_ERROR, M_WARNING, M_INFO, M_SAVED, M_NOTSAVED, M_SKIPPED, M_MOUNT,
 M_ERROR_TERM, M_TERM, M_RESTORED, M_SECURITY, M_ALERT, M_VOLMGMT) = range(1, 17)
bJobMessageType = {k.encode(): v for k, v in dict(
    M_ABORT=1, M_DEBUG=2, M_FATAL=3, M_ERROR=4, M_WARNING=5, M_INFO=6, M_SAVED=7, M_NOTSAVED=8,
    M_SKIPPED=9, M_MOUNT=10, M_ERROR_TERM=11, M_TERM=12, M_RESTORED=13, M_SECURITY=14, M_ALERT=15,
    M_VOLMGMT=16).items()}

# -- variables ----------------------------------------------------------------
_VARS = dict(bVarJobId=1, bVarFDName=2, bVarLevel=3, bVarType=4, bVarClient=5, bVarJobName=6,
             bVarJobStatus=7, bVarSinceTime=8, bVarAccurate=9, bVarFileSeen=10, bVarVssClient=11,
             bVarWorkingDir=12, bVarWhere=13, bVarRegexWhere=14, bVarExePath=15, bVarVersion=16,
             bVarDistName=17, bVarPrevJobName=18, bVarPrefixLinks=19, bVarCheckChanges=20,
             bVarUsedConfig=21)
globals().update(_VARS)
bVariable = {k.encode(): v for k, v in _VARS.items()}

# -- file types ---------------------------------------------------------------
_FT = {n: getattr(_st, n) for n in (
    "FT_LNKSAVED", "FT_REGE", "FT_REG", "FT_LNK", "FT_DIREND", "FT_SPEC", "FT_NOACCESS",
    "FT_NOFOLLOW", "FT_NOSTAT", "FT_NOCHG", "FT_DIRNOCHG", "FT_ISARCH", "FT_NORECURSE",
    "FT_NOFSCHG", "FT_NOOPEN", "FT_RAW", "FT_FIFO", "FT_DIRBEGIN", "FT_INVALIDFS", "FT_INVALIDDT",
    "FT_REPARSE", "FT_PLUGIN", "FT_DELETED", "FT_BASE", "FT_RESTORE_FIRST", "FT_JUNCTION",
    "FT_PLUGIN_CONFIG", "FT_PLUGIN_CONFIG_FILLED")}
globals().update(_FT)
bFileType = {k.encode(): v for k, v in _FT.items()}

# -- create_file statuses -----------------------------------------------------
CF_SKIP, CF_ERROR, CF_EXTRACT, CF_CREATED, CF_CORE = 1, 2, 3, 4, 5
bCFs = {b"CF_SKIP": 1, b"CF_ERROR": 2, b"CF_EXTRACT": 3, b"CF_CREATED": 4, b"CF_CORE": 5}

# -- events -------------------------------------------------------------------
_EVENTS = dict(
    bEventJobStart=1, bEventJobEnd=2, bEventStartBackupJob=3, bEventEndBackupJob=4,
    bEventStartRestoreJob=5, bEventEndRestoreJob=6, bEventStartVerifyJob=7, bEventEndVerifyJob=8,
    bEventBackupCommand=9, bEventRestoreCommand=10, bEventEstimateCommand=11, bEventLevel=12,
    bEventSince=13, bEventCancelCommand=14, bEventRestoreObject=15, bEventEndFileSet=16,
    bEventPluginCommand=17, bEventOptionPlugin=18, bEventHandleBackupFile=19,
    bEventNewPluginOptions=20, bEventVssInitializeForBackup=21, bEventVssInitializeForRestore=22,
    bEventVssSetBackupState=23, bEventVssPrepareForBackup=24, bEventVssBackupAddComponents=25,
    bEventVssPrepareSnapshot=26, bEventVssCreateSnapshots=27,
    bEventVssRestoreLoadComponentMetadata=28, bEventVssRestoreSetComponentsSelected=29,
    bEventVssCloseRestore=30, bEventVssBackupComplete=31)
globals().update(_EVENTS)
bEventType = {k.encode(): v for k, v in _EVENTS.items()}

# -- I/O ----------------------------------------------------------------------
IO_OPEN, IO_READ, IO_WRITE, IO_CLOSE, IO_SEEK = 1, 2, 3, 4, 5
bIOPS = {b"IO_OPEN": 1, b"IO_READ": 2, b"IO_WRITE": 3, b"IO_CLOSE": 4, b"IO_SEEK": 5}
iostat_error, iostat_do_in_plugin, iostat_do_in_core = -1, 0, 1
bIOPstatus = {b"iostat_error": -1, b"iostat_do_in_plugin": 0, b"iostat_do_in_core": 1}

# -- levels -------------------------------------------------------------------
_LEVELS = dict(L_FULL="F", L_INCREMENTAL="I", L_DIFFERENTIAL="D", L_SINCE="S",
               L_VERIFY_CATALOG="C", L_VERIFY_INIT="V", L_VERIFY_VOLUME_TO_CATALOG="O",
               L_VERIFY_DISK_TO_CATALOG="d", L_VERIFY_DATA="A", L_BASE="B", L_NONE=" ",
               L_VIRTUAL_FULL="f")
globals().update(_LEVELS)
bLevels = {k.encode(): v.encode() for k, v in _LEVELS.items()}


# -- packets ------------------------------------------------------------------
class _Packet:
    _fields: tuple = ()

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)

    def __repr__(self):
        inner = ", ".join(f"{k}={getattr(self, k, None)!r}" for k in self._fields)
        return f"{type(self).__name__}({inner})"


class StatPacket(_Packet):
    """stat data of a file (``os.stat`` field names)."""

    _fields = ("st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev", "st_size",
               "st_atime", "st_mtime", "st_ctime", "st_blksize", "st_blocks")

    def __init__(self, dev=0, ino=0, mode=0o700, nlink=0, uid=0, gid=0, rdev=0, size=-1,
                 atime=None, mtime=None, ctime=None, blksize=4096, blocks=1, **kw):
        import time
        now = int(time.time())
        self.st_dev, self.st_ino, self.st_mode, self.st_nlink = dev, ino, mode, nlink
        self.st_uid, self.st_gid, self.st_rdev, self.st_size = uid, gid, rdev, size
        self.st_atime = now if atime is None else atime
        self.st_mtime = now if mtime is None else mtime
        self.st_ctime = now if ctime is None else ctime
        self.st_blksize, self.st_blocks = blksize, blocks
        super().__init__(**kw)


class SavePacket(_Packet):
    _fields = ("fname", "link", "type", "flags", "no_read", "portable", "accurate_found", "cmd",
               "save_time", "delta_seq", "object_name", "object", "object_len", "object_index")

    def __init__(self, fname="", link="", type=0, flags=None, no_read=False, portable=True,
                 accurate_found=False, cmd="", save_time=0, delta_seq=0, object_name=None,
                 object=None, object_len=0, object_index=0, statp=None, **kw):
        self.fname, self.link, self.type = fname, link, type
        self.flags = bytearray(8) if flags is None else flags
        self.no_read, self.portable, self.accurate_found = no_read, portable, accurate_found
        self.cmd, self.save_time, self.delta_seq = cmd, save_time, delta_seq
        self.object_name, self.object = object_name, object
        self.object_len, self.object_index = object_len, object_index
        self.statp = statp if statp is not None else StatPacket()
        super().__init__(**kw)


class RestorePacket(_Packet):
    _fields = ("stream", "data_stream", "type", "file_index", "linkFI", "uid", "statp", "attrEX",
               "ofname", "olname", "where", "regexwhere", "replace", "create_status", "filedes")

    def __init__(self, **kw):
        self.stream = self.data_stream = self.type = self.file_index = self.linkFI = 0
        self.uid = 0
        self.statp = StatPacket()
        self.attrEX = ""
        self.ofname = self.olname = self.where = self.regexwhere = ""
        self.replace = 0
        self.create_status = CF_ERROR
        self.filedes = -1
        self.delta_seq = 0
        super().__init__(**kw)


class IoPacket(_Packet):
    _fields = ("func", "count", "flags", "mode", "buf", "fname", "status", "io_errno", "lerror",
               "whence", "offset", "win32", "filedes")

    def __init__(self, **kw):
        self.func = IO_OPEN
        self.count = self.flags = self.mode = 0
        self.buf = None
        self.fname = ""
        self.status = self.io_errno = self.lerror = self.whence = self.offset = 0
        self.win32 = False
        self.filedes = -1
        super().__init__(**kw)


def _c_text(buf) -> str:
    """A bytearray shown as Bareos's module shows it (a C string); anything
    else as empty."""
    if not isinstance(buf, bytearray):
        return ""
    return bytes(buf).split(b"\0", 1)[0].decode("utf-8", "backslashreplace")


class AclPacket(_Packet):
    """``fname`` and ``content`` (a bytearray: what get_acl fills in, what
    set_acl receives, the trailing NUL included)."""

    _fields = ("fname", "content")

    def __init__(self, fname="", content=None, **kw):
        self.fname, self.content = fname, content
        super().__init__(**kw)

    def __repr__(self):
        return f'AclPacket(fname="{self.fname}", content="{_c_text(self.content)}")'


class XattrPacket(_Packet):
    """``fname``, ``name`` and ``value`` (bytearrays; value None when empty)."""

    _fields = ("fname", "name", "value")

    def __init__(self, fname="", name=None, value=None, **kw):
        self.fname, self.name, self.value = fname, name, value
        super().__init__(**kw)

    def __repr__(self):
        return (f'XattrPacket(fname="{self.fname}", name="{_c_text(self.name)}", '
                f'value="{_c_text(self.value)}")')


class RestoreObject(_Packet):
    _fields = ("object_name", "object", "plugin_name", "object_type", "object_len",
               "object_full_len", "object_index", "object_compression", "stream", "jobid")

    def __init__(self, **kw):
        self.object_name = self.object = None
        self.plugin_name = ""
        self.object_type = self.object_len = self.object_full_len = self.object_index = 0
        self.object_compression = self.stream = self.jobid = 0
        super().__init__(**kw)


# -- calls --------------------------------------------------------------------
def GetValue(var):
    return _host.current().get_value(int(var))


def SetValue(var, value):
    return _host.current().set_value(int(var), value)


#: Bareos's bareosfd module prefixes its modules' messages
LOGPREFIX = "python3-fd-mod: "


def DebugMessage(level, message=None):
    if message:
        _host.current().debug_message(int(level), LOGPREFIX + str(message))
    return None


def JobMessage(mtype, message=None):
    if message:
        _host.current().job_message(int(mtype), LOGPREFIX + str(message))
    return None


def RegisterEvents(events):
    return _host.current().register_events(_event_list(events), True)


def UnRegisterEvents(events):
    return _host.current().register_events(_event_list(events), False)


def _event_list(events):
    if isinstance(events, int):
        return [events]
    return [int(e) for e in events]


def GetInstanceCount():
    return _host.current().instance_count()


def AddExclude(file=None):
    return _host.current().fileset_call("AddExclude", file)


def AddInclude(file=None):
    return _host.current().fileset_call("AddInclude", file)


def AddOptions(opts=None):
    return _host.current().fileset_call("AddOptions", opts)


def AddRegex(item=None, type=0):
    return _host.current().fileset_call("AddRegex", item, type)


def AddWild(item=None, type=0):
    return _host.current().fileset_call("AddWild", item, type)


def NewOptions():
    return _host.current().fileset_call("NewOptions")


def NewInclude():
    return _host.current().fileset_call("NewInclude")


def NewPreInclude():
    return _host.current().fileset_call("NewPreInclude")


def CheckChanges(savepkt):
    return _host.current().check_changes(savepkt)


def AcceptFile(savepkt):
    return _host.current().accept_file(savepkt)


def SetSeenBitmap(all_files, fname=None):
    return _host.current().set_seen(bool(all_files), fname, True)


def ClearSeenBitmap(all_files, fname=None):
    return _host.current().set_seen(bool(all_files), fname, False)
