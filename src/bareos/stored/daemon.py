"""bareos-sd entry point (configuration handling only, for now)."""

from __future__ import annotations

import logging
import sys

from bareos.lib.config import cli
from bareos.stored.config import SCHEMA

log = logging.getLogger("bareos-sd")


def main(argv=None) -> int:
    args, cfg = cli.parse_and_load(sys.argv[1:] if argv is None else argv, SCHEMA,
                                   prog="bareos-sd",
                                   description="Bareos Storage Daemon")
    if cfg is None:
        return args.exit_code
    logging.basicConfig(level=logging.INFO)
    log.error("bareos-sd: the storage daemon itself is not implemented yet "
              "(configuration %s is valid)", cfg.path)
    return 2


if __name__ == "__main__":
    sys.exit(main())
