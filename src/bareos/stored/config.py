"""The Storage Daemon's resource/directive table (``bareos-sd.d``).

Directive names, types and defaults follow Bareos 25; the table order is the
order ``show``/``--xc`` print in.
"""

from __future__ import annotations

from bareos.lib.config.common import messages_resource, tls_cert, tls_common
from bareos.lib.config.schema import Directive as D
from bareos.lib.config.schema import ResourceType, Schema

_STORAGE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Port", "addresses_port", default='9103', aliases=('SdPort',)),
    D("Address", "addresses_address", default='9103', aliases=('SdAddress',)),
    D("Addresses", "addresses", default='9103', aliases=('SdAddresses',), always_print=True),
    D("SourceAddress", "source_address", default='0', aliases=('SdSourceAddress',)),
    D("WorkingDirectory", "dir", default='@working_dir@', platform_specific=True),
    D("BackendDirectory", "str_vector_of_dirs", default='@backenddir@', platform_specific=True),
    D("JustInTimeReservation", "bool", default='Yes'),
    D("PluginDirectory", "dir"),
    D("PluginNames", "plugin_names"),
    D("ScriptsDirectory", "dir", default='@scriptdir@', platform_specific=True),
    D("MaximumConcurrentJobs", "pint32", default='1000', deprecated='24.0.0'),
    D("Messages", "res", ref='Messages'),
    D("SdConnectTimeout", "time", default='1800'),
    D("FdConnectTimeout", "time", default='1800'),
    D("HeartbeatInterval", "time", default='0'),
    D("CheckpointInterval", "time", default='0'),
    D("MaximumNetworkBufferSize", "pint32"),
    D("ClientConnectWait", "time", default='1800'),
    D("VerId", "str"),
    D("MaximumBandwidthPerJob", "speed"),
    D("AllowBandwidthBursting", "bool", default='false'),
    D("NdmpEnable", "bool", default='false'),
    D("NdmpSnooping", "bool", default='false'),
    D("NdmpLogLevel", "pint32", default='4'),
    D("NdmpAddress", "addresses_address", default='10000'),
    D("NdmpAddresses", "addresses", default='10000'),
    D("NdmpPort", "addresses_port", default='10000'),
    D("AutoXFlateOnReplication", "bool", default='false'),
    D("AbsoluteJobTimeout", "pint32"),
    D("CollectDeviceStatistics", "bool", default='false', deprecated='22.0.0'),
    D("CollectJobStatistics", "bool", default='false', deprecated='22.0.0'),
    D("StatisticsCollectInterval", "pint32", default='0', deprecated='22.0.0'),
    D("DeviceReserveByMediaType", "bool", default='false'),
    D("FileDeviceConcurrentRead", "bool", default='false'),
    D("SecureEraseCommand", "str"),
    D("LogTimestampFormat", "str", default='%d-%b %H:%M'),
    D("EnableKtls", "bool", default='false'),
    *tls_common(),
    *tls_cert(),
]

_DIRECTOR = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Password", "autopassword", required=True),
    D("Monitor", "bool"),
    D("MaximumBandwidthPerJob", "speed"),
    D("KeyEncryptionKey", "autopassword"),
    *tls_common(),
    *tls_cert(),
]

_NDMP = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Username", "str", required=True),
    D("Password", "autopassword", required=True),
    D("AuthType", "authtype", default='None'),
    D("LogLevel", "pint32", default='4'),
]

_DEVICE = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("MediaType", "strname", required=True),
    D("DeviceType", "stdstr", default=''),
    D("ArchiveDevice", "strname", required=True),
    D("DeviceOptions", "str"),
    D("DiagnosticDevice", "strname"),
    D("HardwareEndOfFile", "bit", default='on', code='CAP_EOF'),
    D("HardwareEndOfMedium", "bit", default='on', code='CAP_EOM'),
    D("BackwardSpaceRecord", "bit", default='on', code='CAP_BSR'),
    D("BackwardSpaceFile", "bit", default='on', code='CAP_BSF'),
    D("BsfAtEom", "bit", default='off', code='CAP_BSFATEOM'),
    D("TwoEof", "bit", default='off', code='CAP_TWOEOF'),
    D("ForwardSpaceRecord", "bit", default='on', code='CAP_FSR'),
    D("ForwardSpaceFile", "bit", default='on', code='CAP_FSF'),
    D("FastForwardSpaceFile", "bit", default='on', code='CAP_FASTFSF'),
    D("RemovableMedia", "bit", default='on', code='CAP_REM'),
    D("RandomAccess", "bit", default='off', code='CAP_RACCESS'),
    D("AutomaticMount", "bit", default='off', code='CAP_AUTOMOUNT'),
    D("LabelMedia", "bit", default='off', code='CAP_LABEL'),
    D("AlwaysOpen", "bit", default='on', code='CAP_ALWAYSOPEN'),
    D("Autochanger", "bit", default='off', code='CAP_ATTACHED_TO_AUTOCHANGER'),
    D("CloseOnPoll", "bit", default='off', code='CAP_CLOSEONPOLL'),
    D("BlockPositioning", "bit", default='on', code='CAP_POSITIONBLOCKS'),
    D("UseMtiocget", "bit", default='on', code='CAP_MTIOCGET'),
    D("CheckLabels", "bit", default='off', deprecated='23.0.0', code='CAP_CHECKLABELS'),
    D("RequiresMount", "bit", default='off', code='CAP_REQMOUNT'),
    D("OfflineOnUnmount", "bit", default='off', code='CAP_OFFLINEUNMOUNT'),
    D("BlockChecksum", "bit", default='on', code='CAP_BLOCKCHECKSUM'),
    D("AccessMode", "iodirection", default='readwrite'),
    D("AutoSelect", "bool", default='true'),
    D("ChangerDevice", "strname"),
    D("ChangerCommand", "strname"),
    D("AlertCommand", "strname"),
    D("MaximumChangerWait", "time", default='300'),
    D("MaximumOpenWait", "time", default='300'),
    D("MaximumOpenVolumes", "pint32", default='1'),
    D("MaximumNetworkBufferSize", "pint32", deprecated='24.0.0'),
    D("VolumePollInterval", "time", default='300'),
    D("MaximumRewindWait", "time", default='300'),
    D("LabelBlockSize", "pint32", default='64512'),
    D("MinimumBlockSize", "pint32"),
    D("MaximumBlockSize", "maxblocksize", default='1048576'),
    D("MaximumFileSize", "size64", default='1000000000'),
    # Removed from Bareos's table in later releases; older configurations still use it,
    # and a File device honours it as its volume size limit (besides the pool's).
    D("MaximumVolumeSize", "size64", deprecated='20.0.0'),
    D("VolumeCapacity", "size64"),
    D("MaximumConcurrentJobs", "pint32", default='1'),
    D("SpoolDirectory", "dir"),
    D("MaximumSpoolSize", "size64"),
    D("MaximumJobSpoolSize", "size64"),
    D("DriveIndex", "pint16"),
    D("MountPoint", "strname"),
    D("MountCommand", "strname"),
    D("UnmountCommand", "strname"),
    D("LabelType", "label", deprecated='23.0.0'),
    D("NoRewindOnClose", "bool", default='true'),
    D("DriveTapeAlertEnabled", "bool"),
    D("DriveCryptoEnabled", "bool"),
    D("QueryCryptoStatus", "bool"),
    D("AutoDeflate", "iodirection"),
    D("AutoDeflateAlgorithm", "cmprsalgo"),
    D("AutoDeflateLevel", "pint16", default='6'),
    D("AutoInflate", "iodirection"),
    D("CollectStatistics", "bool", default='true'),
    D("EofOnErrorIsEot", "bool"),
    D("Count", "pint32", default='1'),
]

_AUTOCHANGER = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Device", "alist_res", required=True, ref='Device'),
    D("ChangerDevice", "strname", required=True),
    D("ChangerCommand", "strname", required=True),
]

DIRECTOR = ResourceType("Director", "Directors", _DIRECTOR)
NDMP = ResourceType("Ndmp", "Ndmp", _NDMP)
STORAGE = ResourceType("Storage", "Storages", _STORAGE)
DEVICE = ResourceType("Device", "Devices", _DEVICE)
MESSAGES = messages_resource()
AUTOCHANGER = ResourceType("Autochanger", "Autochangers", _AUTOCHANGER)


def _check_storage(cfg):
    from bareos.lib.config.errors import ConfigError
    if not cfg.resources("Storage"):
        raise ConfigError(cfg.path, 0, None, "No Storage resource defined in %s" % cfg.path)


SCHEMA = Schema(
    daemon="bareos-sd",
    config_dir_name="bareos-sd.d",
    config_file_name="bareos-sd.conf",
    resources=[DIRECTOR, NDMP, STORAGE, DEVICE, MESSAGES, AUTOCHANGER],
    validators=[_check_storage],
)
