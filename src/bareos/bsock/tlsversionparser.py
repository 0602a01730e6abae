"""``bareos.bsock.TlsVersionParser``: the ``--tls-version`` command line option."""

import argparse
import ssl


class ArgParserTlsVersionAction(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, getattr(ssl, self.choices[values]))


class TlsVersionParser:
    """Maps ``v1``, ``v1.1``, ``v1.2`` to the ``ssl.PROTOCOL_*`` constants."""

    def __init__(self):
        candidates = {"v1": "PROTOCOL_TLSv1", "v1.1": "PROTOCOL_TLSv1_1", "v1.2": "PROTOCOL_TLSv1_2"}
        self.tls_version_options = {k: v for k, v in candidates.items() if hasattr(ssl, v)}

    def add_argument(self, argparser):
        argparser.add_argument(
            "--tls-version",
            help="Use a specific TLS protocol version (only used with the sslpsk module).",
            action=ArgParserTlsVersionAction,
            choices=dict(sorted(self.tls_version_options.items())),
            dest="BAREOS_tls_version",
        )

    def get_protocol_version_from_string(self, tls_version):
        if tls_version is None:
            return None
        name = self.tls_version_options.get(tls_version.lower())
        return getattr(ssl, name, None) if name else None

    def get_protocol_versions(self):
        return self.tls_version_options.keys()
