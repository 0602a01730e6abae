"""The embedded default configuration of the quick start.

Written for this project (not Bareos's templates): one Director, its catalog,
console access for bconsole, with TLS-PSK on every connection as Bareos's
defaults have it.  ``{placeholders}`` are filled by :func:`render`.
"""

DIRECTOR = {
    "director/bareos-dir.conf": """\
Director {
  Name = bareos-dir
  Description = "Quick start Director (bareos-py)"
  Password = "{dir_password}"
  DirAddress = 127.0.0.1
  DirPort = {dir_port}
  Working Directory = "{work_dir}"
  Messages = Daemon
  Maximum Concurrent Jobs = 10
}
""",
    "catalog/MyCatalog.conf": """\
Catalog {
  Name = MyCatalog
  Description = "The embedded SQLite catalog (a file in the Working Directory)"
  DB Driver = sqlite3
  DB Name = bareos
  DB User = bareos
}
""",
    "messages/Daemon.conf": """\
Messages {
  Name = Daemon
  Description = "Messages of the Director itself"
  Console = all, !skipped, !saved, !audit
  Append = "{log_dir}/bareos.log" = all, !skipped, !audit
}
""",
    "messages/Standard.conf": """\
Messages {
  Name = Standard
  Description = "Job messages"
  Console = all, !skipped, !saved, !audit
  Append = "{log_dir}/bareos.log" = all, !skipped, !saved, !audit
  Catalog = all, !skipped, !saved, !audit
}
""",
    "console/admin.conf": """\
Console {
  Name = admin
  Description = "Operator console of the quick start (TLS-PSK)"
  Password = "{admin_password}"
  Profile = operator
}
""",
    "profile/operator.conf": """\
Profile {
  Name = operator
  Description = "Everything but changing the configuration or deleting catalog data"
  Command ACL = !configure, !delete, !purge, !prune, !sqlquery, !.sql
  Command ACL = *all*
  Catalog ACL = *all*
  Client ACL = *all*
  FileSet ACL = *all*
  Job ACL = *all*
  Plugin Options ACL = *all*
  Pool ACL = *all*
  Schedule ACL = *all*
  Storage ACL = *all*
  Where ACL = *all*
}
""",
    "pool/Full.conf": """\
Pool {
  Name = Full
  Pool Type = Backup
  Recycle = yes
  AutoPrune = yes
  Volume Retention = 365 days
  Maximum Volume Bytes = 50G
  Label Format = "Full-"
}
""",
    "pool/Incremental.conf": """\
Pool {
  Name = Incremental
  Pool Type = Backup
  Recycle = yes
  AutoPrune = yes
  Volume Retention = 30 days
  Maximum Volume Bytes = 1G
  Label Format = "Incremental-"
}
""",
}

BCONSOLE = """\
Director {
  Name = bareos-dir
  Address = 127.0.0.1
  DirPort = {dir_port}
  Password = "{dir_password}"
}
"""


def render(template: str, **values) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", str(value))
    return out
