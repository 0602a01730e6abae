"""``bareos.util.Version``."""

import re


class Version:
    def __init__(self, version):
        self.version = version

    def __str__(self):
        return self.version

    def as_python_version(self):
        """The version in a PEP 440 form (``~preN.`` becomes ``.dev+N.``)."""
        return re.sub(r"~pre([0-9]+\.)", r".dev+\1", self.version)
