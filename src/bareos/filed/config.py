"""The File Daemon's resource/directive table (``bareos-fd.d``).

Directive names, types and defaults follow Bareos 25; the table order is the
order ``show``/``--xc`` print in.
"""

from __future__ import annotations

from bareos.lib.config.common import messages_resource, tls_cert, tls_common
from bareos.lib.config.schema import Directive as D
from bareos.lib.config.schema import ResourceType, Schema

_DIRECTOR = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Password", "md5password", required=True),
    D("Address", "str"),
    D("Port", "pint32", default='9101'),
    D("ConnectionFromDirectorToClient", "bool", default='true'),
    D("ConnectionFromClientToDirector", "bool", default='false'),
    D("Monitor", "bool", default='false'),
    D("MaximumBandwidthPerJob", "speed"),
    D("AllowedScriptDir", "alist_dir"),
    D("AllowedJobCommand", "alist_str"),
    *tls_common(),
    *tls_cert(),
]

_CLIENT = [
    D("Name", "name", required=True),
    D("Description", "str"),
    D("Port", "addresses_port", default='9102', aliases=('FdPort',)),
    D("Address", "addresses_address", default='9102', aliases=('FdAddress',)),
    D("Addresses", "addresses", default='9102', aliases=('FdAddresses',), always_print=True),
    D("SourceAddress", "source_address", default='0', aliases=('FdSourceAddress',)),
    D("WorkingDirectory", "dir", default='@working_dir@', platform_specific=True),
    D("PluginDirectory", "dir"),
    D("PluginNames", "plugin_names"),
    D("ScriptsDirectory", "dir", default='@scriptdir@', platform_specific=True),
    D("MaximumConcurrentJobs", "pint32", default='1000', deprecated='24.0.0'),
    D("MaximumWorkersPerJob", "pint32", default='2'),
    D("Messages", "res", ref='Messages'),
    D("SdConnectTimeout", "time", default='1800'),
    D("HeartbeatInterval", "time", default='0'),
    D("MaximumNetworkBufferSize", "pint32"),
    D("PkiSignatures", "bool", default='false'),
    D("PkiEncryption", "bool", default='false'),
    D("PkiKeyPair", "dir"),
    D("PkiSigner", "alist_dir"),
    D("PkiMasterKey", "alist_dir"),
    D("PkiCipher", "cipher", default='aes128'),
    D("VerId", "str"),
    D("MaximumBandwidthPerJob", "speed"),
    D("AllowBandwidthBursting", "bool", default='false'),
    D("AllowedScriptDir", "alist_dir"),
    D("AllowedJobCommand", "alist_str"),
    D("AbsoluteJobTimeout", "pint32"),
    D("AlwaysUseLmdb", "bool", default='false', deprecated='24.0.0'),
    D("LmdbThreshold", "pint32"),
    D("SecureEraseCommand", "str"),
    D("LogTimestampFormat", "str", default='%d-%b %H:%M'),
    D("GrpcModule", "stdstr"),
    D("EnableKtls", "bool", default='false'),
    *tls_common(),
    *tls_cert(),
]

DIRECTOR = ResourceType("Director", "Directors", _DIRECTOR)
CLIENT = ResourceType("Client", "Clients", _CLIENT, aliases=("FileDaemon",))
MESSAGES = messages_resource()


def _check_client(cfg):
    from bareos.lib.config.errors import ConfigError
    if not cfg.resources("Client"):
        raise ConfigError(cfg.path, 0, None,
                          "No File daemon resource defined in %s" % cfg.path)


SCHEMA = Schema(
    daemon="bareos-fd",
    config_dir_name="bareos-fd.d",
    config_file_name="bareos-fd.conf",
    resources=[DIRECTOR, CLIENT, MESSAGES],
    validators=[_check_client],
)
