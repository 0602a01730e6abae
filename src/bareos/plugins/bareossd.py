"""The ``bareossd`` module that Storage Daemon Python plugins import.

Names and numbers follow Bareos 25's module (``bsdVar*``, ``bsdwVar*``,
``bsdEvent*``, ``bRC_*``, ``M_*`` and the dictionaries ``bRCs``,
``bJobMessageType``, ``bsdVariable``, ``bsdwVariable``, ``bsdEventType``);
the calls act on the plugin instance the current thread runs.
"""

from __future__ import annotations

from ._pymod import MSG, RC, as_bytes_dict, make_calls

globals().update(RC)
bRCs = as_bytes_dict(RC)
globals().update(MSG)
bJobMessageType = as_bytes_dict(MSG)

_VARS = dict(bsdVarJob=1, bsdVarLevel=2, bsdVarType=3, bsdVarJobId=4, bsdVarClient=5,
             bsdVarPool=6, bsdVarPoolType=7, bsdVarStorage=8, bsdVarMediaType=9,
             bsdVarJobName=10, bsdVarJobStatus=11, bsdVarVolumeName=12, bsdVarJobErrors=13,
             bsdVarJobFiles=14, bsdVarJobBytes=15, bsdVarPluginDir=16)
globals().update(_VARS)
bsdVariable = as_bytes_dict(_VARS)

_WVARS = dict(bsdwVarJobReport=1, bsdwVarVolumeName=2, bsdwVarPriority=3, bsdwVarJobLevel=4)
globals().update(_WVARS)
bsdwVariable = as_bytes_dict(_WVARS)

_EVENTS = dict(
    bsdEventJobStart=1, bsdEventJobEnd=2, bsdEventDeviceInit=3, bsdEventDeviceMount=4,
    bsdEventVolumeLoad=5, bsdEventDeviceReserve=6, bsdEventDeviceOpen=7, bsdEventLabelRead=8,
    bsdEventLabelVerified=9, bsdEventLabelWrite=10, bsdEventDeviceClose=11,
    bsdEventVolumeUnload=12, bsdEventDeviceUnmount=13, bsdEventReadError=14,
    bsdEventWriteError=15, bsdEventDriveStatus=16, bsdEventVolumeStatus=17,
    bsdEventSetupRecordTranslation=18, bsdEventReadRecordTranslation=19,
    bsdEventWriteRecordTranslation=20, bsdEventDeviceRelease=21, bsdEventNewPluginOptions=22,
    bsdEventChangerLock=23, bsdEventChangerUnlock=24)
globals().update(_EVENTS)
bsdEventType = as_bytes_dict(_EVENTS)

# Bareos's module accepts events from JobStart to WriteRecordTranslation
globals().update(make_calls("python3-sd-mod: ", bsdEventJobStart, bsdEventWriteRecordTranslation))
