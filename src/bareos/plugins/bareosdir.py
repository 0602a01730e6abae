"""The ``bareosdir`` module that Director Python plugins import.

Names and numbers follow Bareos 25's module (``bDirVar*``, ``bwDirVar*``,
``bDirEvent*``, ``bRC_*``, ``M_*`` and the dictionaries ``bRCs``,
``bJobMessageType``, ``bDirVariable``, ``bwDirVariable``,
``bDirEventType``); the calls act on the plugin instance the current thread
runs.
"""

from __future__ import annotations

from ._pymod import MSG, RC, as_bytes_dict, make_calls

globals().update(RC)
bRCs = as_bytes_dict(RC)
globals().update(MSG)
bJobMessageType = as_bytes_dict(MSG)

_VARS = dict(bDirVarJob=1, bDirVarLevel=2, bDirVarType=3, bDirVarJobId=4, bDirVarClient=5,
             bDirVarNumVols=6, bDirVarPool=7, bDirVarStorage=8, bDirVarWriteStorage=9,
             bDirVarReadStorage=10, bDirVarCatalog=11, bDirVarMediaType=12, bDirVarJobName=13,
             bDirVarJobStatus=14, bDirVarPriority=15, bDirVarVolumeName=16, bDirVarCatalogRes=17,
             bDirVarJobErrors=18, bDirVarJobFiles=19, bDirVarSDJobFiles=20, bDirVarSDErrors=21,
             bDirVarFDJobStatus=22, bDirVarSDJobStatus=23, bDirVarPluginDir=24,
             bDirVarLastRate=25, bDirVarJobBytes=26, bDirVarReadBytes=27)
globals().update(_VARS)
bDirVariable = as_bytes_dict(_VARS)

_WVARS = dict(bwDirVarJobReport=1, bwDirVarVolumeName=2, bwDirVarPriority=3, bwDirVarJobLevel=4)
globals().update(_WVARS)
bwDirVariable = as_bytes_dict(_WVARS)

_EVENTS = dict(bDirEventJobStart=1, bDirEventJobEnd=2, bDirEventJobInit=3, bDirEventJobRun=4,
               bDirEventVolumePurged=5, bDirEventNewVolume=6, bDirEventNeedVolume=7,
               bDirEventVolumeFull=8, bDirEventRecyle=9, bDirEventGetScratch=10,
               bDirEventNewPluginOptions=11)
globals().update(_EVENTS)
bDirEventType = as_bytes_dict(_EVENTS)

# Bareos's module accepts events from JobStart to GetScratch
globals().update(make_calls("python3-dir-mod: ", bDirEventJobStart, bDirEventGetScratch))
