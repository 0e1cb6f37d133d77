"""Which way is better for an indicator, and what kind of value it takes.

Pure functions over the parsed target specs and baseline (see `targets.py`); no Django imports.
Both results are stored on the indicator and an administrator may override the direction.
"""

UP, DOWN, NONE = "up", "down", "none"
NUMBER, WATER_CLASS, TEXT = "number", "water_class", "text"

# A name ending in one of these measures a reduction achieved: more reduction is better.
_REDUCTION_SUFFIXES = ("降低", "下降", "减少", "削减", "减排")
# Quantities where less is better (concentrations, shares of bad water, damage rates, caps).
_LOWER_IS_BETTER = (
    "浓度", "劣Ⅴ", "劣V", "黑臭", "受害率", "成灾率", "用水总量", "Ⅴ类水", "V类水", "重污染",
    "排放量", "消耗量", "能耗总量", "煤炭消费", "发生率", "超标",
)


def derive_direction(name, unit, baseline, target_specs):
    """Derive the direction from the target first (its words are explicit), then the name."""
    for spec in target_specs:
        if spec.kind == "at_least":
            return UP
        if spec.kind == "at_most":
            return DOWN
        if spec.kind == "eliminate":
            return DOWN
        if spec.kind == "relative":
            if spec.relation in ("decrease", "not_increase"):
                return DOWN
            if spec.relation in ("increase", "not_decrease", "improve"):
                return UP
        if spec.water_class is not None:
            # Class Ⅰ is the best: a smaller class number is better.
            return DOWN
    compact = (name or "").replace(" ", "")
    if compact.endswith(_REDUCTION_SUFFIXES):
        return UP
    if any(word in compact for word in _LOWER_IS_BETTER):
        return DOWN
    numeric = [s for s in target_specs if s.kind in ("exact", "approx", "range", "cumulative")]
    if numeric and baseline is not None and baseline.number is not None:
        target = numeric[0].value if numeric[0].value is not None else numeric[0].high
        if target is not None and target < baseline.number:
            return DOWN
        return UP
    if numeric:
        return UP
    if target_specs and all(s.kind in ("qualitative", "none") for s in target_specs):
        return NONE if not _has_number(baseline) else UP
    return UP


def derive_value_type(name, unit, baseline, target_specs):
    """Water-quality classes and qualitative rows need a different entry widget than numbers."""
    if (baseline is not None and baseline.kind == "water_class") or any(
        s.water_class is not None for s in target_specs
    ):
        return WATER_CLASS
    unit_text = (unit or "").strip()
    if unit_text in ("", "—", "-", "/") and not _has_number(baseline) and all(
        s.kind in ("qualitative", "none") for s in target_specs
    ):
        return TEXT
    return NUMBER


def _has_number(parsed):
    return parsed is not None and parsed.number is not None


_RATE_WORDS = ("降低", "下降", "减少", "削减")


def is_rate_indicator(name, unit):
    """单位GDP能耗降低, 排放总量减少 …: a percentage reduction rate, reported for the year or
    cumulatively since the base year, and chained rather than added."""
    return (unit or "").strip() in ("%", "％") and any(word in (name or "") for word in _RATE_WORDS)
