"""Plotly figures of the project pages, built in Python in the site's chart style (`core.charts`:
layout, colours, config, like the indicator charts). Each figure comes with the rows of the data
table that follows it on the page, so nothing is shown only as a picture."""
import uuid
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.templatetags.static import static
from django.utils.html import format_html, json_script

from core.charts import COLORWAY, Chart, figure_data, style
from core.figures import format_figure
from core.labels import bracketed
from projects.models import Status

PLANNED_COLOR, ACTUAL_COLOR = "#9fc5e8", COLORWAY[0]
STARTED = (Status.IN_PROGRESS, Status.COMPLETED, Status.SUSPENDED)


def chart_html(fig):
    """The figure as a <div> and a JSON data block, drawn by static/js/charts.js with our own
    plotly.js: no inline script, so the Content-Security-Policy (script-src 'self') holds."""
    chart_id = f"project-chart-{uuid.uuid4().hex[:8]}"
    return format_html('<div class="chart-plot" data-figure="{}" id="{}-plot"></div>{}<script src="{}" defer></script>',
                       chart_id, chart_id, json_script(figure_data(fig), chart_id), static("js/charts.js"))


@dataclass(frozen=True)
class TimelineRow:
    label: str
    project_id: int
    name: str
    box: str
    planned_start: int
    planned_end: int
    planned_from_plan: bool  # no years printed: the plan's own period is shown
    actual_start: int | None
    actual_end: int | None
    completed: bool
    status_label: str


def timeline_rows(projects):
    """One row per project; `projects` must carry `timeline_progress` (its reports, by year)."""
    rows = []
    for index, project in enumerate(projects, 1):
        start, end = project.planned_period
        reports = sorted(project.timeline_progress, key=lambda r: r.year)
        started = [r.year for r in reports if r.status in STARTED]
        finished = [r.year for r in reports if r.status == Status.COMPLETED]
        actual_start = started[0] if started else None
        actual_end = finished[0] if finished else (reports[-1].year if started else None)
        short = project.name if len(project.name) <= 22 else project.name[:21] + "…"
        rows.append(TimelineRow(
            label=f"{index}. {short}", project_id=project.pk, name=project.name,
            box=_("专栏%(number)s") % {"number": project.box.number}, planned_start=start, planned_end=end,
            planned_from_plan=not (project.start_year or project.end_year), actual_start=actual_start,
            actual_end=actual_end, completed=bool(finished), status_label=project.get_status_display(),
        ))
    return rows


def _timeline_frame(rows):
    """The x range and left margin the bars and their sticky year axis share, so they line up."""
    starts = [r.planned_start for r in rows] + [r.actual_start for r in rows if r.actual_start is not None]
    ends = [r.planned_end for r in rows] + [r.actual_end for r in rows if r.actual_end is not None]
    left = min(320, 20 + 13 * max(len(r.label) for r in rows))
    return [min(starts), max(ends) + 1], left


def timeline_axis_figure(rows):
    """The year axis alone, kept in view (CSS position: sticky) above a long timeline."""
    x_range, left = _timeline_frame(rows)
    fig = go.Figure(go.Scatter(x=x_range, y=[0, 0], mode="markers", marker=dict(opacity=0), hoverinfo="skip",
                               showlegend=False))
    style(fig, height=44, margin=dict(l=left, r=10, t=40, b=0))
    fig.update_layout(
        showlegend=False, xaxis=dict(side="top", range=x_range, dtick=1, tickformat="d", fixedrange=True, showgrid=False),
        yaxis=dict(visible=False, fixedrange=True, showgrid=False),
    )
    return fig


def timeline_figure(rows):
    """Planned and actual period of each project, as horizontal bars (a year spans its width)."""
    labels = [r.label for r in rows]
    x_range, left = _timeline_frame(rows)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name=_("计划期"), orientation="h", y=labels, base=[r.planned_start for r in rows],
        x=[r.planned_end - r.planned_start + 1 for r in rows], marker_color=PLANNED_COLOR, offsetgroup="planned",
        customdata=[[r.name, r.planned_start, r.planned_end] for r in rows],
        hovertemplate="%{customdata[0]}<br>" + _("计划") + " %{customdata[1]}–%{customdata[2]}<extra></extra>",
    ))
    actual = [r for r in rows if r.actual_start is not None]
    fig.add_trace(go.Bar(
        name=_("实际（已开工）"), orientation="h", y=[r.label for r in actual], base=[r.actual_start for r in actual],
        x=[r.actual_end - r.actual_start + 1 for r in actual], marker_color=ACTUAL_COLOR, offsetgroup="actual",
        customdata=[[r.name, r.actual_start, r.actual_end, r.status_label] for r in actual],
        hovertemplate="%{customdata[0]}<br>" + _("实际") + " %{customdata[1]}–%{customdata[2]} (%{customdata[3]})<extra></extra>",
    ))
    style(fig, height=max(320, 28 * len(rows) + 120), margin=dict(l=left, r=10, t=30, b=40),
          legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    fig.update_layout(
        barmode="group", xaxis=dict(title=_("年份"), dtick=1, tickformat="d", range=x_range),
        yaxis=dict(autorange="reversed", automargin=False),
    )
    return fig


@dataclass(frozen=True)
class HistoryRow:
    year: int
    status_label: str
    state_label: str
    investment_done: object
    cells: tuple  # (amount done or None, share 0–1 or None) per quantity, in the order of `quantities`


def history_rows(quantities, reports):
    """One row per reported year: each quantity's cumulative amount done and its share."""
    rows = []
    for report in sorted(reports, key=lambda r: r.year):
        done = {r.quantity_id: r.amount_done for r in report.quantity_rows.all()}
        cells = []
        for quantity in quantities:
            amount = done.get(quantity.pk)
            share = None
            if amount is not None and quantity.amount and quantity.amount > 0:
                share = min(float(amount) / float(quantity.amount), 1.0)
            cells.append((amount, share))
        rows.append(HistoryRow(report.year, report.get_status_display(), report.state_label, report.investment_done,
                               tuple(cells)))
    return rows


def history_chart(chart_id, quantities, rows):
    """Share of each quantity done, year by year (investment done where there are no quantities),
    as a `Chart` in the site's style with its data table: year, status, review state, investment
    and each quantity's cumulative amount with its share."""
    fig = go.Figure()
    years = [r.year for r in rows]
    if quantities:
        for index, quantity in enumerate(quantities):
            fig.add_trace(go.Scatter(
                name=bracketed(quantity.measure, quantity.display_amount()), x=years,
                y=[None if r.cells[index][1] is None else round(r.cells[index][1] * 100, 1) for r in rows],
                mode="lines+markers", connectgaps=True,
                hovertemplate="%{x}: %{y}%<extra>%{fullData.name}</extra>",
            ))
        fig.update_yaxes(title=_("完成比例（%）"), range=[0, 105])
    else:
        fig.add_trace(go.Bar(name=_("累计完成投资（万元）"), x=years,
                             y=[None if r.investment_done is None else float(r.investment_done) for r in rows],
                             marker_color=ACTUAL_COLOR))
        fig.update_yaxes(title=_("累计完成投资（万元）"), rangemode="tozero")
    style(fig, height=320, margin=dict(l=50, r=20, t=30, b=40), legend=dict(orientation="h", y=-0.3))
    fig.update_layout(showlegend=True)
    fig.update_xaxes(title=_("年份"), dtick=1, tickformat="d")
    headers = [_("年份"), _("进展状态"), _("审核状态"), _("累计完成投资（万元）")]
    headers += [bracketed(q.measure, q.unit) for q in quantities]
    table = []
    for row in rows:
        cells = [str(row.year), row.status_label, row.state_label,
                 "—" if row.investment_done is None else format_figure(row.investment_done)]
        for amount, share in row.cells:
            if amount is None:
                cells.append("—")
            elif share is None:
                cells.append(format_figure(amount))
            else:
                cells.append(bracketed(format_figure(amount), f"{format_figure(share * 100, 0)}%"))
        table.append(cells)
    title = _("历年工程量完成比例") if quantities else _("历年累计完成投资")
    return Chart(chart_id, title, figure_data(fig), headers, table)
