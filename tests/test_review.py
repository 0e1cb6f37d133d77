"""Review by the ecology-environment bureau: the queue and its filters, approve one or many,
return with a reason, resubmission, the approved lock and reopening, the value page with its
state and content history, in-app and e-mail notifications, and scope."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import Bureau, IndicatorValue
from reporting import workflow
from reporting.models import Notification, StateChange
from reporting.submission import open_period

from tests.factories import IndicatorFactory, user_with_role

JIANG, YANHU, TUNLIU = "140826-2021-2025", "140802-2021-2025", "140405-2021-2025"
YEAR = 2023
pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(real_plans):
    return real_plans


@pytest.fixture
def forestry(real_plans):
    return Bureau.objects.get(region__code="140826", name="林业局")


@pytest.fixture
def staff(forestry):
    user = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="linye")
    user.email = "linye@example.cn"
    user.save()
    return user


@pytest.fixture
def city_reviewer(plans):
    """运城市 reviewer: covers 绛县 and 盐湖区."""
    return user_with_role(Role.REVIEWER, region=plans[JIANG].region.parent, username="yuncheng")


@pytest.fixture
def forest(plans):
    return plans[JIANG].indicators.get(number="2")


def submitted(indicator, year=YEAR, raw="36.5", by=None, **extra):
    value = IndicatorValue.objects.create(
        indicator=indicator, year=year, raw=raw, number=Decimal(raw), state=workflow.SUBMITTED,
        submitted_at=timezone.now(), created_by=by, updated_by=by, **extra)
    return value


@pytest.fixture
def three_counties(plans, forest, staff):
    """One submitted value each in 绛县, 盐湖区 and 屯留区, plus a draft in 绛县."""
    return {
        "jiang": submitted(forest, by=staff),
        "yanhu": submitted(plans[YANHU].indicators.get(name="森林覆盖率"), raw="20.1"),
        "tunliu": submitted(plans[TUNLIU].indicators.filter(value_type="number").first(), raw="10"),
        "draft": IndicatorValue.objects.create(indicator=plans[JIANG].indicators.get(number="3"), year=YEAR, raw="0.2",
                                               number=Decimal("0.2")),
    }


def queue_ids(client, **params):
    response = client.get(reverse("review_queue"), params)
    assert response.status_code == 200
    return {row.record.pk for row in response.context["table"].rows}


def review(client, value, action, reason="", version=None):
    return client.post(reverse("value_review", args=[value.pk]),
                       {"action": action, "reason": reason, "version": version or value.version}, follow=True)


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_of_a_city_reviewer_shows_submitted_values_of_the_city_and_its_counties(client, city_reviewer, three_counties):
    client.force_login(city_reviewer)
    assert queue_ids(client) == {three_counties["jiang"].pk, three_counties["yanhu"].pk}
    html = client.get(reverse("review_queue")).content.decode()
    assert "绛县" in html and "盐湖区" in html and "屯留区" not in html


def test_a_county_reviewer_sees_only_its_county(client, plans, three_counties):
    ecology = Bureau.objects.get(region__code="140826", name="生态环境分局")
    client.force_login(user_with_role(Role.REVIEWER, bureau=ecology))
    assert queue_ids(client) == {three_counties["jiang"].pk}


def test_the_queue_filters_by_region_bureau_year_and_status(client, plans, city_reviewer, forestry, three_counties):
    older = submitted(three_counties["jiang"].indicator, year=2022)
    approved = IndicatorValue.objects.create(indicator=plans[JIANG].indicators.get(number="4"), year=YEAR, raw="3",
                                             number=3, state=workflow.APPROVED)
    client.force_login(city_reviewer)
    yanhu_region = plans[YANHU].region
    assert queue_ids(client, region=yanhu_region.pk) == {three_counties["yanhu"].pk}
    assert queue_ids(client, bureau=forestry.pk) == {three_counties["jiang"].pk, older.pk}
    assert queue_ids(client, bureau=forestry.pk, year=2022) == {older.pk}
    assert queue_ids(client, state=workflow.APPROVED) == {approved.pk}
    assert queue_ids(client, state=workflow.DRAFT) == {three_counties["draft"].pk}
    assert queue_ids(client, state="", region=plans[JIANG].region.pk) == {
        three_counties["jiang"].pk, older.pk, approved.pk, three_counties["draft"].pk}


def test_filtering_by_a_region_outside_scope_shows_nothing_from_it(client, plans, city_reviewer, three_counties):
    client.force_login(city_reviewer)
    response = client.get(reverse("review_queue"), {"region": plans[TUNLIU].region.pk})
    assert three_counties["tunliu"].pk not in {row.record.pk for row in response.context["table"].rows}
    assert "屯留区" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.LEADER, Role.BUREAU_STAFF])
def test_the_queue_and_bulk_approval_are_404_for_leaders_and_staff(client, plans, forestry, three_counties, role):
    user = user_with_role(role, bureau=forestry) if role == Role.BUREAU_STAFF else user_with_role(role, region=plans[JIANG].region)
    client.force_login(user)
    assert client.get(reverse("review_queue")).status_code == 404
    assert client.post(reverse("approve_selected"), {"select": [three_counties["jiang"].pk]}).status_code == 404
    assert IndicatorValue.objects.get(pk=three_counties["jiang"].pk).state == workflow.SUBMITTED


def test_a_late_value_is_tagged_in_the_queue(client, city_reviewer, forest):
    submitted(forest, late=True, explanation="补报")
    client.force_login(city_reviewer)
    html = client.get(reverse("review_queue")).content.decode()
    assert "逾期" in html and ">补报<" in html


# --- approve ------------------------------------------------------------------------------


def test_approving_one_value_locks_it_records_the_step_and_notifies_the_bureau(
        client, city_reviewer, staff, three_counties, mailoutbox, django_capture_on_commit_callbacks):
    value = three_counties["jiang"]
    client.force_login(city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(client, value, workflow.APPROVE)
    assert "已审核通过：森林覆盖率 2023 年" in response.content.decode()
    value.refresh_from_db()
    assert (value.state, value.reviewed_by, value.version) == (workflow.APPROVED, city_reviewer, 2)
    change = StateChange.objects.get(object_id=value.pk)
    assert (change.action, change.from_state, change.to_state, change.user) == ("approve", "submitted", "approved", city_reviewer)
    note = Notification.objects.get(user=staff)
    assert note.kind == Notification.Kind.APPROVED and "森林覆盖率" in note.message and "已审核通过" in note.message
    assert note.url == reverse("value_detail", args=[value.pk])
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["linye@example.cn"] and "森林覆盖率" in mailoutbox[0].body
    note.refresh_from_db()
    assert note.emailed


def test_approving_the_selected_values_skips_what_is_outside_scope_or_not_submitted(client, plans, city_reviewer, three_counties):
    client.force_login(city_reviewer)
    ids = [v.pk for v in three_counties.values()]
    response = client.post(reverse("approve_selected"), {"select": ids, "next": reverse("review_queue")}, follow=True)
    assert "已审核通过 2 项" in response.content.decode()
    states = {k: IndicatorValue.objects.get(pk=v.pk).state for k, v in three_counties.items()}
    assert states == {"jiang": workflow.APPROVED, "yanhu": workflow.APPROVED, "tunliu": workflow.SUBMITTED,
                      "draft": workflow.DRAFT}
    assert StateChange.objects.filter(action="approve").count() == 2
    assert queue_ids(client) == set()


def test_approving_a_value_that_changed_since_the_reviewer_loaded_it_is_refused(client, city_reviewer, three_counties):
    value = three_counties["jiang"]
    loaded = value.version
    IndicatorValue.objects.filter(pk=value.pk).update(version=loaded + 1, raw="37.0")
    client.force_login(city_reviewer)
    response = review(client, value, workflow.APPROVE, version=loaded)
    assert "您的修改未保存" in response.content.decode() and "37.0" in response.content.decode()
    assert IndicatorValue.objects.get(pk=value.pk).state == workflow.SUBMITTED


# --- return and resubmit ------------------------------------------------------------------


def test_returning_needs_a_reason(client, city_reviewer, staff, three_counties):
    value = three_counties["jiang"]
    client.force_login(city_reviewer)
    response = review(client, value, workflow.RETURN, reason="  ")
    assert "「退回」必须填写原因" in response.content.decode()
    assert IndicatorValue.objects.get(pk=value.pk).state == workflow.SUBMITTED
    assert not Notification.objects.exists()


def test_a_returned_value_shows_the_reason_on_the_form_and_its_resubmission_returns_it_to_the_queue(
        client, plans, city_reviewer, staff, three_counties):
    value = three_counties["jiang"]
    open_period(plans[JIANG], YEAR, None, deadline=timezone.localdate() + timedelta(days=20))
    client.force_login(city_reviewer)
    review(client, value, workflow.RETURN, reason="与林业普查数据不符")
    value.refresh_from_db()
    assert (value.state, value.return_reason) == (workflow.RETURNED, "与林业普查数据不符")
    assert queue_ids(client) == {three_counties["yanhu"].pk}
    note = Notification.objects.get(user=staff)
    assert note.kind == Notification.Kind.RETURNED and "被退回：与林业普查数据不符" in note.message

    client.force_login(staff)
    form_url = reverse("entry_form", args=[JIANG, YEAR])
    row_html = client.get(form_url).content.decode().split(f'id="row-{value.indicator_id}"')[1].split("</tr>")[0]
    assert "退回原因" in row_html and "与林业普查数据不符" in row_html
    assert "disabled" not in row_html.split(f'name="i{value.indicator_id}-raw"')[1].split(">")[0]
    response = client.post(form_url, {"action": "submit", f"i{value.indicator_id}-raw": "36.2",
                                      f"i{value.indicator_id}-version": str(value.version)})
    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.state, value.raw, value.return_reason) == (workflow.SUBMITTED, "36.2", "")
    assert StateChange.objects.filter(object_id=value.pk).order_by("at", "id").last().label == "重新提交"

    client.force_login(city_reviewer)
    assert value.pk in queue_ids(client)


# --- the approved lock and reopening ------------------------------------------------------


def test_an_approved_value_can_be_reopened_only_with_a_reason_and_then_edited_again(client, plans, city_reviewer, staff, forest):
    value = IndicatorValue.objects.create(indicator=forest, year=YEAR, raw="36.5", number=Decimal("36.5"),
                                          state=workflow.APPROVED)
    open_period(plans[JIANG], YEAR, None, deadline=timezone.localdate() + timedelta(days=20))
    client.force_login(city_reviewer)
    assert "「重新打开」必须填写原因" in review(client, value, workflow.REOPEN).content.decode()
    assert IndicatorValue.objects.get(pk=value.pk).state == workflow.APPROVED
    review(client, value, workflow.REOPEN, reason="统计局更正了年报")
    value.refresh_from_db()
    assert value.state == workflow.REOPENED
    assert Notification.objects.get(user=staff).kind == Notification.Kind.REOPENED

    client.force_login(staff)
    response = client.post(reverse("entry_form", args=[JIANG, YEAR]),
                           {"action": "save", f"i{forest.pk}-raw": "36.6", f"i{forest.pk}-version": str(value.version)})
    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.raw, value.state) == ("36.6", workflow.REOPENED)


def test_a_reviewer_cannot_approve_twice_or_return_an_approved_value(client, city_reviewer, three_counties):
    value = three_counties["jiang"]
    client.force_login(city_reviewer)
    review(client, value, workflow.APPROVE)
    value.refresh_from_db()
    assert "已审核通过并锁定" in review(client, value, workflow.APPROVE).content.decode()
    assert "已审核通过并锁定" in review(client, value, workflow.RETURN, reason="x").content.decode()
    assert IndicatorValue.objects.get(pk=value.pk).state == workflow.APPROVED
    assert StateChange.objects.filter(object_id=value.pk).count() == 1


# --- the value page -----------------------------------------------------------------------


def test_the_value_page_shows_every_state_change_and_every_content_change(client, plans, city_reviewer, staff, forest):
    open_period(plans[JIANG], YEAR, None, deadline=timezone.localdate() + timedelta(days=20))
    form_url = reverse("entry_form", args=[JIANG, YEAR])
    client.force_login(staff)
    client.post(form_url, {"action": "save", f"i{forest.pk}-raw": "36.1"})
    value = IndicatorValue.objects.get(indicator=forest)
    client.post(form_url, {"action": "submit", f"i{forest.pk}-raw": "36.4", f"i{forest.pk}-version": str(value.version)})
    value.refresh_from_db()
    client.force_login(city_reviewer)
    review(client, value, workflow.RETURN, reason="请附佐证材料")

    history = list(value.history.order_by("history_date", "history_id").values_list("raw", "state", "history_user__username"))
    assert history == [("36.1", "draft", "linye"), ("36.4", "submitted", "linye"), ("36.4", "returned", "yuncheng")]

    response = client.get(reverse("value_detail", args=[value.pk]))
    assert response.status_code == 200
    changes = [(c.label, c.user.username, c.comment) for c in response.context["changes"]]
    assert changes == [("提交", "linye", ""), ("退回", "yuncheng", "请附佐证材料")]
    html = response.content.decode()
    assert "流转记录" in html and "修改历史" in html
    assert html.count("36.1") >= 1 and "请附佐证材料" in html and "linye" in html and "yuncheng" in html
    assert timezone.localtime(response.context["changes"][0].at).strftime("%Y-%m-%d") in html
    content_history = html.split("修改历史")[1]
    assert "<td>草稿</td>" in content_history and "<td>已退回</td>" in content_history
    assert "<td>draft</td>" not in content_history


def test_a_leader_reads_the_value_page_but_cannot_review(client, plans, three_counties):
    value = three_counties["jiang"]
    client.force_login(user_with_role(Role.LEADER, region=plans[JIANG].region))
    response = client.get(reverse("value_detail", args=[value.pk]))
    assert response.status_code == 200 and not response.context["can_review"]
    assert 'value="approve"' not in response.content.decode()
    assert client.post(reverse("value_review", args=[value.pk]), {"action": "approve"}).status_code == 404
    assert IndicatorValue.objects.get(pk=value.pk).state == workflow.SUBMITTED


@pytest.mark.parametrize("who", ["other_bureau_staff", "other_city_reviewer", "county_leader_elsewhere"])
def test_a_value_outside_scope_is_404_on_its_page_and_for_review(client, plans, three_counties, who):
    user = {
        "other_bureau_staff": lambda: user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="水务局")),
        "other_city_reviewer": lambda: user_with_role(Role.REVIEWER, region=plans[TUNLIU].region.parent),
        "county_leader_elsewhere": lambda: user_with_role(Role.LEADER, region=plans[YANHU].region),
    }[who]()
    client.force_login(user)
    value = three_counties["jiang"]
    assert client.get(reverse("value_detail", args=[value.pk])).status_code == 404
    assert client.post(reverse("value_review", args=[value.pk]), {"action": "approve"}).status_code == 404
    assert client.get(reverse("value_detail", args=[999999])).status_code == 404
    assert IndicatorValue.objects.get(pk=value.pk).state == workflow.SUBMITTED


def test_an_unknown_review_action_is_404(client, city_reviewer, three_counties):
    client.force_login(city_reviewer)
    assert client.post(reverse("value_review", args=[three_counties["jiang"].pk]), {"action": "delete"}).status_code == 404


def test_the_bureau_sees_its_notifications_in_the_app(client, city_reviewer, staff, three_counties):
    client.force_login(city_reviewer)
    review(client, three_counties["jiang"], workflow.RETURN, reason="单位有误")
    client.force_login(staff)
    assert "您有 1 条未读通知" in client.get(reverse("home")).content.decode()
    assert "单位有误" in client.get(reverse("notification_list")).content.decode()
    client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()


# --- query budget -------------------------------------------------------------------------


def _queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    return len(queries), len(response.context["table"].rows)


def test_the_queue_needs_a_fixed_small_number_of_queries(client, plans, forestry, city_reviewer, three_counties,
                                                         django_assert_max_num_queries):
    client.force_login(city_reviewer)
    with django_assert_max_num_queries(20):
        client.get(reverse("review_queue"))
    before, shown = _queue_queries(client)
    for n in range(10):
        indicator = IndicatorFactory(plan=plans[JIANG], key=f"8{n}", number=f"8{n}", name=f"附加指标{n}", bureaus=[forestry],
                                     order=800 + n)
        submitted(indicator, explanation="说明", late=bool(n % 2))
    after, shown_after = _queue_queries(client)
    assert shown_after == shown + 10
    assert after == before


# --- issue 17: the optimistic lock cannot be skipped with a malformed version --------------


@pytest.mark.parametrize("version", [str(10**23), "abc", "", "-1", "1.0", "²", None])
def test_a_reopen_or_judgement_without_a_valid_version_is_refused_with_400(client, city_reviewer, forest, version):
    value = submitted(forest)
    value.state = workflow.APPROVED
    value.save()
    client.force_login(city_reviewer)
    data = {"action": "reopen", "reason": "年报更正"}
    if version is not None:
        data["version"] = version
    response = client.post(reverse("value_review", args=[value.pk]), data)
    assert response.status_code == 400 and "版本号" in response.content.decode()
    judged = {"judgement": "done", "reason": "已核查"} | ({"version": version} if version is not None else {})
    response = client.post(reverse("value_judgement", args=[value.pk]), judged)
    assert response.status_code == 400 and "版本号" in response.content.decode()
    value.refresh_from_db()
    assert value.state == workflow.APPROVED and value.reviewer_judgement == ""


def test_the_same_reopen_with_the_current_version_goes_through(client, city_reviewer, forest):
    value = submitted(forest)
    value.state = workflow.APPROVED
    value.save()
    client.force_login(city_reviewer)
    response = client.post(reverse("value_review", args=[value.pk]),
                           {"action": "reopen", "reason": "年报更正", "version": str(value.version)})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.state == workflow.RETURNED or value.state != workflow.APPROVED


def test_the_api_refuses_an_out_of_range_or_non_numeric_version_with_400(city_reviewer, forest):
    from django.test import Client

    value = submitted(forest)
    client = Client()
    client.force_login(city_reviewer)
    for version in (10**23, "abc", -1, True):
        response = client.post(f"/api/v1/values/{value.pk}/approve", {"version": version}, content_type="application/json")
        assert response.status_code == 400, version
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED
