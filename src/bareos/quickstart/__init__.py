"""The quick start: daemons on an embedded default configuration, driven by bconsole."""
