"""The command-line tools python-bareos installs: ``bconsole.py``,
``bconsole-json.py`` and ``bareos-fd-connect.py``."""

from __future__ import annotations

import argparse
import logging
import sys

import bareos.bsock
import bareos.exceptions


def _run(cls, description: str, argv=None) -> int:
    logging.basicConfig(format="%(levelname)s %(module)s.%(funcName)s: %(message)s", level=logging.INFO)
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-d", "--debug", action="store_true", help="enable debugging output")
    cls.argparser_add_default_command_line_arguments(parser)
    if cls is bareos.bsock.FileDaemon:
        parser.add_argument("command", nargs="*", help="command to send to the File Daemon")
    args = parser.parse_args(argv)
    if args.debug:
        logging.getLogger().setLevel(logging.DEBUG)
    params = cls.argparser_get_bareos_parameter(args)
    try:
        conn = cls(**params)
    except bareos.exceptions.Error as exc:
        print(str(exc))
        return 1
    command = getattr(args, "command", None)
    if command:
        print(conn.call(" ".join(command)).decode("utf-8", "replace"))
    else:
        conn.interactive()
    return 0


def bconsole(argv=None) -> int:
    return _run(bareos.bsock.DirectorConsole, "Console to Bareos Director.", argv)


def bconsole_json(argv=None) -> int:
    return _run(bareos.bsock.DirectorConsoleJson, "Console to Bareos Director (JSON mode).", argv)


def fd_connect(argv=None) -> int:
    return _run(bareos.bsock.FileDaemon, "Connect to a Bareos File Daemon.", argv)


if __name__ == "__main__":
    sys.exit(bconsole())
