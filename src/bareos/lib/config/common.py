"""Directive groups shared by several daemons' tables: TLS and Messages.

Names, types and defaults follow Bareos 25 (``TLS Enable`` and ``TLS
Require`` default to yes there).  The one-line descriptions are ours.
"""

from __future__ import annotations

from .schema import Directive as D
from .schema import ResourceType


def tls_common() -> list[D]:
    return [
        D("TlsAuthenticate", "bool", default="false",
          description="Use TLS only to authenticate, then continue unencrypted."),
        D("TlsEnable", "bool", default="true", description="Offer and use TLS."),
        D("TlsRequire", "bool", default="true",
          description="Refuse connections without TLS."),
        D("TlsCipherList", "stdstr", platform_specific=True,
          description="OpenSSL cipher list for TLS 1.2 and older."),
        D("TlsCipherSuites", "stdstr", platform_specific=True,
          description="OpenSSL cipher suites for TLS 1.3."),
        D("TlsDhFile", "stdstrdir", description="Diffie-Hellman parameters (PEM)."),
        D("TlsProtocol", "stdstr", platform_specific=True,
          description="OpenSSL protocol setting."),
    ]


def tls_cert() -> list[D]:
    return [
        D("TlsVerifyPeer", "bool", default="false",
          description="Check the peer certificate's CN against the allowed list."),
        D("TlsCaCertificateFile", "stdstrdir", description="CA certificates file (PEM)."),
        D("TlsCaCertificateDir", "stdstrdir", description="CA certificates directory."),
        D("TlsCertificateRevocationList", "stdstrdir",
          description="Certificate revocation list file."),
        D("TlsCertificate", "stdstrdir", description="Own certificate (PEM)."),
        D("TlsKey", "stdstrdir", description="Private key of the own certificate."),
        D("TlsAllowedCn", "str_vector", description="Accepted peer common names."),
    ]


def messages_directives() -> list[D]:
    return [
        D("Name", "name"),  # not flagged required in Bareos's table (a name is needed anyway)
        D("Description", "str"),
        D("MailCommand", "stdstr", description="Command used for mail destinations."),
        D("OperatorCommand", "stdstr", description="Command used for operator messages."),
        D("TimestampFormat", "stdstr"),
        D("Syslog", "msgs"),
        D("Mail", "msgs"),
        D("MailOnError", "msgs"),
        D("MailOnSuccess", "msgs"),
        D("File", "msgs"),
        D("Append", "msgs"),
        D("Stdout", "msgs"),
        D("Stderr", "msgs"),
        D("Director", "msgs"),
        D("Console", "msgs"),
        D("Operator", "msgs"),
        D("Catalog", "msgs"),
    ]


def messages_resource() -> ResourceType:
    return ResourceType("Messages", "Messages", messages_directives(),
                        printer="messages",
                        description="Where a daemon's messages go.")
