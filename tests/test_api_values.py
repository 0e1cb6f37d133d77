"""The write API for yearly values and the review actions: session and token auth, per-item
results and errors, all-or-nothing batches, scope (404 outside it), and a value's state and history."""
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from core.models import ApiToken

from accounts.models import Role
from indicators.models import Bureau, IndicatorValue
from reporting.models import Notification, StateChange
from reporting.submission import open_period

from tests.factories import user_with_role

JIANG, YANHU, TUNLIU = "140826-2021-2025", "140802-2021-2025", "140405-2021-2025"
YEAR = 2023
pytestmark = pytest.mark.django_db


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def forestry(real_plans):
    return Bureau.objects.get(region__code="140826", name="林业局")


@pytest.fixture
def staff(forestry):
    return user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="linye")


@pytest.fixture
def period(jiang):
    return open_period(jiang, YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)


@pytest.fixture
def staff_client(client, staff, period):
    client.force_login(staff)
    return client


@pytest.fixture
def reviewer(jiang):
    return user_with_role(Role.REVIEWER, region=jiang.region.parent, username="yuncheng")


@pytest.fixture
def indicators(jiang):
    return {n: jiang.indicators.get(number=n) for n in ("1", "2", "3", "4")}


def values_url(code=JIANG):
    return f"/api/v1/plans/{code}/values/"


def post(client, body, code=JIANG, **headers):
    return client.post(values_url(code), data=json.dumps(body), content_type="application/json", **headers)


def v(value):
    """The value's current version, as a review call must send it."""
    return {"version": IndicatorValue.objects.get(pk=value.pk).version}


def item(number="2", value="36.70", **extra):
    return {"number": number, "year": YEAR, "value": value, "source": "县林业局", "note": "", **extra}


# --- writing ------------------------------------------------------------------------------


def test_a_batch_is_saved_and_each_item_answers_with_its_id_and_state(staff_client, indicators):
    response = post(staff_client, [item("2", "36.70", submit=True), item("3", "0.2‰", note="两起火情")])
    assert response.status_code == 201
    results = response.json()["results"]
    assert [(r["index"], r["number"], r["state"]) for r in results] == [(0, "2", "submitted"), (1, "3", "draft")]
    forest = IndicatorValue.objects.get(pk=results[0]["id"])
    assert (forest.indicator, forest.number, forest.source, forest.state) == (indicators["2"], Decimal("36.70"), "县林业局", "submitted")
    assert IndicatorValue.objects.get(pk=results[1]["id"]).note == "两起火情"
    assert results[0]["number_value"] == 36.7 and results[0]["version"] == 1
    assert StateChange.objects.filter(object_id=forest.pk, action="submit").count() == 1


def test_a_token_authenticates_writes(client, staff, period):
    token = ApiToken.issue(staff)
    response = post(client, [item()], HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201 and response.json()["results"][0]["state"] == "draft"


def test_anonymous_writes_are_refused_with_401(client, period):
    assert post(client, [item()]).status_code == 401
    assert post(client, [item()], HTTP_AUTHORIZATION="Token not-a-token").status_code == 401
    assert not IndicatorValue.objects.exists()


def test_one_invalid_item_saves_nothing_and_every_error_names_its_item(staff_client, indicators):
    draft = IndicatorValue.objects.create(indicator=indicators["4"], year=YEAR, raw="3.0", number=3)
    response = post(staff_client, [
        item("2", "36.70", submit=True),
        item("3", "abc"),
        item("4", "3.1", version=draft.version),
        item("1", "38.5"),
    ])
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "value"), (3, "number")]
    assert "「林草火灾受害率」" in errors[0]["message"] and "不是有效的数字" in errors[0]["message"]
    assert "序号「1」不存在或不属于您部门填报的指标" in errors[1]["message"]
    assert IndicatorValue.objects.count() == 1
    draft.refresh_from_db()
    assert (draft.raw, draft.version) == ("3.0", 1)


@pytest.mark.parametrize(
    "value, words",
    [("150", "不能超过 100"), ("NaN", "不是有效的数字"), ("99999999999999", "超出合理范围"), ("三十", "不是有效的数字")],
)
def test_bad_values_are_refused_in_chinese_naming_the_indicator(staff_client, indicators, value, words):
    response = post(staff_client, [item("2", value)])
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "「森林覆盖率」" in message and words in message
    assert not IndicatorValue.objects.exists()


def test_an_item_that_does_not_fit_the_schema_is_refused_per_item(staff_client):
    response = post(staff_client, [item(), {"number": "3", "year": 3000, "value": "1"}, {"value": "1"}])
    assert response.status_code == 400
    fields = {(e["index"], e["field"]) for e in response.json()["errors"]}
    assert {(1, "year"), (2, "number"), (2, "year")} <= fields
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("body", [{"number": "2"}, [], "36.7"])
def test_a_body_that_is_not_a_non_empty_list_is_refused(staff_client, body):
    response = post(staff_client, body)
    assert response.status_code == 400 and "非空的 JSON 数组" in response.json()["errors"][0]["message"]


def test_a_batch_over_the_limit_is_refused(staff_client):
    response = post(staff_client, [item()] * 501)
    assert response.status_code == 400 and "最多提交 500 项" in response.json()["errors"][0]["message"]


def test_the_same_value_twice_in_one_batch_is_refused_by_its_index(staff_client):
    response = post(staff_client, [item("2", "36.7"), item("3", "0.1"), item("2", "36.9")])
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(2, "number")]
    assert "重复" in errors[0]["message"]
    assert not IndicatorValue.objects.exists()


def test_items_of_several_years_are_saved_together_or_not_at_all(staff_client, jiang):
    # 2022 has no open period (its default deadline passed long ago): the 2023 item is not saved either
    response = post(staff_client, [item("2", "36.7"), {**item("3", "0.2"), "year": 2022}])
    assert response.status_code == 400
    assert "2022 年的填报期未开放或已截止" in response.json()["errors"][0]["message"]
    assert not IndicatorValue.objects.exists()
    open_period(jiang, 2022, None, kept_open=True)
    response = post(staff_client, [item("2", "36.7"), {**item("3", "0.2"), "year": 2022, "submit": True}])
    assert response.status_code == 201
    saved = {(v.year, v.state, v.late) for v in IndicatorValue.objects.all()}
    assert saved == {(2023, "draft", False), (2022, "submitted", True)}


def test_submission_needs_an_explanation_when_the_follow_up_rule_applies(staff_client, indicators):
    IndicatorValue.objects.create(indicator=indicators["3"], year=YEAR - 1, raw="0.2", number=Decimal("0.2"), state="approved")
    response = post(staff_client, [item("3", "0.5", submit=True)])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "explanation" and "超过 30%" in error["message"]
    response = post(staff_client, [item("3", "0.5", submit=True, explanation="发生森林火灾")])
    assert response.status_code == 201


def test_a_qualitative_value_takes_a_judgement(client, real_plans):
    yanhu = real_plans[YANHU]
    index = yanhu.indicators.get(name="生态功能指数", value_type="text")
    bureau = index.bureaus.get()
    open_period(yanhu, YEAR, None, deadline=timezone.localdate() + timedelta(days=30))
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=bureau))
    refused = post(client, [{"number": index.number, "year": YEAR, "judgement": "done?"}], code=YANHU)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "judgement"
    response = post(client, [{"number": index.number, "year": YEAR, "judgement": "mostly_done", "value": "持续改善"}], code=YANHU)
    assert response.status_code == 201 and response.json()["results"][0]["judgement"] == "mostly_done"


def test_an_approved_value_is_locked_against_the_api(staff_client, indicators):
    IndicatorValue.objects.create(indicator=indicators["2"], year=YEAR, raw="36.5", number=Decimal("36.5"), state="approved")
    response = post(staff_client, [item("2", "30")])
    assert response.status_code == 400 and "已审核通过，不能修改" in response.json()["errors"][0]["message"]
    assert IndicatorValue.objects.get().raw == "36.5"


def test_a_write_with_an_old_version_is_refused_with_the_other_change(client, staff, forestry, period, indicators):
    value = IndicatorValue.objects.create(indicator=indicators["2"], year=YEAR, raw="36.1", number=Decimal("36.1"))
    colleague = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="wanglin")
    client.force_login(colleague)
    assert post(client, [item("2", "36.8", version=1)]).status_code == 201
    client.force_login(staff)
    response = post(client, [item("2", "36.3", version=1)])
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert error["field"] == "version" and "wanglin" in error["message"] and "36.8" in error["message"]
    value.refresh_from_db()
    assert (value.raw, value.version) == ("36.8", 2)


def test_a_write_without_a_version_does_not_overwrite_a_value_a_colleague_saved_meanwhile(
        client, staff, forestry, period, indicators):
    colleague = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="wanglin")
    client.force_login(colleague)
    assert post(client, [item("2", "36.8")]).status_code == 201
    client.force_login(staff)  # loaded the form before wanglin saved: no version to send
    response = post(client, [item("2", "36.3", submit=True)])
    assert response.status_code == 409
    assert "wanglin" in response.json()["errors"][0]["message"]
    value = IndicatorValue.objects.get(indicator=indicators["2"], year=YEAR)
    assert (value.raw, value.state, value.updated_by) == ("36.8", "draft", colleague)
    assert post(client, [item("2", "36.3", version=value.version)]).status_code == 201


def test_a_plan_outside_scope_is_404_and_a_plan_in_scope_without_own_rows_is_refused(client, staff, period, real_plans):
    client.force_login(staff)
    assert post(client, [item()], code=YANHU).status_code == 404
    assert post(client, [item()], code="no-such-plan").status_code == 404
    leader = user_with_role(Role.LEADER, region=real_plans[JIANG].region)
    client.force_login(leader)
    response = post(client, [item()])
    assert response.status_code in (400, 403, 404)
    assert not IndicatorValue.objects.exists()


# --- reading a value ----------------------------------------------------------------------


@pytest.fixture
def submitted_value(staff_client, staff):
    response = post(staff_client, [item("2", "36.7", submit=True)])
    return IndicatorValue.objects.get(pk=response.json()["results"][0]["id"])


def test_a_value_reads_with_its_state_and_history(client, reviewer, submitted_value):
    client.force_login(reviewer)
    assert client.post(f"/api/v1/values/{submitted_value.pk}/return", {"reason": "请核实口径", **v(submitted_value)},
                       content_type="application/json").status_code == 200
    body = client.get(f"/api/v1/values/{submitted_value.pk}").json()
    assert (body["id"], body["state"], body["value"], body["return_reason"]) == (submitted_value.pk, "returned", "36.7", "请核实口径")
    assert [(h["action"], h["from_state"], h["to_state"], h["user"], h["comment"]) for h in body["history"]] == [
        ("submit", "", "submitted", "linye", ""), ("return", "submitted", "returned", "yuncheng", "请核实口径")]
    assert all(h["at"] for h in body["history"])


@pytest.mark.parametrize("who", ["other_bureau_staff", "other_city_reviewer", "leader_elsewhere"])
def test_a_value_outside_scope_is_404_for_reading_and_reviewing(client, real_plans, submitted_value, who):
    user = {
        "other_bureau_staff": lambda: user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="水务局")),
        "other_city_reviewer": lambda: user_with_role(Role.REVIEWER, region=real_plans[TUNLIU].region),
        "leader_elsewhere": lambda: user_with_role(Role.LEADER, region=real_plans[YANHU].region),
    }[who]()
    client.force_login(user)
    assert client.get(f"/api/v1/values/{submitted_value.pk}").status_code == 404
    assert client.get("/api/v1/values/987654").status_code == 404
    for action in ("approve", "return", "reopen"):
        assert client.post(f"/api/v1/values/{submitted_value.pk}/{action}", {"reason": "x"},
                           content_type="application/json").status_code == 404
    assert IndicatorValue.objects.get(pk=submitted_value.pk).state == "submitted"


def test_a_leader_reads_a_value_in_scope_but_cannot_review_it(client, real_plans, submitted_value):
    client.force_login(user_with_role(Role.LEADER, region=real_plans[JIANG].region.parent))
    assert client.get(f"/api/v1/values/{submitted_value.pk}").json()["state"] == "submitted"
    assert client.post(f"/api/v1/values/{submitted_value.pk}/approve").status_code == 404


def test_bureau_staff_cannot_approve_their_own_value(staff_client, submitted_value):
    assert staff_client.get(f"/api/v1/values/{submitted_value.pk}").status_code == 200
    assert staff_client.post(f"/api/v1/values/{submitted_value.pk}/approve").status_code == 404
    assert IndicatorValue.objects.get(pk=submitted_value.pk).state == "submitted"


# --- review actions -----------------------------------------------------------------------


def test_approve_then_reopen_with_a_reason_through_the_api(client, reviewer, staff, submitted_value):
    token = ApiToken.issue(reviewer)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    response = client.post(f"/api/v1/values/{submitted_value.pk}/approve", v(submitted_value), content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["state"] == "approved"
    refused = client.post(f"/api/v1/values/{submitted_value.pk}/reopen", v(submitted_value), content_type="application/json", **auth)
    assert refused.status_code == 400 and "必须填写原因" in refused.json()["errors"][0]["message"]
    response = client.post(f"/api/v1/values/{submitted_value.pk}/reopen", {"reason": "年报更正", **v(submitted_value)}, content_type="application/json", **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "reopened" and body["return_reason"] == "年报更正"
    assert [h["label"] for h in body["history"]] == ["提交", "审核通过", "重新打开"]
    kinds = list(Notification.objects.filter(user=staff).order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == ["approved", "reopened"]


def test_return_needs_a_reason_and_approving_a_returned_value_is_refused(client, reviewer, submitted_value):
    client.force_login(reviewer)
    url = f"/api/v1/values/{submitted_value.pk}"
    refused = client.post(f"{url}/return", {"reason": " ", **v(submitted_value)}, content_type="application/json")
    assert refused.status_code == 400 and "「退回」必须填写原因" in refused.json()["errors"][0]["message"]
    assert client.post(f"{url}/return", {"reason": "缺少佐证", **v(submitted_value)}, content_type="application/json").json()["state"] == "returned"
    again = client.post(f"{url}/approve", v(submitted_value), content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "state"


def test_a_review_with_an_old_version_is_refused_with_409(client, reviewer, submitted_value):
    client.force_login(reviewer)
    IndicatorValue.objects.filter(pk=submitted_value.pk).update(version=5)
    response = client.post(f"/api/v1/values/{submitted_value.pk}/approve", {"version": 1}, content_type="application/json")
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "version"
    assert IndicatorValue.objects.get(pk=submitted_value.pk).state == "submitted"
    assert client.post(f"/api/v1/values/{submitted_value.pk}/approve", {"version": 5},
                       content_type="application/json").json()["state"] == "approved"


def test_a_resubmission_through_the_api_returns_the_value_to_review(client, staff, reviewer, submitted_value):
    client.force_login(reviewer)
    client.post(f"/api/v1/values/{submitted_value.pk}/return", {"reason": "小数位错误", **v(submitted_value)}, content_type="application/json")
    client.force_login(staff)
    submitted_value.refresh_from_db()
    response = post(client, [item("2", "36.72", submit=True, version=submitted_value.version)])
    assert response.status_code == 201
    body = response.json()["results"][0]
    assert (body["state"], body["return_reason"]) == ("submitted", "")
    history = client.get(f"/api/v1/values/{submitted_value.pk}").json()["history"]
    assert history[-1]["label"] == "重新提交" and history[-1]["from_state"] == "returned"


def test_a_long_reason_is_kept_in_full_on_the_value(client, reviewer, submitted_value):
    client.force_login(reviewer)
    reason = "请核实：" + "数据来源与口径不一致。" * 60
    response = client.post(f"/api/v1/values/{submitted_value.pk}/return", {"reason": reason, **v(submitted_value)}, content_type="application/json")
    assert response.status_code == 200 and response.json()["return_reason"] == reason
    assert len(Notification.objects.get().message) <= 500


def test_a_review_call_without_a_version_is_refused_with_400(client, reviewer, submitted_value):
    client.force_login(reviewer)
    for body in ({}, {"reason": "x"}, {"version": None}, {"version": ""}):
        response = client.post(f"/api/v1/values/{submitted_value.pk}/approve", body, content_type="application/json")
        assert response.status_code == 400, body
    assert IndicatorValue.objects.get(pk=submitted_value.pk).state == "submitted"
