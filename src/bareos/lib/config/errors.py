"""The configuration error: a value with a place."""

from __future__ import annotations


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
