"""Command-line options shared by the daemons, as Bareos spells them.

``-c/--config <path>`` (file or directory, default /etc/bareos),
``-t/--test-config`` (read the configuration and exit: 0 when it is fine,
1 with the error naming file, line and directive), ``--xc/--export-config
[<resource_type> [<name>]]`` (print every resource, or those of a type, or
one, and exit; 1 when there is none), ``-f/--foreground``, ``-d/--debug-level``,
``-u/--user``, ``-g/--group``, ``-v/--verbose``, ``-p/--pid-file``,
``-s/--no-signals``, ``-?``/``-h``/``--help``, ``--version``.

Use::

    args, cfg = cli.parse_and_load(argv, SCHEMA, prog="bareos-sd")
    if cfg is None:          # -t / --xc handled, or an error was reported
        return args.exit_code
"""

from __future__ import annotations

import argparse
import sys

from .errors import ConfigError
from .parser import load_config
from .paths import default_config_dir
from .printer import format_config


def build_parser(prog: str, description: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description, add_help=False)
    p.add_argument("-c", "--config", metavar="<path>", default=None,
                   help="configuration file or directory (default %s)"
                   % default_config_dir())
    p.add_argument("-d", "--debug-level", metavar="<level>", default="0",
                   help="debug level, optionally level,tags")
    p.add_argument("--dt", "--debug-timestamps", dest="debug_timestamps",
                   action="store_true", help="prefix debug output with a timestamp")
    p.add_argument("-f", "--foreground", action="store_true",
                   help="run in foreground")
    p.add_argument("-g", "--group", metavar="<group>", help="run as group")
    p.add_argument("-u", "--user", metavar="<user>", help="run as user")
    p.add_argument("-p", "--pid-file", metavar="<file>", help="pid file")
    p.add_argument("-s", "--no-signals", action="store_true",
                   help="no signals (for debugging)")
    p.add_argument("-t", "--test-config", action="store_true",
                   help="read the configuration and exit")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="verbose user messages")
    p.add_argument("--xc", "--export-config", dest="export_config", nargs="*",
                   default=None, metavar="[<resource_type> [<name>]]",
                   help="print all or specific configuration resources and exit")
    p.add_argument("--version", action="store_true", help="print version and exit")
    p.add_argument("-?", "-h", "--help", action="help", help="print this help")
    return p


def debug_level(args) -> int:
    text = str(args.debug_level).split(",")[0]
    try:
        return int(text)
    except ValueError:
        return 0


def export_config(cfg, words: list[str], verbose: bool, out, err) -> int:
    """``--xc [<resource_type> [<name>]]``: print every resource, every resource
    of a type, or one resource.  Returns the exit status: 1 when the type is
    unknown, the name is not found, or the type has no resources (as Bareos's
    DumpResources).  ``<type>=<name>`` as one word is taken too."""
    from .printer import format_resource

    words = list(words)
    if len(words) == 1 and "=" in words[0]:
        words = words[0].split("=", 1)
    if len(words) == 2 and not words[1]:
        words = words[:1]  # an empty name: every resource of the type, as Bareos
    if len(words) > 2:
        err.write("--xc takes at most a resource type and a name\n")
        return 1
    if not words or not words[0]:
        out.write(format_config(cfg, verbose=verbose))
        return 0
    rtype = words[0]
    if cfg.resource_type(rtype) is None:
        err.write('unknown resource type "%s"\n' % rtype)
        return 1
    if len(words) == 2:
        res = cfg.get(rtype, words[1])
        if res is None:
            err.write('no %s resource "%s"\n' % (rtype, words[1]))
            return 1
        out.write(format_resource(res, verbose=verbose))
        return 0
    found = cfg.resources(rtype)
    if not found:
        err.write('no %s resources\n' % rtype)
        return 1
    out.write("".join(format_resource(r, verbose=verbose) for r in found))
    return 0


def parse_and_load(argv, schema, prog: str, description: str | None = None,
                   out=None, err=None, check=None):
    """Parse options and load the configuration.

    Returns ``(args, cfg)``.  ``cfg`` is None when the run is over: then
    ``args.exit_code`` says how (``-t`` ok: 0, config error: 1, ``--xc``: 0).

    *check*, when given, is called as ``check(cfg, test_only)`` after a
    successful load (for ``-t`` and for a real start, not for ``--xc``) and
    returns ``(errors, warnings)``, lists of texts: errors end the run with
    status 1 (``<prog> JobId 0: Fatal error: <text>`` and ``Please correct
    configuration file: <config>``), warnings are printed.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser(prog, description).parse_args(argv)
    args.exit_code = 0
    if args.version:
        from bareos.lib import version
        out.write("%s %s\n" % (prog, getattr(version, "VERSION", "")))
        return args, None
    try:
        cfg = load_config(args.config, schema)
    except ConfigError as e:
        if e.is_resource_check:  # Bareos's CheckResources: a fatal message
            err.write("%s JobId 0: %s" % (prog, e.bareos_text(args.config or default_config_dir())))
        else:
            err.write("%s: ERROR TERMINATION\nConfig error: %s\n" % (prog, e))
        args.exit_code = 1
        args.error = e
        return args, None
    for w in cfg.warnings:
        if args.verbose or args.test_config:
            err.write("%s: Config warning: %s\n" % (prog, w))
    if args.export_config is not None:
        args.exit_code = export_config(cfg, args.export_config, args.verbose > 0, out, err)
        return args, None
    if check is not None:
        errors, warnings = check(cfg, bool(args.test_config))
        for text in warnings:
            err.write("%s: Warning: %s\n" % (prog, text))
        if errors:
            for text in errors:
                err.write("%s JobId 0: Fatal error: %s\n" % (prog, text))
            err.write("%s: ERROR TERMINATION\nPlease correct configuration file: %s\n"
                      % (prog, args.config or default_config_dir()))
            args.exit_code = 1
            return args, None
    if args.test_config:
        return args, None
    return args, cfg
