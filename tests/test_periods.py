"""Reporting periods: the default deadline, late entry while kept open, closed periods, the
reviewer's period page, and the bureau user's home page with progress per year."""
import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import Bureau, IndicatorValue
from indicators.entry.services import EntryInput, SubmissionRejected, save_entries
from reporting import workflow
from reporting.models import ReportingPeriod, default_deadline
from reporting.submission import open_period

from tests.factories import user_with_role

JIANG = "140826-2021-2025"
YEAR = 2023
pytestmark = pytest.mark.django_db


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def forest(jiang):
    return jiang.indicators.get(number="2")


@pytest.fixture
def staff(real_plans):
    return user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="林业局"))


def entry_url(year=YEAR):
    return reverse("entry_form", args=[JIANG, year])


def today():
    return timezone.localdate()


# --- the period itself --------------------------------------------------------------------


def test_the_default_deadline_is_31_march_of_the_following_year(jiang):
    assert default_deadline(2023) == datetime.date(2024, 3, 31)
    period = ReportingPeriod.default_for(jiang, 2023)
    assert (period.opens_on, period.deadline, period.kept_open, period.closed) == (
        datetime.date(2024, 1, 1), datetime.date(2024, 3, 31), False, False)
    assert open_period(jiang, 2022, None).deadline == datetime.date(2023, 3, 31)


def test_a_period_accepts_entry_from_its_opening_until_its_deadline(jiang):
    period = ReportingPeriod.default_for(jiang, 2023)
    assert not period.accepts_entry(datetime.date(2023, 12, 31))
    assert period.accepts_entry(datetime.date(2024, 1, 1))
    assert period.accepts_entry(datetime.date(2024, 3, 31))
    assert not period.accepts_entry(datetime.date(2024, 4, 1))


def test_after_the_deadline_entry_is_accepted_only_while_the_period_is_kept_open(jiang):
    period = ReportingPeriod.default_for(jiang, 2023)
    period.kept_open = True
    assert period.accepts_entry(datetime.date(2024, 9, 1)) and period.is_late(datetime.date(2024, 9, 1))
    assert not period.is_late(datetime.date(2024, 3, 31))
    period.closed = True
    assert not period.accepts_entry(datetime.date(2024, 3, 1))


def test_without_a_stored_period_the_default_deadline_applies_to_saving(jiang, forest, staff):
    item = EntryInput(indicator_id=forest.pk, raw="36.5")
    saved = save_entries(staff, jiang, YEAR, [item], submit=True, today=datetime.date(2024, 3, 31))
    assert saved[0].state == workflow.SUBMITTED and not saved[0].late
    with pytest.raises(SubmissionRejected) as refused:
        save_entries(staff, jiang, 2022, [item], submit=True, today=datetime.date(2023, 4, 1))
    assert "2022 年的填报期未开放或已截止" in str(refused.value)
    assert not IndicatorValue.objects.filter(year=2022).exists()


# --- through the entry form ---------------------------------------------------------------


def test_a_submission_after_the_deadline_in_a_kept_open_period_is_marked_late(client, jiang, forest, staff):
    open_period(jiang, YEAR, None, deadline=today() - timedelta(days=1), kept_open=True)
    client.force_login(staff)
    html = client.get(entry_url()).content.decode()
    assert "逾期补报中" in html
    response = client.post(entry_url(), {"action": "submit", f"i{forest.pk}-raw": "36.5"})
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=forest, year=YEAR)
    assert value.state == workflow.SUBMITTED and value.late
    assert "逾期" in client.get(reverse("value_detail", args=[value.pk])).content.decode()


def test_a_draft_saved_late_is_not_yet_marked_late_but_its_submission_is(client, jiang, forest, staff):
    open_period(jiang, YEAR, None, deadline=today() - timedelta(days=1), kept_open=True)
    client.force_login(staff)
    client.post(entry_url(), {"action": "save", f"i{forest.pk}-raw": "36.5"})
    value = IndicatorValue.objects.get(indicator=forest, year=YEAR)
    assert not value.late
    client.post(entry_url(), {"action": "submit", f"i{forest.pk}-raw": "36.5", f"i{forest.pk}-version": str(value.version)})
    value.refresh_from_db()
    assert value.late and value.state == workflow.SUBMITTED


def test_a_submission_before_the_deadline_is_not_late(client, jiang, forest, staff):
    open_period(jiang, YEAR, None, deadline=today() + timedelta(days=1), kept_open=False)
    client.force_login(staff)
    assert client.post(entry_url(), {"action": "submit", f"i{forest.pk}-raw": "36.5"}).status_code == 302
    assert not IndicatorValue.objects.get(indicator=forest).late


@pytest.mark.parametrize("how", ["closed", "past_deadline"])
def test_a_period_not_accepting_entry_refuses_it_with_a_chinese_message(client, jiang, forest, staff, how):
    if how == "closed":
        open_period(jiang, YEAR, None, deadline=today() + timedelta(days=30), kept_open=True, closed=True)
    else:
        open_period(jiang, YEAR, None, deadline=today() - timedelta(days=1), kept_open=False)
    client.force_login(staff)
    page = client.get(entry_url())
    assert page.status_code == 200 and "只能查看" in page.content.decode()
    assert "全部提交审核" not in page.content.decode()
    response = client.post(entry_url(), {"action": "submit", f"i{forest.pk}-raw": "36.5"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "2023 年的填报期未开放或已截止，请联系审核员开放补报。" in html
    assert 'value="36.5"' in html
    assert not IndicatorValue.objects.exists()


# --- the reviewer's period page -----------------------------------------------------------


def test_a_reviewer_above_the_county_keeps_a_period_open_after_its_deadline(client, jiang):
    reviewer = user_with_role(Role.REVIEWER, region=jiang.region.parent)
    client.force_login(reviewer)
    page = reverse("period_list", args=[JIANG])
    assert "默认次年 1 月 1 日开始、3 月 31 日截止" in client.get(page).content.decode()
    response = client.post(page, {"year": "2024", "kept_open": "on"})
    assert response.status_code == 302
    period = ReportingPeriod.objects.get(plan=jiang, year=2024)
    assert (period.deadline, period.kept_open, period.closed, period.changed_by) == (
        datetime.date(2025, 3, 31), True, False, reviewer)
    response = client.post(page, {"year": "2030"})
    assert response.status_code == 400 and "年份应在规划期 2021–2025 内" in response.content.decode()


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.LEADER])
def test_staff_and_leaders_cannot_open_periods(client, jiang, role):
    if role == Role.BUREAU_STAFF:
        user = user_with_role(role, bureau=Bureau.objects.get(region__code="140826", name="生态环境分局"))
    else:
        user = user_with_role(role, region=jiang.region)
    client.force_login(user)
    assert client.post(reverse("period_list", args=[JIANG]), {"year": "2024", "kept_open": "on"}).status_code == 404
    assert not ReportingPeriod.objects.filter(plan=jiang, year=2024).exists()


def test_a_reviewer_of_another_city_cannot_see_the_counties_periods(client, real_plans):
    client.force_login(user_with_role(Role.REVIEWER, region=real_plans["140405-2021-2025"].region))
    assert client.get(reverse("period_list", args=[JIANG])).status_code == 404


# --- the home page ------------------------------------------------------------------------


def test_the_home_page_lists_a_bureau_users_years_with_progress(client, jiang, staff):
    open_period(jiang, YEAR, None, deadline=today() + timedelta(days=10))
    forest, fire, pest = (jiang.indicators.get(number=n) for n in ("2", "3", "4"))
    for indicator, state in ((forest, workflow.SUBMITTED), (fire, workflow.APPROVED), (pest, workflow.RETURNED)):
        IndicatorValue.objects.create(indicator=indicator, year=YEAR, raw="1", number=Decimal(1), state=state)
    IndicatorValue.objects.create(indicator=forest, year=2022, raw="1", number=Decimal(1), state=workflow.DRAFT)
    # another bureau's value does not count towards ours
    IndicatorValue.objects.create(indicator=jiang.indicators.get(number="1"), year=YEAR, raw="1", number=1)
    client.force_login(staff)
    response = client.get(reverse("home"))
    items = {item.year: item for item in response.context["worklist"]}
    assert YEAR in items and items[YEAR].total == 3
    assert (items[YEAR].entered, items[YEAR].submitted, items[YEAR].approved, items[YEAR].returned) == (3, 1, 1, 1)
    html = response.content.decode()
    assert "已填 3/3 · 已提交 1 · 已通过 1 · 被退回 1" in html
    assert entry_url() in html
    last_year = today().year - 1
    if jiang.first_year <= last_year <= jiang.final_year:
        assert last_year in items
    assert 2022 not in items or items[2022].entered == 1


def test_the_home_page_of_a_reviewer_counts_what_waits_for_review(client, jiang):
    IndicatorValue.objects.create(indicator=jiang.indicators.get(number="2"), year=YEAR, raw="1", number=1,
                                  state=workflow.SUBMITTED)
    client.force_login(user_with_role(Role.REVIEWER, region=jiang.region.parent))
    response = client.get(reverse("home"))
    assert response.context["pending_reviews"] == 1 and "1 项待审核" in response.content.decode()
    assert "worklist" not in response.context
