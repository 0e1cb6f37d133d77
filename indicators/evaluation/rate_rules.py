"""The rules for 降低率 indicators (单位GDP能耗降低, 万元GDP用水量下降, 排放总量减少 …).

The bureau's reports are chained into a cumulative reduction since the base year once, when the
indicator is prepared (prepare._series); these rules read the point reached by the
data year. A numeric target is a five-year cumulative reduction, judged by the national
energy-saving assessment method; 持续下降 is judged by the average yearly reduction. No Django.
"""
from core.phrases import label, phrase, then
from indicators.evaluation import rates
from indicators.evaluation.formatting import format_number, format_percent
from indicators.evaluation.rules import (
    EPS,
    STATUS_LABELS,
    Outcome,
    fmt,
    progress_status,
    series_forecast,
    series_known,
    trend_status,
)


def rate_rule(p, index, year, tau, settings, steps):
    """降低率 against a cumulative target, by the national energy-saving assessment method."""
    known = series_known(p, index, steps)
    if not known:
        steps.append(phrase("nothing_to_chain"))
        return Outcome("no_data")
    cached = p.value_lines.get(("rate", known))
    if cached is None:
        cached = p.value_lines["rate", known] = _rate_point(p, p.series[known - 1])
    point_year, achieved, reported, progress, needed, met, lines, needed_line, texts = cached
    achieved_text, target_text, progress_text = texts
    steps.extend(lines)
    final = year >= p.milestone
    if final:
        needed = None  # a final evaluation has no years left to make up
    elif needed_line:
        steps.append(needed_line)
    target = p.threshold
    if met:
        status, reason = "met", phrase("rate_reason_met", achieved=achieved_text, target=target_text)
    elif progress is None:
        status, reason = "behind", phrase("rate_reason_invalid")
    else:
        status = progress_status(progress, tau)
        reason = phrase("rate_reason_progress", achieved=achieved_text, target=target_text, progress=progress_text,
                        op="≥" if status == "on_track" else "<", tau=f"{tau:.2f}")
    steps.append(then(phrase("rate_line", target=p.raw, reason=reason), STATUS_LABELS[status]))
    projected, likely = series_forecast(p, known, year, lambda v: v >= target - EPS, steps)
    return Outcome(status, progress, reported, point_year, cumulative=achieved, needed=needed,
                   forecast=projected, forecast_status=likely)


def _rate_point(p, point):
    """What a cumulative reduction says against the target, independent of τ and the settings.

    Besides the log progress ln(1−R_k)/ln(1−R) it prints the cumulative reduction R_k and R_k/R,
    the share of the target reduction as Chinese reports print it."""
    point_year, achieved, point_index, how = point
    target = p.threshold
    lines = [how]
    met = achieved >= target - EPS if p.op == "ge" else achieved > target + EPS
    progress = rates.rate_progress(achieved / 100, target / 100)
    achieved_text = format_number(achieved, 2)
    if progress is not None:
        lines.append(phrase("rate_progress", achieved=achieved_text, target=fmt(target), progress=fmt(progress)))
    if target > EPS:
        lines.append(phrase("rate_share", achieved=achieved_text, target=fmt(target),
                            share=format_percent(achieved / target, 1)))
    years_left = p.milestone - point_year
    needed = rates.needed_yearly_rate(achieved / 100, target / 100, years_left)
    needed = None if needed is None else max(needed, 0.0) * 100
    needed_line = (phrase("rate_needed", years=years_left, rate=format_number(needed, 2))
                   if needed is not None and not met else None)
    return (point_year, achieved, p.observations[point_index].number, progress, needed, met, tuple(lines),
            needed_line, (achieved_text, fmt(target), fmt(progress)))


def rate_trend_rule(p, index, year, tau, settings, steps):
    """持续下降 on a 降低率 indicator: the average yearly reduction since the base year is the trend."""
    known = series_known(p, index, steps)
    if not known:
        steps.append(phrase("nothing_to_chain"))
        return Outcome("no_data")
    point_year, achieved, point_index, how = p.series[known - 1]
    previous = p.series[known - 2][1] if known > 1 else 0.0
    average = rates.average_yearly_rate(achieved / 100, point_year - p.base_year)
    steps.append(how)
    steps.append(phrase("rate_average", achieved=format_number(achieved, 2), years=point_year - p.base_year,
                        rate=fmt(None if average is None else average * 100)))
    if average is None:
        trend = rates.TREND_REACHED if achieved >= 100 - EPS else None
        status = "met" if trend else "needs_judgement"
    else:
        trend = rates.trend_class(average, settings.trend_good, settings.trend_slow)
        status = trend_status(trend, achieved >= previous - EPS)
    steps.append(phrase("rate_trend_line", target=p.raw, trend=label(rates.TREND_LABELS.get(trend, "无法判断")),
                        rebound=label("未反弹" if achieved >= previous - EPS else "反弹"),
                        status=label(STATUS_LABELS[status])))
    return Outcome(status, None, p.observations[point_index].number, point_year, trend=trend,
                   cumulative=achieved)
