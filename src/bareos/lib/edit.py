"""Number and size formatting as Bareos prints it (edit.cc)."""


def edit_uint64_with_commas(value: int) -> str:
    return f"{int(value):,}"


def edit_uint64_with_suffix(value: int) -> str:
    """1234567 -> '1.234 M' (decimal multiples, three decimals, truncated)."""
    value = int(value)
    suffixes = ["", " K", " M", " G", " T", " P", " E"]
    n = 0
    mult = 1
    while value >= mult * 1000 and n < len(suffixes) - 1:
        mult *= 1000
        n += 1
    if n == 0:
        return str(value)
    whole = value // mult
    frac = (value % mult) * 1000 // mult
    return f"{whole}.{frac:03d}{suffixes[n]}"


def edit_uint64(value: int) -> str:
    return str(int(value))


def edit_codes(text: str, codes: dict[str, str], *, keep_unknown: bool = True,
               keep_lone: bool = True) -> str:
    """Replace ``%<c>`` by ``codes[c]`` (Bareos's edit_job_codes and
    edit_device_codes).  A code not in *codes* stays as written
    (*keep_unknown*) or is dropped; a ``%`` at the very end stays
    (*keep_lone*) or is dropped.  ``%%`` is only a percent sign when
    *codes* says so."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "%" and i + 1 < n:
            code = text[i + 1]
            if code in codes:
                out.append(codes[code])
                i += 2
                continue
            if not keep_unknown:
                i += 2
                continue
        elif c == "%" and not keep_lone:
            break
        out.append(c)
        i += 1
    return "".join(out)
