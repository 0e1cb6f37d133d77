"""Everything about an indicator's evaluation that does not depend on the data year, done once.

`prepare(facts)` reads the target into a rule, a threshold and a better direction, converts the
numbers to floats, sorts the observations, chains rate reports into cumulative ones and writes
the fixed explanation lines, so that evaluating a year is a few comparisons and f-strings.
IndicatorFacts caches the result. No Django.
"""
from decimal import Decimal
from operator import attrgetter

from core.phrases import Joined, label, phrase
from indicators.evaluation import rates
from indicators.evaluation.formatting import format_number, format_reported
from indicators.evaluation.rate_rules import rate_rule, rate_trend_rule
from indicators.evaluation.rules import (
    DOWN,
    UP,
    awaiting_rule,
    class_rule,
    fmt,
    judgement_rule,
    number_text,
    relation_rule,
    shown,
    threshold_rule,
    trend_rule,
)
from indicators.plans.targets import WATER_CLASS_NAMES

_BETTER_WORDS = {UP: "越大越好", DOWN: "越小越好"}
_BY_YEAR = attrgetter("year")


class Prepared:
    """What an indicator's facts say independently of the data year (built once, then cached)."""
    __slots__ = ("rule", "key", "binding", "base_year", "milestone", "observations", "numbers", "texts",
                 "baseline", "baseline_year", "baseline_text", "baseline_class", "header", "threshold",
                 "threshold_text", "op", "better", "raw", "relation", "ceiling", "series", "projections",
                 "value_lines")

    def value_line(self, index, stale):
        """当前值 line for observation `index`, formatted once per indicator."""
        line = self.value_lines.get((index, stale))
        if line is None:
            observation = self.observations[index]
            line = self.value_lines[index, stale] = phrase(
                "current_value_stale" if stale else "current_value", value=self.texts[index], year=observation.year)
        return line


def prepare(facts) -> Prepared:
    p = Prepared()
    p.key, p.binding = facts.key, facts.binding
    p.projections, p.value_lines = {}, {}  # per-year lines that do not depend on the settings
    p.base_year, p.milestone = facts.base_year, facts.milestone_year
    # Values before the base year belong to the previous plan period.
    base_year = facts.base_year
    p.observations = observations = tuple(sorted([o for o in facts.observations if o.year >= base_year],
                                                 key=_BY_YEAR))
    p.numbers = tuple([None if o.number is None else float(o.number) for o in observations])
    p.texts = tuple([shown(o) for o in observations])
    baseline = facts.baseline
    p.baseline_year = facts.baseline_year or facts.base_year
    p.baseline = float(baseline.number) if baseline.number is not None else None
    p.baseline_text = format(baseline.number, "f") if baseline.number is not None else None
    p.baseline_class = baseline.water_class
    target, direction = facts.target, facts.direction
    p.raw, p.relation, p.series = target.raw.strip(), target.relation, ()
    p.ceiling = None if facts.ceiling is None else float(facts.ceiling)
    p.threshold = p.threshold_text = p.op = None
    p.better = direction if direction in (UP, DOWN) else None
    target_words = target.describe()
    kind = target.kind
    # A target written as a reduction (下降18%, 较2020年降低x%) makes the indicator a 降低率 whatever its name.
    is_rate = facts.is_rate or target.reduction
    if kind == "assigned" and facts.assigned_value is not None:
        assigned = facts.assigned_value
        target_words = phrase("target_assigned_number", level=target_words.params["level"],
                              number=number_text(assigned))
        p.raw = phrase("raw_with_number", raw=p.raw, number=number_text(assigned))  # rule lines name the number applied
        if is_rate:
            _prepare_rate(p, facts, float(assigned), "ge")
        else:
            p.better = p.better or UP
            _set_threshold(p, assigned, "ge" if p.better == UP else "le")
    elif kind == "assigned":
        p.rule = awaiting_rule
    elif kind in ("qualitative", "none") or facts.value_type == "text":
        p.rule = judgement_rule
    elif target.water_class is not None or (kind == "relative" and facts.value_type == "water_class"):
        _prepare_class(p, facts)
    elif kind == "relative":
        if target.relation in ("decrease", "increase", "improve"):
            if is_rate:
                _prepare_rate(p, facts, None, None)
                p.rule = rate_trend_rule
            else:
                p.better = {"decrease": DOWN, "increase": UP}.get(target.relation, p.better or UP)
                p.rule = trend_rule
        else:
            p.better = {"not_decrease": UP, "not_increase": DOWN}.get(target.relation, p.better)
            p.rule = relation_rule
    elif is_rate and kind != "at_most" and kind != "eliminate":
        _prepare_rate(p, facts, float(target.low if kind == "range" else target.value),
                      "gt" if target.strict else "ge")
    else:
        _prepare_threshold(p, facts)
    if p.rule is class_rule:
        better_words = "水质类别越小越好"
    elif p.rule in (rate_rule, rate_trend_rule):
        better_words = "降低率越大越好"
    else:
        better_words = _BETTER_WORDS.get(p.better, "方向未定")
    p.header = (_baseline_line(p, baseline, is_rate),
                phrase("target_line", milestone=p.milestone, target=target_words, raw=target.raw.strip() or "—",
                       better=label(better_words)))
    return p


def _set_threshold(p, threshold, op):
    p.rule, p.threshold, p.op = threshold_rule, float(threshold), op
    p.threshold_text = number_text(threshold)  # the Decimal as printed in the plan


def _prepare_threshold(p, facts):
    target, baseline = facts.target, p.baseline
    kind, strict = target.kind, target.strict
    if kind == "at_least":
        p.better = UP
        _set_threshold(p, target.value, "gt" if strict else "ge")
    elif kind == "at_most":
        p.better = DOWN
        _set_threshold(p, target.value, "lt" if strict else "le")
    elif kind == "eliminate":
        p.better = DOWN
        _set_threshold(p, Decimal(0), "le")
    elif kind == "range":
        low, high = target.low, target.high
        # The end nearer the baseline is enough: rising into 8-10 needs 8, falling into it needs 10.
        if baseline is not None and baseline >= high:
            p.better = DOWN
        elif baseline is not None and baseline <= low:
            p.better = UP
        else:
            p.better = p.better or UP
        _set_threshold(p, low if p.better == UP else high, "ge" if p.better == UP else "le")
    else:  # exact / approx / cumulative: the indicator's direction says which side is good
        threshold = target.value
        start = 0.0 if kind == "cumulative" else baseline
        if p.better is None:
            p.better = DOWN if start is not None and threshold < start else UP
        op = "approx" if kind == "approx" else ("ge" if p.better == UP else "le")
        _set_threshold(p, threshold, op)
        if kind == "cumulative":
            # 〔x〕: the bureau reports the change since the base year; yearly amounts are added up.
            p.series = _series(p, chained=False, default_mode=rates.CUMULATIVE, unit="")


def _prepare_rate(p, facts, target_percent, op):
    p.rule, p.better, p.op = rate_rule, UP, op
    p.threshold = target_percent
    p.series = _series(p, chained=True, default_mode=rates.YEARLY, unit="%")


def _prepare_class(p, facts):
    target = facts.target
    p.rule, p.better = class_rule, DOWN
    if target.water_class is not None:
        # Class numbers: 达到或优于Ⅲ类 (at_least) is "number ≤ 3"; Ⅲ类或更差 (at_most) is "≥ 3".
        p.threshold = target.water_class
        if target.kind == "at_most":
            p.op = "gt" if target.strict else "ge"
        else:
            p.op = "lt" if target.strict else "le"


def _series(p, chained, default_mode, unit):
    """[(year, cumulative, observation index, explanation line)] — see rates.cumulative_series.

    The line lists the reports since the last cumulative one and the formula that combines them."""
    reports = [(o.year, None if n is None else (n / 100 if chained else n), o.rate_mode)
               for o, n in zip(p.observations, p.numbers)]
    index = {o.year: i for i, o in enumerate(p.observations)}
    series, previous, segment, terms = [], {p.base_year: 0.0}, [], []
    unit_text = unit
    for year, cumulative in rates.cumulative_series(reports, p.base_year, chained, default_mode):
        observation = p.observations[index[year]]
        figure = format_reported(observation.number)  # as reported, not the column's 3.000000
        yearly = (observation.rate_mode or default_mode) != rates.CUMULATIVE
        if not yearly:
            if chained and previous.get(year - 1) is not None:
                own = rates.yearly_from_cumulative(previous[year - 1], cumulative)
                segment = [phrase("series_cumulative_own", year=year, figure=figure + unit_text, own=fmt(own * 100))]
            else:
                segment = [phrase("series_cumulative", year=year, figure=figure + unit_text)]
            terms = [figure]
        else:
            segment.append(phrase("series_yearly", year=year, figure=figure + unit_text))
            terms.append(figure)
        how = Joined(segment)
        if len(terms) > 1 or yearly:
            how = (phrase("series_chained", how=how, factors="".join(_factor(t) for t in terms)) if chained else
                   phrase("series_added", how=how, terms="+".join(terms)))
        previous[year] = cumulative
        if chained:
            line = phrase("series_rate", base_year=p.base_year, year=year, how=how,
                          result=format_number(cumulative * 100, 2))
        else:
            line = phrase("series_sum", base_year=p.base_year, how=how, result=fmt(cumulative))
        series.append((year, cumulative * (100 if chained else 1), index[year], line))
    return tuple(series)


def _factor(rate_text):
    """(1−1.5%) for a reduction, (1+1.0%) for a rise reported as −1.0."""
    return f"(1+{rate_text[1:]}%)" if rate_text.startswith("-") else f"(1−{rate_text}%)"


def _baseline_line(p, baseline, is_rate):
    if is_rate:
        if baseline.kind == "none":
            return phrase("baseline_rate_none", base_year=p.base_year)
        return phrase("baseline_rate_previous", raw=baseline.raw.strip(), year=p.baseline_year, base_year=p.base_year)
    if baseline.kind == "number":
        return phrase("baseline", value=format(baseline.number, "f"), year=p.baseline_year)
    if baseline.kind == "water_class":
        return phrase("baseline", value=label(WATER_CLASS_NAMES[baseline.water_class]), year=p.baseline_year)
    if baseline.kind == "text":
        return phrase("baseline_text", raw=baseline.raw.strip(), year=p.baseline_year)
    return phrase("baseline_none", year=p.baseline_year)
