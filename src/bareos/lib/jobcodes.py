"""Job types, levels and statuses: the one-letter codes Bareos stores in its
catalog and sends between daemons, and their names."""

# Job types
JT_BACKUP = "B"
JT_MIGRATED_JOB = "M"
JT_VERIFY = "V"
JT_RESTORE = "R"
JT_CONSOLE = "U"
JT_SYSTEM = "I"
JT_ADMIN = "D"
JT_ARCHIVE = "A"
JT_JOB_COPY = "C"
JT_COPY = "c"
JT_MIGRATE = "g"
JT_SCAN = "S"
JT_CONSOLIDATE = "O"

# Job levels
L_FULL = "F"
L_INCREMENTAL = "I"
L_DIFFERENTIAL = "D"
L_SINCE = "S"
L_VERIFY_CATALOG = "C"
L_VERIFY_INIT = "V"
L_VERIFY_VOLUME_TO_CATALOG = "O"
L_VERIFY_DISK_TO_CATALOG = "d"
L_VERIFY_DATA = "A"
L_BASE = "B"
L_NONE = " "
L_VIRTUAL_FULL = "f"

# Names usable in a Job's `Type =` (and `.types`), in Bareos's table order.
JOB_TYPES = (
    ("Backup", JT_BACKUP),
    ("Admin", JT_ADMIN),
    ("Archive", JT_ARCHIVE),
    ("Verify", JT_VERIFY),
    ("Restore", JT_RESTORE),
    ("Migrate", JT_MIGRATE),
    ("Copy", JT_COPY),
    ("Consolidate", JT_CONSOLIDATE),
)

# (level name, level code, job type) in Bareos's table order.
JOB_LEVELS = (
    ("Full", L_FULL, JT_BACKUP),
    ("Base", L_BASE, JT_BACKUP),
    ("Incremental", L_INCREMENTAL, JT_BACKUP),
    ("Differential", L_DIFFERENTIAL, JT_BACKUP),
    ("Since", L_SINCE, JT_BACKUP),
    ("VirtualFull", L_VIRTUAL_FULL, JT_BACKUP),
    ("Catalog", L_VERIFY_CATALOG, JT_VERIFY),
    ("InitCatalog", L_VERIFY_INIT, JT_VERIFY),
    ("VolumeToCatalog", L_VERIFY_VOLUME_TO_CATALOG, JT_VERIFY),
    ("DiskToCatalog", L_VERIFY_DISK_TO_CATALOG, JT_VERIFY),
    ("Data", L_VERIFY_DATA, JT_VERIFY),
    ("Full", L_FULL, JT_COPY),
    ("Incremental", L_INCREMENTAL, JT_COPY),
    ("Differential", L_DIFFERENTIAL, JT_COPY),
    ("Full", L_FULL, JT_MIGRATE),
    ("Incremental", L_INCREMENTAL, JT_MIGRATE),
    ("Differential", L_DIFFERENTIAL, JT_MIGRATE),
    (" ", L_NONE, JT_ADMIN),
    (" ", L_NONE, JT_ARCHIVE),
    (" ", L_NONE, JT_RESTORE),
    (" ", L_NONE, JT_CONSOLIDATE),
)

# Job status codes
JS_CANCELED = "A"
JS_BLOCKED = "B"
JS_CREATED = "C"
JS_DIFFERENCES = "D"
JS_ERROR_TERMINATED = "E"
JS_WAIT_FD = "F"
JS_INCOMPLETE = "I"
JS_DATA_COMMITTING = "L"
JS_WAIT_MOUNT = "M"
JS_RUNNING = "R"
JS_WAIT_SD = "S"
JS_TERMINATED = "T"
JS_WARNINGS = "W"
JS_ATTR_DESPOOLING = "a"
JS_WAIT_CLIENT_RES = "c"
JS_WAIT_MAX_JOBS = "d"
JS_ERROR = "e"
JS_FATAL_ERROR = "f"
JS_ATTR_INSERTING = "i"
JS_WAIT_JOB_RES = "j"
JS_DATA_DESPOOLING = "l"
JS_WAIT_MEDIA = "m"
JS_WAIT_PRIORITY = "p"
JS_WAIT_DEVICE = "q"
JS_WAIT_STORE_RES = "s"
JS_WAIT_START_TIME = "t"

VOLUME_STATUSES = ("Unlabeled", "Append", "Full", "Used", "Recycle", "Purged",
                   "Cleaning", "Error", "Archive", "Disabled")
ACTION_ON_PURGE = ("None", "Truncate")


# Bareos's setJobStatusWithPriorityCheck: a status never replaces one of
# higher priority (a failed or canceled job stays so).
_STATUS_PRIORITY = {JS_CANCELED: 15, JS_ERROR_TERMINATED: 15, JS_FATAL_ERROR: 15,
                    JS_INCOMPLETE: 10}


def status_replaces(current: str, new: str) -> bool:
    """True when job status *new* may replace *current*."""
    return _STATUS_PRIORITY.get(new, 0) >= _STATUS_PRIORITY.get(current, 0)


def job_type_name(code: str) -> str:
    for name, c in JOB_TYPES:
        if c == code:
            return name
    return {JT_MIGRATED_JOB: "Migrated Job", JT_CONSOLE: "Console", JT_SYSTEM: "System",
            JT_JOB_COPY: "Copy Job", JT_SCAN: "Scan"}.get(code, "Unknown Type")


def job_level_name(code: str) -> str:
    for name, c, _t in JOB_LEVELS:
        if c == code:
            return name
    return "Unknown Job Level"
