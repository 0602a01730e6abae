"""The catalog schema: version, tables and columns, initial rows.

The DDL lives in ``ddl/postgresql.sql`` and ``ddl/sqlite.sql``; this module
names what those files must produce (``TABLES``), which the schema check and
the tests compare against a live database.
"""

from __future__ import annotations

import re
from importlib import resources

#: Bareos 25's catalog schema version.
SCHEMA_VERSION = 2250

#: Every table of the schema with its columns in DDL order (Bareos's names).
TABLES: dict[str, tuple[str, ...]] = {
    "Path": ("PathId", "Path"),
    "File": (
        "FileId", "FileIndex", "JobId", "PathId", "DeltaSeq", "MarkId",
        "Fhinfo", "Fhnode", "LStat", "Md5", "Name",
    ),
    "RestoreObject": (
        "RestoreObjectId", "ObjectName", "RestoreObject", "PluginName",
        "ObjectLength", "ObjectFullLength", "ObjectIndex", "ObjectType",
        "FileIndex", "JobId", "ObjectCompression",
    ),
    "Job": (
        "JobId", "Job", "Name", "Type", "Level", "ClientId", "JobStatus",
        "SchedTime", "StartTime", "EndTime", "RealEndTime", "JobTDate",
        "VolSessionId", "VolSessionTime", "JobFiles", "JobBytes", "ReadBytes",
        "JobErrors", "JobMissingFiles", "PoolId", "FileSetId", "PriorJobId",
        "PurgedFiles", "HasBase", "HasCache", "Reviewed", "Comment",
    ),
    "Location": ("LocationId", "Location", "Cost", "Enabled"),
    "FileSet": ("FileSetId", "FileSet", "FileSetText", "Md5", "CreateTime"),
    "JobMedia": (
        "JobMediaId", "JobId", "MediaId", "FirstIndex", "LastIndex",
        "StartFile", "EndFile", "StartBlock", "EndBlock", "JobBytes",
        "VolIndex",
    ),
    "Media": (
        "MediaId", "VolumeName", "Slot", "PoolId", "MediaType", "MediaTypeId",
        "LabelType", "FirstWritten", "LastWritten", "LabelDate", "VolJobs",
        "VolFiles", "VolBlocks", "VolMounts", "VolBytes", "VolErrors",
        "VolWrites", "VolCapacityBytes", "VolStatus", "Enabled", "Recycle",
        "ActionOnPurge", "VolRetention", "VolUseDuration", "MaxVolJobs",
        "MaxVolFiles", "MaxVolBytes", "InChanger", "StorageId", "DeviceId",
        "MediaAddressing", "VolReadTime", "VolWriteTime", "EndFile",
        "EndBlock", "LocationId", "RecycleCount", "MinBlockSize",
        "MaxBlockSize", "InitialWrite", "ScratchPoolId", "RecyclePoolId",
        "EncryptionKey", "Comment",
    ),
    "MediaType": ("MediaTypeId", "MediaType", "ReadOnly"),
    "Storage": ("StorageId", "Name", "AutoChanger"),
    "Device": (
        "DeviceId", "Name", "MediaTypeId", "StorageId", "DevMounts",
        "DevReadBytes", "DevWriteBytes", "DevReadBytesSinceCleaning",
        "DevWriteBytesSinceCleaning", "DevReadTime", "DevWriteTime",
        "DevReadTimeSinceCleaning", "DevWriteTimeSinceCleaning",
        "CleaningDate", "CleaningPeriod",
    ),
    "Pool": (
        "PoolId", "Name", "NumVols", "MaxVols", "UseOnce", "UseCatalog",
        "AcceptAnyVolume", "VolRetention", "VolUseDuration", "MaxVolJobs",
        "MaxVolFiles", "MaxVolBytes", "AutoPrune", "Recycle", "ActionOnPurge",
        "PoolType", "LabelType", "LabelFormat", "Enabled", "ScratchPoolId",
        "RecyclePoolId", "NextPoolId", "MinBlockSize", "MaxBlockSize",
        "MigrationHighBytes", "MigrationLowBytes", "MigrationTime",
    ),
    "Client": (
        "ClientId", "Name", "UName", "AutoPrune", "FileRetention",
        "JobRetention",
    ),
    "Log": ("LogId", "JobId", "Time", "LogText"),
    "LocationLog": (
        "LocLogId", "Date", "Comment", "MediaId", "LocationId",
        "NewVolStatus", "NewEnabled",
    ),
    "Counters": (
        "Counter", "MinValue", "MaxValue", "CurrentValue", "WrapCounter",
    ),
    "BaseFiles": ("BaseId", "JobId", "FileId", "FileIndex", "BaseJobId"),
    "PathHierarchy": ("PathId", "PPathId"),
    "PathVisibility": ("PathId", "JobId", "Size", "Files"),
    "Version": ("VersionId",),
    "Status": ("JobStatus", "JobStatusLong", "Severity"),
    "Quota": ("ClientId", "GraceTime", "QuotaLimit"),
    "NDMPLevelMap": ("ClientId", "FileSetId", "FileSystem", "DumpLevel"),
    "NDMPJobEnvironment": ("JobId", "FileIndex", "EnvName", "EnvValue"),
    "DeviceStats": (
        "DeviceId", "SampleTime", "ReadTime", "WriteTime", "ReadBytes",
        "WriteBytes", "SpoolSize", "NumWaiting", "NumWriters", "MediaId",
        "VolCatBytes", "VolCatFiles", "VolCatBlocks",
    ),
    "JobStats": ("DeviceId", "SampleTime", "JobId", "JobFiles", "JobBytes"),
    "TapeAlerts": ("DeviceId", "SampleTime", "AlertFlags"),
}
# JobHisto has exactly Job's columns.
TABLES["JobHisto"] = TABLES["Job"]

#: Job status letters with their long text and severity (table Status).
STATUS_ROWS: tuple[tuple[str, str, int], ...] = (
    ("C", "Created, not yet running", 15),
    ("R", "Running", 15),
    ("B", "Blocked", 15),
    ("T", "Completed successfully", 10),
    ("E", "Terminated with errors", 25),
    ("e", "Non-fatal error", 20),
    ("f", "Fatal error", 100),
    ("D", "Verify found differences", 15),
    ("A", "Canceled by user", 90),
    ("I", "Incomplete job", 15),
    ("L", "Committing data", 15),
    ("W", "Terminated with warnings", 20),
    ("l", "Doing data despooling", 15),
    ("q", "Queued waiting for device", 15),
    ("F", "Waiting for Client", 15),
    ("S", "Waiting for Storage daemon", 15),
    ("m", "Waiting for new media", 15),
    ("M", "Waiting for media mount", 15),
    ("s", "Waiting for storage resource", 15),
    ("j", "Waiting for job resource", 15),
    ("c", "Waiting for client resource", 15),
    ("d", "Waiting on maximum jobs", 15),
    ("t", "Waiting on start time", 15),
    ("p", "Waiting on higher priority jobs", 15),
    ("a", "SD despooling attributes", 15),
    ("i", "Doing batch insert file records", 15),
)

#: Values the Media.VolStatus check constraint accepts.
VOLUME_STATUSES = (
    "Unlabeled", "Full", "Archive", "Append", "Recycle", "Purged",
    "Read-Only", "Disabled", "Error", "Busy", "Used", "Cleaning", "Scratch",
)

#: Values the Pool.PoolType check constraint accepts.
POOL_TYPES = ("Backup", "Copy", "Cloned", "Archive", "Migration", "Scratch")


def ddl_statements(dialect: str) -> list[str]:
    """The DDL statements of ``ddl/<dialect>.sql`` (dialect: postgresql|sqlite)."""
    text = (resources.files("bareos.cats") / "ddl" / f"{dialect}.sql").read_text(
        encoding="utf-8"
    )
    out = []
    for chunk in re.split(r"^;[ \t]*$", text, flags=re.M):
        lines = [ln for ln in chunk.splitlines() if not ln.lstrip().startswith("--")]
        stmt = "\n".join(lines).strip()
        if stmt:
            out.append(stmt)
    return out


def expected_columns() -> dict[str, list[str]]:
    """TABLES with lower-case names, as databases report them for comparison."""
    return {t.lower(): [c.lower() for c in cols] for t, cols in TABLES.items()}
