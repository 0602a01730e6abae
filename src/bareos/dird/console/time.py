"""`time`: the Director's current local time."""

import time as _time


def run(ua) -> bool:
    now = _time.localtime(ua.director.clock())
    out = ua.send
    out.object_start("time")
    out.kv("full", _time.strftime("%a %d-%b-%Y %H:%M:%S", now), "%s\n")
    for key, fmt in (("year", "%Y"), ("month", "%m"), ("day", "%d"),
                     ("hour", "%H"), ("minute", "%M"), ("second", "%S")):
        out.kv(key, _time.strftime(fmt, now))
    out.object_end("time")
    return True
