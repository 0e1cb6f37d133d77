"""Which way is better for an indicator, and what kind of value it takes.

Pure functions over the parsed target specs and baseline (see `targets.py`); no Django imports.
Both results are stored on the indicator and an administrator may override the direction.
"""

UP, DOWN, NONE = "up", "down", "none"
NUMBER, WATER_CLASS, TEXT = "number", "water_class", "text"

# A name ending in one of these measures a reduction achieved: more reduction is better.
_REDUCTION_SUFFIXES = ("降低", "下降", "减少", "削减", "减排", "降幅", "下降率", "降低率")
# Totals under 总量控制: a bare number is a ceiling even where it lies above the baseline
# (绛县 24 用水总量 6200 → 8600), so the number does not make more water better.
_CAPS = ("用水总量", "能耗总量", "煤炭消费", "排放量", "排放总量", "消耗量", "能源消费总量")
# Quantities where less is better (concentrations, shares of bad water, damage rates, caps). They
# decide only where the target does not: 较大面积农村黑臭水体整治率 38.57 → 100 is a rise.
_LOWER_IS_BETTER = (
    "浓度", "劣Ⅴ", "劣V", "黑臭", "受害率", "成灾率", "用水总量", "Ⅴ类水", "V类水", "重污染",
    "排放量", "消耗量", "能耗总量", "煤炭消费", "发生率", "超标",
)


def derive_direction(name, unit, baseline, target_specs):
    """Derive the direction from the target first, then the name.

    In order: the target's words (≥ / ≤ / 消除 / 持续下降 / a water class); a reduction rate
    (单位GDP能耗降低, 用水量降幅: more reduction is better); a 总量 under a cap; a numeric target
    (exact, 约, range) on the other side of a numeric baseline — 38.57 → 100 is a rise whatever
    words the name holds; only then the name's words (浓度, 黑臭 …), and last a numeric target
    against the baseline when the two are equal or there is no baseline."""
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
    if compact.endswith(_REDUCTION_SUFFIXES) or is_rate_indicator(name, unit):
        return UP
    if any(word in compact for word in _CAPS):
        return DOWN
    by_target = target_direction(baseline, target_specs)
    if by_target is not None:
        return by_target
    if any(word in compact for word in _LOWER_IS_BETTER):
        return DOWN
    numeric = [s for s in target_specs if s.kind in ("exact", "approx", "range", "cumulative")]
    if numeric:
        return UP
    if target_specs and all(s.kind in ("qualitative", "none") for s in target_specs):
        return NONE if not _has_number(baseline) else UP
    return UP


def target_direction(baseline, target_specs):
    """UP or DOWN where a numeric target (exact, 约, range) lies on one side of a numeric baseline;
    None where it does not decide (no number, equal to the baseline, a 〔五年累计〕 figure)."""
    if baseline is None or baseline.number is None:
        return None
    for spec in target_specs:
        if spec.kind in ("exact", "approx"):
            if spec.value is not None and spec.value != baseline.number:
                return UP if spec.value > baseline.number else DOWN
        elif spec.kind == "range" and spec.low is not None and spec.high is not None:
            if baseline.number < spec.low:
                return UP
            if baseline.number > spec.high:
                return DOWN
    return None


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


_RATE_WORDS = ("降低", "下降", "减少", "削减", "降幅")


def is_rate_indicator(name, unit):
    """单位GDP能耗降低, 排放总量减少, 用水量降幅 / 下降率 …: a percentage reduction rate, reported
    for the year or cumulatively since the base year, and chained rather than added."""
    return (unit or "").strip() in ("%", "％") and any(word in (name or "") for word in _RATE_WORDS)
