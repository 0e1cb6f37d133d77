"""Region-wide summaries are cached per data generation (core/generations.py): served from the
cache until a committed change anywhere raises the generation. This module runs with the real
cache (conftest turns it off for every other test module)."""
import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from core import generations
from core.models import DataGeneration
from indicators.results import services as evaluation_store
from accounts import roles
from indicators.review.services import review_value
from indicators.models import Indicator, IndicatorValue, Region
from reporting import workflow

from tests.factories import user_with_role
from tests.test_projects_support import _real_projects_committed, real_projects  # noqa: F401  (fixtures)

pytestmark = pytest.mark.summary_cache

CITY = "140800"


@pytest.fixture(autouse=True)
def _empty_cache():
    caches[generations.NAME].clear()
    yield
    caches[generations.NAME].clear()


@pytest.fixture
def leader(client, real_plans):
    user = user_with_role(Role.LEADER, region=Region.objects.get(code=CITY))
    client.force_login(user)
    return user


def _summary(client, year=2023):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("leader_summary", args=[CITY]), {"year": year})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_second_reading_of_a_summary_is_served_from_the_cache(client, leader):
    first, first_sql = _summary(client)
    second, second_sql = _summary(client)
    assert any("indicators_evaluationresult" in sql for sql in first_sql)
    assert not any("indicators_evaluationresult" in sql or "projects_" in sql for sql in second_sql)
    assert len(second_sql) < len(first_sql)
    for name in ("completeness", "behind", "regressing", "binding_total", "plans"):
        assert second.context[name] == first.context[name]
    assert second.context["project_summary"] == first.context["project_summary"]


def _forget_setup_raises():
    """The test's own transaction never commits, so every raise queued in it so far (by fixtures
    creating users and plans, or captured and already run) stays listed and would absorb the one
    under test."""
    connection.run_on_commit = [entry for entry in connection.run_on_commit if entry[1] is not generations._raise_now]


def test_a_committed_value_shows_in_the_next_summary(client, leader, django_capture_on_commit_callbacks):
    before, _ = _summary(client)
    _forget_setup_raises()
    indicator = Indicator.objects.filter(plan__code="140826-2021-2025", values__isnull=True).first()
    value = IndicatorValue.objects.create(indicator=indicator, year=2023, raw="1", number=1, state=workflow.SUBMITTED)
    reviewer = user_with_role(Role.REVIEWER, region=indicator.plan.region)
    with django_capture_on_commit_callbacks(execute=True):
        review_value(value, workflow.APPROVE, reviewer)  # the write service renews the summaries
    after, after_sql = _summary(client)
    assert any("indicators_indicatorvalue" in sql for sql in after_sql)  # recomputed
    assert after.context["completeness"][0] == before.context["completeness"][0] + 1


def test_an_uncommitted_change_does_not_invalidate_and_a_rollback_leaves_no_pending_raise(db, django_capture_on_commit_callbacks):
    _forget_setup_raises()
    start = generations.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        generations.bump()
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            generations.bump()
            generations.bump()  # many rows saved in one transaction: one raise
    assert len(callbacks) == 1
    assert generations.current() == start + 1
    row = DataGeneration.objects.get(pk=generations.NAME)
    before = row.changed_at
    _forget_setup_raises()  # the captured raise above stays listed in the never-committed test transaction
    with django_capture_on_commit_callbacks(execute=True):
        generations.bump()
    row.refresh_from_db()
    assert row.number == start + 2 and row.changed_at > before


def test_the_bulk_evaluation_refresh_raises_the_generation(real_plans, django_capture_on_commit_callbacks):
    _forget_setup_raises()
    start = generations.current()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_store.recompute(plans=[real_plans["140826-2021-2025"]])
    assert generations.current() > start


def test_users_with_different_scopes_never_share_a_cached_summary(real_plans):
    city, county = Region.objects.get(code=CITY), Region.objects.get(code="140826")
    keys = {roles.scope_key(user_with_role(Role.LEADER, region=city)),
            roles.scope_key(user_with_role(Role.LEADER, region=county)),
            roles.scope_key(user_with_role(Role.REVIEWER, region=city)),
            roles.scope_key(user_with_role(Role.ADMIN))}
    assert len(keys) == 4
    assert roles.scope_key(user_with_role(Role.LEADER, region=city)) == roles.scope_key(
        user_with_role(Role.LEADER, region=city))


def test_the_project_list_summary_is_cached_per_filter(client, leader, real_projects):
    def projects_sql(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("project_list"), params)
        assert response.status_code == 200
        return response, [q["sql"] for q in queries.captured_queries if "projects_quantityprogress" in q["sql"]]

    everything, cold = projects_sql({})
    _, warm = projects_sql({"page": 1})  # another page of the same list: same summary
    one_plan, other_filter = projects_sql({"plan": "140826-2021-2025"})
    assert cold and not warm and other_filter
    assert one_plan.context["summary"].total < everything.context["summary"].total


def test_the_review_queues_plan_years_are_read_once_per_generation_and_renewed_by_an_approval(
        client, real_plans, django_capture_on_commit_callbacks):
    from indicators.review.selectors import pending_plan_years

    jiang = real_plans["140826-2021-2025"]
    reviewer = user_with_role(Role.REVIEWER, region=jiang.region)
    staff = user_with_role(Role.BUREAU_STAFF, bureau=jiang.indicators.filter(bureaus__isnull=False).first().bureaus.first())
    values = [IndicatorValue.objects.create(indicator=indicator, year=2023, raw="1", number=1, state=workflow.SUBMITTED,
                                            created_by=staff, updated_by=staff)
              for indicator in jiang.indicators.filter(value_type="number", values__isnull=True)[:2]]
    _forget_setup_raises()
    assert [(row.year, row.count) for row in pending_plan_years(reviewer)] == [(2023, 2)]
    with CaptureQueriesContext(connection) as queries:
        assert [(row.year, row.count) for row in pending_plan_years(reviewer)] == [(2023, 2)]
    assert not any("indicators_indicatorvalue" in q["sql"] for q in queries.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        review_value(values[0], workflow.APPROVE, reviewer)
    assert [(row.year, row.count) for row in pending_plan_years(reviewer)] == [(2023, 1)]


@pytest.mark.django_db
def test_a_request_reads_the_generation_once_and_again_after_its_own_raise(django_capture_on_commit_callbacks):
    seen = []

    def view(request):
        with CaptureQueriesContext(connection) as queries:
            seen.append(generations.current())
            seen.append(generations.current())
        seen.append(len([q for q in queries.captured_queries if "core_datageneration" in q["sql"]]))
        with django_capture_on_commit_callbacks(execute=True):
            generations.bump()  # raised when the transaction commits
        seen.append(generations.current())
        return None

    generations.one_read_per_request(view)(object())
    first = seen[0]
    assert seen == [first, first, 1, first + 1]
    with CaptureQueriesContext(connection) as queries:  # outside a request every call reads
        generations.current()
        generations.current()
    assert len(queries.captured_queries) == 2


def test_the_unfiltered_review_queues_filter_form_is_kept_per_scope_and_language(client, real_plans):
    jiang = real_plans["140826-2021-2025"]
    county = user_with_role(Role.REVIEWER, region=jiang.region, username="jiang-review")
    city = user_with_role(Role.REVIEWER, region=jiang.region.parent, username="city-review")
    _forget_setup_raises()
    pages = {}
    for user in (county, city, county):
        client.force_login(user)
        for language in ("zh-hans", "en"):
            with CaptureQueriesContext(connection) as queries:
                html = client.get(reverse("review_queue"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
            options_read = any('FROM "indicators_bureau"' in q["sql"] for q in queries.captured_queries)
            pages.setdefault((user.username, language), []).append((html, options_read))
    first, again = pages[("jiang-review", "zh-hans")]
    assert first[1] and not again[1]  # read once, then kept
    assert first[0].count("<option") == again[0].count("<option")
    assert "盐湖区" not in first[0] and "盐湖区" in pages[("city-review", "zh-hans")][0][0]  # each scope its own
    assert "全部区划" in first[0] and "All regions" in pages[("jiang-review", "en")][0][0]
    filtered = client.get(reverse("review_queue"), {"flag": "binding"}).content.decode()
    assert 'value="binding" selected' in filtered  # a filtered queue renders its own form
