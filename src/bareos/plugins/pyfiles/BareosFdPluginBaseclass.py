"""Base class for File Daemon Python plugins (this project's own version,
with the methods and behaviour Bareos's plugins build on)."""

import os
import stat
import sys
import time
from base64 import b85decode

import bareosfd
from bareosfd import (  # noqa: F401 - plugins import these names from here too
    bRC_OK, bRC_Stop, bRC_Error, bRC_More, bRC_Skip, bRC_Core, M_FATAL, M_ERROR, M_WARNING,
    M_INFO, IO_OPEN, IO_READ, IO_WRITE, IO_CLOSE, IO_SEEK, CF_CORE, CF_EXTRACT, CF_CREATED,
    bEventJobEnd, bEventEndBackupJob, bEventEndFileSet, bEventHandleBackupFile,
    bEventStartBackupJob, bEventStartRestoreJob, bVarFDName, bVarJobId, bVarClient,
    bVarSinceTime, bVarLevel, bVarJobName, bVarWorkingDir,
)


def parse_plugindef_string(plugindef):
    """``a=1:b=x\\:y:a=2`` -> {"a": "1", "b": "x:y"}: first value wins, a
    trailing backslash joins the next part, empty values are dropped."""
    options = {}
    parts = plugindef.split(":")
    while parts:
        key, _, value = parts.pop(0).partition("=")
        key, value = key.strip(), value.strip()
        if not key:
            continue
        if not value:
            bareosfd.JobMessage(M_WARNING, "ignoring option '%s' with no value!\n" % key)
            continue
        while value.endswith("\\") and parts:
            value = value[:-1] + ":" + parts.pop(0)
        options.setdefault(key, value)
    return options


def parse_options_file(path):
    """key = value lines; # ; [ start comments; a trailing backslash continues."""
    options = {}
    with open(path) as fp:
        lines = fp.read().splitlines()
    while lines:
        line = lines.pop(0)
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not key and not value:
            continue
        if key.startswith(("#", ";", "[")):
            continue
        if not key or not value:
            bareosfd.JobMessage(M_FATAL, "error parsing '%s' (found no key or value)!\n" % line.strip())
            return {}
        while value.endswith("\\") and lines:
            value = value[:-1] + lines.pop(0).strip()
        if key in options:
            bareosfd.JobMessage(M_WARNING, "duplicate option '%s' overriding previous value!\n" % key)
        options[key] = value
    return options


def get_config_path():
    used = bareosfd.GetValue(bareosfd.bVarUsedConfig) or ""
    if used.endswith("/*/*.conf"):
        path = used[: -len("/*/*.conf")]
    elif os.path.isfile(used):
        path = os.path.dirname(used)
    else:
        return "/"
    return path if os.path.isdir(path) else "/"


def transform_value(value, transform):
    if transform == "enc":
        return b85decode(value).decode("utf-8")
    raise NameError("unknown transformation")


class BareosFdPluginBaseclass(object):
    """Registers the job events, keeps the job's values, parses options and
    does plain file I/O for the files it is asked to open."""

    def __init__(self, plugindef, mandatory_options=None):
        bareosfd.RegisterEvents([bEventJobEnd, bEventEndBackupJob, bEventEndFileSet,
                                 bEventHandleBackupFile, bEventStartBackupJob,
                                 bEventStartRestoreJob])
        self.fdname = bareosfd.GetValue(bVarFDName)
        self.jobId = bareosfd.GetValue(bVarJobId)
        self.client = bareosfd.GetValue(bVarClient)
        self.since = bareosfd.GetValue(bVarSinceTime)
        self.level = bareosfd.GetValue(bVarLevel)
        self.jobName = bareosfd.GetValue(bVarJobName)
        self.shortName = self.jobName.rsplit(".", 3)[0]
        self.workingdir = bareosfd.GetValue(bVarWorkingDir)
        self.configdir = get_config_path()
        self.startTime = int(time.time())
        self.FNAME = "undef"
        self.filetype = "undef"
        self.file = None
        self.mandatory_options = mandatory_options

    def __str__(self):
        return "<%s:fdname=%s jobId=%s client=%s since=%d level=%c jobName=%s workingDir=%s>" % (
            self.__class__, self.fdname, self.jobId, self.client, self.since, self.level,
            self.jobName, self.workingdir)

    # -- options -----------------------------------------------------------------
    def _load_options_from_file(self, option_dict, key):
        if key not in option_dict:
            return {}
        path = os.path.join(getattr(self, "configdir", None) or get_config_path(), option_dict[key])
        try:
            options = parse_options_file(path)
        except OSError as e:
            bareosfd.JobMessage(M_FATAL, "While loading options file '%s': %s" % (option_dict[key], e))
            raise
        del option_dict[key]
        return options

    def _add_options(self, options):
        for key, value in options.items():
            name, _, transform = key.partition("#")
            if transform:
                try:
                    value = transform_value(value, transform)
                except Exception as e:
                    raise ValueError("Transformation %s of value '%s' for key %s failed: %s"
                                     % (transform, value, name, e))
                key = name
            self.options.setdefault(key, value)

    def parse_plugin_definition(self, plugindef):
        if not hasattr(self, "options"):
            self.options = {}
        given = parse_plugindef_string(plugindef)
        try:
            defaults = self._load_options_from_file(given, "defaults_file")
            overrides = self._load_options_from_file(given, "overrides_file")
        except OSError:
            return bRC_Error
        effective = dict(defaults)
        effective.update(given)
        effective.update(overrides)
        try:
            self._add_options(effective)
        except ValueError as e:
            bareosfd.JobMessage(M_FATAL, str(e))
            return bRC_Error
        return self.check_options(self.mandatory_options)

    def check_options(self, mandatory_options=None):
        for option in mandatory_options or ():
            if option not in self.options:
                bareosfd.JobMessage(M_FATAL, "Mandatory option '%s' not defined.\n" % option)
                return bRC_Error
        return bRC_OK

    # -- I/O ---------------------------------------------------------------------
    def plugin_io_open(self, IOP):
        self.FNAME = IOP.fname
        if os.path.isdir(self.FNAME):
            self.fileType = "FT_DIR"
            return bRC_OK
        if os.path.islink(self.FNAME):
            self.fileType = "FT_LNK"
            return bRC_OK
        if os.path.exists(self.FNAME) and stat.S_ISFIFO(os.stat(self.FNAME).st_mode):
            self.fileType = "FT_FIFO"
            return bRC_OK
        self.fileType = "FT_REG"
        try:
            if IOP.flags & (os.O_CREAT | os.O_WRONLY):
                parent = os.path.dirname(self.FNAME)
                if parent and not os.path.exists(parent):
                    os.makedirs(parent)
                self.file = open(self.FNAME, "wb")
            else:
                self.file = open(self.FNAME, "rb")
        except OSError:
            IOP.status = -1
            return bRC_Error
        return bRC_OK

    def plugin_io_close(self, IOP):
        if getattr(self, "fileType", None) == "FT_REG" and self.file is not None:
            self.file.close()
            self.file = None
        return bRC_OK

    def plugin_io_seek(self, IOP):
        return bRC_OK

    def plugin_io_read(self, IOP):
        if getattr(self, "fileType", None) != "FT_REG":
            IOP.buf = bytearray()
            IOP.status = 0
            IOP.io_errno = 0
            return bRC_OK
        IOP.buf = bytearray(IOP.count)
        try:
            IOP.status = self.file.readinto(IOP.buf)
            IOP.io_errno = 0
        except OSError as e:
            bareosfd.JobMessage(M_ERROR, "Could not read %d bytes from file %s: %s" % (IOP.count, self.FNAME, e))
            IOP.io_errno = e.errno or 5
            return bRC_Error
        return bRC_OK

    def plugin_io_write(self, IOP):
        try:
            self.file.write(IOP.buf)
        except OSError as e:
            bareosfd.JobMessage(M_ERROR, "Could not write to file %s: %s" % (self.FNAME, e))
            IOP.io_errno = e.errno or 5
            IOP.status = 0
            return bRC_Error
        IOP.status = IOP.count
        IOP.io_errno = 0
        return bRC_OK

    def plugin_io(self, IOP):
        handler = {IO_OPEN: self.plugin_io_open, IO_CLOSE: self.plugin_io_close,
                   IO_SEEK: self.plugin_io_seek, IO_READ: self.plugin_io_read,
                   IO_WRITE: self.plugin_io_write}.get(IOP.func)
        return handler(IOP) if handler else bRC_OK

    # -- events ------------------------------------------------------------------
    def handle_plugin_event(self, event):
        if event == bEventJobEnd:
            return self.end_job()
        if event == bEventEndBackupJob:
            return self.end_backup_job()
        if event == bEventEndFileSet:
            return self.end_fileset()
        if event == bEventStartBackupJob:
            return self.start_backup_job()
        if event == bEventStartRestoreJob:
            return self.start_restore_job()
        return bRC_OK

    def start_backup_job(self):
        return bRC_OK

    def end_job(self):
        return bRC_OK

    def end_backup_job(self):
        return bRC_OK

    def end_fileset(self):
        return bRC_OK

    def start_restore_job(self):
        return bRC_OK

    # -- files -------------------------------------------------------------------
    def start_backup_file(self, savepkt):
        return bRC_Stop

    def end_backup_file(self):
        return bRC_OK

    def start_restore_file(self, cmd):
        return bRC_OK

    def end_restore_file(self):
        return bRC_OK

    def restore_object_data(self, ROP):
        return bRC_OK

    def create_file(self, restorepkt):
        restorepkt.create_status = CF_CORE
        return bRC_OK

    def set_file_attributes(self, restorepkt):
        return bRC_OK

    def check_file(self, fname):
        return bRC_OK

    def handle_backup_file(self, savepkt):
        return bRC_OK

    def get_acl(self, acl):
        return bRC_OK

    def set_acl(self, acl):
        return bRC_OK

    def get_xattr(self, xattr):
        return bRC_OK

    def set_xattr(self, xattr):
        return bRC_OK
