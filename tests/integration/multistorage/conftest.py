"""Restores whose jobs are on several Storages: the copy/migrate site."""

from tests.integration.copymigrate.conftest import site_factory  # noqa: F401
