"""GET /api/v1/plans/<code>/projects/: a plan's key projects, scoped like the pages."""
from decimal import Decimal

import pytest
from core.models import ApiToken

from accounts.models import Role
from projects.models import Project, ProjectProgress, QuantityProgress
from reporting import workflow

from tests.factories import user_with_role
from tests.test_projects_support import (  # noqa: F401
    JIANG, YUNCHENG, _real_projects_committed, forestry_project, people, real_projects,
)

pytestmark = pytest.mark.django_db


def url(code):
    return f"/api/v1/plans/{code}/projects/"


def test_a_plan_returns_its_projects_with_box_counties_quantities_and_latest_progress(client, forestry_project):
    progress = ProjectProgress.objects.create(project=forestry_project, year=2022, status="in_progress", state=workflow.APPROVED)
    QuantityProgress.objects.create(progress=progress, quantity=forestry_project.quantities.get(), amount_done=Decimal("0.3"))
    ProjectProgress.objects.create(project=forestry_project, year=2023, status="completed", state=workflow.SUBMITTED)
    client.force_login(user_with_role(Role.ADMIN))
    body = client.get(url(JIANG)).json()
    assert len(body) == Project.objects.filter(plan__code=JIANG).count()
    forest = next(p for p in body if p["name"] == "人工造林")
    assert forest["box"] == {"number": "2", "title": "生态保护修复工程"}
    assert forest["content"] == "人工造林1万亩" and forest["indicators"] == ["2"] and forest["bureau"] == "林业局"
    assert [(q["measure"], q["amount"], q["unit"]) for q in forest["quantities"]] == [("人工造林", 1.0, "万亩")]
    assert forest["latest_progress"]["year"] == 2023 and forest["latest_progress"]["state"] == "submitted"


def test_counties_are_listed_with_code_and_name(client, real_projects):
    client.force_login(user_with_role(Role.ADMIN))
    body = client.get(url(YUNCHENG)).json()
    located = [p for p in body if p["counties"]]
    assert located and all(set(c) == {"code", "name"} for p in located for c in p["counties"])
    assert any({"code": "140881", "name": "永济市"} in p["counties"] for p in located)


def test_a_plan_outside_the_users_region_is_404(client, people):
    client.force_login(people["outside_leader"])
    assert client.get(url(JIANG)).status_code == 404
    client.force_login(people["leader"])
    assert client.get(url(JIANG)).status_code == 200
    assert client.get(url(YUNCHENG)).status_code == 404


def test_bureau_staff_get_only_their_bureaus_projects(client, people):
    client.force_login(people["staff"])
    assert [p["name"] for p in client.get(url(JIANG)).json()] == ["人工造林"]
    client.force_login(people["other_staff"])
    assert client.get(url(JIANG)).json() == []


def test_a_token_authenticates_and_anonymous_requests_are_refused(client, people):
    token = ApiToken.issue(people["leader"])
    assert client.get(url(JIANG), HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert client.get(url(JIANG)).status_code in (401, 403)


def test_the_query_count_does_not_grow_with_the_projects(client, real_projects, django_assert_max_num_queries):
    client.force_login(user_with_role(Role.ADMIN))
    with django_assert_max_num_queries(14):
        assert len(client.get(url(YUNCHENG)).json()) > 50


def test_the_openapi_schema_describes_the_endpoint(client, real_projects):
    client.force_login(user_with_role(Role.ADMIN))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/plans/{code}/projects/" in schema["paths"]
