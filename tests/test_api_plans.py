import pytest
from core.models import ApiToken

from accounts.models import Role
from indicators.models import Bureau, Plan

from tests.factories import user_with_role


@pytest.fixture
def admin_client(client):
    client.force_login(user_with_role(Role.ADMIN))
    return client


@pytest.mark.django_db
def test_the_plan_list_returns_the_five_real_plans(admin_client, real_plans):
    codes = {p["code"] for p in admin_client.get("/api/v1/plans/").json()}
    assert {"140826-2021-2025", "140802-2021-2025", "140800-2021-2025", "140405-2021-2025", "141121-2024-2035"} <= codes


@pytest.mark.django_db
def test_a_plan_returns_its_indicators_with_raw_and_parsed_baseline_and_targets(admin_client, real_plans):
    body = admin_client.get("/api/v1/plans/140826-2021-2025/").json()
    assert body["base_year"] == 2020 and body["milestone_years"] == [2025]
    forest = next(i for i in body["indicators"] if i["name"] == "森林覆盖率")
    assert forest["number"] == "2" and forest["attribute"] == "binding" and forest["unit"] == "%"
    assert forest["responsible"] == ["林业局"]
    assert forest["baseline"] == {"raw": "36.07", "value": 36.07, "year": 2020}
    assert forest["targets"]["2025"]["raw"] == "37.07"
    assert forest["targets"]["2025"]["kind"] == "exact" and forest["targets"]["2025"]["value"] == 37.07
    ammonia = next(i for i in body["indicators"] if i["name"] == "氨氮排放总量减少")
    assert ammonia["parent_number"] == "15" and ammonia["number"] == "" and ammonia["attribute"] is None
    pest = next(i for i in body["indicators"] if i["name"] == "林草有害生物成灾率")
    assert pest["targets"]["2025"]["kind"] == "at_most" and pest["targets"]["2025"]["value"] == 3.5


@pytest.mark.django_db
def test_two_bureaus_in_one_cell_are_two_responsible_bureaus(admin_client, real_plans):
    body = admin_client.get("/api/v1/plans/140826-2021-2025/").json()
    row = next(i for i in body["indicators"] if i["name"] == "非化石能源占一次能源消费比重")
    assert row["responsible"] == ["统计局", "能源局"]


@pytest.mark.django_db
def test_a_token_authenticates_and_a_revoked_token_does_not(client, real_plans):
    user = user_with_role(Role.LEADER, region=Plan.objects.get(code="140800-2021-2025").region)
    token = ApiToken.issue(user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/plans/140826-2021-2025/", **headers).status_code == 200
    token.delete()
    assert client.get("/api/v1/plans/140826-2021-2025/", **headers).status_code == 401


@pytest.mark.django_db
def test_a_plan_outside_the_users_region_is_404(client, real_plans):
    jiang = Plan.objects.get(code="140826-2021-2025").region
    client.force_login(user_with_role(Role.LEADER, region=jiang))
    assert client.get("/api/v1/plans/140826-2021-2025/").status_code == 200
    assert client.get("/api/v1/plans/140802-2021-2025/").status_code == 404
    assert client.get("/api/v1/plans/140800-2021-2025/").status_code == 404
    assert {p["code"] for p in client.get("/api/v1/plans/").json()} == {"140826-2021-2025"}


@pytest.mark.django_db
def test_bureau_staff_see_only_their_own_bureaus_indicators(client, real_plans):
    forestry = Bureau.objects.get(region__code="140826", name="林业局")
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=forestry))
    names = {i["name"] for i in client.get("/api/v1/plans/140826-2021-2025/").json()["indicators"]}
    assert names == {"森林覆盖率", "林草火灾受害率", "林草有害生物成灾率"}


@pytest.mark.django_db
def test_anonymous_requests_are_refused(client, real_plans):
    assert client.get("/api/v1/plans/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_openapi_schema_describes_the_plan_endpoints(admin_client):
    response = admin_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/plans/{code}/" in text
