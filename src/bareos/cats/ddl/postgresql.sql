-- Bareos catalog, schema version 2250, PostgreSQL dialect.
--
-- Table and column names are those of Bareos 25 so that tools reading the
-- catalog with SQL (exporters, monitoring checks, the WebUI's queries) keep
-- working.  The file is executed statement by statement by
-- bareos.cats.postgresql; statements are separated by lines holding only ";".
-- Function bodies use $$ quoting and contain no such line.

CREATE TABLE Path (
    PathId      SERIAL  NOT NULL PRIMARY KEY,
    Path        TEXT    NOT NULL
)
;
ALTER TABLE Path ALTER COLUMN Path SET STATISTICS 1000
;
CREATE UNIQUE INDEX path_name_idx ON Path (Path)
;
-- FileIndex 0 marks a file deleted since the previous job (accurate mode);
-- Name is the empty string for the directory entry itself.
CREATE TABLE File (
    FileId      BIGSERIAL   NOT NULL PRIMARY KEY,
    FileIndex   INTEGER     NOT NULL DEFAULT 0,
    JobId       INTEGER     NOT NULL,
    PathId      INTEGER     NOT NULL,
    DeltaSeq    SMALLINT    NOT NULL DEFAULT 0,
    MarkId      INTEGER     NOT NULL DEFAULT 0,
    Fhinfo      NUMERIC(20) NOT NULL DEFAULT 0,
    Fhnode      NUMERIC(20) NOT NULL DEFAULT 0,
    LStat       TEXT        NOT NULL,
    Md5         TEXT        NOT NULL,
    Name        TEXT        NOT NULL
)
;
CREATE INDEX file_jpfid_idx ON File (JobId, PathId, Name)
;
CREATE INDEX file_pjidpart_idx ON File (PathId, JobId) WHERE FileIndex = 0 AND Name = ''
;
CREATE TABLE RestoreObject (
    RestoreObjectId     SERIAL  NOT NULL PRIMARY KEY,
    ObjectName          TEXT    NOT NULL,
    RestoreObject       BYTEA   NOT NULL,
    PluginName          TEXT    NOT NULL,
    ObjectLength        INTEGER DEFAULT 0,
    ObjectFullLength    INTEGER DEFAULT 0,
    ObjectIndex         INTEGER DEFAULT 0,
    ObjectType          INTEGER DEFAULT 0,
    FileIndex           INTEGER DEFAULT 0,
    JobId               INTEGER,
    ObjectCompression   INTEGER DEFAULT 0
)
;
CREATE INDEX restore_jobid_idx ON RestoreObject (JobId)
;
CREATE TABLE Job (
    JobId           SERIAL      NOT NULL PRIMARY KEY,
    Job             TEXT        NOT NULL,
    Name            TEXT        NOT NULL,
    Type            CHAR(1)     NOT NULL,
    Level           CHAR(1)     NOT NULL,
    ClientId        INTEGER     DEFAULT 0,
    JobStatus       CHAR(1)     NOT NULL,
    SchedTime       TIMESTAMP WITHOUT TIME ZONE,
    StartTime       TIMESTAMP WITHOUT TIME ZONE,
    EndTime         TIMESTAMP WITHOUT TIME ZONE,
    RealEndTime     TIMESTAMP WITHOUT TIME ZONE,
    JobTDate        BIGINT      DEFAULT 0,
    VolSessionId    INTEGER     DEFAULT 0,
    VolSessionTime  INTEGER     DEFAULT 0,
    JobFiles        INTEGER     DEFAULT 0,
    JobBytes        BIGINT      DEFAULT 0,
    ReadBytes       BIGINT      DEFAULT 0,
    JobErrors       INTEGER     DEFAULT 0,
    JobMissingFiles INTEGER     DEFAULT 0,
    PoolId          INTEGER     DEFAULT 0,
    FileSetId       INTEGER     DEFAULT 0,
    PriorJobId      INTEGER     DEFAULT 0,
    PurgedFiles     SMALLINT    DEFAULT 0,
    HasBase         SMALLINT    DEFAULT 0,
    HasCache        SMALLINT    DEFAULT 0,
    Reviewed        SMALLINT    DEFAULT 0,
    Comment         TEXT
)
;
CREATE INDEX job_name_idx ON Job (Name)
;
-- Long-term statistics: the columns of Job, without keys or defaults.
CREATE TABLE JobHisto (LIKE Job)
;
CREATE INDEX jobhisto_idx ON JobHisto (StartTime)
;
CREATE TABLE Location (
    LocationId  SERIAL  NOT NULL PRIMARY KEY,
    Location    TEXT    NOT NULL,
    Cost        INTEGER DEFAULT 0,
    Enabled     SMALLINT
)
;
CREATE TABLE FileSet (
    FileSetId   SERIAL  NOT NULL PRIMARY KEY,
    FileSet     TEXT    NOT NULL,
    FileSetText TEXT    DEFAULT '',
    Md5         TEXT    NOT NULL,
    CreateTime  TIMESTAMP WITHOUT TIME ZONE NOT NULL
)
;
CREATE INDEX fileset_name_idx ON FileSet (FileSet)
;
CREATE TABLE JobMedia (
    JobMediaId  SERIAL      NOT NULL PRIMARY KEY,
    JobId       INTEGER     NOT NULL,
    MediaId     INTEGER     NOT NULL,
    FirstIndex  INTEGER     DEFAULT 0,
    LastIndex   INTEGER     DEFAULT 0,
    StartFile   INTEGER     DEFAULT 0,
    EndFile     INTEGER     DEFAULT 0,
    StartBlock  BIGINT      DEFAULT 0,
    EndBlock    BIGINT      DEFAULT 0,
    JobBytes    NUMERIC(20) DEFAULT 0,
    VolIndex    INTEGER     DEFAULT 0
)
;
CREATE INDEX job_media_job_id_media_id_idx ON JobMedia (JobId, MediaId)
;
CREATE INDEX job_media_media_id_job_id_idx ON JobMedia (MediaId, JobId)
;
CREATE TABLE Media (
    MediaId             SERIAL  NOT NULL PRIMARY KEY,
    VolumeName          TEXT    NOT NULL,
    Slot                BIGINT  DEFAULT 0,
    PoolId              INTEGER DEFAULT 0,
    MediaType           TEXT    NOT NULL,
    MediaTypeId         INTEGER DEFAULT 0,
    LabelType           INTEGER DEFAULT 0,
    FirstWritten        TIMESTAMP WITHOUT TIME ZONE,
    LastWritten         TIMESTAMP WITHOUT TIME ZONE,
    LabelDate           TIMESTAMP WITHOUT TIME ZONE,
    VolJobs             BIGINT  DEFAULT 0,
    VolFiles            BIGINT  DEFAULT 0,
    VolBlocks           BIGINT  DEFAULT 0,
    VolMounts           BIGINT  DEFAULT 0,
    VolBytes            BIGINT  DEFAULT 0,
    VolErrors           BIGINT  DEFAULT 0,
    VolWrites           BIGINT  DEFAULT 0,
    VolCapacityBytes    BIGINT  DEFAULT 0,
    VolStatus           TEXT    NOT NULL
        CONSTRAINT media_volstatus_check CHECK (VolStatus IN (
            'Unlabeled', 'Full', 'Archive', 'Append', 'Recycle', 'Purged',
            'Read-Only', 'Disabled', 'Error', 'Busy', 'Used', 'Cleaning',
            'Scratch')),
    Enabled             SMALLINT DEFAULT 1,
    Recycle             SMALLINT DEFAULT 0,
    ActionOnPurge       SMALLINT DEFAULT 0,
    VolRetention        BIGINT  DEFAULT 0,
    VolUseDuration      BIGINT  DEFAULT 0,
    MaxVolJobs          BIGINT  DEFAULT 0,
    MaxVolFiles         BIGINT  DEFAULT 0,
    MaxVolBytes         BIGINT  DEFAULT 0,
    InChanger           SMALLINT DEFAULT 0,
    StorageId           INTEGER DEFAULT 0,
    DeviceId            INTEGER DEFAULT 0,
    MediaAddressing     SMALLINT DEFAULT 0,
    VolReadTime         BIGINT  DEFAULT 0,
    VolWriteTime        BIGINT  DEFAULT 0,
    EndFile             BIGINT  DEFAULT 0,
    EndBlock            BIGINT  DEFAULT 0,
    LocationId          INTEGER DEFAULT 0,
    RecycleCount        BIGINT  DEFAULT 0,
    MinBlockSize        BIGINT  DEFAULT 0,
    MaxBlockSize        BIGINT  DEFAULT 0,
    InitialWrite        TIMESTAMP WITHOUT TIME ZONE,
    ScratchPoolId       INTEGER DEFAULT 0,
    RecyclePoolId       INTEGER DEFAULT 0,
    EncryptionKey       TEXT,
    Comment             TEXT
)
;
CREATE UNIQUE INDEX media_volumename_id ON Media (VolumeName)
;
CREATE INDEX media_poolid_idx ON Media (PoolId)
;
CREATE TABLE MediaType (
    MediaTypeId SERIAL  PRIMARY KEY,
    MediaType   TEXT    NOT NULL,
    ReadOnly    INTEGER DEFAULT 0
)
;
CREATE TABLE Storage (
    StorageId   SERIAL  PRIMARY KEY,
    Name        TEXT    NOT NULL,
    AutoChanger INTEGER DEFAULT 0
)
;
CREATE TABLE Device (
    DeviceId                    SERIAL  PRIMARY KEY,
    Name                        TEXT    NOT NULL,
    MediaTypeId                 INTEGER NOT NULL,
    StorageId                   INTEGER NOT NULL,
    DevMounts                   INTEGER NOT NULL DEFAULT 0,
    DevReadBytes                BIGINT  NOT NULL DEFAULT 0,
    DevWriteBytes               BIGINT  NOT NULL DEFAULT 0,
    DevReadBytesSinceCleaning   BIGINT  NOT NULL DEFAULT 0,
    DevWriteBytesSinceCleaning  BIGINT  NOT NULL DEFAULT 0,
    DevReadTime                 BIGINT  NOT NULL DEFAULT 0,
    DevWriteTime                BIGINT  NOT NULL DEFAULT 0,
    DevReadTimeSinceCleaning    BIGINT  NOT NULL DEFAULT 0,
    DevWriteTimeSinceCleaning   BIGINT  NOT NULL DEFAULT 0,
    CleaningDate                TIMESTAMP WITHOUT TIME ZONE,
    CleaningPeriod              BIGINT  NOT NULL DEFAULT 0
)
;
CREATE TABLE Pool (
    PoolId              SERIAL  NOT NULL PRIMARY KEY,
    Name                TEXT    NOT NULL,
    NumVols             INTEGER DEFAULT 0,
    MaxVols             INTEGER DEFAULT 0,
    UseOnce             SMALLINT DEFAULT 0,
    UseCatalog          SMALLINT DEFAULT 0,
    AcceptAnyVolume     SMALLINT DEFAULT 0,
    VolRetention        BIGINT  DEFAULT 0,
    VolUseDuration      BIGINT  DEFAULT 0,
    MaxVolJobs          INTEGER DEFAULT 0,
    MaxVolFiles         INTEGER DEFAULT 0,
    MaxVolBytes         BIGINT  DEFAULT 0,
    AutoPrune           SMALLINT DEFAULT 0,
    Recycle             SMALLINT DEFAULT 0,
    ActionOnPurge       SMALLINT DEFAULT 0,
    PoolType            TEXT
        CONSTRAINT pool_pooltype_check CHECK (PoolType IN (
            'Backup', 'Copy', 'Cloned', 'Archive', 'Migration', 'Scratch')),
    LabelType           INTEGER DEFAULT 0,
    LabelFormat         TEXT    NOT NULL,
    Enabled             SMALLINT DEFAULT 1,
    ScratchPoolId       INTEGER DEFAULT 0,
    RecyclePoolId       INTEGER DEFAULT 0,
    NextPoolId          INTEGER DEFAULT 0,
    MinBlockSize        INTEGER DEFAULT 0,
    MaxBlockSize        INTEGER DEFAULT 0,
    MigrationHighBytes  BIGINT  DEFAULT 0,
    MigrationLowBytes   BIGINT  DEFAULT 0,
    MigrationTime       BIGINT  DEFAULT 0
)
;
CREATE INDEX pool_name_idx ON Pool (Name)
;
CREATE TABLE Client (
    ClientId        SERIAL  NOT NULL PRIMARY KEY,
    Name            TEXT    NOT NULL,
    UName           TEXT    NOT NULL,
    AutoPrune       SMALLINT DEFAULT 0,
    FileRetention   BIGINT  DEFAULT 0,
    JobRetention    BIGINT  DEFAULT 0
)
;
CREATE UNIQUE INDEX client_name_idx ON Client (Name)
;
CREATE TABLE Log (
    LogId   SERIAL  NOT NULL PRIMARY KEY,
    JobId   INTEGER NOT NULL,
    Time    TIMESTAMP WITHOUT TIME ZONE,
    LogText TEXT    NOT NULL
)
;
CREATE INDEX log_name_idx ON Log (JobId)
;
CREATE TABLE LocationLog (
    LocLogId        SERIAL  NOT NULL PRIMARY KEY,
    Date            TIMESTAMP WITHOUT TIME ZONE,
    Comment         TEXT    NOT NULL,
    MediaId         INTEGER DEFAULT 0,
    LocationId      INTEGER DEFAULT 0,
    NewVolStatus    TEXT    NOT NULL
        CONSTRAINT locationlog_newvolstatus_check CHECK (NewVolStatus IN (
            'Unlabeled', 'Full', 'Archive', 'Append', 'Recycle', 'Purged',
            'Read-Only', 'Disabled', 'Error', 'Busy', 'Used', 'Cleaning',
            'Scratch')),
    NewEnabled      SMALLINT
)
;
CREATE TABLE Counters (
    Counter         TEXT    NOT NULL PRIMARY KEY,
    MinValue        INTEGER DEFAULT 0,
    MaxValue        INTEGER DEFAULT 0,
    CurrentValue    INTEGER DEFAULT 0,
    WrapCounter     TEXT    NOT NULL
)
;
CREATE TABLE BaseFiles (
    BaseId      BIGSERIAL   NOT NULL PRIMARY KEY,
    JobId       INTEGER     NOT NULL,
    FileId      BIGINT      NOT NULL,
    FileIndex   INTEGER,
    BaseJobId   INTEGER
)
;
CREATE INDEX basefiles_jobid_idx ON BaseFiles (JobId)
;
-- bvfs cache: parent of each directory, and the directories a job shows.
CREATE TABLE PathHierarchy (
    PathId  INTEGER NOT NULL,
    PPathId INTEGER NOT NULL,
    CONSTRAINT pathhierarchy_pkey PRIMARY KEY (PathId)
)
;
CREATE INDEX pathhierarchy_ppathid ON PathHierarchy (PPathId)
;
CREATE TABLE PathVisibility (
    PathId  INTEGER NOT NULL,
    JobId   INTEGER NOT NULL,
    Size    BIGINT  DEFAULT 0,
    Files   INTEGER DEFAULT 0,
    CONSTRAINT pathvisibility_pkey PRIMARY KEY (JobId, PathId)
)
;
CREATE TABLE Version (
    VersionId INTEGER NOT NULL
)
;
CREATE TABLE Status (
    JobStatus       CHAR(1) NOT NULL PRIMARY KEY,
    JobStatusLong   TEXT,
    Severity        INTEGER
)
;
CREATE TABLE Quota (
    ClientId    INTEGER NOT NULL PRIMARY KEY,
    GraceTime   BIGINT  DEFAULT 0,
    QuotaLimit  BIGINT  DEFAULT 0
)
;
CREATE TABLE NDMPLevelMap (
    ClientId    INTEGER NOT NULL,
    FileSetId   INTEGER DEFAULT 0,
    FileSystem  TEXT    NOT NULL,
    DumpLevel   INTEGER NOT NULL,
    CONSTRAINT ndmplevelmap_pkey PRIMARY KEY (ClientId, FileSetId, FileSystem)
)
;
CREATE TABLE NDMPJobEnvironment (
    JobId       INTEGER NOT NULL,
    FileIndex   INTEGER NOT NULL,
    EnvName     TEXT    NOT NULL,
    EnvValue    TEXT    NOT NULL,
    CONSTRAINT ndmpjobenvironment_pkey PRIMARY KEY (JobId, FileIndex, EnvName)
)
;
CREATE TABLE DeviceStats (
    DeviceId        INTEGER DEFAULT 0,
    SampleTime      TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    ReadTime        BIGINT  NOT NULL DEFAULT 0,
    WriteTime       BIGINT  NOT NULL DEFAULT 0,
    ReadBytes       BIGINT  DEFAULT 0,
    WriteBytes      BIGINT  DEFAULT 0,
    SpoolSize       BIGINT  DEFAULT 0,
    NumWaiting      SMALLINT DEFAULT 0,
    NumWriters      SMALLINT DEFAULT 0,
    MediaId         INTEGER NOT NULL,
    VolCatBytes     BIGINT  DEFAULT 0,
    VolCatFiles     BIGINT  DEFAULT 0,
    VolCatBlocks    BIGINT  DEFAULT 0
)
;
CREATE TABLE JobStats (
    DeviceId    INTEGER DEFAULT 0,
    SampleTime  TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    JobId       INTEGER NOT NULL,
    JobFiles    INTEGER DEFAULT 0,
    JobBytes    BIGINT  DEFAULT 0
)
;
CREATE TABLE TapeAlerts (
    DeviceId    INTEGER DEFAULT 0,
    SampleTime  TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    AlertFlags  BIGINT  DEFAULT 0
)
;
-- Decode one integer of Bareos's stat packet ("LStat"): digits of the
-- alphabet A-Z a-z 0-9 + / (A = 0), most significant first, optional '-'.
CREATE OR REPLACE FUNCTION bareos_frombase64(field TEXT) RETURNS BIGINT AS $$
DECLARE
    alphabet CONSTANT TEXT :=
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    acc BIGINT := 0;
    pos INTEGER := 1;
    n INTEGER := coalesce(char_length(field), 0);
    negative BOOLEAN := false;
    ch TEXT;
BEGIN
    IF n > 0 AND substr(field, 1, 1) = '-' THEN
        negative := true;
        pos := 2;
    END IF;
    WHILE pos <= n LOOP
        ch := substr(field, pos, 1);
        EXIT WHEN ch = ' ';
        acc := (acc << 6) + (strpos(alphabet, ch) - 1);
        pos := pos + 1;
    END LOOP;
    IF negative THEN
        RETURN -acc;
    END IF;
    RETURN acc;
END
$$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
;
-- Split an LStat string into its sixteen fields.  "params" selects the
-- fields to decode; the others come back NULL.
CREATE OR REPLACE FUNCTION decode_lstat(
    lst TEXT,
    params TEXT[] = ARRAY['st_dev', 'st_ino', 'st_mode', 'st_nlink', 'st_uid',
                          'st_gid', 'st_rdev', 'st_size', 'st_blksize',
                          'st_blocks', 'st_atime', 'st_mtime', 'st_ctime',
                          'linkfi', 'st_flags', 'data'])
RETURNS TABLE (
    st_dev BIGINT, st_ino BIGINT, st_mode BIGINT, st_nlink BIGINT,
    st_uid BIGINT, st_gid BIGINT, st_rdev BIGINT, st_size BIGINT,
    st_blksize BIGINT, st_blocks BIGINT, st_atime BIGINT, st_mtime BIGINT,
    st_ctime BIGINT, linkfi BIGINT, st_flags BIGINT, data BIGINT
) AS $$
DECLARE
    f TEXT[] := string_to_array(lst, ' ');
    names CONSTANT TEXT[] := ARRAY['st_dev', 'st_ino', 'st_mode', 'st_nlink',
        'st_uid', 'st_gid', 'st_rdev', 'st_size', 'st_blksize', 'st_blocks',
        'st_atime', 'st_mtime', 'st_ctime', 'linkfi', 'st_flags', 'data'];
    v BIGINT[] := ARRAY[]::BIGINT[];
    i INTEGER;
BEGIN
    FOR i IN 1..16 LOOP
        IF names[i] = ANY (params) AND f[i] IS NOT NULL THEN
            v := v || bareos_frombase64(f[i]);
        ELSE
            v := v || NULL::BIGINT;
        END IF;
    END LOOP;
    RETURN QUERY SELECT v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                        v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16];
END
$$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
;
