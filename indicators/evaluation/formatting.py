"""Numbers as an evaluation prints them: to their precision, never 3.000000% or -0.00. No Django.

`format_number(value, precision=None, unit="")`:
- a Decimal without `precision` is a figure as reported or printed: shown as written, without the
  zeros a DecimalField pads it with (3.000000 → 3, 36.700000 → 36.7);
- a float without `precision` is a computed figure: two decimals, three below 1 in size, trailing
  zeros dropped (0.5783 → 0.578, 5.9100 → 5.91, 2.0 → 2);
- with `precision` the figure keeps exactly that many decimals (progress 0.60, a rate 5.91);
- a value that rounds to zero is 0 (never -0 or -0.00); infinities are ∞ / −∞, None is —;
- `unit` follows the number without a space (5.91%), as Chinese reports print it.
Explanation texts, pages and reports share it, so one figure reads the same everywhere.
"""
import math
from decimal import Decimal

NONE_TEXT = "—"


def format_number(value, precision: int | None = None, unit: str = "") -> str:
    kind = type(value)
    if kind is float or kind is int:  # the hot path: every explanation line formats a few
        if value != value:
            return NONE_TEXT
        if value == math.inf or value == -math.inf:
            return _infinite(value) + unit
        if precision is None:
            text = f"{value:.3f}" if -1 < value < 1 else f"{value:.2f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
        else:
            text = f"{value:.{max(0, int(precision))}f}"
        if text[0] == "-" and not text.strip("-0."):
            text = text[1:]
        return text + unit if unit else text
    if kind is Decimal and precision is None:
        text = str(value)  # several times faster than format(value, "f"), which it equals without an exponent
        if text[-1].isdigit() and "E" not in text:
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            if text[0] == "-" and not text.strip("-0."):
                text = text[1:]
            return text + unit if unit else text
    if value is None:
        return NONE_TEXT
    if kind is bool:
        raise TypeError("a yes/no value is not a number")
    if isinstance(value, Decimal):
        if not value.is_finite():
            return _infinite(value) + unit if value.is_infinite() else NONE_TEXT
        text = _decimal_text(value) if precision is None else _fixed(value, precision)
        return _no_negative_zero(text) + unit
    return format_number(float(value), precision, unit)


STORED_PLACES = 6  # IndicatorValue.number / baseline_value: DecimalField(decimal_places=6)


def format_reported(number: Decimal | None, unit: str = "") -> str:
    """A reported Decimal as the bureau wrote it: 6.0 stays 6.0, while the zeros the stored column
    pads every figure with are dropped (3.000000 → 3, 7.970000 → 7.97)."""
    if number is None or not isinstance(number, Decimal) or not number.is_finite():
        return format_number(number, unit=unit)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent >= STORED_PLACES:
        return format_number(number, unit=unit)
    return _no_negative_zero(_positional(number)) + unit


def format_percent(fraction, precision: int | None = None) -> str:
    """A share (0.591) as a percent figure (59.1%)."""
    return NONE_TEXT if fraction is None else format_number(fraction * 100, precision, "%")


def _decimal_text(value):
    text = str(value)
    if "E" in text or "e" in text:
        text = _positional(value)
    return _strip_zeros(text) if "E" not in text else text


def _positional(value):
    """format(value, "f"), except for a figure no plan prints (7.06E+115689115691), which written
    out would need gigabytes: it keeps its exponent."""
    return format(value, "f") if abs(value.adjusted()) <= _MAX_POSITIONAL else format(value, "E")


_MAX_POSITIONAL = 30


def _fixed(value, precision):
    if isinstance(value, Decimal) and abs(value.adjusted()) > _MAX_POSITIONAL:
        return format(value, "E")
    return f"{value:.{max(0, int(precision))}f}"


def _strip_zeros(text):
    return text.rstrip("0").rstrip(".") if "." in text else text


def _no_negative_zero(text):
    if text.startswith("-") and not text.strip("-0."):
        return text[1:]
    return text


def _infinite(value):
    return "∞" if value > 0 else "−∞"
