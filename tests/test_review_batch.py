"""批量审核 of a back-filled year: one plan-year's submitted rows with what changed since their
last approval, approved all or selected in one action, all or nothing, one re-evaluation."""
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import Bureau, IndicatorValue
from reporting import workflow
from reporting.services import review

from tests.factories import user_with_role

JIANG, YANHU = "140826-2021-2025", "140802-2021-2025"
YEAR = 2024
pytestmark = pytest.mark.django_db


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def county_reviewer(jiang):
    return user_with_role(Role.REVIEWER, bureau=Bureau.objects.get(region=jiang.region, name="生态环境分局"))


@pytest.fixture
def back_filled(jiang, county_reviewer):
    """绛县 2024 back-filled: three rows submitted; the first was approved once, reopened and changed."""
    indicators = list(jiang.indicators.filter(value_type="number").order_by("order")[:3])
    values = [IndicatorValue.objects.create(indicator=i, year=YEAR, raw=raw, number=Decimal(raw), source="统计年报",
                                            state=workflow.SUBMITTED, submitted_at=timezone.now())
              for i, raw in zip(indicators, ("36.5", "0.3", "12"))]
    first = review(values[0], workflow.APPROVE, county_reviewer)
    first = review(first, workflow.REOPEN, county_reviewer, reason="补充来源")
    IndicatorValue.objects.filter(pk=first.pk).update(raw="36.9", number=Decimal("36.9"), source="二调成果",
                                                      state=workflow.SUBMITTED, version=first.version + 1)
    return [IndicatorValue.objects.get(pk=v.pk) for v in values]


def page(client, plan, year=YEAR):
    return client.get(reverse("plan_year_review", args=[plan.code, year]))


def test_the_plan_year_page_lists_every_submitted_row_with_its_diff_since_approval(client, jiang, county_reviewer, back_filled):
    client.force_login(county_reviewer)
    response = page(client, jiang)
    assert [v.pk for v in response.context["rows"]] == [v.pk for v in back_filled]
    html = response.content.decode()
    assert "<del>36.5</del> → <ins>36.9</ins>" in html and "<del>统计年报</del> → <ins>二调成果</ins>" in html
    assert html.count("此前未审核通过") == 2


def test_approving_all_approves_every_row_and_re_evaluates_once(client, jiang, county_reviewer, back_filled):
    client.force_login(county_reviewer)
    with mock.patch("indicators.review.services.recompute") as recompute:
        client.post(reverse("plan_year_review", args=[jiang.code, YEAR]), {"scope": "all"})
    assert set(IndicatorValue.objects.filter(pk__in=[v.pk for v in back_filled]).values_list("state", flat=True)) == {
        workflow.APPROVED}
    assert recompute.call_count == 1
    assert sorted(recompute.call_args.args[0]) == sorted(v.indicator_id for v in back_filled)


def test_approving_the_selected_rows_leaves_the_others_submitted(client, jiang, county_reviewer, back_filled):
    client.force_login(county_reviewer)
    client.post(reverse("plan_year_review", args=[jiang.code, YEAR]),
                {"scope": "selected", "select": [back_filled[1].pk, back_filled[2].pk]})
    states = dict(IndicatorValue.objects.filter(pk__in=[v.pk for v in back_filled]).values_list("pk", "state"))
    assert states == {back_filled[0].pk: workflow.SUBMITTED, back_filled[1].pk: workflow.APPROVED,
                      back_filled[2].pk: workflow.APPROVED}


def test_a_row_changed_since_the_page_was_loaded_saves_nothing_of_the_batch(client, jiang, county_reviewer, back_filled):
    client.force_login(county_reviewer)
    seen = {f"v{v.pk}-version": v.version for v in back_filled}
    IndicatorValue.objects.filter(pk=back_filled[2].pk).update(version=back_filled[2].version + 5)
    response = client.post(reverse("plan_year_review", args=[jiang.code, YEAR]), {"scope": "all", **seen}, follow=True)
    assert "未审核任何数据" in response.content.decode()
    assert set(IndicatorValue.objects.filter(pk__in=[v.pk for v in back_filled]).values_list("state", flat=True)) == {
        workflow.SUBMITTED}


def test_the_queue_links_to_the_plan_years_awaiting_review(client, jiang, county_reviewer, back_filled):
    client.force_login(county_reviewer)
    html = client.get(reverse("review_queue")).content.decode()
    assert reverse("plan_year_review", args=[jiang.code, YEAR]) in html and "3 项待审核" in html


def test_a_reviewer_of_another_county_cannot_open_or_approve_the_plan_year(client, real_plans, jiang, back_filled):
    other = user_with_role(Role.REVIEWER, region=real_plans[YANHU].region)
    client.force_login(other)
    assert page(client, jiang).status_code == 404
    assert client.post(reverse("plan_year_review", args=[jiang.code, YEAR]), {"scope": "all"}).status_code == 404
    assert IndicatorValue.objects.filter(pk=back_filled[1].pk, state=workflow.SUBMITTED).exists()


def test_queue_bulk_approval_re_evaluates_once(client, jiang, county_reviewer, back_filled):
    client.force_login(county_reviewer)
    with mock.patch("indicators.review.services.recompute") as recompute:
        client.post(reverse("approve_selected"), {"select": [v.pk for v in back_filled]})
    assert recompute.call_count == 1
    assert IndicatorValue.objects.filter(state=workflow.APPROVED, pk__in=[v.pk for v in back_filled]).count() == 3


def test_the_plan_year_page_runs_the_same_number_of_queries_for_three_rows_as_for_all(client, jiang, county_reviewer,
                                                                                     back_filled,
                                                                                     django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sub_row = jiang.indicators.filter(shares_parent_target=True).first()  # brings the parents' targets in
    IndicatorValue.objects.create(indicator=sub_row, year=YEAR, raw="1", number=1, state=workflow.SUBMITTED)
    client.force_login(county_reviewer)
    page(client, jiang)
    with CaptureQueriesContext(connection) as queries:
        page(client, jiang)
    few = len(queries)
    for indicator in jiang.indicators.filter(value_type="number").exclude(values__year=YEAR):
        value = IndicatorValue.objects.create(indicator=indicator, year=YEAR, raw="1", number=1, state=workflow.SUBMITTED)
        review(review(value, workflow.APPROVE, county_reviewer), workflow.REOPEN, county_reviewer, reason="核对")
        IndicatorValue.objects.filter(pk=value.pk).update(raw="2", state=workflow.SUBMITTED)
    assert IndicatorValue.objects.filter(indicator__plan=jiang, year=YEAR, state=workflow.SUBMITTED).count() > 10
    with django_assert_max_num_queries(few):
        assert page(client, jiang).status_code == 200
