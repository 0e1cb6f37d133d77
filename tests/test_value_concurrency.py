"""One value per indicator and year (a database constraint), and optimistic locking under real
concurrency: several writers in threads save the same value with the same expected version;
exactly one wins, the others are told who changed it, nothing is lost. The threaded tests need
PostgreSQL (SQLite serialises writers on one file lock, so they prove nothing there)."""
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Role
from indicators.models import IndicatorValue
from indicators.entry.services import EntryInput, SubmissionRejected, save_entries
from reporting import workflow
from reporting.models import StateChange
from reporting.services import StaleRecord, review
from reporting.submission import open_period

from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

YEAR = 2023
WRITERS = 4
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="concurrent writers need PostgreSQL row locks (SQLite serialises writers)")


@pytest.mark.django_db
def test_the_database_allows_one_value_per_indicator_and_year():
    indicator = IndicatorFactory()
    IndicatorValue.objects.create(indicator=indicator, year=YEAR, raw="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=YEAR, raw="2")
    other_year = IndicatorValue.objects.create(indicator=indicator, year=YEAR - 1, raw="3")
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.filter(pk=other_year.pk).update(year=YEAR)
    assert sorted(IndicatorValue.objects.values_list("year", "raw")) == [(YEAR - 1, "3"), (YEAR, "1")]


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_state_and_an_impossible_year():
    indicator = IndicatorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=YEAR, state="deleted")
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=1900)
    assert not IndicatorValue.objects.exists()


# --- threads (PostgreSQL) -----------------------------------------------------------------


@pytest.fixture
def county():
    region = RegionFactory(code="990201", name="并发县")
    plan = PlanFactory(region=region, code="990201-2021-2025")
    bureau = BureauFactory(region=region, name="林业局")
    indicator = IndicatorFactory(plan=plan, key="1", name="森林覆盖率", baseline_raw="36.07", target="37.07", bureaus=[bureau])
    open_period(plan, YEAR, None, deadline=timezone.localdate() + timedelta(days=30))
    writers = [user_with_role(Role.BUREAU_STAFF, bureau=bureau, username=f"writer{n}") for n in range(WRITERS)]
    return plan, indicator, writers


def run_together(work, count):
    """Run work(n) for n in range(count) in threads released at the same moment. Returns the
    results (or exceptions) in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(n):
        try:
            barrier.wait(timeout=10)
            results[n] = work(n)
        except Exception as exc:  # collected and asserted on by the test
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung (deadlock?)"
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_value_with_the_same_version_let_exactly_one_win(county):
    plan, indicator, writers = county
    value = IndicatorValue.objects.create(indicator=indicator, year=YEAR, raw="36.0", number=36, created_by=writers[0])
    loaded = value.version

    def write(n):
        item = EntryInput(indicator_id=indicator.pk, raw=f"3{n}.5", version=loaded, source=f"writer{n}")
        return save_entries(writers[n], plan, YEAR, [item], submit=False)

    results = run_together(write, WRITERS)
    winners = [n for n, r in enumerate(results) if isinstance(r, list)]
    losers = [r for r in results if isinstance(r, SubmissionRejected)]
    assert len(winners) == 1 and len(losers) == WRITERS - 1, results
    winner = winners[0]
    value.refresh_from_db()
    assert (value.raw, value.source, value.version, value.updated_by) == (f"3{winner}.5", f"writer{winner}", loaded + 1, writers[winner])
    for rejected in losers:
        assert rejected.errors[0].field == "version"
        assert "您的修改未保存" in str(rejected) and f"writer{winner}" in str(rejected) and f"3{winner}.5" in str(rejected)
    # nothing lost: the original and exactly the winner's change are in the history
    assert [h.raw for h in value.history.order_by("history_date", "history_id")] == ["36.0", f"3{winner}.5"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_saves_of_an_empty_value_create_it_once(county):
    plan, indicator, writers = county

    def write(n):
        item = EntryInput(indicator_id=indicator.pk, raw=f"37.0{n}", version=0)
        return save_entries(writers[n], plan, YEAR, [item], submit=True)

    results = run_together(write, WRITERS)
    winners = [n for n, r in enumerate(results) if isinstance(r, list)]
    losers = [r for r in results if isinstance(r, SubmissionRejected)]
    assert len(winners) == 1 and len(losers) == WRITERS - 1, results
    assert all("您的修改未保存" in str(r) for r in losers)
    value = IndicatorValue.objects.get(indicator=indicator, year=YEAR)
    assert (value.raw, value.state, value.created_by) == (f"37.0{winners[0]}", workflow.SUBMITTED, writers[winners[0]])
    assert StateChange.objects.filter(object_id=value.pk).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_acting_on_one_value_at_once_record_one_decision(county):
    plan, indicator, writers = county
    value = IndicatorValue.objects.create(indicator=indicator, year=YEAR, raw="36.5", number=36, state=workflow.SUBMITTED)
    reviewers = [user_with_role(Role.REVIEWER, region=plan.region, username=f"reviewer{n}") for n in range(2)]
    actions = [(workflow.APPROVE, ""), (workflow.RETURN, "请核实")]

    def act(n):
        action, reason = actions[n]
        return review(IndicatorValue.objects.get(pk=value.pk), action, reviewers[n], reason=reason, expected_version=value.version)

    results = run_together(act, 2)
    winners = [n for n, r in enumerate(results) if isinstance(r, IndicatorValue)]
    assert len(winners) == 1 and isinstance(results[1 - winners[0]], StaleRecord), results
    value.refresh_from_db()
    assert value.state == (workflow.APPROVED, workflow.RETURNED)[winners[0]] and value.version == 2
    assert [c.user for c in StateChange.objects.filter(object_id=value.pk)] == [reviewers[winners[0]]]
