"""`version`: the Director's name, version and platform."""

from bareos.lib import version as v


def run(ua) -> bool:
    osinfo, dist, distver = v.distname()
    out = ua.send
    out.object_start("version")
    out.kv("name", ua.director.name, "%s ")
    out.kv("type", "bareos-director")
    out.kv("version", v.VERSION, "%s ", key_fmt="Version: ")
    out.kv("bdate", v.BDATE, "(%s) ")
    out.kv("operatingsystem", osinfo, "%s ")
    out.kv("distname", dist, "%s ")
    out.kv("distversion", distver, "%s ")
    out.kv("customversionid", ua.director.custom_version_id, "%s\n")
    out.object_end("version")
    return True
