"""The configuration error: a value with a place."""

from __future__ import annotations

import re

#: what the checks after parsing say (Bareos's CheckResources): fatal errors
#: of the daemon, not errors of the parser
_RESOURCE_CHECK = re.compile(r"^(Only one \w+ resource permitted|No \w+ resource defined)")


class ConfigError(Exception):
    """A configuration problem, naming file, line and directive.

    ``str(err)`` reads like ``bareos-dir.d/job/x.conf:12: Job "x": directive
    "Client": Could not find config resource "nope" ...``.
    """

    def __init__(self, file: str | None, line: int | None, directive: str | None,
                 message: str, resource: str | None = None):
        self.file = file
        self.line = line
        self.directive = directive
        self.message = message
        self.resource = resource
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append("%s:%s:" % (self.file, self.line or 0))
        if self.resource:
            parts.append("%s:" % self.resource)
        if self.directive:
            parts.append('directive "%s":' % self.directive)
        parts.append(self.message)
        return " ".join(parts)

    def __reduce__(self):
        return (ConfigError, (self.file, self.line, self.directive, self.message,
                              self.resource))

    @property
    def is_resource_check(self) -> bool:
        """A check of the whole configuration (one Director, ...), not of a line."""
        return self.directive is None and bool(_RESOURCE_CHECK.match(self.message))

    def source_text(self) -> str | None:
        """The configuration line the error is on, when the file can be read."""
        if not self.file or not self.line:
            return None
        try:
            with open(self.file, encoding="utf-8", errors="replace") as f:
                for number, text in enumerate(f, 1):
                    if number == self.line:
                        return text.rstrip("\n")
        except OSError:
            return None
        return None

    def bareos_text(self, config_path: str | None = None) -> str:
        """The error as Bareos words it, ending in a newline.

        A resource check reads ``Fatal error: Only one Director resource
        permitted in <config>``; a parser error ``Config error: <message>``,
        then ``            : line <n>, col <c> of file <file>`` and the
        offending line itself (col: where that line ends, as the lexer stands
        there after the token it did not take)."""
        if self.is_resource_check:
            where = config_path or self.file
            text = "Fatal error: %s" % self.message
            if where and " in " not in self.message:
                text += " in %s" % where
            return text + "\n"
        text = "Config error: %s\n" % self.message
        if self.file and self.line:
            line = self.source_text()
            col = len(line) if line is not None else 0
            text += "            : line %d, col %d of file %s\n%s\n" % (
                self.line, col, self.file, line if line is not None else "")
        return text
