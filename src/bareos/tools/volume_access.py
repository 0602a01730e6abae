"""What ``bls``, ``bextract`` and ``bscan`` share: finding the volumes to
read (Storage Daemon configuration, device name or archive-device path,
``-V``, a bootstrap), reading them one after another, messages in Bareos's
shapes, ``ls -l`` style attribute lines and include/exclude lists.

The volume bytes are decoded by :mod:`bareos.stored.volume`; this module
only puts files and output around it.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Iterator

from bareos.findlib.match import translate as fnmatch_translate
from bareos.lib.bsr import Bsr, BsrMatcher
from bareos.lib.lsfmt import encode_mode, ls_stat_text
from bareos.lib.stat import Attributes, StatPacket
from bareos.lib.streams import FT_DELETED, FT_LNK
from bareos.stored.volume import NotABareosVolume, RecordReader
from bareos.stored.volume.block import DamagedBlock, VolumeFormatError
from bareos.stored.volume.label import LabelError, VolumeLabel
from bareos.stored.volume.scan import LabelRecord, scan_volume

__all__ = [
    "ToolError", "Messages", "DeviceSpec", "VolumeSource", "resolve_device",
    "read_volumes", "FileFilter", "encode_mode", "ls_line", "attr_stat_text",
    "format_local_time", "load_sd_config",
]

LOG_TIMESTAMP_FORMAT = "%d-%b %H:%M"


class ToolError(Exception):
    """A problem that ends the tool; ``exit_code`` is the process status."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------
# messages

class Messages:
    """Bareos's message shapes for the volume tools.

    ``jmsg`` gives ``<date> <prog> JobId <n>: [Error: ]text`` (the date is
    left out for ``timestamp=False``, as Bareos does for the ``ls`` lines);
    ``pmsg`` prints ``text`` as is.  Everything goes to ``out`` (stdout), as
    the tools' default message resource sends every type to stdout.
    """

    def __init__(self, prog: str, out=None, err=None):
        self.prog = prog
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.job_id = 0
        self.errors = 0
        self.warnings = 0

    def jmsg(self, text: str, kind: str = "info", *, timestamp: bool = True,
             job_id: int | None = None) -> None:
        jid = self.job_id if job_id is None else job_id
        prefix = {"info": "", "error": "Error: ", "warning": "Warning: ",
                  "fatal": "Fatal error: "}[kind]
        if kind in ("error", "fatal"):
            self.errors += 1
        elif kind == "warning":
            self.warnings += 1
        dt = time.strftime(LOG_TIMESTAMP_FORMAT) + " " if timestamp else ""
        if not text.endswith("\n"):
            text += "\n"
        self.out.write(f"{dt}{self.prog} JobId {jid}: {prefix}{text}")

    def pmsg(self, text: str) -> None:
        if not text.endswith("\n"):
            text += "\n"
        self.out.write(text)

    def tool_msg(self, text: str) -> None:
        """``<prog>: text`` (Bareos's Pmsg with level 0, without its
        source-file position)."""
        self.pmsg(f"{self.prog}: {text}")


# --------------------------------------------------------------------------
# time, mode, users

def add_common_options(ap, director_help: str = "Specify a director name specified in the "
                                               "storage configuration.") -> None:
    """The options bls, bextract and bcopy share: -b -c -D -d --dt."""
    ap.add_argument("-b", "--parse-bootstrap", dest="bootstrap", metavar="<file>",
                    help="Specify a bootstrap file.")
    ap.add_argument("-c", "--config", metavar="<path>",
                    help="Use <path> as configuration file or directory.")
    ap.add_argument("-D", "--director", metavar="<director>", help=director_help)
    ap.add_argument("-d", "--debug-level", dest="debug", metavar="<level>", default="0",
                    help="Set debug level to <level>.")
    ap.add_argument("--dt", "--debug-timestamps", dest="debug_timestamps",
                    action="store_true", help="Print timestamp in debug output.")


def format_local_time(t: int, fmt: str = "%d-%b-%Y %H:%M") -> str:
    return time.strftime(fmt, time.localtime(t))


def attr_stat_text(attrs: Attributes, st: StatPacket | None = None) -> str:
    """The stat part of an ``ls`` line (mode, links, owner, group, size,
    ctime -- Bareos prints the inode change time here)."""
    if attrs.type == FT_DELETED:
        return "----------   - -        -                - ---------- --------"
    st = st if st is not None else attrs.stat()
    return ls_stat_text(st.st_mode, st.st_nlink, st.st_uid, st.st_gid, st.st_size, st.st_ctime)


def ls_line(attrs: Attributes, ofname: str | None = None, olname: str | None = None) -> str:
    """``<stat>  <name>[ -> <link target>]`` as Bareos's ``PrintLsOutput``."""
    name = attrs.fname if ofname is None else ofname
    text = f"{attr_stat_text(attrs)}  {name}"
    if attrs.type == FT_LNK:
        text += " -> " + (attrs.link if olname is None else olname)
    return text


# --------------------------------------------------------------------------
# include / exclude lists (findlib/match.cc semantics)

@dataclass
class _Include:
    name: str
    regex: re.Pattern | None


@dataclass
class FileFilter:
    """Bareos's include and exclude lists of the volume tools (``-i``,
    ``-e``).  Without an include entry everything (``/``) is included."""

    includes: list[_Include] = field(default_factory=list)
    exclude_paths: list[re.Pattern] = field(default_factory=list)
    exclude_files: list[re.Pattern] = field(default_factory=list)

    def add_include(self, name: str) -> None:
        name = name.rstrip("\r\n")
        stripped = name
        while len(stripped) > 1 and stripped.endswith("/"):
            stripped = stripped[:-1]
        pattern = any(c in stripped for c in "*[?")
        rx = fnmatch_translate(stripped, leading_dir=True) if pattern else None
        self.includes.append(_Include(stripped, rx))

    def add_exclude(self, name: str) -> None:
        name = name.rstrip("\r\n")
        rx = fnmatch_translate(name, pathname=True)
        if "/" in name:
            self.exclude_paths.append(rx)
        else:
            self.exclude_files.append(rx)

    def load_include_file(self, path: str) -> None:
        for line in _read_list(path, "include"):
            self.add_include(line)

    def load_exclude_file(self, path: str) -> None:
        for line in _read_list(path, "exclude"):
            self.add_exclude(line)

    def is_included(self, fname: str) -> bool:
        if not self.includes:
            return True
        for inc in self.includes:
            if inc.regex is not None:
                if inc.regex.match(fname):
                    return True
                continue
            n = len(inc.name)
            if fname == inc.name:
                return True
            if n < len(fname) and fname[n] == "/" and fname.startswith(inc.name):
                return True
            if inc.name == "/":
                return True
        return False

    def is_excluded(self, fname: str) -> bool:
        for rx in self.exclude_paths:
            if rx.match(fname):
                return True
        if not self.exclude_files:
            return False
        for i in range(len(fname)):
            if i == 0 or (fname[i] != "/" and fname[i - 1] == "/"):
                tail = fname[i:]
                for rx in self.exclude_files:
                    if rx.match(tail):
                        return True
        return False

    def selects(self, fname: str) -> bool:
        return self.is_included(fname) and not self.is_excluded(fname)


def _read_list(path: str, what: str) -> list[str]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ToolError(f"Could not open {what} file: {path}, ERR={exc.strerror}") from None
    lines = []
    for line in raw.decode("utf-8", "surrogateescape").splitlines():
        line = line.rstrip(" \t\r\n")
        if line:
            lines.append(line)
    return lines


# --------------------------------------------------------------------------
# devices and volumes

@dataclass
class DeviceSpec:
    """The device a tool reads from."""

    name: str                 # Device resource name ("" without a config)
    archive_device: str       # directory holding the volume files
    media_type: str = ""
    checksum: bool = True     # Block Checksum

    @property
    def print_name(self) -> str:
        if self.name:
            return f"\"{self.name}\" ({self.archive_device})"
        return f"\"{self.archive_device}\""


@dataclass
class VolumeSource:
    device: DeviceSpec
    volume_names: list[str]

    def path_of(self, volume: str) -> str:
        return os.path.join(self.device.archive_device, volume)


def load_sd_config(path: str | None):
    """The Storage Daemon configuration (``-c``), or the default one when it
    exists; None when there is none to read."""
    from bareos.lib.config import load_config
    from bareos.lib.config.paths import default_config_dir
    from bareos.stored.config import SCHEMA
    if path is None:
        cand = default_config_dir()
        if not (os.path.isdir(os.path.join(cand, "bareos-sd.d"))
                or os.path.isfile(os.path.join(cand, "bareos-sd.conf"))):
            return None
        path = cand
    if not os.path.exists(path):
        raise ToolError(f"Config file/directory {path} not found", 1)
    try:
        return load_config(path, SCHEMA)
    except Exception as exc:   # ConfigError names file, line, directive
        raise ToolError(f"Configuration error: {exc}", 1) from None


def _device_resources(cfg) -> list:
    return list(cfg.resources("Device")) if cfg is not None else []


def available_devices(cfg) -> str:
    lines = sorted(f" \"{d.name}\" ({d.get('Archive Device', '')})\n"
                   for d in _device_resources(cfg))
    return "Available Devices:\n" + "".join(lines)


def resolve_device(device_arg: str, cfg, volume_names: str | None, bsr: Bsr | None,
                   msgs: Messages, config_path: str | None = None) -> VolumeSource:
    """Find the device and the volume list, as Bareos's ``SetupJcr``:

    * ``-V vol1|vol2`` names the volumes; without it (and without a BSR) a
      path argument is split into directory and volume name;
    * the device is the Device resource whose ``Archive Device`` equals the
      argument (directory), else the one with that name;
    * without a configuration (or without a matching Device) an existing
      volume file or directory is read directly (our extension).
    """
    vols: list[str] = []
    if volume_names:
        vols = [v for v in volume_names.split("|") if v]
    arg = device_arg
    if len(arg) > 1 and arg.startswith('"') and arg.endswith('"'):
        arg = arg[1:-1]
    dev_part = arg
    if not vols and bsr is None and "/" in arg and not arg.startswith("/dev/"):
        head, tail = os.path.split(arg)
        if tail and (cfg is None or os.path.isfile(arg) or not os.path.isdir(arg)):
            dev_part, vols = head or "/", [tail]
    if not vols and bsr is not None:
        vols = [v.name for v in bsr.volume_list()]
    found = None
    for d in _device_resources(cfg):
        if d.get("Archive Device", "") == dev_part:
            found = d
            break
    if found is None:
        for d in _device_resources(cfg):
            if d.name == dev_part or d.name == arg:
                found = d
                dev_part = d.get("Archive Device", "")
                break
    if found is not None:
        spec = DeviceSpec(found.name, found.get("Archive Device", ""),
                          found.get("Media Type", "") or "",
                          bool(found.get("Block Checksum", True)))
        msgs.tool_msg(f"Using device: \"{device_arg}\" for reading.")
    elif os.path.isdir(dev_part) or os.path.isfile(arg):
        if os.path.isfile(arg) and not vols:
            dev_part, base = os.path.split(arg)
            vols = [base]
        spec = DeviceSpec("", dev_part or ".")
        msgs.tool_msg(f"Using device: \"{device_arg}\" for reading.")
    else:
        where = config_path or "the configuration"
        listing = available_devices(cfg) if cfg is not None else ""
        raise ToolError(f"Cannot find device \"{device_arg}\" in config file {where}.\n"
                        f"{listing}", 1)
    if not vols:
        raise ToolError("No Volume names given (use -V or a bootstrap file)", 1)
    return VolumeSource(spec, vols)


def read_volumes(source: VolumeSource, msgs: Messages, *, matcher: BsrMatcher | None = None,
                 forge_on: bool = False, announce: bool = True
                 ) -> Iterator[tuple[str, object]]:
    """Yield ``(volume_name, item)`` for every item of every volume:
    :class:`LabelRecord`, ``Record``, :class:`DamagedBlock`, in order.

    Split records continue from one volume to the next.  A damaged block is
    yielded (its number and position in it) and reading goes on.  A file
    that is not a Bareos volume raises :class:`ToolError`.
    """
    reader = RecordReader()
    names = source.volume_names
    for i, vol in enumerate(names):
        if matcher is not None and not matcher.wants_volume(vol):
            continue
        path = source.path_of(vol)
        try:
            fh = open(path, "rb")
        except OSError as exc:
            raise ToolError(f"Cannot open volume {path}: ERR={exc.strerror}", 1) from None
        with fh:
            if announce:
                msgs.jmsg(f"Ready to read from volume \"{vol}\" on device "
                          f"{source.device.print_name}.", job_id=0)
            try:
                for item in scan_volume(fh, name=path, checksum=source.device.checksum,
                                        matcher=matcher, reader=reader,
                                        check_label=not forge_on):
                    yield vol, item
            except NotABareosVolume as exc:
                raise ToolError(f"{exc}", 1) from None
            except LabelError as exc:
                raise ToolError(f"{path}: {exc}", 1) from None
            except VolumeFormatError as exc:
                raise ToolError(f"{path}: {exc}", 1) from None
            for p in reader.problems:
                msgs.jmsg(p, "warning", job_id=0)
            reader.problems.clear()
        size = os.path.getsize(path) if os.path.exists(path) else 0
        msgs.jmsg(f"End of Volume at file {size >> 32} on device {source.device.print_name}, "
                  f"Volume \"{vol}\"", job_id=0)
        if matcher is not None and matcher.done:
            break
    reader.finish()
    for p in reader.problems:
        msgs.jmsg(p, "warning", job_id=0)
    msgs.jmsg("End of all volumes.", job_id=0)


def damaged_message(item: DamagedBlock, volume: str) -> str:
    return item.message(volume)


def is_label(item) -> bool:
    return isinstance(item, LabelRecord)


__all__ += ["damaged_message", "is_label", "available_devices",
            "VolumeLabel"]
