"""The number a city assigns (下达目标) carries everywhere the target appears: the plan table, the
indicator page (with the history of assigned numbers), the chart's target marker and legend, the
city comparison, the dashboard, the plan evaluation, the API."""
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from indicators.assignments.services import AssignmentInput, save_assignments
from indicators.models import IndicatorTarget, IndicatorValue, Region
from reporting import workflow

from tests.factories import user_with_role

JIANG = "140826-2021-2025"
DOCUMENT = "运环发〔2022〕8号"
SHOWN = f"完成市下达指标（下达 40，{DOCUMENT}）"
pytestmark = pytest.mark.django_db


@pytest.fixture
def yuncheng(real_plans):
    return Region.objects.get(code="140800")


@pytest.fixture
def city_reviewer(yuncheng):
    user = user_with_role(Role.REVIEWER, region=yuncheng, username="yuncheng-review")
    user.first_name = "李明"
    user.save()
    return user


@pytest.fixture
def pm25(real_plans):
    return real_plans[JIANG].indicators.get(name="细颗粒物（PM2.5）浓度")


def assign(user, indicator, number, version=0):
    targets = {t.pk: t for t in IndicatorTarget.objects.assignable_by(user).select_related("indicator__plan__region")
               .prefetch_related("indicator__children")}
    target = indicator.targets.get()
    return save_assignments(user, targets, [AssignmentInput(target_id=target.pk, value=str(number), document=DOCUMENT,
                                                            version=version)])


@pytest.fixture
def assigned(city_reviewer, pm25):
    IndicatorValue.objects.create(indicator=pm25, year=2023, raw="42", number=Decimal("42"), state=workflow.APPROVED)
    assign(city_reviewer, pm25, 40)
    return pm25


def test_the_plan_table_shows_the_assigned_number_and_document(client, city_reviewer, real_plans, assigned):
    client.force_login(city_reviewer)
    html = client.get(reverse("plan_detail", args=[JIANG])).content.decode()
    assert SHOWN in html


def test_the_indicator_page_shows_the_number_without_the_awaiting_contradiction(client, city_reviewer, assigned):
    client.force_login(city_reviewer)
    html = client.get(assigned.get_absolute_url()).content.decode()
    assert SHOWN in html
    assert "待下达数值" not in html


def test_the_chart_marks_the_assigned_target_and_names_it_in_the_legend(client, city_reviewer, assigned):
    client.force_login(city_reviewer)
    chart = client.get(assigned.get_absolute_url()).context["chart"]
    marker = next(trace for trace in chart.figure["data"] if trace["name"].startswith("2025年目标"))
    assert marker["y"] == [40.0] and "下达 40" in marker["name"]


def test_the_city_comparison_draws_the_assigned_number_as_the_county_target(client, city_reviewer, yuncheng, assigned):
    client.force_login(city_reviewer)
    response = client.get(reverse("city_comparison", args=[yuncheng.code]), {"year": 2023, "measure": "pm25"})
    chart = response.context["chart"]
    target_trace = next(trace for trace in chart.figure["data"] if trace["name"] == "本县目标")
    jiang = list(target_trace["x"]).index("绛县")
    assert target_trace["y"][jiang] == 40.0
    assert [row for row in chart.rows if row[0] == "绛县"][0][2] == SHOWN


def test_the_dashboard_and_the_evaluation_page_show_the_assigned_number(client, city_reviewer, assigned):
    client.force_login(city_reviewer)
    dashboard = client.get(reverse("plan_dashboard", args=[JIANG]), {"year": 2023}).content.decode()
    evaluation = client.get(reverse("plan_evaluation", args=[JIANG]), {"year": 2023}).content.decode()
    assert SHOWN in dashboard and SHOWN in evaluation


def test_the_api_gives_each_target_its_assigned_object_or_null(client, city_reviewer, real_plans, assigned):
    client.force_login(city_reviewer)
    data = json.loads(client.get(reverse("api_plan_detail", args=[JIANG])).content)
    rows = {row["key"]: row for row in data["indicators"]}
    assert rows[assigned.key]["targets"]["2025"]["assigned"] == {"number": 40.0, "document": DOCUMENT, "year": 2025}
    forest = real_plans[JIANG].indicators.get(number="2")
    assert rows[forest.key]["targets"]["2025"]["assigned"] is None


def test_the_indicator_page_lists_who_changed_the_assigned_number_when_old_to_new(client, city_reviewer, assigned):
    assignment = assigned.targets.get().assignments.get()
    assign(city_reviewer, assigned, 38, version=assignment.version)
    client.force_login(city_reviewer)
    response = client.get(assigned.get_absolute_url())
    history = response.context["assignment_history"]
    assert [(c.kind, c.old, c.new) for c in history] == [("修改", "40", "38"), ("录入", "", "40")]
    html = response.content.decode()
    assert "下达数变更记录" in html and "运城市审核员 李明" in html


def test_the_evaluation_counts_against_the_assigned_number(assigned):
    result = assigned.evaluations.get(year=2023)
    assert result.status != "awaiting_target"
