"""The site's chart style, in one place: every plotly figure (indicator, dashboard, comparison and
project charts) gets the same layout (font, colours, margins, grid) and the same plotly config
(no logo, responsive, the page's locale). Figures travel to the page as JSON data blocks (no inline
script, so a strict Content-Security-Policy holds) and static/js/charts.js draws them with our own
plotly.min.js, using the config carried in the figure. Every chart is shown with a data table of
the same numbers (`Chart.headers` / `Chart.rows`, rendered by templates/includes/chart.html)."""
import json
from dataclasses import dataclass, field

from django.utils import translation

FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, sans-serif"
FONT_SIZE = 13
COLORWAY = ["#0b6e4f", "#2f80ed", "#b7791f", "#6b46c1", "#c53030", "#319795", "#718096", "#d53f8c"]
GRID = "#e5e9f0"
BACKGROUND = "#ffffff"
MARGIN = dict(l=50, r=20, t=50, b=50)


@dataclass
class Chart:
    id: str
    title: str
    figure: dict
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def config():
    """plotly's config for every chart: no plotly logo, resizes with its box, the page's locale."""
    locale = "en" if (translation.get_language() or "").startswith("en") else "zh-CN"
    return {"displaylogo": False, "responsive": True, "locale": locale}


def style(fig, title=None, height=360, margin=None, legend=None):
    """Apply the site's layout to a plotly figure (in place) and return it."""
    fig.update_layout(
        title=title, template=None, height=height, margin=margin or MARGIN, font=dict(family=FONT, size=FONT_SIZE),
        colorway=COLORWAY, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND,
        legend=legend or dict(orientation="h", y=-0.2),
    )
    fig.update_xaxes(showgrid=True, gridcolor=GRID)
    fig.update_yaxes(showgrid=True, gridcolor=GRID)
    return fig


def figure_data(fig):
    """The figure as the JSON-ready dict charts.js draws: data, layout and the shared config."""
    data = json.loads(fig.to_json())
    data["config"] = config()
    return data
