"""The rule each kind of target applies to decide an indicator-year's status (see the package docstring).

Each rule gets the indicator as prepared once by prepare.py (floats, a threshold and a
better direction, sorted observations, chained rates), the index of the latest approved value,
the data year, 序时进度 τ and the settings. It returns an `Outcome` and appends its reasoning to
`steps`; `evaluate()` in __init__.py then applies reviewers' judgements and the milestone year. No Django.
"""
from typing import NamedTuple

from core.phrases import Joined, label, phrase, then
from indicators.evaluation import rates
from indicators.evaluation.formatting import format_number
from indicators.plans.targets import WATER_CLASS_NAMES

STATUSES = ("met", "not_met", "on_track", "behind", "regressing", "awaiting_target", "needs_judgement",
            "no_data", "incomplete")
STATUS_LABELS = {"met": "已完成", "not_met": "未完成", "on_track": "符合序时进度", "behind": "滞后",
                 "regressing": "逆向", "awaiting_target": "待下达", "needs_judgement": "待评价", "no_data": "无数据",
                 # a shared-target group (共用目标) where some rows reported and some did not
                 "incomplete": "数据不全"}
EPS = 1e-9  # float noise when comparing numbers that came from Decimals
UP, DOWN = "up", "down"
_OPS = {"ge": ("≥", "<"), "gt": (">", "≤"), "le": ("≤", ">"), "lt": ("<", "≥")}


class Outcome(NamedTuple):
    status: str
    completion: float | None = None
    value: object = None             # Decimal as reported, a water class number, or None
    value_year: int | None = None
    trend: str | None = None
    cumulative: float | None = None  # cumulative change since the base year, in the indicator's unit
    needed: float | None = None      # average yearly rate still needed, in percent
    forecast: float | None = None
    forecast_status: str | None = None


# --- helpers used per year --------------------------------------------------------------------

def fmt(number):
    """A computed number for display: two decimals (three below 1), trailing zeros dropped."""
    return format_number(number)


def number_text(number):
    """A Decimal as written, without the trailing zeros a DecimalField adds (36.700000 → 36.7)."""
    return format_number(number)


def shown(observation):
    if observation.number is not None:
        return number_text(observation.number)
    if observation.water_class is not None:
        return label(WATER_CLASS_NAMES.get(observation.water_class, str(observation.water_class)))
    return phrase("quoted", text=observation.text.strip() or "—")


def satisfies(op, value, threshold, better, tolerance):
    if op == "ge":
        return value >= threshold - EPS
    if op == "gt":
        return value > threshold + EPS
    if op == "le":
        return value <= threshold + EPS
    if op == "lt":
        return value < threshold - EPS
    # approx: within the tolerance, or beyond the target in the better direction
    if abs(value - threshold) <= tolerance * abs(threshold) + EPS:
        return True
    return value > threshold if better == UP else value < threshold


def _compare(op, value_text, threshold_text, met, tolerance):
    if op == "approx":
        return phrase("compare_approx_met" if met else "compare_approx_not_met", value=value_text,
                      threshold=threshold_text, tolerance=f"{tolerance * 100:g}")
    return phrase("compare", value=value_text, op=_OPS[op][0 if met else 1], threshold=threshold_text)


def progress_status(completion, tau):
    if completion >= tau - EPS:
        return "on_track"
    return "behind" if completion >= 0 else "regressing"


def _worse(value, reference, better):
    return value < reference - EPS if better == UP else value > reference + EPS


def _reference(p, index):
    """(number, year, text) the change is measured from: the baseline, or — where the plan printed
    none (—, /, 断流) — the earliest approved number in the plan period up to `index`."""
    if p.baseline is not None:
        return p.baseline, p.baseline_year, p.baseline_text
    numbers = p.numbers
    for i in range(index + 1):
        if numbers[i] is not None:
            return numbers[i], p.observations[i].year, p.texts[i]
    return None, None, None


def forecast(p, index, year, reference, reference_year, reference_text, predicate, steps):
    """预计: the least-squares line through the reference point and the approved numbers up to
    observation `index`, read at the milestone year."""
    if year >= p.milestone:
        return None, None
    table = p.projections.get(reference_year)
    if table is None:
        table = _value_projections(p, reference, reference_year, reference_text)
        p.projections[reference_year] = table
    return _announce(table[index], predicate, steps)


def _value_projections(p, reference, reference_year, reference_text):
    """[(projected, description)] per observation index, all computed in one pass."""
    points = [(reference_year, reference, reference_text)] if reference is not None else []
    position = []  # observation index → number of points known by then
    for year, number, text in zip([o.year for o in p.observations], p.numbers, p.texts):
        if number is not None and (reference_year is None or year > reference_year):
            points.append((year, number, text))
        position.append(len(points) - 1)
    lines = _lines(p, points, "")
    return [lines[k] if k >= 0 else (None, None, None) for k in position]


def _lines(p, points, what):
    """[(projected, description, its two announcements)] for each leading run of `points` (x, y, text)."""
    projections = rates.prefix_extrapolations([(x, y) for x, y, _ in points], p.milestone)
    lines, shown = [], []
    key = "forecast_cumulative" if what else "forecast"
    for (x, _, text), projected in zip(points, projections):
        shown.append(phrase("point", year=x, value=text))
        lines.append((projected, projected is not None and
                      phrase(key, points=Joined(shown), year=p.milestone, value=fmt(projected)), [None, None]))
    return lines


def _announce(line, predicate, steps):
    projected, text, announced = line
    if projected is None:
        return None, None
    likely = predicate(projected)
    # The same line is announced in every year that reads this point: written once for each outcome.
    step = announced[likely]
    if step is None:
        step = announced[likely] = then(text, "预计可完成" if likely else "预计难以完成")
    steps.append(step)
    return projected, ("likely" if likely else "unlikely")


# --- the rules ----------------------------------------------------------------------------------

# Lines without a figure, one phrase for every indicator-year that says them.
_AWAITING = then(phrase("awaiting"), STATUS_LABELS["awaiting_target"])
_SINGLE_VALUE = then(phrase("single_value"), STATUS_LABELS["needs_judgement"])
_NO_START = then(phrase("no_start"), STATUS_LABELS["needs_judgement"])

def awaiting_rule(p, index, year, tau, settings, steps):
    steps.append(_AWAITING)
    if index < 0:
        return Outcome("awaiting_target")
    observation = p.observations[index]
    return Outcome("awaiting_target", value=observation.number, value_year=observation.year)


def judgement_rule(p, index, year, tau, settings, steps):
    observation = p.observations[index]
    steps.append(phrase("qualitative"))
    return Outcome("needs_judgement", value=observation.number, value_year=observation.year)


def _needs_number(observation, steps):
    steps.append(then(phrase("not_comparable", value=shown(observation)), STATUS_LABELS["needs_judgement"]))
    value = observation.number if observation.number is not None else observation.water_class
    return Outcome("needs_judgement", value=value, value_year=observation.year)


def threshold_rule(p, index, year, tau, settings, steps):
    """Numbers against a threshold (exact with direction, ≥, ≤, range, 约, 消除, 〔x〕, assigned)."""
    if p.series:
        return _cumulative_threshold(p, index, year, tau, settings, steps)
    observation = p.observations[index]
    value = p.numbers[index]
    if value is None:
        return _needs_number(observation, steps)
    start, start_year, start_text = _reference(p, index)
    if p.baseline is None and start is not None:
        steps.append(phrase("start_from_value", year=start_year, value=start_text))
    status, completion = _judge_threshold(p, value, p.texts[index], start, start_text, tau, settings, steps)
    tolerance = settings.approx_tolerance
    projected, likely = forecast(p, index, year, start, start_year, start_text,
                                 lambda v: satisfies(p.op, v, p.threshold, p.better, tolerance), steps)
    return Outcome(status, completion, observation.number, observation.year,
                   forecast=projected, forecast_status=likely)


def _cumulative_threshold(p, index, year, tau, settings, steps):
    """〔x〕 targets: the change since the base year, as reported or added up from yearly amounts."""
    known = series_known(p, index, steps)
    if not known:
        steps.append(phrase("nothing_to_add_up"))
        return Outcome("no_data")
    point_year, cumulative, point_index, how = p.series[known - 1]
    steps.append(how)
    status, completion = _judge_threshold(p, cumulative, fmt(cumulative), 0.0, "0", tau, settings, steps)
    tolerance = settings.approx_tolerance
    projected, likely = series_forecast(
        p, known, year, lambda v: satisfies(p.op, v, p.threshold, p.better, tolerance), steps)
    return Outcome(status, completion, p.observations[point_index].number, point_year, cumulative=cumulative,
                   forecast=projected, forecast_status=likely)


def _judge_threshold(p, value, value_text, start, start_text, tau, settings, steps):
    """(status, 完成进度) of a number against the prepared threshold, measured from `start`."""
    tolerance = settings.approx_tolerance
    # What does not depend on τ is worked out (and written) once per number, start and tolerance:
    # later years often judge the same latest value again.
    point = ("judge", value, value_text, start, start_text, tolerance)
    judged = p.value_lines.get(point)
    if judged is None:
        judged = p.value_lines[point] = _judge_point(p, value, value_text, start, start_text, tolerance)
    completion, completion_text, completion_line, comparison, fixed = judged
    if completion_line is not None:
        steps.append(completion_line)
    if fixed is not None:
        status, line = fixed
    else:
        status = progress_status(completion, tau)
        reason = phrase("reason_progress", completion=completion_text, op="≥" if status == "on_track" else "<",
                        tau=f"{tau:.2f}")
        line = then(phrase("rule_line", target=p.raw, comparison=comparison, reason=reason), STATUS_LABELS[status])
    steps.append(line)
    return status, completion


def _judge_point(p, value, value_text, start, start_text, tolerance):
    """(完成进度, its text, its line, the comparison, (status, rule line) unless the status depends on τ)."""
    threshold, threshold_text = p.threshold, p.threshold_text
    met = satisfies(p.op, value, threshold, p.better, tolerance)
    completion = completion_text = completion_line = None
    # A start that already meets the target leaves 完成进度 without meaning (its sign would flip).
    start_met = start is not None and satisfies(p.op, start, threshold, p.better, tolerance)
    if start is not None and not start_met and abs(threshold - start) > EPS:
        completion = (value - start) / (threshold - start)
        completion_text = format_number(completion, 2)  # never -0.00
        completion_line = phrase("completion", value=value_text, start=start_text, threshold=threshold_text,
                                 completion=completion_text)
    comparison = _compare(p.op, value_text, threshold_text, met, tolerance)
    if met:
        status, reason = "met", phrase("reason_met")
    elif start is None:
        status, reason = "behind", phrase("reason_no_start")
    elif start_met:
        status, reason = "regressing", phrase("reason_start_met", start=start_text)
    elif completion is None:
        status = "regressing" if _worse(value, start, p.better) else "behind"
        reason = phrase("reason_no_completion")
    else:
        return completion, completion_text, completion_line, comparison, None
    line = then(phrase("rule_line", target=p.raw, comparison=comparison, reason=reason), STATUS_LABELS[status])
    return completion, completion_text, completion_line, comparison, (status, line)


def series_known(p, index, steps):
    """How many cumulative points are known by observation `index`; says so when later reports
    could not be chained on (a year missing)."""
    known, year = 0, p.observations[index].year
    for point in p.series:
        if point[0] > year:
            break
        known += 1
    if known and p.series[known - 1][0] < year:
        steps.append(phrase("series_gap", year=p.series[known - 1][0] + 1))
    return known


def series_forecast(p, known, year, predicate, steps):
    """预计 for cumulative figures: the line through (base year, 0) and the `known` cumulative points."""
    if year >= p.milestone:
        return None, None
    table = p.projections.get("series")
    if table is None:
        points = [(p.base_year, 0.0, "0")] + [(y, c, fmt(c)) for y, c, _, _ in p.series]
        table = p.projections["series"] = _lines(p, points, "累计值")
    return _announce(table[known], predicate, steps)


def trend_status(trend, not_worse_than_previous):
    if trend == rates.TREND_GOOD:
        return "met" if not_worse_than_previous else "on_track"
    return "behind" if trend == rates.TREND_SLOW else "regressing"


def trend_rule(p, index, year, tau, settings, steps):
    """持续下降 / 持续增长 / 持续改善: the compound annual change since the base year."""
    observation, value = p.observations[index], p.numbers[index]
    if value is None:
        return _needs_number(observation, steps)
    start, start_year, start_text = _reference(p, index - 1)
    if start is None or start_year >= observation.year:
        steps.append(_SINGLE_VALUE)
        return Outcome("needs_judgement", value=observation.number, value_year=observation.year)
    previous = next((p.numbers[i] for i in range(index - 1, -1, -1)
                     if p.numbers[i] is not None and p.observations[i].year > start_year), start)
    better = p.better
    rate = rates.compound_annual_change(start, value, observation.year - start_year, better)
    ceiling = p.ceiling

    def reached(number):  # a decrease at zero, a rise at its ceiling: nothing left to gain
        if better == DOWN:
            return number <= EPS
        return ceiling is not None and number >= ceiling - EPS

    if reached(value):
        trend, status = rates.TREND_REACHED, "met"
        steps.append(then(phrase("trend_reached_zero" if better == DOWN else "trend_reached_ceiling", target=p.raw,
                                 value=p.texts[index]), STATUS_LABELS["met"]))
    else:
        trend = rates.trend_class(rate, settings.trend_good, settings.trend_slow)
        not_worse = not _worse(value, previous, better)
        status = trend_status(trend, not_worse)
        steps.append(then(phrase("trend_down" if better == DOWN else "trend_up", target=p.raw, start_year=start_year,
                                 start=start_text, year=observation.year, value=p.texts[index], rate=fmt(rate * 100),
                                 trend=label(rates.TREND_LABELS[trend]), previous=fmt(previous),
                                 change=label("未变差" if not_worse else "变差")), STATUS_LABELS[status]))
    years_to_go = p.milestone - start_year

    def likely(projected):
        if reached(projected):
            return True
        change = rates.compound_annual_change(start, projected, years_to_go, better)
        return change is not None and change >= settings.trend_good

    projected, forecast_status = forecast(p, index, year, start, start_year, start_text, likely, steps)
    return Outcome(status, None, observation.number, observation.year, trend=trend,
                   forecast=projected, forecast_status=forecast_status)


def relation_rule(p, index, year, tau, settings, steps):
    """不减少 / 不增加 / 保持稳定: the value against the baseline."""
    observation, value = p.observations[index], p.numbers[index]
    if value is None:
        return _needs_number(observation, steps)
    start, start_year, start_text = _reference(p, index - 1)
    if start is None or start_year >= observation.year:
        steps.append(_NO_START)
        return Outcome("needs_judgement", value=observation.number, value_year=observation.year)
    tolerance = settings.stable_tolerance

    def holds(candidate):
        if p.relation == "not_decrease":
            return candidate >= start - EPS
        if p.relation == "not_increase":
            return candidate <= start + EPS
        within = abs(candidate - start) <= tolerance * abs(start) + EPS
        return within or (p.better is not None and _worse(start, candidate, p.better))

    met = holds(value)
    status = "met" if met else "regressing"
    steps.append(then(phrase("relation_met" if met else "relation_not_met", target=p.raw, value=p.texts[index],
                             start=start_text, year=start_year), STATUS_LABELS[status]))
    projected, likely = forecast(p, index, year, start, start_year, start_text, holds, steps)
    return Outcome(status, None, observation.number, observation.year,
                   forecast=projected, forecast_status=likely)


def class_rule(p, index, year, tau, settings, steps):
    """Water-quality classes: compare class numbers (smaller is better); no 完成进度."""
    observation = p.observations[index]
    value = observation.water_class
    if value is None:
        return _needs_number(observation, steps)
    start = p.baseline_class
    name = label(WATER_CLASS_NAMES.get(value, str(value)))
    if p.threshold is not None:
        met = satisfies(p.op, value, p.threshold, DOWN, 0.0)
        target_name = label(WATER_CLASS_NAMES.get(p.threshold, str(p.threshold)))
        rule = phrase("class_compare", value=name, op=_OPS[p.op][0 if met else 1], target=target_name)
    elif p.relation in ("decrease", "increase", "improve"):
        met = start is not None and (value < start or value == 1)
        rule = phrase("class_better" if met else "class_not_better", value=name)
    else:
        met = start is not None and value <= start
        rule = phrase("class_not_worse" if met else "class_worse", value=name)
    if met:
        status = "met"
    else:
        status = "regressing" if start is not None and value > start else "behind"
    steps.append(phrase("class_line_status", target=p.raw, rule=rule, status=label(STATUS_LABELS[status])))
    return Outcome(status, None, value, observation.year)

