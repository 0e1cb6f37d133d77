"""The evaluation pages, API, assigned targets and frozen reports over the real plans."""
import io

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from accounts.models import Role
from indicators.results import services as evaluation_store
from indicators.models import EvaluationReport, EvaluationResult, Indicator, IndicatorTarget, IndicatorValue, Plan, Region
from reporting import workflow
from indicators.review.services import review_value as review
from tests.factories import user_with_role

JIANG = "140826-2021-2025"


def _approved(indicator, year, raw, user, **extra):
    """A value the bureau submitted and `user` approved."""
    bureau = user_with_role(Role.BUREAU_STAFF, region=indicator.plan.region)
    value = IndicatorValue.objects.create(indicator=indicator, year=year, raw=raw, number=raw, state=workflow.SUBMITTED,
                                          created_by=bureau, updated_by=bureau, **extra)
    return review(value, workflow.APPROVE, user)


@pytest.fixture
def city_reviewer(real_plans):
    return user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))


def test_approving_a_value_updates_the_stored_evaluation_with_the_worked_example(real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", city_reviewer)
    result = EvaluationResult.objects.get(indicator=forest, year=2023)
    assert result.status == "on_track"
    assert result.completion == pytest.approx(0.63)
    assert result.time_progress == pytest.approx(0.6)
    assert "36.7" in result.explanation and "0.60" in result.explanation


def test_reopening_a_value_takes_it_out_of_the_evaluation(real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    value = _approved(forest, 2023, "36.70", city_reviewer)
    review(value, workflow.REOPEN, city_reviewer, reason="数据需核实")
    assert EvaluationResult.objects.get(indicator=forest, year=2023).status == "no_data"


def test_a_sub_row_sharing_its_parents_target_is_judged_against_it(real_plans, city_reviewer):
    parent = Indicator.objects.get(plan__code="140802-2021-2025", key="16")
    child = Indicator.objects.get(plan__code="140802-2021-2025", key="16.1")
    _approved(child, 2023, "9", city_reviewer, rate_mode="cumulative")
    child_result = EvaluationResult.objects.get(indicator=child, year=2023)
    assert child_result.status in ("met", "on_track")
    parent_result = EvaluationResult.objects.get(indicator=parent, year=2023)
    assert parent_result.status != "met", "a shared target is met only when every sub-row is"


@pytest.mark.parametrize("url", [
    f"/plans/{JIANG}/evaluation/?year=2023",
    f"/plans/{JIANG}/dashboard/?year=2023",
    f"/plans/{JIANG}/indicators/2/?year=2023",
    "/regions/140800/compare/?year=2023",
    "/regions/140800/summary/?year=2023",
    "/regions/140000/summary/?year=2023",
    f"/api/v1/plans/{JIANG}/evaluation?year=2023",
    f"/plans/{JIANG}/reports/",
])
def test_each_evaluation_page_renders_within_a_fixed_query_budget(client, real_plans, django_assert_max_num_queries, url):
    call_command("generate_demo_values", stdout=io.StringIO())
    client.force_login(user_with_role(Role.ADMIN))
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200


def test_demo_values_are_marked_and_never_overwrite_a_persons_value(client, real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    mine = _approved(forest, 2022, "36.40", city_reviewer)
    call_command("generate_demo_values", stdout=io.StringIO())
    mine.refresh_from_db()
    assert (mine.raw, mine.synthetic) == ("36.40", False)
    assert IndicatorValue.objects.filter(synthetic=True).exists()
    assert not IndicatorValue.objects.filter(synthetic=True, source="").exists()
    client.force_login(user_with_role(Role.ADMIN))
    assert "示例" in client.get(f"/plans/{JIANG}/evaluation/?year=2022").content.decode()
    call_command("generate_demo_values", "--remove", stdout=io.StringIO())
    assert not IndicatorValue.objects.filter(synthetic=True).exists()
    assert IndicatorValue.objects.filter(pk=mine.pk).exists()


def test_the_evaluation_page_filters_by_status_and_exports_xlsx(client, real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", city_reviewer)
    client.force_login(city_reviewer)
    body = client.get(f"/plans/{JIANG}/evaluation/", {"year": 2023, "status": "on_track"}).content.decode()
    assert "森林覆盖率" in body and "细颗粒物" not in body
    response = client.get(f"/plans/{JIANG}/evaluation/", {"year": 2023, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    forest_row = next(r for r in rows if r[3] == "森林覆盖率")
    assert forest_row[12] == "符合序时进度"


def test_the_api_returns_statuses_with_codes_and_totals(client, real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", city_reviewer)
    client.force_login(city_reviewer)
    body = client.get(f"/api/v1/plans/{JIANG}/evaluation", {"year": 2023}).json()
    row = next(i for i in body["indicators"] if i["number"] == "2")
    assert row["status"] == "on_track" and row["value"] == "36.7" and row["value_year"] == 2023
    assert row["completion"] == pytest.approx(0.63) and row["time_progress"] == pytest.approx(0.6)
    assert "序时进度" in row["explanation"]
    assert body["totals"]["all"]["on_track"] >= 1
    statuses = {i["status"] for i in body["indicators"]}
    assert statuses <= {"met", "not_met", "on_track", "behind", "regressing", "awaiting_target", "needs_judgement", "no_data"}


def test_a_city_reviewer_records_an_assigned_target_and_evaluation_uses_it(client, real_plans, city_reviewer):
    row = Indicator.objects.get(plan__code=JIANG, key="20")
    target = IndicatorTarget.objects.get(indicator=row)
    assert target.kind == "assigned"
    client.force_login(city_reviewer)
    page = client.get("/regions/140800/assigned-targets/")
    assert row.name in page.content.decode()
    response = client.post("/regions/140800/assigned-targets/", {
        f"t{target.pk}-value": "abc", f"t{target.pk}-document": "运政发〔2022〕1号", f"t{target.pk}-version": "0"})
    assert response.status_code == 400 and "不是有效的数字" in response.content.decode()
    assert not target.assignments.exists()
    client.post("/regions/140800/assigned-targets/", {
        f"t{target.pk}-value": "15", f"t{target.pk}-document": "运政发〔2022〕1号", f"t{target.pk}-date": "2022-03-01",
        f"t{target.pk}-version": "0"})
    assignment = target.assignments.get()
    assert (assignment.value, assignment.document, assignment.history.count()) == (15, "运政发〔2022〕1号", 1)
    assert EvaluationResult.objects.get(indicator=row, year=2023).status != "awaiting_target"


def test_a_county_reviewer_cannot_assign_its_own_targets(client, real_plans):
    jiang = Region.objects.get(code="140826")
    client.force_login(user_with_role(Role.REVIEWER, region=jiang))
    page = client.get("/regions/140826/assigned-targets/").content.decode()
    assert "下级规划中没有需要下达的目标" in page


def test_a_frozen_midterm_report_keeps_its_figures_and_downloads_as_docx_and_xlsx(
        client, real_plans, city_reviewer, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    value = _approved(forest, 2023, "36.70", city_reviewer)
    client.force_login(city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/plans/{JIANG}/reports/", {"kind": "midterm"})
    report = EvaluationReport.objects.get(plan__code=JIANG, kind="midterm")
    assert response.status_code == 302 and report.year == 2023 and report.state == "done"
    review(value, workflow.REOPEN, city_reviewer, reason="改")
    report.refresh_from_db()
    frozen = next(r for r in report.snapshot["rows"] if r["key"] == "2")
    assert frozen["status"] == "on_track" and frozen["value"] == "36.7"
    docx = client.get(f"/plans/{JIANG}/reports/{report.pk}/report.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs)
    assert "中期评估报告" in text and "森林覆盖率" in text
    xlsx = client.get(f"/plans/{JIANG}/reports/{report.pk}/report.xlsx")
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active["A1"].value.startswith("绛县")


def test_regenerating_a_report_is_idempotent_and_a_failure_can_be_retried(
        client, real_plans, city_reviewer, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(city_reviewer)
    from indicators.reports import services as reports

    monkeypatch.setattr(reports, "write_docx", lambda report: (_ for _ in ()).throw(RuntimeError("磁盘已满")))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/plans/{JIANG}/reports/", {"kind": "final", "confirm": "1"})
    report = EvaluationReport.objects.get(plan__code=JIANG, kind="final")
    assert report.state == "failed" and "磁盘已满" in report.error
    assert "生成失败" in client.get(f"/plans/{JIANG}/reports/{report.pk}/").content.decode()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/plans/{JIANG}/reports/{report.pk}/regenerate/")
    report.refresh_from_db()
    assert report.state == "done"
    snapshot = report.snapshot
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/plans/{JIANG}/reports/{report.pk}/regenerate/")
    report.refresh_from_db()
    assert report.snapshot == snapshot and EvaluationReport.objects.filter(plan__code=JIANG).count() == 1


def test_the_county_dashboard_and_leader_summary_show_headline_figures(client, real_plans, city_reviewer):
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "35.00", city_reviewer)  # below the baseline 36.07: regressing, binding
    leader = user_with_role(Role.LEADER, region=Region.objects.get(code="140800"))
    client.force_login(leader)
    summary = client.get("/regions/140800/summary/", {"year": 2023}).content.decode()
    assert "约束性指标完成率" in summary and "森林覆盖率" in summary and "逆向" in summary
    dashboard = client.get(f"/plans/{JIANG}/dashboard/", {"year": 2023}).content.decode()
    assert "森林覆盖率" in dashboard and 'data-figure="status-chart"' in dashboard


def test_the_city_comparison_shows_counties_without_a_plan(client, real_plans, city_reviewer):
    client.force_login(city_reviewer)
    body = client.get("/regions/140800/compare/", {"year": 2023, "measure": "forest-coverage"}).content.decode()
    assert "永济市" in body and "尚无覆盖该年份的规划" in body
    assert "绛县" in body and "盐湖区" in body
    assert 'data-figure="county-bars"' in body


def test_wenshui_is_evaluated_against_its_first_milestone_until_2027(real_plans):
    plan = Plan.objects.get(code="141121-2024-2035")
    assert evaluation_store.milestone_for(plan, 2025) == 2027
    assert evaluation_store.milestone_for(plan, 2030) == 2035
    assert list(evaluation_store.data_years(plan)) == list(range(2024, 2036))
