"""Incrementals of a tree with awkward names, on SQLite and PostgreSQL."""

from tests.integration.e2e.conftest import site_factory  # noqa: F401
