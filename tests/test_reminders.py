"""Deadline reminders: 14, 7 and 1 days before a period's deadline, to the bureaus that still
owe values, idempotent, in-app and by e-mail (locmem backend through `mailoutbox`)."""
import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from indicators.models import Bureau, IndicatorValue
from reporting import workflow
from reporting.models import Notification
from reporting.tasks import send_deadline_reminders
from reporting.submission import open_period

from tests.factories import IndicatorFactory, user_with_role

JIANG = "140826-2021-2025"
YEAR = 2023
DEADLINE = datetime.date(2024, 3, 31)
pytestmark = pytest.mark.django_db


def staff_of(name, username, email=True, region="140826"):
    user = user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code=region, name=name), username=username)
    if email:
        user.email = f"{username}@example.cn"
        user.save()
    return user


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def people(jiang):
    """林业局 has entered everything; 水务局 and 自然资源局 have not."""
    for number in ("2", "3", "4"):
        IndicatorValue.objects.create(indicator=jiang.indicators.get(number=number), year=YEAR, raw="1", number=Decimal(1),
                                      state=workflow.SUBMITTED if number != "4" else workflow.APPROVED)
    return {
        "forestry": staff_of("林业局", "linye"),
        "water": staff_of("水务局", "shuiwu"),
        "land": staff_of("自然资源局", "ziran", email=False),
    }


def reminders_for(user):
    return list(Notification.objects.filter(user=user, kind=Notification.Kind.DEADLINE).order_by("created_at", "id"))


def run(day):
    return send_deadline_reminders(today=day.isoformat())


@pytest.mark.parametrize("days_before", [14, 7, 1])
def test_bureaus_with_missing_values_are_reminded_before_the_deadline(jiang, people, days_before, mailoutbox):
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    created = run(DEADLINE - datetime.timedelta(days=days_before))
    assert created == 2
    [water] = reminders_for(people["water"])
    water_rows = jiang.indicators.filter(bureaus__name="水务局").count()
    assert water_rows == 4
    assert water.message == (f"绛县 2023 年数据将于 2024-03-31 截止（还有 {days_before} 天），您部门尚有 {water_rows} 项指标未提交。")
    assert water.url == f"/entry/{JIANG}/{YEAR}/"
    assert len(reminders_for(people["land"])) == 1
    assert reminders_for(people["forestry"]) == []
    assert [m.to for m in mailoutbox] == [["shuiwu@example.cn"]]
    assert "截止" in mailoutbox[0].body and "截止日期临近" in mailoutbox[0].subject


@pytest.mark.parametrize("days_before", [15, 13, 8, 2, 0, -1])
def test_no_reminder_on_other_days(jiang, people, days_before, mailoutbox):
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    assert run(DEADLINE - datetime.timedelta(days=days_before)) == 0
    assert not Notification.objects.exists() and mailoutbox == []


def test_running_twice_on_the_same_day_sends_nothing_twice(jiang, people, mailoutbox):
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    day = DEADLINE - datetime.timedelta(days=7)
    assert run(day) == 2
    assert run(day) == 0
    assert len(reminders_for(people["water"])) == 1 and len(mailoutbox) == 1


def test_each_distance_reminds_once(jiang, people, mailoutbox):
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    for days_before in (14, 14, 7, 7, 1, 1):
        run(DEADLINE - datetime.timedelta(days=days_before))
    assert ["还有 14 天" in n.message for n in reminders_for(people["water"])] == [True, False, False]
    assert len(reminders_for(people["water"])) == 3 and len(mailoutbox) == 3


def test_a_draft_or_returned_value_still_counts_as_missing(jiang, people):
    water_rows = list(jiang.indicators.filter(bureaus__name="水务局"))
    IndicatorValue.objects.create(indicator=water_rows[0], year=YEAR, raw="1", number=1, state=workflow.DRAFT)
    IndicatorValue.objects.create(indicator=water_rows[1], year=YEAR, raw="1", number=1, state=workflow.RETURNED)
    IndicatorValue.objects.create(indicator=water_rows[2], year=YEAR, raw="1", number=1, state=workflow.SUBMITTED)
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    run(DEADLINE - datetime.timedelta(days=1))
    assert "尚有 3 项指标未提交" in reminders_for(people["water"])[0].message


def test_a_closed_period_reminds_nobody(jiang, people):
    open_period(jiang, YEAR, None, deadline=DEADLINE, closed=True)
    assert run(DEADLINE - datetime.timedelta(days=7)) == 0


def test_a_moved_deadline_is_reminded_again(jiang, people):
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    run(DEADLINE - datetime.timedelta(days=7))
    later = DEADLINE + datetime.timedelta(days=30)
    open_period(jiang, YEAR, None, deadline=later, kept_open=True)
    assert run(later - datetime.timedelta(days=7)) == 2
    assert len(reminders_for(people["water"])) == 2


def test_the_default_deadline_reminds_without_a_stored_period(jiang, people, mailoutbox):
    """Most years are never stored as periods: 31 March of the following year applies."""
    assert not jiang.periods.exists()
    assert run(DEADLINE - datetime.timedelta(days=14)) >= 2
    assert "2023 年数据将于 2024-03-31 截止" in reminders_for(people["water"])[0].message
    assert reminders_for(people["forestry"]) == []
    assert run(DEADLINE - datetime.timedelta(days=14)) == 0


def test_inactive_users_and_other_roles_are_not_reminded(jiang, people):
    people["water"].is_active = False
    people["water"].save()
    reviewer = user_with_role(Role.REVIEWER, region=jiang.region)
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    run(DEADLINE - datetime.timedelta(days=1))
    assert reminders_for(people["water"]) == [] and reminders_for(reviewer) == []
    assert len(reminders_for(people["land"])) == 1


def test_the_bureau_of_a_parent_row_is_reminded_of_its_sub_rows(jiang, people):
    forest = jiang.indicators.get(number="2")
    IndicatorFactory(plan=jiang, key="2.1", number="", parent=forest, name="其中：人工林覆盖率", order=999)
    open_period(jiang, YEAR, None, deadline=DEADLINE)
    run(DEADLINE - datetime.timedelta(days=7))
    [reminder] = reminders_for(people["forestry"])
    assert "尚有 1 项指标未提交" in reminder.message
