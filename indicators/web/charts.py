"""Plotly figures built in Python, sent to the page as JSON data (no inline script, so a strict
Content-Security-Policy holds) and drawn by static/js/charts.js with our own plotly.min.js.

Every chart is returned with the rows of an accessible data table showing the same numbers.
"""
import json
from dataclasses import dataclass, field

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from core.labels import bracketed
from core.figures import format_figure
from core.labels import label as translated
from core.labels import phrase
from indicators.evaluation import STATUS_LABELS

STATUS_COLOURS = {
    "met": "#1a7f37", "on_track": "#2f80ed", "behind": "#b7791f", "regressing": "#c53030", "not_met": "#9b2c2c",
    "awaiting_target": "#6b46c1", "needs_judgement": "#805ad5", "no_data": "#718096", "incomplete": "#a0aec0",
}
_FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


@dataclass
class Chart:
    id: str
    title: str
    figure: dict
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def _layout(fig, title, height=360):
    fig.update_layout(
        title=title, template=None, height=height, margin=dict(l=50, r=20, t=50, b=50), font=dict(family=_FONT, size=13),
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", legend=dict(orientation="h", y=-0.2),
    )
    fig.update_xaxes(showgrid=True, gridcolor="#e5e9f0")
    fig.update_yaxes(showgrid=True, gridcolor="#e5e9f0")


def _figure_data(fig):
    return json.loads(fig.to_json())


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
    _layout(fig, bracketed(indicator.name, indicator.unit))
    fig.update_xaxes(dtick=1, tickformat="d")
    rows.sort(key=lambda r: r[0])
    return Chart(chart_id, indicator.name, _figure_data(fig), [_("年份"), _("数值"), _("说明")], rows)


def status_distribution(chart_id, counts, title=None):
    """A bar per status, coloured and labelled (the label carries the meaning, not the colour)."""
    title = title or _("指标状态分布")
    codes = [c for c in STATUS_LABELS if counts.get(c)]
    labels = [translated(STATUS_LABELS[c]) for c in codes]
    fig = go.Figure(go.Bar(x=labels, y=[counts[c] for c in codes], marker_color=[STATUS_COLOURS[c] for c in codes],
                           text=[counts[c] for c in codes], textposition="auto"))
    _layout(fig, title, height=300)
    return Chart(chart_id, title, _figure_data(fig), [_("状态"), _("指标数")], [[translated(STATUS_LABELS[c]), counts[c]] for c in codes])


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
    _layout(fig, bracketed(measure_name, unit), height=380)
    rows = [[e[0], "—" if e[1] is None else format_figure(e[1]),
             label if "下达" in chinese else ("—" if e[2] is None else format_figure(e[2])),
             translated(STATUS_LABELS[e[3]]) if e[3] in STATUS_LABELS else translated(e[4])]
            for e, label, chinese in zip(entries, labels, printed)]
    return Chart(chart_id, measure_name, _figure_data(fig), [_("县（区）"), _("最新审定值"), _("目标"), _("状态")], rows)
