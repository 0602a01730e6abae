"""What the ``bareossd`` and ``bareosdir`` modules share: Bareos's return
codes and message types, and the calls acting on the plugin instance the
current thread runs (see :mod:`bareos.plugins.pyhost`).

``make_calls(prefix, first_event, last_event)`` returns the module
functions; ``prefix`` is what Bareos's module puts before job messages
(``python3-sd-mod: ``), the event range is what ``RegisterEvents`` accepts.
"""

from __future__ import annotations

from . import pyhost as _host

RC = dict(bRC_OK=0, bRC_Stop=1, bRC_Error=2, bRC_More=3, bRC_Term=4, bRC_Seen=5, bRC_Core=6,
          bRC_Skip=7, bRC_Cancel=8)
MSG = dict(M_ABORT=1, M_DEBUG=2, M_FATAL=3, M_ERROR=4, M_WARNING=5, M_INFO=6, M_SAVED=7,
           M_NOTSAVED=8, M_SKIPPED=9, M_MOUNT=10, M_ERROR_TERM=11, M_TERM=12, M_RESTORED=13,
           M_SECURITY=14, M_ALERT=15, M_VOLMGMT=16)


def as_bytes_dict(d: dict) -> dict:
    """Bareos's module dictionaries are keyed by the names as bytes."""
    return {k.encode(): v for k, v in d.items()}


def _event_list(events) -> list[int]:
    if isinstance(events, int):
        return [events]
    return [int(e) for e in events]


def make_calls(prefix: str, first_event: int, last_event: int) -> dict:
    def GetValue(var):
        return _host.current().get_value(int(var))

    def SetValue(var, value):
        return _host.current().set_value(int(var), value)

    def DebugMessage(level, message=None):
        if message:
            _host.current().debug_message(int(level), prefix + str(message))
        return None

    def JobMessage(mtype, message=None):
        if message:
            _host.current().job_message(int(mtype), prefix + str(message))
        return None

    def RegisterEvents(events):
        ctx = _host.current()
        rc = RC["bRC_Error"]
        for e in _event_list(events):
            if first_event <= e <= last_event:
                rc = ctx.register_events([e], True)
                if rc != RC["bRC_OK"]:
                    break
        return rc

    def UnRegisterEvents(events):
        ctx = _host.current()
        rc = RC["bRC_Error"]
        for e in _event_list(events):
            if first_event <= e <= last_event:
                rc = ctx.register_events([e], False)
                if rc != RC["bRC_OK"]:
                    break
        return rc

    def GetInstanceCount():
        return _host.current().instance_count()

    return dict(GetValue=GetValue, SetValue=SetValue, DebugMessage=DebugMessage,
                JobMessage=JobMessage, RegisterEvents=RegisterEvents,
                UnRegisterEvents=UnRegisterEvents, GetInstanceCount=GetInstanceCount)
