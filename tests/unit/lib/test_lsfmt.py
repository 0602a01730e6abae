"""The shared ls -l pieces (Bareos's encode_mode and PrintLsOutput stat part)."""

from __future__ import annotations

import stat

from bareos.lib.lsfmt import encode_mode, ls_stat_text


def test_encode_mode_types_and_special_bits():
    assert encode_mode(stat.S_IFIFO | 0o644) == "frw-r--r--"
    assert encode_mode(stat.S_IFDIR | 0o1777) == "drwxrwxrwt"
    assert encode_mode(stat.S_IFREG | 0o4644) == "-rwSr--r--"
    assert encode_mode(stat.S_IFREG | 0o2755) == "-rwxr-sr-x"
    assert encode_mode(0) == "----------"


def test_ls_stat_text_cuts_names_and_size():
    text = ls_stat_text(stat.S_IFREG | 0o600, 1, 4_000_000_001, 4_000_000_002,
                        1234567890123456, 0)
    mode, links, owner, group_size = text.split()[:4]
    assert (mode, links, owner) == ("-rw-------", "1", "40000000")
    assert group_size == "40000000" + "123456789012"   # group (8) glued to the size (12)
