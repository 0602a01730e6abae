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

DIRECTOR.update({
    "client/bareos-fd.conf": """\
Client {
  Name = bareos-fd
  Description = "The File Daemon of this machine"
  Address = 127.0.0.1
  Port = {fd_port}
  Password = "{fd_password}"
}
""",
    "storage/File.conf": """\
Storage {
  Name = File
  Address = 127.0.0.1
  Port = {sd_port}
  Password = "{sd_password}"
  Device = FileStorage
  Media Type = File
}
""",
    "fileset/Quickstart.conf": """\
FileSet {
  Name = "Quickstart"
  Description = "The directory the quick start backs up"
  Include {
    Options {
      Signature = XXH128
    }
    File = "{backup_dir}"
  }
}
""",
    "job/backup-bareos-fd.conf": """\
Job {
  Name = "backup-bareos-fd"
  Type = Backup
  Level = Incremental
  Client = bareos-fd
  FileSet = "Quickstart"
  Storage = File
  Messages = Standard
  Pool = Incremental
  Full Backup Pool = Full
  Incremental Backup Pool = Incremental
  Priority = 10
  Write Bootstrap = "{work_dir}/%c.bsr"
}
""",
    "job/RestoreFiles.conf": """\
Job {
  Name = "RestoreFiles"
  Type = Restore
  Client = bareos-fd
  FileSet = "Quickstart"
  Storage = File
  Pool = Incremental
  Messages = Standard
  Where = "{restore_dir}"
}
""",
})

STORAGE = {
    "storage/bareos-sd.conf": """\
Storage {
  Name = bareos-sd
  SD Address = 127.0.0.1
  SD Port = {sd_port}
  Working Directory = "{work_dir}"
  Maximum Concurrent Jobs = 20
}
""",
    "director/bareos-dir.conf": """\
Director {
  Name = bareos-dir
  Password = "{sd_password}"
}
""",
    "device/FileStorage.conf": """\
Device {
  Name = FileStorage
  Media Type = File
  Archive Device = "{storage_dir}"
  Label Media = yes
  Random Access = yes
  Automatic Mount = yes
  Removable Media = no
  Always Open = no
  Maximum Concurrent Jobs = 5
}
""",
    "messages/Standard.conf": """\
Messages {
  Name = Standard
  Director = bareos-dir = all
}
""",
}

FILE_DAEMON = {
    "client/myself.conf": """\
Client {
  Name = bareos-fd
  FD Address = 127.0.0.1
  FD Port = {fd_port}
  Working Directory = "{work_dir}"
  Maximum Concurrent Jobs = 20
}
""",
    "director/bareos-dir.conf": """\
Director {
  Name = bareos-dir
  Password = "{fd_password}"
}
""",
    "messages/Standard.conf": """\
Messages {
  Name = Standard
  Director = bareos-dir = all, !skipped, !restored
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
