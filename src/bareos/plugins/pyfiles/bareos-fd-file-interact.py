"""An option plugin (``Plugin =`` inside a FileSet's Options): it is called
for every file before the backup (``handle_backup_file``) and after it
(``end_backup_file``) and writes one line per call to ``logfile=`` (this
project's own example of an option plugin; the data itself is read by the
base class)."""

import bareosfd
from BareosFdWrapper import *  # noqa: F401,F403
from BareosFdWrapper import BareosPlugin
from BareosFdPluginBaseclass import BareosFdPluginBaseclass


@BareosPlugin
class BareosFdFileInteract(BareosFdPluginBaseclass):
    def __init__(self, plugindef):
        super().__init__(plugindef, ["logfile"])
        self.current = None

    def _log(self, what, name):
        with open(self.options["logfile"], "a") as f:
            f.write("%s %s\n" % (what, name))

    def handle_backup_file(self, savepkt):
        self.current = savepkt.fname
        self._log("before", savepkt.fname)
        return bareosfd.bRC_OK

    def end_backup_file(self):
        if self.current is not None:
            self._log("after", self.current)
            self.current = None
        return bareosfd.bRC_OK
