"""Review with context: the queue and a value's page show what a value is judged against —
target as parsed (with the assigned number), baseline, last approved value and its year, change
(%), explanation, evidence count, late mark, what changed since an approval — filter by plan,
bureau, year and flag, sort by the change, and keep the same query count however many rows."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import AssignedTarget, Bureau, IndicatorValue
from reporting import workflow
from reporting.models import Evidence
from reporting.services import review

from tests.factories import user_with_role

JIANG, YANHU = "140826-2021-2025", "140802-2021-2025"
pytestmark = pytest.mark.django_db


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def forest(jiang):
    return jiang.indicators.get(number="2")  # 森林覆盖率, baseline 36.07, 2025 target 37.07, 约束性


@pytest.fixture
def pm25(jiang):
    return jiang.indicators.get(name="细颗粒物（PM2.5）浓度")  # 完成市下达指标


@pytest.fixture
def city_reviewer(jiang):
    return user_with_role(Role.REVIEWER, region=jiang.region.parent, username="yuncheng")


@pytest.fixture
def staff(jiang):
    forestry = Bureau.objects.get(region=jiang.region, name="林业局")
    user = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="linye")
    user.first_name = "王伟"
    user.save()
    return user


def value(indicator, year, raw, state=workflow.SUBMITTED, by=None, **extra):
    return IndicatorValue.objects.create(
        indicator=indicator, year=year, raw=raw, number=Decimal(raw), state=state,
        submitted_at=timezone.now() if state == workflow.SUBMITTED else None, created_by=by, updated_by=by, **extra)


def rows(client, **params):
    response = client.get(reverse("review_queue"), params)
    assert response.status_code == 200
    return {row.record.pk: row.record for row in response.context["table"].page.object_list}


def test_the_queue_shows_target_baseline_last_approved_value_change_explanation_and_evidence(client, forest, staff, city_reviewer):
    value(forest, 2022, "36.3", state=workflow.APPROVED)
    current = value(forest, 2023, "48.0", by=staff, explanation="新增造林面积统计口径调整")
    Evidence.objects.create(record=current, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), original_name="造林验收.pdf",
                            media_type="application/pdf", size=8, uploaded_by=staff)
    client.force_login(city_reviewer)
    record = rows(client)[current.pk]
    assert record.review.target == "37.07" and record.review.target_year == 2025
    assert record.review.baseline.startswith("36.07")
    assert (record.review.last_approved, record.review.last_approved_year) == ("36.3", 2022)
    assert record.review.change_percent == pytest.approx(Decimal("32.2314"), abs=Decimal("0.001"))
    assert record.review.large_change and record.review.binding and record.review.evidence_count == 1
    html = client.get(reverse("review_queue")).content.decode()
    for shown in ("37.07", "36.3（2022）", "+32.2%", "新增造林面积统计口径调整", "约束性"):
        assert shown in html


def test_an_assigned_target_shows_its_number_and_document_in_the_queue(client, pm25, city_reviewer):
    target = pm25.targets.get(year=2025)
    AssignedTarget.objects.create(target=target, value=40, year=2025, document="运环发〔2022〕8号", recorded_by=city_reviewer)
    current = value(pm25, 2023, "41")
    client.force_login(city_reviewer)
    assert rows(client)[current.pk].review.target == "完成市下达指标（下达 40，运环发〔2022〕8号）"


def test_the_queue_filters_by_plan_and_by_flag(client, real_plans, forest, city_reviewer):
    value(forest, 2022, "36.3", state=workflow.APPROVED)
    big = value(forest, 2023, "48.0", late=True)
    other = real_plans[YANHU].indicators.filter(value_type="number", attribute="expected").first()
    small = value(other, 2023, "10")
    client.force_login(city_reviewer)
    assert set(rows(client, plan=real_plans[YANHU].pk)) == {small.pk}
    assert set(rows(client, flag="large_change")) == {big.pk}
    assert set(rows(client, flag="late")) == {big.pk}
    assert set(rows(client, flag="binding")) == {big.pk}


def test_filter_selects_say_what_their_empty_choice_means(client, forest, city_reviewer):
    client.force_login(city_reviewer)
    html = client.get(reverse("review_queue")).content.decode()
    assert "---------" not in html
    for label in ("全部区划", "全部规划", "全部部门", "全部状态", "绛县（2021–2025）"):
        assert label in html


def test_a_sub_row_sharing_its_parents_target_shows_its_own_assigned_number_in_the_queue(client, jiang, city_reviewer):
    cod = jiang.indicators.get(key="15")  # 化学需氧量排放总量减少, 15.1–15.4 share its 完成市下达指标 cell
    first, second = [row for row in jiang.indicators.filter(parent=cod, shares_parent_target=True).order_by("order")][:2]
    target = cod.targets.get()
    AssignedTarget.objects.create(target=target, value=12, year=target.year, document="运环发〔2022〕9号", recorded_by=city_reviewer)
    AssignedTarget.objects.create(target=target, indicator=first, value=3.5, year=target.year, document="运环发〔2022〕9号",
                                  recorded_by=city_reviewer)
    own, shared = value(first, 2023, "1.2"), value(second, 2023, "0.8")
    client.force_login(city_reviewer)
    queue = rows(client)
    assert queue[own.pk].review.target == "完成市下达指标（下达 3.5，运环发〔2022〕9号）"
    assert queue[shared.pk].review.target == "完成市下达指标（下达 12，运环发〔2022〕9号）"  # the shared cell's number


def test_the_queue_sorts_by_change(client, jiang, city_reviewer):
    numbers = [i for i in jiang.indicators.filter(value_type="number")[:3]]
    for indicator, (before, now) in zip(numbers, (("10", "11"), ("10", "15"), ("10", "9"))):
        value(indicator, 2022, before, state=workflow.APPROVED)
        value(indicator, 2023, now)
    client.force_login(city_reviewer)
    response = client.get(reverse("review_queue"), {"sort": "-change_percent"})
    changes = [row.record.review.change_percent for row in response.context["table"].page.object_list]
    assert [round(c) for c in changes] == [50, 10, -10]


def test_the_queue_sorts_by_the_last_approved_year_and_by_evidence_and_filters_by_change_together(client, jiang, city_reviewer):
    numbers = [i for i in jiang.indicators.filter(value_type="number")[:3]]
    for indicator, approved_year in zip(numbers, (2019, 2022, 2021)):
        value(indicator, approved_year, "10", state=workflow.APPROVED)
        value(indicator, 2023, "30")
    client.force_login(city_reviewer)
    response = client.get(reverse("review_queue"), {"sort": "-last_approved", "flag": "large_change"})
    assert [row.record.review.last_approved_year for row in response.context["table"].page.object_list] == [2022, 2021, 2019]
    response = client.get(reverse("review_queue"), {"sort": "evidence_count,-last_approved"})
    assert response.status_code == 200 and len(response.context["table"].page.object_list) == 3


def test_a_reopened_and_resubmitted_value_shows_its_diff_against_the_approved_version(client, forest, staff, city_reviewer):
    current = value(forest, 2023, "36.5", by=staff, source="林业统计年报")
    review(current, workflow.APPROVE, city_reviewer)
    current.refresh_from_db()
    review(current, workflow.REOPEN, city_reviewer, reason="来源需更正")
    IndicatorValue.objects.filter(pk=current.pk).update(raw="36.8", number=Decimal("36.8"), source="二调数据", updated_by=staff,
                                                        state=workflow.SUBMITTED, submitted_at=timezone.now())
    Evidence.objects.create(record=current, file=SimpleUploadedFile("b.pdf", b"%PDF-1.4"), original_name="二调.pdf",
                            media_type="application/pdf", size=8, uploaded_by=staff,
                            uploaded_at=timezone.now() + timedelta(seconds=1))
    client.force_login(city_reviewer)
    changes = {c.label: (c.old, c.new) for c in rows(client)[current.pk].review.changes}
    assert changes["填报值"] == ("36.5", "36.8") and changes["数据来源"] == ("林业统计年报", "二调数据")
    assert changes["佐证材料"] == ("", "新增 二调.pdf")
    html = client.get(reverse("review_queue")).content.decode()
    assert "填报值：36.5 → 36.8" in html
    page = client.get(reverse("value_detail", args=[current.pk])).content.decode()
    assert "较审核通过版本的修改" in page and "林业统计年报" in page and "二调数据" in page


def queue_queries(client):
    """How many queries the review queue runs on a load after a first one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("review_queue"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("review_queue"))
    return len(queries)


def test_the_queue_runs_the_same_number_of_queries_for_three_rows_as_for_thirty(client, jiang, city_reviewer,
                                                                                  django_assert_max_num_queries):
    indicators = list(jiang.indicators.filter(value_type="number"))
    client.force_login(city_reviewer)
    for indicator in indicators[:3]:
        value(indicator, 2022, "1", state=workflow.APPROVED)
        value(indicator, 2023, "2")
    few = queue_queries(client)
    for indicator in indicators[3:]:
        for year in (2021, 2022, 2023, 2024):
            value(indicator, year, "3")
    assert IndicatorValue.objects.filter(state=workflow.SUBMITTED).count() >= 30
    with django_assert_max_num_queries(few):
        client.get(reverse("review_queue"))


# --- a value's page -------------------------------------------------------------------------


def test_the_value_page_shows_the_chart_the_context_and_a_link_to_the_next_in_queue(client, forest, staff, city_reviewer):
    value(forest, 2022, "36.3", state=workflow.APPROVED)
    first = value(forest, 2023, "36.6", by=staff)
    second = value(forest, 2024, "36.9", by=staff)
    client.force_login(city_reviewer)
    response = client.get(reverse("value_detail", args=[first.pk]))
    html = response.content.decode()
    assert response.context["chart"] is not None and 'data-figure="indicator-chart"' in html
    assert response.context["next_value"].pk == second.pk and reverse("value_detail", args=[second.pk]) in html
    assert "36.3 %（2022 年）" in html and "37.07" in html and "+0.8%" in html


def test_after_a_return_the_value_page_says_it_awaits_the_bureau(client, forest, staff, city_reviewer):
    current = value(forest, 2023, "36.6", by=staff)
    review(current, workflow.RETURN, city_reviewer, reason="请附统计年报")
    client.force_login(city_reviewer)
    html = client.get(reverse("value_detail", args=[current.pk])).content.decode()
    assert "已退回，等待责任部门修改后重新提交" in html and "尚未提交" not in html


def test_people_are_shown_by_bureau_and_name_not_user_name(client, forest, staff, city_reviewer):
    current = value(forest, 2023, "36.6", by=staff)
    client.force_login(city_reviewer)
    html = client.get(reverse("value_detail", args=[current.pk])).content.decode()
    assert "绛县林业局 王伟" in html
    assert ">linye<" not in html and "linye ·" not in html


def test_the_queue_runs_exactly_as_many_queries_whatever_its_rows_hold(client, jiang, city_reviewer, staff):
    """Rows never approved before, rows approved once and reopened, rows with evidence, sub-rows
    reading their parent's target: the same queries for a page of either."""
    client.force_login(city_reviewer)
    plain = [i for i in jiang.indicators.filter(value_type="number", parent__isnull=True)][:3]
    for indicator in plain:
        value(indicator, 2023, "2", by=staff)
    fresh = queue_queries(client)

    reopened = value(plain[0], 2024, "5", by=staff)
    review(reopened, workflow.APPROVE, city_reviewer)
    reopened.refresh_from_db()
    review(reopened, workflow.REOPEN, city_reviewer, reason="口径")
    IndicatorValue.objects.filter(pk=reopened.pk).update(raw="6", number=Decimal("6"), state=workflow.SUBMITTED,
                                                         submitted_at=timezone.now())
    Evidence.objects.create(record=reopened, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), original_name="a.pdf",
                            media_type="application/pdf", size=8, uploaded_by=staff,
                            uploaded_at=timezone.now() + timedelta(seconds=1))
    sub_row = jiang.indicators.filter(parent__isnull=False, value_type="number").first()
    if sub_row is not None:
        value(sub_row, 2023, "1", by=staff)
    assert queue_queries(client) == fresh


def test_the_unfiltered_queue_takes_its_row_count_from_the_plan_years_and_a_filtered_one_counts(
        client, jiang, city_reviewer, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    created = [value(indicator, 2023, "2", by=staff) for indicator in jiang.indicators.filter(value_type="number")]
    n = len(created)
    assert 25 < n <= 50
    client.force_login(city_reviewer)
    client.get(reverse("review_queue"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review_queue"))
    assert response.context["table"].paginator.count == n and response.context["table"].paginator.num_pages == 2
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review_queue"), {"year": 2023, "page": 2})
    assert response.context["table"].paginator.count == n and len(response.context["table"].page.object_list) == n - 25
    assert any(q["sql"].startswith("SELECT COUNT(*)") for q in queries.captured_queries)
    response = client.get(reverse("review_queue"), {"year": 2022})
    assert response.context["table"].paginator.count == 0
