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
