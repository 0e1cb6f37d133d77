"""Figures shown to people: one normalisation for pages and charts (plain Decimal maths)."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def format_figure(value, places=None):
    """A figure as people write it: no trailing zeros (3.500000 → 3.5), no exponent, no
    negative zero (-0.00 → 0); `places` rounds first (half up). Text that is not a number is
    returned as it is (a water class, "—")."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    if number == 0:
        return "0"
    return format(number.normalize(), "f")

