"""Base class for Storage Daemon Python plugins (this project's own version
of Bareos's ``BareosSdPluginBaseclass``, same attributes and methods).

Subclasses override ``parse_plugin_definition`` (call this one first, it
fills ``self.options``) and ``handle_plugin_event``.
"""

import time

import bareossd


class BareosSdPluginBaseclass(object):
    """Registers job start and end; keeps the job's name, level and id."""

    def __init__(self, plugindef):
        bareossd.DebugMessage(100, "Constructor called in module %s\n" % __name__)
        bareossd.RegisterEvents([bareossd.bsdEventJobStart, bareossd.bsdEventJobEnd])
        self.options = {}
        self.jobName = bareossd.GetValue(bareossd.bsdVarJobName)
        self.jobLevel = chr(bareossd.GetValue(bareossd.bsdVarLevel))
        self.jobId = int(bareossd.GetValue(bareossd.bsdVarJobId))
        self.jobStartTime = time.time()
        bareossd.DebugMessage(100, "JobName = %s - Level = %s - Id = %s - BareosSdPluginBaseclass\n"
                              % (self.jobName, self.jobLevel, self.jobId))

    def __str__(self):
        return "<%s:jobName=%s jobId=%s Level=%s>" % (
            self.__class__, self.jobName, self.jobId, self.jobLevel)

    def parse_plugin_definition(self, plugindef):
        """``key=value:key=value:`` -> ``self.options`` (empty values dropped)."""
        bareossd.DebugMessage(100, "plugin def parser called with %s\n" % plugindef)
        self.options = {}
        for item in plugindef.split(":"):
            key, _, value = item.partition("=")
            if value:
                self.options[key] = value
        return bareossd.bRC_OK

    def handle_plugin_event(self, event):
        if event == bareossd.bsdEventJobStart:
            self.jobStartTime = time.time()
            bareossd.DebugMessage(100, "bsdEventJobStart at %s\n" % self.jobStartTime)
        elif event == bareossd.bsdEventJobEnd:
            self.jobEndTime = time.time()
            self.jobBytes = int(bareossd.GetValue(bareossd.bsdVarJobBytes))
            self.jobFiles = int(bareossd.GetValue(bareossd.bsdVarJobFiles))
            self.jobRunningTime = self.jobEndTime - self.jobStartTime
            self.throughput = 0
            if self.jobRunningTime > 0:
                self.throughput = self.jobBytes / self.jobRunningTime
            bareossd.DebugMessage(100, "bsdEventJobEnd: %s s, %s bytes/s\n"
                                  % (self.jobRunningTime, self.throughput))
        return bareossd.bRC_OK
