"""CSV cells that spreadsheets will not run as formulas."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Cells starting with = + - @ run as formulas in spreadsheets; quote them."""
    return "'" + value if value[:1] in FORMULA_STARTS else value
