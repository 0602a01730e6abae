"""Base class for Director Python plugins (this project's own version of
Bareos's ``BareosDirPluginBaseclass``, same attributes and methods).

Subclasses override ``parse_plugin_definition`` (call this one first, it
fills ``self.options``) and ``handle_plugin_event`` (call this one to keep
the job's values up to date).
"""

import time

import bareosdir


class BareosDirPluginBaseclass(object):
    """Registers job start, end, init and run; keeps the job's values."""

    def __init__(self, plugindef):
        bareosdir.DebugMessage(100, "Constructor called in module %s\n" % __name__)
        bareosdir.RegisterEvents([bareosdir.bDirEventJobStart, bareosdir.bDirEventJobEnd,
                                  bareosdir.bDirEventJobInit, bareosdir.bDirEventJobRun])
        self.options = {}
        self.jobName = bareosdir.GetValue(bareosdir.bDirVarJobName)
        self.jobLevel = chr(bareosdir.GetValue(bareosdir.bDirVarLevel))
        self.jobType = bareosdir.GetValue(bareosdir.bDirVarType)
        self.jobId = int(bareosdir.GetValue(bareosdir.bDirVarJobId))
        self.jobClient = bareosdir.GetValue(bareosdir.bDirVarClient)
        self.jobStatus = bareosdir.GetValue(bareosdir.bDirVarJobStatus)
        self.Priority = bareosdir.GetValue(bareosdir.bDirVarPriority)
        now = time.time()
        self.jobInitTime = self.jobStartTime = self.jobRunTime = now

    def __str__(self):
        return "<%s:jobName=%s jobId=%s client=%s>" % (
            self.__class__, self.jobName, self.jobId, self.jobClient)

    def parse_plugin_definition(self, plugindef):
        """``key=value:key=value:`` -> ``self.options`` (empty values dropped)."""
        bareosdir.DebugMessage(100, "plugin def parser called with %s\n" % plugindef)
        self.options = {}
        for item in plugindef.split(":"):
            key, _, value = item.partition("=")
            if value:
                self.options[key] = value
        return bareosdir.bRC_OK

    def handle_plugin_event(self, event):
        if event == bareosdir.bDirEventJobInit:
            self.jobInitTime = time.time()
            self.jobStatus = chr(bareosdir.GetValue(bareosdir.bDirVarJobStatus))
        elif event == bareosdir.bDirEventJobStart:
            self.jobStartTime = time.time()
            self.jobStatus = chr(bareosdir.GetValue(bareosdir.bDirVarJobStatus))
        elif event == bareosdir.bDirEventJobRun:
            self.jobRunTime = time.time()
        elif event == bareosdir.bDirEventJobEnd:
            self.jobEndTime = time.time()
            self.jobLevel = chr(bareosdir.GetValue(bareosdir.bDirVarLevel))
            self.jobStatus = chr(bareosdir.GetValue(bareosdir.bDirVarJobStatus))
            self.jobErrors = int(bareosdir.GetValue(bareosdir.bDirVarJobErrors))
            self.jobBytes = int(bareosdir.GetValue(bareosdir.bDirVarJobBytes))
            self.jobFiles = int(bareosdir.GetValue(bareosdir.bDirVarJobFiles))
            self.jobNumVols = int(bareosdir.GetValue(bareosdir.bDirVarNumVols))
            self.jobPool = bareosdir.GetValue(bareosdir.bDirVarPool)
            self.jobStorage = bareosdir.GetValue(bareosdir.bDirVarStorage)
            self.jobMediaType = bareosdir.GetValue(bareosdir.bDirVarMediaType)
            self.jobTotalTime = self.jobEndTime - self.jobInitTime
            self.jobRunningTime = self.jobEndTime - self.jobRunTime
            self.throughput = 0
            if self.jobRunningTime > 0:
                self.throughput = self.jobBytes / self.jobRunningTime
        return bareosdir.bRC_OK
