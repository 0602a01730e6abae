"""Stream ids and file types as they appear on Bareos volumes and on the wire.

The numbers are part of the volume format and of the FD/SD protocol, so they
are exactly Bareos's.  Only the low 11 bits of a stream id are its type; the
high bits are flags that may be OR-ed on (``STREAM_BIT_*``); readers mask
with :data:`STREAMMASK_TYPE`.  Only the low 16 bits of an attribute record's
type field are the file type (:data:`FT_MASK`).
"""

from __future__ import annotations

# --- stream flag bits ------------------------------------------------------
STREAM_BIT_64 = 1 << 30            # 64-bit stream (not used)
STREAM_BIT_BITS = 1 << 29          # the following bits may be set
STREAM_BIT_PLUGIN = 1 << 28        # written by a plugin
STREAM_BIT_DELTA = 1 << 27         # stream contains delta data
STREAM_BIT_OFFSETS = 1 << 26       # stream has data offsets
STREAM_BIT_PORTABLE_DATA = 1 << 25 # data is portable

STREAMBASE_TYPE = 0
STREAMBITS_TYPE = 11
STREAMMASK_TYPE = ((1 << STREAMBITS_TYPE) - 1) << STREAMBASE_TYPE   # 0x7FF

# --- stream types ----------------------------------------------------------
STREAM_NONE = 0
STREAM_UNIX_ATTRIBUTES = 1
STREAM_FILE_DATA = 2
STREAM_MD5_SIGNATURE = 3           # old name of MD5_DIGEST
STREAM_MD5_DIGEST = 3
STREAM_GZIP_DATA = 4               # deprecated
STREAM_UNIX_ATTRIBUTES_EX = 5
STREAM_SPARSE_DATA = 6
STREAM_SPARSE_GZIP_DATA = 7        # deprecated
STREAM_PROGRAM_NAMES = 8
STREAM_PROGRAM_DATA = 9
STREAM_SHA1_SIGNATURE = 10         # old name of SHA1_DIGEST
STREAM_SHA1_DIGEST = 10
STREAM_WIN32_DATA = 11
STREAM_WIN32_GZIP_DATA = 12        # deprecated
STREAM_MACOS_FORK_DATA = 13
STREAM_HFSPLUS_ATTRIBUTES = 14
STREAM_UNIX_ACCESS_ACL = 15        # deprecated
STREAM_UNIX_DEFAULT_ACL = 16       # deprecated
STREAM_SHA256_DIGEST = 17
STREAM_SHA512_DIGEST = 18
STREAM_SIGNED_DIGEST = 19
STREAM_ENCRYPTED_FILE_DATA = 20
STREAM_ENCRYPTED_WIN32_DATA = 21
STREAM_ENCRYPTED_SESSION_DATA = 22
STREAM_ENCRYPTED_FILE_GZIP_DATA = 23   # deprecated
STREAM_ENCRYPTED_WIN32_GZIP_DATA = 24  # deprecated
STREAM_ENCRYPTED_MACOS_FORK_DATA = 25
STREAM_PLUGIN_NAME = 26
STREAM_PLUGIN_DATA = 27
STREAM_RESTORE_OBJECT = 28
STREAM_COMPRESSED_DATA = 29
STREAM_SPARSE_COMPRESSED_DATA = 30
STREAM_WIN32_COMPRESSED_DATA = 31
STREAM_ENCRYPTED_FILE_COMPRESSED_DATA = 32
STREAM_ENCRYPTED_WIN32_COMPRESSED_DATA = 33
STREAM_XXH128_DIGEST = 40
STREAM_NDMP_SEPARATOR = 999

# ACL streams (platform text/binary, opaque to the SD)
STREAM_ACL_AIX_TEXT = 1000
STREAM_ACL_DARWIN_ACCESS_ACL = 1001
STREAM_ACL_FREEBSD_DEFAULT_ACL = 1002
STREAM_ACL_FREEBSD_ACCESS_ACL = 1003
STREAM_ACL_HPUX_ACL_ENTRY = 1004
STREAM_ACL_IRIX_DEFAULT_ACL = 1005
STREAM_ACL_IRIX_ACCESS_ACL = 1006
STREAM_ACL_LINUX_DEFAULT_ACL = 1007
STREAM_ACL_LINUX_ACCESS_ACL = 1008
STREAM_ACL_TRU64_DEFAULT_ACL = 1009
STREAM_ACL_TRU64_DEFAULT_DIR_ACL = 1010
STREAM_ACL_TRU64_ACCESS_ACL = 1011
STREAM_ACL_SOLARIS_ACLENT = 1012
STREAM_ACL_SOLARIS_ACE = 1013
STREAM_ACL_AFS_TEXT = 1014
STREAM_ACL_AIX_AIXC = 1015
STREAM_ACL_AIX_NFS4 = 1016
STREAM_ACL_FREEBSD_NFS4_ACL = 1017
STREAM_ACL_HURD_DEFAULT_ACL = 1018
STREAM_ACL_HURD_ACCESS_ACL = 1019
STREAM_ACL_PLUGIN = 1020

# Extended attribute streams
STREAM_XATTR_PLUGIN = 1988
STREAM_XATTR_HURD = 1989
STREAM_XATTR_IRIX = 1990
STREAM_XATTR_TRU64 = 1991
STREAM_XATTR_AIX = 1992
STREAM_XATTR_OPENBSD = 1993
STREAM_XATTR_SOLARIS_SYS = 1994
STREAM_XATTR_SOLARIS = 1995
STREAM_XATTR_DARWIN = 1996
STREAM_XATTR_FREEBSD = 1997
STREAM_XATTR_LINUX = 1998
STREAM_XATTR_NETBSD = 1999

# --- file types (the Type field of an attribute record) --------------------
FT_MASK = 0xFFFF
FT_LNKSAVED = 1        # hard link to a file already saved
FT_REGE = 2            # regular file, empty
FT_REG = 3             # regular file
FT_LNK = 4             # symbolic link
FT_DIREND = 5          # directory, saved after its contents
FT_SPEC = 6            # chr, blk, fifo, socket
FT_NOACCESS = 7
FT_NOFOLLOW = 8
FT_NOSTAT = 9
FT_NOCHG = 10
FT_DIRNOCHG = 11
FT_ISARCH = 12
FT_NORECURSE = 13
FT_NOFSCHG = 14
FT_NOOPEN = 15
FT_RAW = 16
FT_FIFO = 17
FT_DIRBEGIN = 18       # never saved
FT_INVALIDFS = 19
FT_INVALIDDT = 20
FT_REPARSE = 21
FT_PLUGIN = 22
FT_DELETED = 23
FT_BASE = 24
FT_RESTORE_FIRST = 25
FT_JUNCTION = 26
FT_PLUGIN_CONFIG = 27
FT_PLUGIN_CONFIG_FILLED = 28
FT_UNSET = FT_MASK
AR_DATA_STREAM = 1 << 16   # upper-bit flag: data stream id present


def is_ft_object(ftype: int) -> bool:
    """True for the file types that carry a plugin object."""
    return ftype in (FT_RESTORE_FIRST, FT_PLUGIN_CONFIG_FILLED, FT_PLUGIN_CONFIG)


def masked(stream: int) -> int:
    """The stream type without flag bits."""
    return stream & STREAMMASK_TYPE


# Short names used in record listings (bls -v, debug dumps), as Bareos prints them.
_SHORT_NAMES = {
    STREAM_UNIX_ATTRIBUTES: "UATTR",
    STREAM_FILE_DATA: "DATA",
    STREAM_WIN32_DATA: "WIN32-DATA",
    STREAM_WIN32_GZIP_DATA: "WIN32-GZIP",
    STREAM_WIN32_COMPRESSED_DATA: "WIN32-COMPRESSED",
    STREAM_MD5_DIGEST: "MD5",
    STREAM_SHA1_DIGEST: "SHA1",
    STREAM_GZIP_DATA: "GZIP",
    STREAM_COMPRESSED_DATA: "COMPRESSED",
    STREAM_UNIX_ATTRIBUTES_EX: "UNIX-Attributes-EX",
    STREAM_RESTORE_OBJECT: "RESTORE-OBJECT",
    STREAM_SPARSE_DATA: "SPARSE-DATA",
    STREAM_SPARSE_GZIP_DATA: "SPARSE-GZIP",
    STREAM_SPARSE_COMPRESSED_DATA: "SPARSE-COMPRESSED",
    STREAM_PROGRAM_NAMES: "PROG-NAMES",
    STREAM_PROGRAM_DATA: "PROG-DATA",
    STREAM_PLUGIN_NAME: "PLUGIN-NAME",
    STREAM_MACOS_FORK_DATA: "MACOS-RSRC",
    STREAM_HFSPLUS_ATTRIBUTES: "HFSPLUS-Attributes",
    STREAM_SHA256_DIGEST: "SHA256",
    STREAM_SHA512_DIGEST: "SHA512",
    STREAM_XXH128_DIGEST: "XXH128",
    STREAM_SIGNED_DIGEST: "SIGNED-DIGEST",
    STREAM_ENCRYPTED_SESSION_DATA: "ENCRYPTED-SESSION-DATA",
    STREAM_ENCRYPTED_FILE_DATA: "ENCRYPTED-FILE",
    STREAM_ENCRYPTED_FILE_GZIP_DATA: "ENCRYPTED-GZIP",
    STREAM_ENCRYPTED_FILE_COMPRESSED_DATA: "ENCRYPTED-COMPRESSED",
    STREAM_ENCRYPTED_WIN32_DATA: "ENCRYPTED-WIN32-DATA",
    STREAM_ENCRYPTED_WIN32_GZIP_DATA: "ENCRYPTED-WIN32-GZIP",
    STREAM_ENCRYPTED_WIN32_COMPRESSED_DATA: "ENCRYPTED-WIN32-COMPRESSED",
    STREAM_ENCRYPTED_MACOS_FORK_DATA: "ENCRYPTED-MACOS-RSRC",
}
# Continuation names exist for all of the above except the plugin-less ones
# Bareos forgot (PLUGIN-NAME has one; PLUGIN_DATA etc. fall back to numbers).
_CONT_NAMES = {k: "cont" + v for k, v in _SHORT_NAMES.items()}


def stream_name(stream: int, file_index: int = 1) -> str:
    """Printable name of a record's stream, like Bareos's ``stream_to_ascii``.

    For label records (negative FileIndex) the stream is the JobId and is
    printed as a number; a negative stream is a continuation record.
    """
    if file_index < 0:
        return str(stream)
    if stream < 0:
        t = (-stream) & STREAMMASK_TYPE
        name = _CONT_NAMES.get(t)
        return name if name is not None else str(-t)
    t = stream & STREAMMASK_TYPE
    name = _SHORT_NAMES.get(t)
    return name if name is not None else str(t)


# Full constant names, for diagnostics ("STREAM_FILE_DATA").
STREAM_NAMES: dict[int, str] = {}
FT_NAMES: dict[int, str] = {}
for _name, _value in list(globals().items()):
    if _name.startswith("STREAM_") and isinstance(_value, int) and not _name.startswith("STREAM_BIT"):
        if _name in ("STREAM_MD5_SIGNATURE", "STREAM_SHA1_SIGNATURE", "STREAM_NAMES"):
            continue
        STREAM_NAMES.setdefault(_value, _name)
    elif _name.startswith("FT_") and isinstance(_value, int) and _name not in ("FT_MASK", "FT_UNSET"):
        FT_NAMES.setdefault(_value, _name)
del _name, _value
