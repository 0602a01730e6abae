"""Always Incremental / Consolidate through the real daemons: the site of
tests/integration/copymigrate (second Pool "Consolidated" on Storage File2)
with an Always Incremental job and a Consolidate job."""

from tests.integration.copymigrate.conftest import site_factory  # noqa: F401
