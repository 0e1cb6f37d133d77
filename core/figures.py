"""Figures shown to people: one normalisation for pages and charts (plain Decimal maths), and
the one way a figure goes into a spreadsheet cell (a number with the format of its precision)."""
import re
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



# ----- figures in spreadsheet cells: numbers as numbers, shown to their precision ---------------
_PLAIN_FIGURE = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.(\d+))?$")  # 36.70, -5, 0.5; not 012, 1e3, ≥40, 1,200
_NUMBER_IN_TEXT = re.compile(r"\d+(?:\.(\d+))?")
_DECIMAL_FORMAT = re.compile(r"^0(?:\.(0+))?$")
MAX_PLACES = 6  # figures are stored with six decimals (DecimalField(decimal_places=6))


def _decimals(number):
    """The decimals a Decimal has without its padding: 150.500000 → 1, 40.000000 → 0."""
    return max(0, -number.normalize().as_tuple().exponent)


def _rounded(number, places):
    """`number` to `places` decimals, half up, and never -0."""
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(number) if number == 0 else number


def figure_places(*values):
    """The precision of figures: the most decimals among them (numbers written in a text count too:
    "≥37.07" → 2; a stored Decimal without its padding). An indicator's precision is that of its
    printed baseline and targets; None when there is no figure at all."""
    places = None
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float, Decimal)):
            try:
                number = value if isinstance(value, Decimal) else Decimal(str(value))
            except InvalidOperation:
                continue
            found = [min(_decimals(number), MAX_PLACES)] if number.is_finite() else []
        else:
            found = [len(m.group(1) or "") for m in _NUMBER_IN_TEXT.finditer(str(value))]
        if found:
            places = max(found) if places is None else max(places, *found)
    return places


def number_format(places):
    """The spreadsheet number format showing `places` decimals: 0 → "0", 2 → "0.00"."""
    places = max(0, min(int(places or 0), MAX_PLACES))
    return "0." + "0" * places if places else "0"


def xlsx_figure(value, places=None):
    """(cell value, number format) of a figure for a spreadsheet: a number with the format that
    shows it to its precision — the decimals it was typed with ("36.70" → 36.7 shown as 0.00),
    a stored Decimal without its padding (150.500000 → 0.0), or `places` when given. Rounding is
    half up and a value that rounds to zero is 0 (never -0). Text that is not a plain figure (≥40,
    Ⅲ类, 完成, "") comes back unchanged with format None; the caller keeps it as text."""
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        match = _PLAIN_FIGURE.match(text)
        if not match or len(text.replace("-", "").replace(".", "")) > 15:  # beyond a double's precision
            return value, None
        number = Decimal(text)
        typed = len(match.group(1) or "")
    elif isinstance(value, (int, float, Decimal)):
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation:
            return value, None
        if not number.is_finite():
            return None, None
        typed = _decimals(number)
    else:
        return value, None
    places = min(typed if places is None else int(places), MAX_PLACES)
    number = _rounded(number, places)
    return (int(number) if places == 0 else float(number)), number_format(places)


def shown_text(value, fmt):
    """What a numeric cell shows under a decimal number format ("0.00": 36.7 → "36.70"), so a
    figure written by `xlsx_figure` reads back exactly as it was typed; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(fmt, str):
        return None
    match = _DECIMAL_FORMAT.match(fmt)
    if not match:
        return None
    return format(_rounded(Decimal(str(value)), len(match.group(1) or "")), "f")


def put_figure(cell, value, places=None, text=str):
    """Write a figure into an openpyxl cell (normal or write-only): a number with the format of its
    precision (`xlsx_figure`), or — when it is not a plain figure — text passed through `text` (the
    caller's formula guard) and typed as text. None leaves the cell empty. Returns the cell."""
    number, fmt = xlsx_figure(value, places)
    if fmt is not None:
        cell.value, cell.number_format = number, fmt
    elif number is not None and number != "":
        cell.value = text(number)
        cell.data_type = "s"
    return cell
