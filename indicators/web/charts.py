"""Plotly figures of the indicator pages, built in Python in the site's chart style
(`core.charts`: layout, colours, config) and sent to the page as JSON data.

Every chart is returned with the rows of an accessible data table showing the same numbers.
"""
from dataclasses import dataclass, field

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.charts import Chart, figure_data, style
from core.figures import format_figure
from core.labels import bracketed, phrase
from core.labels import label as translated
from indicators.evaluation import STATUS_LABELS

STATUS_COLOURS = {
    "met": "#1a7f37", "on_track": "#2f80ed", "behind": "#b7791f", "regressing": "#c53030", "not_met": "#9b2c2c",
    "awaiting_target": "#6b46c1", "needs_judgement": "#805ad5", "no_data": "#718096", "incomplete": "#a0aec0",
}


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def indicator_progress(chart_id, indicator, base_year, baseline, values, target_lines, forecast=None):
    """Baseline, approved values (solid), pending values (hollow), target line or band, the
    straight path from baseline to target, and the forecast (dashed).

    `values`: [(year, number, approved)], `target_lines`: [(year, low, high, label)]."""
    fig = go.Figure()
    rows = []
    approved = [(y, n) for y, n, ok in values if ok and n is not None]
    pending = [(y, n) for y, n, ok in values if not ok and n is not None]
    if baseline is not None:
        series = [(base_year, baseline), *approved]
        fig.add_trace(go.Scatter(x=[y for y, _ in series], y=[n for _, n in series], mode="lines+markers",
                                 name=_("基期值及审定值"), line=dict(color="#0b6e4f", width=3), marker=dict(size=9)))
        rows.append([f"{base_year}", format_figure(baseline), _("基期值")])
    elif approved:
        fig.add_trace(go.Scatter(x=[y for y, _ in approved], y=[n for _, n in approved], mode="lines+markers",
                                 name=_("审定值"), line=dict(color="#0b6e4f", width=3)))
    if pending:
        fig.add_trace(go.Scatter(x=[y for y, _ in pending], y=[n for _, n in pending], mode="markers", name=_("待审核值"),
                                 marker=dict(size=10, symbol="circle-open", color="#0b6e4f", line=dict(width=2))))
    for year, number in approved:
        rows.append([f"{year}", format_figure(number), _("审定值")])
    for year, number in pending:
        rows.append([f"{year}", format_figure(number), _("待审核值（未计入评估）")])
    for year, low, high, label in target_lines:
        if low is not None and high is not None and low != high:
            fig.add_trace(go.Scatter(x=[base_year, year, year, base_year], y=[low, low, high, high], fill="toself",
                                     fillcolor="rgba(47,128,237,0.12)", line=dict(width=0), name=_("目标区间 %(target)s") % {"target": label},
                                     hoverinfo="name"))
        threshold = low if low is not None else high
        if threshold is None:
            continue
        fig.add_trace(go.Scatter(x=[year], y=[threshold], mode="markers", name=_("%(year)s年目标 %(target)s") % {"year": year, "target": label},
                                 marker=dict(symbol="star", size=14, color="#2f80ed")))
        rows.append([f"{year}", label, _("目标")])
        if baseline is not None:
            fig.add_trace(go.Scatter(x=[base_year, year], y=[baseline, threshold], mode="lines", name=_("序时路径"),
                                     line=dict(color="#9aa5b1", dash="dot")))
    if forecast is not None and forecast[1] is not None:
        start_year, start_value = approved[-1] if approved else (base_year, baseline)
        if start_value is not None:
            fig.add_trace(go.Scatter(x=[start_year, forecast[0]], y=[start_value, forecast[1]], mode="lines+markers",
                                     name=_("预计"), line=dict(color="#b7791f", dash="dash")))
            rows.append([f"{forecast[0]}", format_figure(forecast[1], 2), _("预计值（线性趋势）")])
    style(fig, bracketed(indicator.name, indicator.unit))
    fig.update_xaxes(dtick=1, tickformat="d")
    rows.sort(key=lambda r: r[0])
    return Chart(chart_id, indicator.name, figure_data(fig), [_("年份"), _("数值"), _("说明")], rows)


# Five-year plans are numbered in five-year steps from the third (1966–1970): the 14th is 2021–2025.
_FIVE_YEAR_PLANS = {
    13: gettext_lazy("十三五"), 14: gettext_lazy("十四五"), 15: gettext_lazy("十五五"),
    16: gettext_lazy("十六五"), 17: gettext_lazy("十七五"), 18: gettext_lazy("十八五"),
}


def plan_label(first_year, final_year):
    """A plan's short name from its years: 十四五 for 2021–2025, else 2024—2035年规划."""
    offset = first_year - 1966
    if final_year == first_year + 4 and offset >= 0 and offset % 5 == 0 and offset // 5 + 3 in _FIVE_YEAR_PLANS:
        return str(_FIVE_YEAR_PLANS[offset // 5 + 3])
    return _("%(first)s—%(final)s年规划") % {"first": first_year, "final": final_year}


@dataclass
class PlanSeries:
    """One plan's part of an indicator followed across plans, as plain numbers."""
    label: str                 # plan_label(): 十四五
    base_year: int             # the year of the printed baseline
    first_year: int            # the plan's first year
    baseline: float | None     # the printed baseline, when a number
    values: list = field(default_factory=list)    # [(year, number, approved)]
    targets: list = field(default_factory=list)   # [(year, low, high, label)]


_PLAN_COLOURS = ("#7b8794", "#2f80ed")   # the earlier plan's targets muted, the current plan's in colour


def indicator_across_plans(chart_id, name, unit, earlier, later, forecast=None):
    """One indicator over two plans (十四五 → 十五五): the earlier plan's baseline and the approved
    values of both plans as one line, the later plan's printed baseline, pending values (hollow),
    each plan's targets as markers labelled with the plan, the later plan's path to its target,
    the forecast, and the plan boundary as a dashed vertical line.

    `earlier`, `later`: PlanSeries; `forecast`: (year, number) or None."""
    fig = go.Figure()
    line = [(earlier.base_year, earlier.baseline, earlier.label)] if earlier.baseline is not None else []
    seen = {year for year, _n, _l in line}
    for part in (earlier, later):
        for year, number, approved in sorted(part.values):
            if approved and number is not None and year not in seen:
                line.append((year, number, part.label))
                seen.add(year)
    line.sort(key=lambda point: point[0])
    if line:
        fig.add_trace(go.Scatter(
            x=[y for y, _n, _l in line], y=[n for _y, n, _l in line], text=[label for _y, _n, label in line],
            hovertemplate="%{x}: %{y} (%{text})<extra></extra>", mode="lines+markers",
            name=_("基期值及审定值（%(earlier)s至%(later)s）") % {"earlier": earlier.label, "later": later.label},
            line=dict(color="#0b6e4f", width=3), marker=dict(size=9)))
    pending = [(year, number, part.label) for part in (earlier, later) for year, number, approved in part.values
               if not approved and number is not None]
    if pending:
        fig.add_trace(go.Scatter(x=[y for y, _n, _l in pending], y=[n for _y, n, _l in pending], mode="markers",
                                 name=_("待审核值"), text=[label for _y, _n, label in pending],
                                 marker=dict(size=10, symbol="circle-open", color="#0b6e4f", line=dict(width=2))))
    if later.baseline is not None:
        fig.add_trace(go.Scatter(x=[later.base_year], y=[later.baseline], mode="markers",
                                 name=_("%(plan)s基期值 %(year)s") % {"plan": later.label, "year": later.base_year},
                                 marker=dict(size=11, symbol="diamond-open", color="#0b6e4f", line=dict(width=2))))
    for part, colour in zip((earlier, later), _PLAN_COLOURS):
        for year, low, high, label in sorted(part.targets):
            threshold = low if low is not None else high
            if threshold is None:
                continue
            spread = dict(type="data", symmetric=False, array=[high - low], arrayminus=[0], color=colour) \
                if low is not None and high is not None and high != low else None
            fig.add_trace(go.Scatter(x=[year], y=[threshold], mode="markers", text=[label], error_y=spread,
                                     name=_("%(plan)s目标 %(year)s") % {"plan": part.label, "year": year},
                                     hovertemplate="%{x}: %{text}<extra></extra>",
                                     marker=dict(symbol="star", size=14, color=colour)))
    start = later.baseline if later.baseline is not None else None
    reachable = [(y, low if low is not None else high) for y, low, high, _l in sorted(later.targets)
                 if low is not None or high is not None]
    if start is not None and reachable:
        fig.add_trace(go.Scatter(x=[later.base_year, reachable[0][0]], y=[start, reachable[0][1]], mode="lines",
                                 name=_("序时路径"), line=dict(color="#9aa5b1", dash="dot")))
    later_approved = [(y, n) for y, n, ok in sorted(later.values) if ok and n is not None]
    if forecast is not None and forecast[1] is not None:
        from_year, from_value = later_approved[-1] if later_approved else (later.base_year, later.baseline)
        if from_value is not None:
            fig.add_trace(go.Scatter(x=[from_year, forecast[0]], y=[from_value, forecast[1]], mode="lines+markers",
                                     name=_("预计"), line=dict(color="#b7791f", dash="dash")))
    boundary = _("%(year)s 起新规划") % {"year": later.first_year}
    fig.add_shape(type="line", xref="x", yref="paper", x0=later.first_year - 0.5, x1=later.first_year - 0.5, y0=0, y1=1,
                  line=dict(color="#52606d", width=1.5, dash="dash"), name="plan-boundary")
    fig.add_annotation(x=later.first_year - 0.5, y=1, xref="x", yref="paper", text=boundary, showarrow=False,
                       xanchor="left", yanchor="bottom", font=dict(size=12, color="#52606d"))
    style(fig, bracketed(name, unit), height=400)
    fig.update_xaxes(dtick=1, tickformat="d")

    rows = []
    for index, part in enumerate((earlier, later)):
        own = []
        if index == 1:
            own.append((float("-inf"), [f"{part.first_year}", part.label, "—", boundary]))
        if part.baseline is not None:
            own.append((part.base_year, [f"{part.base_year}", part.label, format_figure(part.baseline), _("基期值")]))
        for year, number, approved in part.values:
            if number is not None:
                own.append((year, [f"{year}", part.label, format_figure(number),
                                   _("审定值") if approved else _("待审核值（未计入评估）")]))
        for year, low, high, label in part.targets:
            if low is not None or high is not None:
                own.append((year + 0.1, [f"{year}", part.label, label, _("目标")]))
        if index == 1 and forecast is not None and forecast[1] is not None:
            own.append((forecast[0] + 0.2, [f"{forecast[0]}", part.label, format_figure(forecast[1], 2), _("预计值（线性趋势）")]))
        rows += [row for _key, row in sorted(own, key=lambda item: item[0])]
    return Chart(chart_id, name, figure_data(fig), [_("年份"), pgettext("chart column", "规划"), _("数值"), _("说明")], rows)


def status_distribution(chart_id, counts, title=None):
    """A bar per status, coloured and labelled (the label carries the meaning, not the colour)."""
    title = title or _("指标状态分布")
    codes = [c for c in STATUS_LABELS if counts.get(c)]
    labels = [translated(STATUS_LABELS[c]) for c in codes]
    fig = go.Figure(go.Bar(x=labels, y=[counts[c] for c in codes], marker_color=[STATUS_COLOURS[c] for c in codes],
                           text=[counts[c] for c in codes], textposition="auto"))
    style(fig, title, height=300)
    return Chart(chart_id, title, figure_data(fig), [_("状态"), _("指标数")], [[translated(STATUS_LABELS[c]), counts[c]] for c in codes])


def county_bars(chart_id, measure_name, unit, entries):
    """Each county's latest value against its own target, for one catalog measure.

    `entries`: [(county, value or None, target or None, status or None, note[, target text])]; the
    target text (e.g. 完成市下达指标（下达 40，文号）) names the marker and the table's target column."""
    counties = [e[0] for e in entries]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=counties, y=[e[1] for e in entries], name=_("最新审定值"),
                         marker_color=[STATUS_COLOURS.get(e[3], "#cbd2d9") for e in entries],
                         text=[translated(STATUS_LABELS[e[3]]) if e[3] in STATUS_LABELS else translated(e[4]) for e in entries],
                         textposition="outside"))
    printed = [e[5] if len(e) > 5 else "" for e in entries]  # Chinese (a core.phrases.Phrase)
    labels = [phrase(text) for text in printed]
    fig.add_trace(go.Scatter(x=counties, y=[e[2] for e in entries], mode="markers", name=_("本县目标"),
                             text=labels, hovertemplate="%{x}: %{y}<br>%{text}<extra>" + _("本县目标") + "</extra>",
                             marker=dict(symbol="line-ew-open", size=28, color="#1f2933", line=dict(width=3))))
    style(fig, bracketed(measure_name, unit), height=380)
    rows = [[e[0], "—" if e[1] is None else format_figure(e[1]),
             label if "下达" in chinese else ("—" if e[2] is None else format_figure(e[2])),
             translated(STATUS_LABELS[e[3]]) if e[3] in STATUS_LABELS else translated(e[4])]
            for e, label, chinese in zip(entries, labels, printed)]
    return Chart(chart_id, measure_name, figure_data(fig), [_("县（区）"), _("最新审定值"), _("目标"), _("状态")], rows)
