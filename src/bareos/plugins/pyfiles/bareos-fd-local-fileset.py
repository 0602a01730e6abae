"""Back up the files and directories listed in a file (``filename=``),
optionally limited by ``allow=`` / ``deny=`` regular expressions
(this project's own version of the local-fileset plugin)."""

import os
import re

import bareosfd
from BareosFdWrapper import *  # noqa: F401,F403
from BareosFdWrapper import BareosPlugin
from BareosFdPluginLocalFilesBaseclass import BareosFdPluginLocalFilesBaseclass


@BareosPlugin
class BareosFdPluginLocalFileset(BareosFdPluginLocalFilesBaseclass):
    def filename_is_allowed(self, filename, allowregex, denyregex):
        if (allowregex is None or allowregex.search(filename)) and not (
                denyregex is not None and denyregex.search(filename)):
            return True
        bareosfd.JobMessage(bareosfd.M_ERROR, "File %s denied by configuration\n" % filename)
        return False

    def start_backup_job(self):
        listing = self.options["filename"]
        try:
            with open(listing) as f:
                entries = f.read().splitlines()
        except OSError:
            bareosfd.JobMessage(bareosfd.M_FATAL, "Could not read file list %s\n" % listing)
            return bareosfd.bRC_Error
        if "allow" in self.options:
            self.allow = re.compile(self.options["allow"])
        if "deny" in self.options:
            self.deny = re.compile(self.options["deny"])
        for entry in entries:
            if os.path.isfile(entry) and self.filename_is_allowed(entry, self.allow, self.deny):
                self.append_file_to_backup(entry)
            elif os.path.isdir(entry):
                self.append_file_to_backup(entry.rstrip("/") + "/")
                for top, dirs, files in os.walk(entry):
                    for name in files:
                        path = os.path.join(top, name)
                        if self.filename_is_allowed(path, self.allow, self.deny):
                            self.append_file_to_backup(path)
                    for name in dirs:
                        self.append_file_to_backup(os.path.join(top, name) + "/")
        if not self.files_to_backup:
            bareosfd.JobMessage(bareosfd.M_ERROR, "No (allowed) files to backup found\n")
            return bareosfd.bRC_Error
        return bareosfd.bRC_OK
