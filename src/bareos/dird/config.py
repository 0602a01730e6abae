"""The Director's resource/directive table (``bareos-dir.d``).

Directive names, types and defaults follow Bareos 25's Director; the table
order is the order ``show`` prints in.
"""

from __future__ import annotations

from bareos.lib.config.common import messages_resource, tls_cert, tls_common
from bareos.lib.config.schema import Directive as D
from bareos.lib.config.schema import ResourceType, Schema

_DIRECTOR = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Messages", "res", ref='Messages'),
    D("Port", "addresses_port", default='9101', aliases=('DirPort',)),
    D("Address", "addresses_address", default='9101', aliases=('DirAddress',)),
    D("Addresses", "addresses", default='9101', aliases=('DirAddresses',), always_print=True),
    D("SourceAddress", "source_address", default='0', aliases=('DirSourceAddress',)),
    D("QueryFile", "dir", default='@scriptdir@/query.sql', platform_specific=True),
    D("WorkingDirectory", "dir", default='@working_dir@', platform_specific=True),
    D("PluginDirectory", "dir"),
    D("PluginNames", "plugin_names"),
    D("ScriptsDirectory", "dir", default='@scriptdir@', platform_specific=True),
    D("Subscriptions", "pint32", default='0'),
    D("MaximumConcurrentJobs", "pint32", default='1'),
    D("MaximumConsoleConnections", "pint32", default='20'),
    D("Password", "autopassword", required=True),
    D("FdConnectTimeout", "time", default='180'),
    D("SdConnectTimeout", "time", default='1800'),
    D("HeartbeatInterval", "time", default='0'),
    D("StatisticsRetention", "time", default='160704000', deprecated='22.0.0'),
    D("StatisticsCollectInterval", "pint32", default='0', deprecated='22.0.0'),
    D("VerId", "str"),
    D("KeyEncryptionKey", "autopassword"),
    D("NdmpSnooping", "bool"),
    D("NdmpLogLevel", "pint32", default='4'),
    D("NdmpNamelistFhinfoSetZeroForInvalidUquad", "bool", default='false'),
    D("AbsoluteJobTimeout", "pint32"),
    D("Auditing", "bool", default='false'),
    D("AuditEvents", "audit"),
    D("SecureEraseCommand", "str"),
    D("LogTimestampFormat", "str", default='%d-%b %H:%M'),
    D("EnableKtls", "bool", default='false'),
    *tls_common(),
    *tls_cert(),
]

_PROFILE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("JobAcl", "acl", code='Job'),
    D("ClientAcl", "acl", code='Client'),
    D("StorageAcl", "acl", code='Storage'),
    D("ScheduleAcl", "acl", code='Schedule'),
    D("PoolAcl", "acl", code='Pool'),
    D("CommandAcl", "acl", code='Command'),
    D("FileSetAcl", "acl", code='FileSet'),
    D("CatalogAcl", "acl", code='Catalog'),
    D("WhereAcl", "acl", code='Where'),
    D("PluginOptionsAcl", "acl", code='PluginOptions'),
]

_CONSOLE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Password", "autopassword", required=True),
    D("JobAcl", "acl", code='Job'),
    D("ClientAcl", "acl", code='Client'),
    D("StorageAcl", "acl", code='Storage'),
    D("ScheduleAcl", "acl", code='Schedule'),
    D("PoolAcl", "acl", code='Pool'),
    D("CommandAcl", "acl", code='Command'),
    D("FileSetAcl", "acl", code='FileSet'),
    D("CatalogAcl", "acl", code='Catalog'),
    D("WhereAcl", "acl", code='Where'),
    D("PluginOptionsAcl", "acl", code='PluginOptions'),
    D("Profile", "alist_res", ref='Profile'),
    D("UsePamAuthentication", "bool", default='false'),
    *tls_common(),
    *tls_cert(),
]

_USER = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("JobAcl", "acl", code='Job'),
    D("ClientAcl", "acl", code='Client'),
    D("StorageAcl", "acl", code='Storage'),
    D("ScheduleAcl", "acl", code='Schedule'),
    D("PoolAcl", "acl", code='Pool'),
    D("CommandAcl", "acl", code='Command'),
    D("FileSetAcl", "acl", code='FileSet'),
    D("CatalogAcl", "acl", code='Catalog'),
    D("WhereAcl", "acl", code='Where'),
    D("PluginOptionsAcl", "acl", code='PluginOptions'),
    D("Profile", "alist_res", ref='Profile'),
]

_CLIENT = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Protocol", "authprotocoltype", default='Native'),
    D("AuthType", "authtype", default='None'),
    D("Address", "str", required=True, aliases=('FdAddress',)),
    D("LanAddress", "str"),
    D("Port", "pint32", default='9102', aliases=('FdPort',)),
    D("Username", "str"),
    D("Password", "autopassword", required=True, aliases=('FdPassword',)),
    D("Catalog", "res", ref='Catalog'),
    D("Passive", "bool", default='false'),
    D("ConnectionFromDirectorToClient", "bool", default='true'),
    D("ConnectionFromClientToDirector", "bool", default='false'),
    D("Enabled", "bool", default='true'),
    D("HardQuota", "size64", default='0'),
    D("SoftQuota", "size64", default='0'),
    D("SoftQuotaGracePeriod", "time", default='0'),
    D("StrictQuotas", "bool", default='false'),
    D("QuotaIncludeFailedJobs", "bool", default='true'),
    D("FileRetention", "time", default='5184000', deprecated='23.0.0'),
    D("JobRetention", "time", default='15552000', deprecated='23.0.0'),
    D("HeartbeatInterval", "time", default='0'),
    D("AutoPrune", "bool", default='false', deprecated='23.0.0'),
    D("MaximumConcurrentJobs", "pint32", default='1'),
    D("MaximumBandwidthPerJob", "speed"),
    D("NdmpLogLevel", "pint32", default='4'),
    D("NdmpBlockSize", "size32", default='64512'),
    D("NdmpUseLmdb", "bool", default='true'),
    *tls_common(),
    *tls_cert(),
]

_STORAGE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Protocol", "authprotocoltype", default='Native'),
    D("AuthType", "authtype", default='None'),
    D("Address", "str", required=True, aliases=('SdAddress',)),
    D("LanAddress", "str"),
    D("Port", "pint32", default='9103', aliases=('SdPort',)),
    D("Username", "str"),
    D("Password", "autopassword", required=True, aliases=('SdPassword',)),
    D("Device", "device", required=True),
    D("MediaType", "strname", required=True),
    D("AutoChanger", "bool", default='false'),
    D("Enabled", "bool", default='true'),
    D("AllowCompression", "bool", default='true'),
    D("HeartbeatInterval", "time", default='0'),
    D("CacheStatusInterval", "time", default='30'),
    D("MaximumConcurrentJobs", "pint32", default='1'),
    D("MaximumConcurrentReadJobs", "pint32", default='0'),
    D("PairedStorage", "res", ref='Storage'),
    D("MaximumBandwidthPerJob", "speed"),
    D("CollectStatistics", "bool", default='false', deprecated='22.0.0'),
    D("NdmpChangerDevice", "strname"),
    *tls_common(),
    *tls_cert(),
]

_CATALOG = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("DbDriver", "str", extension=True,
      description="Catalog backend: postgresql (the default, as in Bareos 25) or sqlite3 "
                  "(the embedded catalog, a file in the Working Directory)"),
    D("DbAddress", "str", aliases=('Address',)),
    D("DbPort", "pint32", aliases=('Port',)),
    D("DbPassword", "autopassword", aliases=('Password',)),
    D("DbUser", "str", required=True, aliases=('User',)),
    D("DbName", "str", required=True),
    D("DbSocket", "str", aliases=('Socket',)),
    D("MultipleConnections", "bit", deprecated='25.0.0'),
    D("DisableBatchInsert", "bool", default='false', deprecated='25.0.0'),
    D("Reconnect", "bool", default='true'),
    D("ExitOnFatal", "bool", default='false'),
    D("MinConnections", "pint32", default='1'),
    D("MaxConnections", "pint32", default='5'),
    D("IncConnections", "pint32", default='1'),
    D("IdleTimeout", "pint32", default='30'),
    D("ValidateTimeout", "pint32", default='120'),
]

_RUNSCRIPT = [
    D("Command", "runscript_cmd", code='SHELL_CMD'),
    D("Console", "runscript_cmd", code='CONSOLE_CMD'),
    D("Target", "runscript_target"),
    D("RunsOnSuccess", "runscript_bool"),
    D("RunsOnFailure", "runscript_bool"),
    D("FailJobOnError", "runscript_bool"),
    D("AbortJobOnError", "runscript_bool"),
    D("RunsWhen", "runscript_when"),
    D("RunsOnClient", "runscript_target"),
]

RUNSCRIPT_BLOCK = ResourceType("RunScript", "RunScripts", _RUNSCRIPT, named=False)

_JOB = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Type", "jobtype", required=True),
    D("Protocol", "protocoltype", default='Native'),
    D("BackupFormat", "str", default='Native'),
    D("Level", "level"),
    D("Messages", "res", required=True, ref='Messages'),
    D("Storage", "alist_res", ref='Storage'),
    D("Pool", "res", required=True, ref='Pool'),
    D("FullBackupPool", "res", ref='Pool'),
    D("VirtualFullBackupPool", "res", ref='Pool'),
    D("IncrementalBackupPool", "res", ref='Pool'),
    D("DifferentialBackupPool", "res", ref='Pool'),
    D("NextPool", "res", ref='Pool'),
    D("Client", "res", ref='Client'),
    D("FileSet", "res", ref='FileSet'),
    D("Schedule", "res", ref='Schedule'),
    D("JobToVerify", "res", aliases=('VerifyJob',), ref='Job'),
    D("Catalog", "res", ref='Catalog'),
    D("JobDefs", "res", ref='JobDefs'),
    D("Run", "alist_str"),
    D("Where", "dir"),
    D("RegexWhere", "str"),
    D("StripPrefix", "str"),
    D("AddPrefix", "str"),
    D("AddSuffix", "str"),
    D("Bootstrap", "dir"),
    D("WriteBootstrap", "dir_or_cmd"),
    D("WriteVerifyList", "dir", deprecated='25.1.0'),
    D("Replace", "replace", default='Always'),
    D("MaximumBandwidth", "speed"),
    D("MaxRunSchedTime", "time"),
    D("MaxRunTime", "time"),
    D("FullMaxRuntime", "time"),
    D("IncrementalMaxRuntime", "time"),
    D("DifferentialMaxRuntime", "time"),
    D("MaxWaitTime", "time"),
    D("MaxStartDelay", "time"),
    D("MaxFullInterval", "time"),
    D("MaxVirtualFullInterval", "time"),
    D("MaxDiffInterval", "time"),
    D("PrefixLinks", "bool", default='false'),
    D("PruneJobs", "bool", default='false'),
    D("PruneFiles", "bool", default='false'),
    D("PruneVolumes", "bool", default='false'),
    D("PurgeMigrationJob", "bool", default='false'),
    D("Enabled", "bool", default='true'),
    D("SpoolAttributes", "bool", default='false'),
    D("SpoolData", "bool", default='false'),
    D("SpoolSize", "size64"),
    D("RerunFailedLevels", "bool", default='false'),
    D("PreferMountedVolumes", "bool", default='true'),
    D("RunBeforeJob", "shrtrunscript"),
    D("RunAfterJob", "shrtrunscript"),
    D("RunAfterFailedJob", "shrtrunscript"),
    D("ClientRunBeforeJob", "shrtrunscript"),
    D("ClientRunAfterJob", "shrtrunscript"),
    D("MaximumConcurrentJobs", "pint32", default='1'),
    D("RescheduleOnError", "bool", default='false'),
    D("RescheduleInterval", "time", default='1800'),
    D("RescheduleTimes", "pint32", default='5'),
    D("Priority", "pint32", default='10'),
    D("AllowMixedPriority", "bool", default='false'),
    D("SelectionPattern", "str"),
    D("RunScript", "runscript", no_equals=True, block=RUNSCRIPT_BLOCK),
    D("SelectionType", "migtype"),
    D("Accurate", "bool", default='false'),
    D("AllowDuplicateJobs", "bool", default='true'),
    D("AllowHigherDuplicates", "bool", default='true', deprecated='24.0.0'),
    D("CancelLowerLevelDuplicates", "bool", default='false'),
    D("CancelQueuedDuplicates", "bool", default='false'),
    D("CancelRunningDuplicates", "bool", default='false'),
    D("SaveFileHistory", "bool", default='true'),
    D("FileHistorySize", "size64", default='10000000'),
    D("FdPluginOptions", "alist_str"),
    D("SdPluginOptions", "alist_str"),
    D("DirPluginOptions", "alist_str"),
    D("MaxConcurrentCopies", "pint32", default='100'),
    D("AlwaysIncremental", "bool", default='false'),
    D("AlwaysIncrementalJobRetention", "time", default='0'),
    D("AlwaysIncrementalKeepNumber", "pint32", default='0'),
    D("AlwaysIncrementalMaxFullAge", "time"),
    D("MaxFullConsolidations", "pint32", default='0'),
    D("RunOnIncomingConnectInterval", "time", default='0'),
]

_OPTIONS = [
    D("Compression", "fs_option"),
    D("Signature", "fs_option"),
    D("Accurate", "fs_option"),
    D("Verify", "fs_option"),
    D("OneFs", "fs_option"),
    D("Recurse", "fs_option"),
    D("Sparse", "fs_option"),
    D("HardLinks", "fs_option"),
    D("ReadFifo", "fs_option"),
    D("Replace", "fs_option"),
    D("Portable", "fs_option"),
    D("MtimeOnly", "fs_option"),
    D("KeepAtime", "fs_option"),
    D("Regex", "fs_list"),
    D("RegexDir", "fs_list"),
    D("RegexFile", "fs_list"),
    D("Wild", "fs_list"),
    D("WildDir", "fs_list"),
    D("WildFile", "fs_list"),
    D("Exclude", "fs_option"),
    D("AclSupport", "fs_option"),
    D("Plugin", "fs_plugin"),
    D("IgnoreCase", "fs_option"),
    D("FsType", "fs_list"),
    D("HfsPlusSupport", "fs_option"),
    D("NoAtime", "fs_option"),
    D("EnhancedWild", "fs_option"),
    D("DriveType", "fs_list"),
    D("CheckFileChanges", "fs_option"),
    D("StripPath", "fs_option"),
    D("HonorNoDumpFlag", "fs_option"),
    D("XAttrSupport", "fs_option"),
    D("Size", "fs_option"),
    D("Shadowing", "fs_option"),
    D("AutoExclude", "fs_option"),
    D("ForceEncryption", "fs_option"),
    D("Meta", "fs_list"),
]

OPTIONS_BLOCK = ResourceType("Options", "Options", _OPTIONS, named=False)

_INCEXC = [
    D("File", "fs_list"),
    D("Plugin", "fs_list"),
    D("ExcludeDirContaining", "fs_list"),
    D("Options", "options", no_equals=True, block=OPTIONS_BLOCK),
]

INCLUDE_BLOCK = ResourceType("Include", "Include", _INCEXC, named=False)
EXCLUDE_BLOCK = ResourceType("Exclude", "Exclude", _INCEXC, named=False)

_FILESET = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Include", "incexc", no_equals=True, block=INCLUDE_BLOCK),
    D("Exclude", "incexc", no_equals=True, block=EXCLUDE_BLOCK),
    D("IgnoreFileSetChanges", "bool", default='false'),
    D("EnableVSS", "bool", default='true'),
]

_SCHEDULE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Run", "run"),
    D("Enabled", "bool", default='true'),
]

_POOL = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("PoolType", "pooltype", default='Backup'),
    D("LabelFormat", "strname"),
    D("LabelType", "label", deprecated='23.0.0'),
    D("CleaningPrefix", "strname", default='CLN'),
    D("UseCatalog", "bool", default='true'),
    D("PurgeOldestVolume", "bool", default='false'),
    D("ActionOnPurge", "actiononpurge"),
    D("RecycleOldestVolume", "bool", default='false'),
    D("RecycleCurrentVolume", "bool", default='false'),
    D("MaximumVolumes", "pint32"),
    D("MaximumVolumeJobs", "pint32"),
    D("MaximumVolumeFiles", "pint32"),
    D("MaximumVolumeBytes", "size64"),
    D("CatalogFiles", "bool", default='true'),
    D("VolumeRetention", "time", default='31536000'),
    D("VolumeUseDuration", "time"),
    D("MigrationTime", "time"),
    D("MigrationHighBytes", "size64"),
    D("MigrationLowBytes", "size64"),
    D("NextPool", "res", ref='Pool'),
    D("Storage", "alist_res", ref='Storage'),
    D("AutoPrune", "bool", default='true'),
    D("Recycle", "bool", default='true'),
    D("RecyclePool", "res", ref='Pool'),
    D("ScratchPool", "res", ref='Pool'),
    D("Catalog", "res", ref='Catalog'),
    D("FileRetention", "time", deprecated='25.1.0'),
    D("JobRetention", "time", deprecated='25.1.0'),
    D("MinimumBlockSize", "size32"),
    D("MaximumBlockSize", "size32"),
]

_COUNTER = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Minimum", "int32", default='0'),
    D("Maximum", "pint32", default='2147483647'),
    D("WrapCounter", "res", ref='Counter'),
    D("Catalog", "res", ref='Catalog'),
]


DIRECTOR = ResourceType("Director", "Directors", _DIRECTOR)
CLIENT = ResourceType("Client", "Clients", _CLIENT)
JOBDEFS = ResourceType("JobDefs", "JobDefs", _JOB)
JOB = ResourceType("Job", "Jobs", _JOB)
STORAGE = ResourceType("Storage", "Storages", _STORAGE)
CATALOG = ResourceType("Catalog", "Catalogs", _CATALOG)
SCHEDULE = ResourceType("Schedule", "Schedules", _SCHEDULE)
FILESET = ResourceType("FileSet", "FileSets", _FILESET, printer="fileset")
POOL = ResourceType("Pool", "Pools", _POOL)
MESSAGES = messages_resource()
COUNTER = ResourceType("Counter", "Counters", _COUNTER)
PROFILE = ResourceType("Profile", "Profiles", _PROFILE)
CONSOLE = ResourceType("Console", "Consoles", _CONSOLE)
USER = ResourceType("User", "Users", _USER)


def _check_director(cfg):
    from bareos.lib.config.errors import ConfigError
    dirs = cfg.resources("Director")
    if not dirs:
        raise ConfigError(cfg.path, 0, None,
                          "No Director resource defined in %s" % (cfg.path,))
    if len(dirs) > 1:
        r = dirs[1]
        raise ConfigError(r.source_file, r.source_line, None,
                          "Only one Director resource permitted")


def _check_jobs(cfg):
    from bareos.lib.config.errors import ConfigError
    for job in cfg.resources("Job"):
        if job.get("Client") is None and job["Type"] in ("Backup", "Verify"):
            raise ConfigError(job.source_file, job.source_line, "Client",
                              '"Client" directive in Job "%s" resource is required, '
                              "but not found." % job.name,
                              resource='Job "%s"' % job.name)
        if job["Type"] in ("Backup", "Verify") and job.get("FileSet") is None:
            raise ConfigError(job.source_file, job.source_line, "FileSet",
                              '"FileSet" directive in Job "%s" resource is required, '
                              "but not found." % job.name,
                              resource='Job "%s"' % job.name)


def _check_schedules(cfg):
    """Schedule ``Run =`` lines: the grammar and the resources they name."""
    from bareos.dird.schedule import check_schedules
    errors = check_schedules(cfg)
    if errors:
        raise errors[0]


def _default_client_catalog(cfg):
    """A Client without ``Catalog`` uses the first Catalog resource, as
    Bareos sets it when the configuration is read (``show ... verbose``
    prints it commented; a job's catalog then comes "From Client resource")."""
    first = cfg.first("Catalog")
    if first is None:
        return
    for client in cfg.resources("Client"):
        if client.get("Catalog") is None:
            client.set("Catalog", first.name, present=False)


def _internal_resources(cfg):
    """Bareos's internal console "*UserAgent*": the default console, with the
    Director's password; a bare ConsoleResource, so TLS is enabled but not
    required.  ``show ... verbose`` prints it, commented."""
    from bareos.lib.config.model import Resource
    director = cfg.first("Director")
    if director is None:
        return []
    con = Resource(CONSOLE, "*UserAgent*")
    con.present.clear()
    con.order.clear()
    con.set("Description", "root console definition", present=False)
    con.set("Password", director.get("Password"), present=False)
    con.set("TlsEnable", True, present=False)
    con.set("TlsRequire", False, present=False)
    con.extra["internal"] = True
    return [con]


SCHEMA = Schema(
    daemon="bareos-dir",
    config_dir_name="bareos-dir.d",
    config_file_name="bareos-dir.conf",
    resources=[DIRECTOR, CLIENT, JOBDEFS, JOB, STORAGE, CATALOG, SCHEDULE, FILESET,
               POOL, MESSAGES, COUNTER, PROFILE, CONSOLE, USER],
    validators=[_check_director, _check_jobs, _check_schedules, _default_client_catalog],
    internal_resources=_internal_resources,
    jobdefs_type="Job",
    jobdefs_source="JobDefs",
)
