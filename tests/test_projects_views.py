"""The project pages: list (filters, sorting, query budget), .xlsx export, project page with its
progress bars and chart, and the timeline chart — each chart followed by its data table."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from projects.models import Project, ProjectProgress, QuantityProgress, Status
from reporting import workflow
from reporting.models import StateChange

from core.tables import PAGE_SIZES
from tests.factories import user_with_role
from tests.test_projects_support import (  # noqa: F401
    JIANG, YUNCHENG, _real_projects_committed, forestry_project, open_period, people, real_projects,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, real_projects):
    client.force_login(user_with_role(Role.ADMIN))
    return client


def names(response):
    return [row.record.name for row in response.context["table"].paginated_rows]


def report(project, year, status, amount=None, state=workflow.APPROVED, investment=None):
    progress = ProjectProgress.objects.create(project=project, year=year, status=status, state=state,
                                              investment_done=investment)
    if amount is not None:
        QuantityProgress.objects.create(progress=progress, quantity=project.quantities.first(), amount_done=amount)
    project.refresh_status()  # what the review service does after an approval
    return progress


def test_the_list_shows_every_visible_project_with_its_quantities(admin_client):
    response = admin_client.get("/projects/", {"plan": JIANG})
    assert response.status_code == 200
    assert len(names(response)) == Project.objects.filter(plan__code=JIANG).count()
    html = response.content.decode()
    assert "人工造林 1万亩" in html and "通道绿化 200公里" in html


def test_the_list_filters_by_county_named_in_the_text_or_by_the_county_plan(admin_client):
    found = names(admin_client.get("/projects/", {"county": "140881"}))  # 永济市
    expected = Project.objects.filter(counties__code="140881").values_list("name", flat=True)
    assert found and sorted(found) == sorted(expected)
    jiang = names(admin_client.get("/projects/", {"county": "140826"}))  # 绛县: its own plan and 运城市's mentions
    assert "人工造林" in jiang
    assert set(Project.objects.filter(plan__code=YUNCHENG, counties__code="140826").values_list("name", flat=True)) <= set(jiang)


def test_the_list_filters_by_status(admin_client, forestry_project):
    report(forestry_project, 2023, Status.IN_PROGRESS)
    assert names(admin_client.get("/projects/", {"status": "in_progress"})) == ["人工造林"]


def test_the_list_filters_by_box_and_bureau(admin_client, forestry_project):
    box = forestry_project.box
    found = names(admin_client.get("/projects/", {"box": box.pk}))
    assert sorted(found) == sorted(box.projects.values_list("name", flat=True))
    assert names(admin_client.get("/projects/", {"bureau": forestry_project.bureau_id})) == ["人工造林"]


def test_the_list_sorts_by_a_column(admin_client):
    ascending = names(admin_client.get("/projects/", {"plan": JIANG, "sort": "name"}))
    descending = names(admin_client.get("/projects/", {"plan": JIANG, "sort": "-name"}))
    assert ascending == sorted(ascending) and descending == list(reversed(ascending))


def test_bureau_staff_list_only_their_own_projects(client, forestry_project, people):
    client.force_login(people["staff"])
    assert names(client.get("/projects/")) == ["人工造林"]
    client.force_login(people["other_staff"])
    assert names(client.get("/projects/")) == []


def test_the_list_keeps_to_a_query_budget(admin_client, django_assert_max_num_queries):
    assert Project.objects.count() > 100
    with django_assert_max_num_queries(20):
        response = admin_client.get("/projects/")
    assert len(names(response)) == PAGE_SIZES[0]


def test_the_reader_chooses_the_page_size_among_the_offered_ones(admin_client):
    assert len(names(admin_client.get("/projects/", {"per_page": 50}))) == 50
    assert len(names(admin_client.get("/projects/", {"per_page": 100}))) == 100
    html = admin_client.get("/projects/", {"per_page": 50}).content.decode()
    assert "<strong>50</strong>" in html and "per_page=100" in html
    for refused in ("100000", "0", "-5", "abc", "7"):
        response = admin_client.get("/projects/", {"per_page": refused})
        assert response.status_code == 200 and len(names(response)) == PAGE_SIZES[0], refused


def test_the_project_page_keeps_to_a_query_budget(admin_client, forestry_project, django_assert_max_num_queries):
    user = user_with_role(Role.ADMIN)
    for year, amount in ((2021, "0.2"), (2022, "0.5"), (2023, "0.8")):
        progress = report(forestry_project, year, Status.IN_PROGRESS, Decimal(amount))
        StateChange.objects.create(record=progress, action="submit", to_state="submitted", user=user)
        StateChange.objects.create(record=progress, action="approve", from_state="submitted", to_state="approved", user=user)
    with django_assert_max_num_queries(20):
        response = admin_client.get(f"/projects/{forestry_project.pk}/")
    assert response.status_code == 200


def test_the_project_page_shows_progress_bars_and_a_chart_followed_by_its_data(admin_client, forestry_project):
    report(forestry_project, 2022, Status.IN_PROGRESS, Decimal("0.25"), investment=Decimal("50"))
    report(forestry_project, 2023, Status.IN_PROGRESS, Decimal("0.75"), investment=Decimal("150"))
    html = admin_client.get(f"/projects/{forestry_project.pk}/").content.decode()
    assert '<progress max="100" value="75.0"' in html
    assert "/static/vendor/plotly.min.js" in html and "cdn.plot.ly" not in html
    chart, table = html.index("data-figure="), html.index('<details class="chart-table" open>')
    assert chart < table
    assert "0.75（75%）" in html and "150" in html


def test_the_xlsx_export_lists_the_filtered_projects(admin_client, forestry_project):
    report(forestry_project, 2023, Status.IN_PROGRESS, Decimal("0.5"), investment=Decimal("80"))
    response = admin_client.get("/projects/export.xlsx", {"plan": JIANG})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:7] == ("规划编码", "行政区划", "专栏", "专栏标题", "小标题", "工程名称", "建设内容（原文）")
    assert len(body) == Project.objects.filter(plan__code=JIANG).count()
    forest = next(r for r in body if r[5] == "人工造林")
    by_header = dict(zip(header, forest, strict=True))
    assert by_header["建设内容（原文）"] == "人工造林1万亩" and by_header["工程量"] == "人工造林 1万亩"
    assert by_header["责任部门"] == "林业局" and by_header["最近进展年份"] == 2023
    assert by_header["累计完成投资（万元）"] == 80 and by_header["服务的指标"] == "2 森林覆盖率"


def test_the_xlsx_export_neutralises_formulas(admin_client, forestry_project):
    forestry_project.name = '=HYPERLINK("http://x","点我")'
    forestry_project.group = "+1"
    forestry_project.responsible = "@SUM(A1)"
    forestry_project.save()
    sheet = load_workbook(io.BytesIO(admin_client.get("/projects/export.xlsx", {"plan": JIANG}).content)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[6] == "人工造林1万亩")
    assert row[5] == "'=HYPERLINK(\"http://x\",\"点我\")" and row[4] == "'+1" and row[8] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_the_export_is_scoped_like_the_list(client, forestry_project, people):
    client.force_login(people["staff"])
    sheet = load_workbook(io.BytesIO(client.get("/projects/export.xlsx").content)).active
    assert [r[5] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["人工造林"]


def test_the_timeline_shows_planned_and_actual_periods_with_a_data_table(admin_client, forestry_project):
    report(forestry_project, 2022, Status.IN_PROGRESS)
    report(forestry_project, 2023, Status.COMPLETED)
    report(forestry_project, 2024, Status.COMPLETED, state=workflow.SUBMITTED)
    response = admin_client.get("/projects/timeline/", {"plan": JIANG})
    html = response.content.decode()
    assert response.status_code == 200 and "data-figure=" in html and "/static/vendor/plotly.min.js" in html
    row = next(r for r in response.context["rows"] if r.name == "人工造林")
    assert (row.planned_start, row.planned_end, row.planned_from_plan) == (2021, 2025, True)
    assert (row.actual_start, row.actual_end, row.completed) == (2022, 2023, True)
    assert html.index("data-figure=") < html.index("<caption")
    assert "2022–2023" in html


def test_the_list_shows_the_summary_of_the_filtered_projects(admin_client, forestry_project):
    report(forestry_project, 2023, Status.COMPLETED, Decimal("1"))
    response = admin_client.get("/projects/", {"plan": JIANG})
    summary = response.context["summary"]
    assert summary.total == Project.objects.filter(plan__code=JIANG).count()
    assert (summary.completed, summary.reported) == (1, 1)
    assert "重点工程进展概况" in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client, real_projects):
    response = client.get("/projects/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
