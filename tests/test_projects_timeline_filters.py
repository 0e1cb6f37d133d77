"""The timeline's filters: the project list's own FilterSet (plan, county, 专栏, bureau, status,
yearly progress, planned years, keyword), a plain GET form that works without JavaScript, its
state kept in the URL, and a clear sentence when nothing matches."""
import re

import pytest

from accounts.models import Role
from projects.filters import ProjectFilter, overlaps
from projects.models import Box, Project, ProjectProgress, Status
from reporting import workflow

from tests.factories import BureauFactory, user_with_role
from tests.test_projects_support import (  # noqa: F401
    JIANG, YUNCHENG, _real_projects_committed, forestry_project, real_projects,
)

pytestmark = pytest.mark.django_db
URL = "/projects/timeline/"


@pytest.fixture
def admin_client(client, real_projects):
    client.force_login(user_with_role(Role.ADMIN))
    return client


def row_names(response):
    return sorted(row.name for row in response.context["rows"])


def names_of(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_a_period_overlaps_a_year_range_when_they_share_a_year():
    assert overlaps((2021, 2025), 2025, None) and overlaps((2021, 2025), None, 2021)
    assert overlaps((2021, 2025), 2023, 2023) and overlaps((2021, 2025), None, None)
    assert not overlaps((2021, 2025), 2026, 2030) and not overlaps((2027, 2030), 2021, 2026)


def test_the_timeline_uses_the_project_lists_filterset(admin_client):
    response = admin_client.get(URL)
    assert isinstance(response.context["filter"], ProjectFilter)
    assert len(response.context["rows"]) == Project.objects.count() == 218


def test_the_filter_form_is_a_plain_get_form_whose_selects_say_what_empty_means(admin_client):
    html = admin_client.get(URL).content.decode()
    form = html[html.index('<form method="get" class="filters"'):]
    form = form[:form.index("</form>") + 7]
    assert 'type="submit"' in form
    assert "---------" not in html
    for name in ("plan", "county", "box", "status", "progress", "bureau", "year_from", "year_to", "q"):
        assert f'name="{name}"' in form, name
    assert re.search(r'<select name="plan"[^>]*><option value="" selected>全部规划</option>', form)
    assert "全部专栏" in form and "全部部门" in form and "全部状态" in form and "全部县（市、区）" in form
    assert "绛县（2021–2025）" in form  # plans named by region and period


def test_filtering_by_plan_narrows_the_rows_to_that_plan(admin_client):
    response = admin_client.get(URL, {"plan": JIANG})
    assert row_names(response) == names_of(Project.objects.filter(plan__code=JIANG))
    assert 0 < len(response.context["rows"]) < Project.objects.count()


def test_filtering_by_box_and_keyword_narrows_the_rows(admin_client):
    box = Box.objects.filter(plan__code=YUNCHENG, projects__isnull=False).order_by("order").last()
    response = admin_client.get(URL, {"box": box.pk})
    assert row_names(response) == names_of(box.projects.all()) and response.context["rows"]
    response = admin_client.get(URL, {"q": "造林"})
    expected = Project.objects.filter(name__contains="造林") | Project.objects.filter(content__contains="造林")
    assert row_names(response) == names_of(expected.distinct()) and len(response.context["rows"]) < 218


def test_filtering_by_bureau_status_and_yearly_progress_narrows_the_rows(admin_client, forestry_project):
    other = Project.objects.filter(plan__code=JIANG).exclude(pk=forestry_project.pk).first()
    other.bureau = BureauFactory(region=other.plan.region, name="水务局")
    other.save()
    assert row_names(admin_client.get(URL, {"bureau": forestry_project.bureau_id})) == ["人工造林"]
    ProjectProgress.objects.create(project=forestry_project, year=2022, status=Status.IN_PROGRESS, state=workflow.APPROVED)
    forestry_project.refresh_status()
    ProjectProgress.objects.create(project=other, year=2022, status=Status.PREPARING, state=workflow.SUBMITTED)
    assert row_names(admin_client.get(URL, {"status": Status.IN_PROGRESS})) == ["人工造林"]
    assert row_names(admin_client.get(URL, {"progress": workflow.SUBMITTED})) == [other.name]
    assert row_names(admin_client.get(URL, {"progress": workflow.APPROVED})) == ["人工造林"]
    unreported = admin_client.get(URL, {"progress": "none", "plan": JIANG})
    assert len(unreported.context["rows"]) == Project.objects.filter(plan__code=JIANG).count() - 2
    assert "人工造林" not in row_names(unreported)


def test_filtering_by_years_keeps_the_projects_whose_planned_period_meets_the_range(admin_client, forestry_project):
    forestry_project.start_year, forestry_project.end_year = 2027, 2030  # the others take their plan's 2021–2025
    forestry_project.save()
    assert row_names(admin_client.get(URL, {"year_from": 2026})) == ["人工造林"]
    assert row_names(admin_client.get(URL, {"year_from": 2028, "year_to": 2029})) == ["人工造林"]
    early = admin_client.get(URL, {"year_to": 2026})
    assert len(early.context["rows"]) == Project.objects.count() - 1 and "人工造林" not in row_names(early)
    assert row_names(admin_client.get(URL, {"year_from": 2024, "year_to": 2024, "plan": JIANG})) == sorted(
        names_of(Project.objects.filter(plan__code=JIANG).exclude(pk=forestry_project.pk)))


def test_the_filter_state_stays_in_the_url_and_the_form(admin_client):
    response = admin_client.get(URL, {"plan": JIANG, "q": "造林", "year_from": "2021"})
    html = response.content.decode()
    assert f'<option value="{JIANG}" selected>' in html
    assert 'name="q" value="造林"' in html and 'name="year_from" value="2021"' in html
    assert f'href="/projects/?plan={JIANG}&amp;q=%E9%80%A0%E6%9E%97&amp;year_from=2021"' in html
    listed = admin_client.get("/projects/", {"plan": JIANG, "year_from": "2021"}).content.decode()
    assert f'href="/projects/timeline/?plan={JIANG}&amp;year_from=2021"' in listed


def test_an_empty_result_says_so_in_chinese_and_in_english(admin_client):
    response = admin_client.get(URL, {"q": "没有这样的工程"})
    html = response.content.decode()
    assert response.context["rows"] == [] and "没有符合条件的重点工程。" in html and "data-figure=" not in html
    admin_client.cookies["django_language"] = "en"
    english = admin_client.get(URL, {"year_from": 2090}).content.decode()
    assert "No matching key projects." in english and "data-figure=" not in english


def test_a_year_that_is_not_a_number_is_named_and_the_other_filters_still_apply(admin_client):
    response = admin_client.get(URL, {"plan": JIANG, "year_from": "二〇二一"})
    assert response.status_code == 200
    assert row_names(response) == names_of(Project.objects.filter(plan__code=JIANG))
    assert response.context["filter"].form.errors["year_from"]
