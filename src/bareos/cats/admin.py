"""Catalog administration: create, upgrade or check the schema.

    python -m bareos.cats.admin create  -c /etc/bareos [--catalog MyCatalog]
    python -m bareos.cats.admin upgrade -c /etc/bareos
    python -m bareos.cats.admin check   -c /etc/bareos
    python -m bareos.cats.admin version --driver sqlite3 --db-name bareos --working-directory /var/lib/bareos

The catalog comes from the Director configuration (``-c``: a file or a
directory holding ``bareos-dir.d``), or from the ``--driver``/``--db-*``
options, which also override single values of the configuration.
Exit status: 0 fine, 1 a problem with the catalog, 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .params import CatalogError, CatalogParams
from .schema import SCHEMA_VERSION


def _params_from_config(path: str, catalog: str | None) -> CatalogParams:
    try:
        from bareos.dird.config import SCHEMA  # type: ignore[attr-defined]
        from bareos.lib.config import load_config  # type: ignore[attr-defined]
    except ImportError as exc:  # pragma: no cover - while the config module grows
        raise CatalogError(f"cannot read Director configuration here: {exc}") from exc
    cfg = load_config(path, SCHEMA)
    cats = cfg.resources("Catalog")
    if catalog:
        cats = [c for c in cats if c.name == catalog]
    if not cats:
        raise CatalogError(
            f"no Catalog resource{' named ' + repr(catalog) if catalog else ''} in {path}"
        )
    director = cfg.first("Director")
    workdir = director.get("Working Directory") if director is not None else None
    return CatalogParams.from_resource(cats[0], working_directory=workdir)


def build_params(args: argparse.Namespace) -> CatalogParams:
    if args.config:
        p = _params_from_config(args.config, args.catalog)
    else:
        p = CatalogParams(driver="postgresql")
    overrides: dict[str, Any] = {
        "driver": args.driver, "name": args.db_name, "address": args.db_address,
        "port": args.db_port, "user": args.db_user, "password": args.db_password,
        "working_directory": args.working_directory, "path": args.db_file,
    }
    for key, value in overrides.items():
        if value is not None:
            setattr(p, key, value)
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bareos.cats.admin",
        description="Create, upgrade or check the Bareos catalog schema "
        f"(version {SCHEMA_VERSION}).",
    )
    ap.add_argument("action", choices=("create", "upgrade", "check", "version"))
    ap.add_argument("-c", "--config", help="Director configuration file or directory")
    ap.add_argument("--catalog", help="name of the Catalog resource (default: the first)")
    ap.add_argument("--driver", choices=("sqlite3", "postgresql"))
    ap.add_argument("--db-name")
    ap.add_argument("--db-address")
    ap.add_argument("--db-port", type=int)
    ap.add_argument("--db-user")
    ap.add_argument("--db-password")
    ap.add_argument("--db-file", help="SQLite database file (instead of <workdir>/<db name>.db)")
    ap.add_argument("--working-directory")
    args = ap.parse_args(argv)

    try:
        params = build_params(args)
    except Exception as exc:  # config errors carry file and line
        print(f"bareos-dbcheck: {exc}", file=sys.stderr)
        return 2

    from . import open_catalog

    try:
        cat = open_catalog(params, check=False)
    except CatalogError as exc:
        print(f"bareos-dbcheck: {exc}", file=sys.stderr)
        return 1
    where = params.sqlite_path if params.is_sqlite else f"PostgreSQL database {params.name}"
    try:
        if args.action == "create":
            if not cat.is_empty():
                v = cat.schema_version()
                print(f"{where}: already holds a catalog (version {v}); nothing created")
                return 0 if v == SCHEMA_VERSION else 1
            cat.create_schema()
            print(f"{where}: created catalog schema version {SCHEMA_VERSION}")
        elif args.action == "upgrade":
            before = cat.upgrade_schema()
            if before == SCHEMA_VERSION:
                print(f"{where}: schema is already version {SCHEMA_VERSION}")
            elif before == 0:
                print(f"{where}: was empty; created schema version {SCHEMA_VERSION}")
            else:
                print(f"{where}: upgraded schema from {before} to {SCHEMA_VERSION}")
        elif args.action == "version":
            print(cat.schema_version())
        else:
            problems = cat.check_schema()
            if cat.is_empty():
                problems = ["database is empty (run: create)"]
            for p in problems:
                print(f"{where}: {p}")
            if problems:
                return 1
            print(f"{where}: catalog schema version {SCHEMA_VERSION} is complete")
    except CatalogError as exc:
        print(f"bareos-dbcheck: {where}: {exc}", file=sys.stderr)
        return 1
    finally:
        cat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
