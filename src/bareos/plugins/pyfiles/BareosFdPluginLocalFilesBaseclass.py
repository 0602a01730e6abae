"""Base class for plugins that back up local files they choose themselves
(this project's own version): a list of names, one save packet per name,
files created again on restore with their attributes."""

import os
import stat

import bareosfd
from BareosFdPluginBaseclass import BareosFdPluginBaseclass


class BareosFdPluginLocalFilesBaseclass(BareosFdPluginBaseclass):
    def __init__(self, plugindef, mandatory_options=None):
        if mandatory_options is None:
            mandatory_options = ["filename"]
        super().__init__(plugindef, mandatory_options)
        self.files_to_backup = []
        self.file_to_backup = ""
        self.statp = {}
        self.allow = None
        self.deny = None

    def append_file_to_backup(self, filename):
        self.files_to_backup.append(filename)

    def _next_name(self):
        while self.files_to_backup:
            name = self.files_to_backup.pop()
            try:
                name.encode("utf-8")
                return name
            except UnicodeEncodeError:
                bareosfd.JobMessage(bareosfd.M_ERROR, "name %r cannot be encoded in utf-8\n" % name)
        return None

    def start_backup_file(self, savepkt):
        name = self._next_name()
        if name is None:
            return bareosfd.bRC_Stop
        self.file_to_backup = name
        bare = name.rstrip("/")
        try:
            st = os.lstat(bare) if os.path.islink(bare) else os.stat(name)
        except OSError as e:
            bareosfd.JobMessage(bareosfd.M_ERROR, 'Could not get stat-info for file %s: "%s"' % (name, e))
            return bareosfd.bRC_Skip
        sp = bareosfd.StatPacket()
        sp.st_mode, sp.st_ino, sp.st_dev, sp.st_nlink = st.st_mode, st.st_ino, st.st_dev, st.st_nlink
        sp.st_uid, sp.st_gid, sp.st_size = st.st_uid, st.st_gid, st.st_size
        sp.st_atime, sp.st_mtime, sp.st_ctime = int(st.st_atime), int(st.st_mtime), int(st.st_ctime)
        savepkt.fname = name
        if os.path.islink(bare):
            savepkt.type = bareosfd.FT_LNK
            savepkt.link = os.readlink(bare)
        elif os.path.isfile(name):
            savepkt.type = bareosfd.FT_REG
        elif os.path.isdir(name):
            savepkt.type = bareosfd.FT_DIREND
            savepkt.link = name
        elif stat.S_ISFIFO(st.st_mode):
            savepkt.type = bareosfd.FT_FIFO
        else:
            bareosfd.JobMessage(bareosfd.M_WARNING, "File %s of unknown type" % name)
            return bareosfd.bRC_Skip
        savepkt.statp = sp
        return bareosfd.bRC_OK

    def end_backup_file(self):
        return bareosfd.bRC_More if self.files_to_backup else bareosfd.bRC_OK

    def create_file(self, restorepkt):
        name = restorepkt.ofname
        if not name:
            return bareosfd.bRC_Error
        parent = os.path.dirname(name.rstrip("/"))
        if parent and not os.path.exists(parent):
            os.makedirs(parent)
        kind = restorepkt.type
        if kind == bareosfd.FT_REG:
            open(name, "wb").close()
            restorepkt.create_status = bareosfd.CF_EXTRACT
        elif kind == bareosfd.FT_LNK:
            if not os.path.islink(name.rstrip("/")):
                os.symlink(restorepkt.olname, name.rstrip("/"))
            restorepkt.create_status = bareosfd.CF_CREATED
        elif kind == bareosfd.FT_LNKSAVED:
            if not os.path.exists(restorepkt.olname):
                os.link(restorepkt.olname, name.rstrip("/"))
            restorepkt.create_status = bareosfd.CF_CREATED
        elif kind == bareosfd.FT_DIREND:
            os.makedirs(name, exist_ok=True)
            restorepkt.create_status = bareosfd.CF_CREATED
        elif kind == bareosfd.FT_FIFO:
            if not os.path.exists(name):
                os.mkfifo(name, 0o600)
            restorepkt.create_status = bareosfd.CF_CREATED
        else:
            bareosfd.JobMessage(bareosfd.M_ERROR, "Unknown type %s of file %s" % (kind, name))
        return bareosfd.bRC_OK

    def _apply(self, name, st):
        try:
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                os.chown(name, st.st_uid, st.st_gid)
            os.chmod(name, st.st_mode & 0o7777)
            os.utime(name, (st.st_atime, st.st_mtime))
        except OSError as e:
            bareosfd.JobMessage(bareosfd.M_WARNING, 'Could not set attributes for file %s: "%s"' % (name, e))

    def set_file_attributes(self, restorepkt):
        name = restorepkt.ofname
        self.statp[name] = restorepkt.statp
        if restorepkt.type in (bareosfd.FT_LNK, bareosfd.FT_LNKSAVED):
            return bareosfd.bRC_OK
        self._apply(name, restorepkt.statp)
        return bareosfd.bRC_OK

    def end_restore_file(self):
        st = self.statp.get(self.FNAME)
        if st is not None and os.path.exists(self.FNAME):
            self._apply(self.FNAME, st)
        return bareosfd.bRC_OK
