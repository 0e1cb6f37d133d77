"""Issue 14 on the pages and the API: counts as the plan numbers them, the verdict and `summary`."""
import pytest

from indicators.evaluation import SUMMARY_KEYS
from indicators.models import EvaluationResult, Indicator, Plan
from indicators.results import services as evaluation_store
from indicators.results.selectors import plan_summary
from tests.test_evaluation_pages import JIANG, _approved, city_reviewer  # noqa: F401 (fixture)


def test_the_plan_summary_counts_jiangxian_as_its_plan_prints_it(real_plans):
    plan = Plan.objects.get(code=JIANG)
    evaluation_store.recompute(plans=[plan])
    assert plan.indicators.count() == 29
    summary = plan_summary(plan, 2023)
    assert tuple(summary) == SUMMARY_KEYS
    assert (summary["indicators"], summary["binding"]) == (25, 15)
    assert sum(summary["by_status"].values()) == 25
    assert summary["grade_provisional"] is True and summary["grade"] in ("pass", "fail")
    assert summary["grade_reason"].startswith("预评")


def test_a_binding_group_not_met_at_the_final_year_fails_the_plan_by_veto(real_plans, city_reviewer):
    plan = Plan.objects.get(code=JIANG)
    forest = Indicator.objects.get(plan=plan, key="2")   # 森林覆盖率 36.07 → 37.07, 约束性
    _approved(forest, 2025, "36.50", city_reviewer)
    summary = plan_summary(plan, 2025)
    assert summary["grade_provisional"] is False
    assert EvaluationResult.objects.get(indicator=forest, year=2025).status == "not_met"
    assert summary["grade"] == "fail"
    assert "2 森林覆盖率" in summary["grade_reason"] and "一票否决" in summary["grade_reason"]
    assert not summary["grade_reason"].startswith("预评")


def test_the_api_carries_the_summary_with_exactly_its_keys(client, real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", city_reviewer)
    client.force_login(city_reviewer)
    body = client.get(f"/api/v1/plans/{JIANG}/evaluation", {"year": 2023}).json()
    summary = body["summary"]
    assert set(summary) == {"indicators", "binding", "binding_met", "by_status", "grade", "grade_provisional",
                            "grade_reason"}
    assert (summary["indicators"], summary["binding"], summary["grade_provisional"]) == (25, 15, True)
    assert summary["by_status"]["on_track"] >= 1 and sum(summary["by_status"].values()) == 25
    assert summary["grade"] in ("pass", "fail") and summary["grade_reason"]
    final = client.get(f"/api/v1/plans/{JIANG}/evaluation", {"year": 2025}).json()["summary"]
    assert final["grade_provisional"] is False
    assert body["totals"]["total"] == 25 and body["totals"]["binding_total"] == 15


def test_the_evaluation_page_shows_the_verdict_and_the_plans_own_count(client, real_plans, city_reviewer):
    evaluation_store.recompute(plans=[Plan.objects.get(code=JIANG)])
    client.force_login(city_reviewer)
    body = client.get(f"/plans/{JIANG}/evaluation/", {"year": 2023}).content.decode()
    assert "总体评价" in body and "预评" in body
    assert "规划共 25 项指标（按规划序号计，子项不另计），其中约束性指标 15 项" in body
    assert 'data-grade="' in body
    final = client.get(f"/plans/{JIANG}/evaluation/", {"year": 2025}).content.decode()
    assert "预评（终期评估前" not in final


def test_the_dashboard_totals_count_the_plans_numbering(client, real_plans, city_reviewer):
    evaluation_store.recompute(plans=[Plan.objects.get(code=JIANG)])
    client.force_login(city_reviewer)
    response = client.get(f"/plans/{JIANG}/dashboard/", {"year": 2023})
    assert response.context["totals"]["total"] == 25 and response.context["totals"]["binding_total"] == 15


def test_a_plans_per_indicator_trend_threshold_changes_the_stored_trend(real_plans):
    from accounts.models import Role
    from tests.factories import user_with_role

    wenshui = Plan.objects.get(code="141121-2024-2035")
    reviewer = user_with_role(Role.REVIEWER, region=wenshui.region)
    coal = Indicator.objects.get(plan=wenshui, key="5")      # 火电平均供电标准煤耗 310, 持续下降
    _approved(coal, 2024, "305", reviewer)
    _approved(coal, 2025, "300", reviewer)
    assert EvaluationResult.objects.get(indicator=coal, year=2025).trend == "good"
    wenshui.evaluation_settings = {"indicators": {"5": {"trend_good": 0.02}}}
    wenshui.save()
    evaluation_store.recompute(plans=[wenshui])
    result = EvaluationResult.objects.get(indicator=coal, year=2025)
    assert (result.trend, result.status) == ("slow", "behind")


def test_wenshui_24_is_stored_rising_and_a_fall_to_20_is_regressing(real_plans):
    from accounts.models import Role
    from tests.factories import user_with_role

    wenshui = Plan.objects.get(code="141121-2024-2035")
    remediation = Indicator.objects.get(plan=wenshui, key="24")
    assert remediation.direction == "up"
    _approved(remediation, 2025, "60", user_with_role(Role.REVIEWER, region=wenshui.region))
    result = EvaluationResult.objects.get(indicator=remediation, year=2025)
    assert result.status == "behind" and result.completion == pytest.approx(0.349, abs=1e-3)


def test_a_shared_group_with_a_sub_row_missing_at_the_final_year_is_stored_as_incomplete(real_plans, city_reviewer):
    from indicators.assignments.services import AssignmentInput, save_assignments
    from indicators.models import IndicatorTarget

    plan = Plan.objects.get(code=JIANG)
    target = IndicatorTarget.objects.select_related("indicator__plan__region").get(indicator__plan=plan,
                                                                                  indicator__key="15")
    save_assignments(city_reviewer, {target.pk: target}, [AssignmentInput(target.pk, "10", "运政发〔2022〕1号")], 2022)
    for key in ("15", "15.1", "15.2", "15.3"):   # 15.4 二氧化硫 not reported
        _approved(Indicator.objects.get(plan=plan, key=key), 2025, "12", city_reviewer, rate_mode="cumulative")
    group = EvaluationResult.objects.get(indicator__plan=plan, indicator__key="15", year=2025)
    assert group.status == "incomplete" and group.get_status_display() == "数据不全"
    assert "共用目标：15.4 无数据，其余已报送 → 数据不全" in group.explanation
    summary = plan_summary(plan, 2025)
    assert summary["by_status"]["incomplete"] == 1 and summary["indicators"] == 25


def test_wenshui_6_water_use_reduction_shows_its_cumulative_reduction_and_share_of_the_target(client, real_plans):
    from accounts.models import Role
    from indicators.assignments.services import AssignmentInput, save_assignments
    from indicators.models import IndicatorTarget
    from tests.factories import user_with_role

    wenshui = Plan.objects.get(code="141121-2024-2035")
    city = user_with_role(Role.REVIEWER, region=wenshui.region.parent)
    target = IndicatorTarget.objects.select_related("indicator__plan__region").get(indicator__plan=wenshui,
                                                                                  indicator__key="6", year=2027)
    save_assignments(city, {target.pk: target}, [AssignmentInput(target.pk, "10", "吕政发〔2024〕1号")], 2024)
    reduction = Indicator.objects.get(plan=wenshui, key="6")
    for year in (2024, 2025):
        _approved(reduction, year, "3", city, rate_mode="yearly")
    result = EvaluationResult.objects.get(indicator=reduction, year=2025)
    assert result.status == "on_track" and result.completion == pytest.approx(0.578, abs=1e-3)
    assert "3.000000" not in result.explanation
    client.force_login(city)
    body = client.get(f"/plans/{wenshui.code}/evaluation/", {"year": 2025}).content.decode()
    assert "累计降低 5.91%，为目标 10% 的 59.1%" in body


def test_the_openapi_schema_describes_the_evaluation_summary(admin_client):
    schema = admin_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    summary = schema["components"]["schemas"]["EvaluationSummary"]
    assert set(summary["properties"]) == {"indicators", "binding", "binding_met", "by_status", "grade",
                                          "grade_provisional", "grade_reason"}
    assert "summary" in schema["components"]["schemas"]["Evaluation"]["properties"]
