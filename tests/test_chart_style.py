"""One chart style for the whole site (core.charts): the project page's progress chart and the
timeline are laid out, coloured and configured like the indicator charts, and the project chart
comes with its data table."""
import json
import re
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Role
from core import charts as site_charts
from indicators.web import charts as indicator_charts
from projects import charts as project_charts
from projects.models import ProjectProgress, QuantityProgress, Status
from reporting import workflow

from tests.factories import user_with_role
from tests.test_projects_support import (  # noqa: F401
    JIANG, _real_projects_committed, forestry_project, real_projects,
)


def style_of(figure):
    layout = figure["layout"]
    return {"font": layout["font"], "colorway": layout["colorway"], "paper": layout["paper_bgcolor"],
            "plot": layout["plot_bgcolor"], "config": figure["config"]}


def indicator_chart():
    return indicator_charts.status_distribution("status", {"met": 3, "behind": 1}).figure


def test_the_shared_config_has_no_logo_resizes_and_follows_the_page_language():
    with translation.override("zh-hans"):
        assert site_charts.config() == {"displaylogo": False, "responsive": True, "locale": "zh-CN"}
    with translation.override("en"):
        assert site_charts.config()["locale"] == "en"
        assert indicator_chart()["config"]["locale"] == "en"


def test_indicator_charts_carry_the_shared_style():
    figure = indicator_chart()
    assert figure["layout"]["font"]["family"] == site_charts.FONT
    assert figure["layout"]["colorway"] == site_charts.COLORWAY
    assert figure["config"] == site_charts.config()


@pytest.mark.django_db
def test_the_project_chart_uses_the_indicator_charts_style_and_has_its_data_table(client, forestry_project):
    quantity = forestry_project.quantities.first()
    for year, amount in ((2022, "0.25"), (2023, "0.75")):
        progress = ProjectProgress.objects.create(project=forestry_project, year=year, status=Status.IN_PROGRESS,
                                                  state=workflow.APPROVED, investment_done=Decimal("150.5000"))
        QuantityProgress.objects.create(progress=progress, quantity=quantity, amount_done=Decimal(amount))
    client.force_login(user_with_role(Role.ADMIN))
    response = client.get(f"/projects/{forestry_project.pk}/")
    chart = response.context["chart"]
    assert isinstance(chart, site_charts.Chart)
    assert style_of(chart.figure) == style_of(indicator_chart())
    assert chart.figure["layout"]["xaxis"]["gridcolor"] == indicator_chart()["layout"]["xaxis"]["gridcolor"]
    assert chart.headers[:4] == ["年份", "进展状态", "审核状态", "累计完成投资（万元）"]
    assert chart.rows == [["2022", "在建", "已审核通过", "150.5", "0.25（25%）"],
                          ["2023", "在建", "已审核通过", "150.5", "0.75（75%）"]]
    html = response.content.decode()
    block = re.search(rf'<script id="{chart.id}" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["config"] == {"displaylogo": False, "responsive": True, "locale": "zh-CN"}
    table = html[html.index('<details class="chart-table" open>'):]
    assert "<td>0.75（75%）</td>" in table[:table.index("</details>")]
    assert "150.5000" not in html


@pytest.mark.django_db
def test_the_timeline_figures_use_the_shared_style(client, real_projects):
    client.force_login(user_with_role(Role.ADMIN))
    html = client.get("/projects/timeline/", {"plan": JIANG}).content.decode()
    blocks = re.findall(r'<script id="project-chart-[0-9a-f]+" type="application/json">(.*?)</script>', html, re.S)
    assert len(blocks) == 2  # the sticky year axis and the bars
    for block in map(json.loads, blocks):
        assert block["layout"]["font"]["family"] == site_charts.FONT and block["config"] == site_charts.config()
    assert project_charts.ACTUAL_COLOR == site_charts.COLORWAY[0]
