"""Integrity: the database constraints exist and fire on a direct violation, multi-row writes are
all or nothing, and concurrent edits of values and targets are caught by optimistic locking."""
import threading
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone
from core.models import ApiToken

from accounts.models import Profile, Role
from indicators.admin import TargetInlineForm
from indicators.models import (AssignedTarget, EvaluationReport, EvaluationResult, Indicator, IndicatorTarget, IndicatorValue,
                               Region)
from indicators.entry.services import EntryInput, SubmissionRejected, save_entries
from projects.models import Box, Project, ProjectProgress
from reporting import workflow
from reporting.models import Notification, ReportingPeriod
from reporting.services import StaleRecord, locked_save
from reporting.submission import open_period

from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

PLAN = "INTEGRITY-2021-2025"
YEAR = 2023


@pytest.fixture
def world(db):
    city = RegionFactory(code="149700", name="完整市", level=Region.Level.CITY)
    county = RegionFactory(code="149701", name="完整县", level=Region.Level.COUNTY, parent=city)
    forestry = BureauFactory(region=county, name="林业局")
    plan = PlanFactory(code=PLAN, region=county, base_year=2020, milestone_years=[2025], midterm_year=2023)
    forest = IndicatorFactory(plan=plan, key="1", number="1", name="森林覆盖率", unit="%", baseline_raw="36.07",
                              target="40", bureaus=[forestry])
    grass = IndicatorFactory(plan=plan, key="2", number="2", name="草原综合植被盖度", unit="%", baseline_raw="70",
                             target="72", bureaus=[forestry])
    energy = IndicatorFactory(plan=plan, key="3", number="3", name="单位地区生产总值能耗降低", unit="%", baseline_raw="—",
                              target="完成市下达指标", bureaus=[forestry])
    open_period(plan, YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)
    box = Box.objects.create(plan=plan, number="1", title="生态修复", text="原文")
    project = Project.objects.create(plan=plan, box=box, name="人工造林", content="人工造林1万亩", bureau=forestry)
    return SimpleNamespace(
        city=city, county=county, plan=plan, forest=forest, grass=grass, energy=energy, project=project,
        staff=user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="integrity-staff"),
        reviewer=user_with_role(Role.REVIEWER, region=city, username="integrity-reviewer"),
        other_reviewer=user_with_role(Role.REVIEWER, region=city, username="integrity-reviewer-2"),
    )


# --- constraints: present in the database, and they fire -----------------------------------------

CONSTRAINTS = {
    IndicatorValue: ["value_unique_per_indicator_year", "value_state_valid", "value_year_sane"],
    IndicatorTarget: ["target_unique_per_indicator_year", "target_kind_valid"],
    Indicator: ["indicator_unique_key_per_plan"],
    AssignedTarget: ["one_assignment_per_target"],
    EvaluationResult: ["evaluation_unique_per_indicator_year", "evaluation_status_valid"],
    EvaluationReport: ["one_report_per_plan_kind_year"],
    ReportingPeriod: ["period_unique_per_plan_year"],
    ProjectProgress: ["progress_unique_per_project_year", "progress_state_valid", "progress_year_sane",
                      "progress_investment_not_negative"],
    Profile: ["profile_role_valid"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(CONSTRAINTS), ids=lambda m: m.__name__)
def test_each_constraint_exists_in_the_database(model):
    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, model._meta.db_table)
    names = set(present)
    if connection.vendor == "sqlite":
        # SQLite reports CHECK constraints without their names; read them from the table's SQL
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [model._meta.db_table])
            sql = cursor.fetchone()[0]
        names |= {name for name in CONSTRAINTS[model] if name in sql}
    assert set(CONSTRAINTS[model]) <= names


def violates(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_value_per_indicator_and_year(world):
    IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5")
    violates(lambda: IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="37"))
    violates(lambda: IndicatorValue.objects.bulk_create([IndicatorValue(indicator=world.forest, year=YEAR, raw="38")]))


def test_one_target_per_indicator_and_milestone(world):
    violates(lambda: IndicatorTarget.objects.create(indicator=world.forest, year=2025, raw="41"))


def test_states_kinds_and_years_are_checked_by_the_database(world):
    value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5")
    violates(lambda: IndicatorValue.objects.filter(pk=value.pk).update(state="published"))
    violates(lambda: IndicatorValue.objects.filter(pk=value.pk).update(year=1800))
    violates(lambda: IndicatorTarget.objects.filter(indicator=world.forest).update(kind="whatever"))
    progress = ProjectProgress.objects.create(project=world.project, year=YEAR)
    violates(lambda: ProjectProgress.objects.filter(pk=progress.pk).update(state="deleted"))
    violates(lambda: ProjectProgress.objects.filter(pk=progress.pk).update(investment_done=Decimal("-1")))
    violates(lambda: ProjectProgress.objects.create(project=world.project, year=YEAR))
    violates(lambda: Profile.objects.filter(user=world.staff).update(role="root"))
    from indicators.results.services import recompute

    recompute(plans=[world.plan])
    violates(lambda: EvaluationResult.objects.filter(plan=world.plan).update(status="great"))


def test_uniques_of_periods_keys_reports_assignments_and_reminders(world):
    violates(lambda: ReportingPeriod.objects.create(plan=world.plan, year=YEAR, opens_on=timezone.localdate(),
                                                    deadline=timezone.localdate()))
    violates(lambda: Indicator.objects.create(plan=world.plan, key="1", name="重复行键"))
    EvaluationReport.objects.create(plan=world.plan, kind="midterm", year=YEAR, snapshot={}, created_by=world.reviewer)
    violates(lambda: EvaluationReport.objects.create(plan=world.plan, kind="midterm", year=YEAR, snapshot={},
                                                     created_by=world.reviewer))
    target = world.energy.targets.get()
    AssignedTarget.objects.create(target=target, value=5, year=YEAR, document="测政发〔2022〕1号", recorded_by=world.reviewer)
    violates(lambda: AssignedTarget.objects.create(target=target, value=6, year=YEAR, document="二号", recorded_by=world.reviewer))
    Notification.objects.create(user=world.staff, kind="deadline", message="提醒", dedupe_key="k1")
    violates(lambda: Notification.objects.create(user=world.staff, kind="deadline", message="提醒", dedupe_key="k1"))


# --- multi-row writes are all or nothing -----------------------------------------------------------


def test_a_batch_with_one_bad_item_saves_nothing(world):
    items = [EntryInput(indicator_id=world.forest.pk, raw="36.5"), EntryInput(indicator_id=world.grass.pk, raw="七十")]
    with pytest.raises(SubmissionRejected) as rejected:
        save_entries(world.staff, world.plan, YEAR, items, submit=True)
    assert [e.index for e in rejected.value.errors] == [1]
    assert not IndicatorValue.objects.filter(indicator__plan=world.plan).exists()


def test_the_api_batch_is_all_or_nothing_too(world):
    token = ApiToken.issue(world.staff)
    response = Client().post(f"/api/v1/plans/{PLAN}/values/", [{"number": "1", "year": YEAR, "value": "36.5"},
                                                                {"number": "2", "year": YEAR, "value": "abc"}],
                             content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 400 and response.json()["errors"][0]["index"] == 1
    assert not IndicatorValue.objects.filter(indicator__plan=world.plan).exists()


def test_bulk_approval_failing_half_way_approves_nothing(world):
    values = [IndicatorValue.objects.create(indicator=i, year=YEAR, raw="1", number=1, state=workflow.SUBMITTED)
              for i in (world.forest, world.grass)]
    client = Client(raise_request_exception=False)
    client.force_login(world.reviewer)
    from reporting import services

    calls = []

    def crash_after_the_states_are_written(records, *args, **kwargs):
        calls.append(len(records))
        raise RuntimeError("crash in the middle")

    # The batch writes every state and its history first, then notifies: crash between the two.
    with mock.patch.object(services, "notify_bureaus", side_effect=crash_after_the_states_are_written):
        response = client.post("/review/approve/", {"select": [str(v.pk) for v in values]})
    assert response.status_code == 500 and calls == [2]
    assert set(IndicatorValue.objects.filter(pk__in=[v.pk for v in values]).values_list("state", flat=True)) == {workflow.SUBMITTED}
    assert not Notification.objects.exists()


def test_a_plan_import_with_an_error_writes_nothing(world):
    from indicators.plans.services import PlanTableInvalid, plan_table_from_db, save_plan_table

    table = plan_table_from_db(world.plan)
    table.rows[0].name = "改名后的指标"
    table.rows[1].key = table.rows[0].key  # a duplicate key: the whole table is refused
    with pytest.raises(PlanTableInvalid):
        save_plan_table(table)
    assert Indicator.objects.get(pk=world.forest.pk).name == "森林覆盖率"


def test_assignments_are_all_or_nothing(world):
    from indicators.assignments.services import AssignmentInput, AssignmentsRejected, save_assignments

    target = world.energy.targets.get()
    targets = {t.pk: t for t in IndicatorTarget.objects.assignable_by(world.reviewer)}
    assert target.pk in targets
    with pytest.raises(AssignmentsRejected):
        save_assignments(world.reviewer, targets, [AssignmentInput(target_id=target.pk, value="5", document="一号"),
                                                   AssignmentInput(target_id=999999, value="5", document="二号")], YEAR)
    assert not AssignedTarget.objects.exists()


# --- optimistic locking ------------------------------------------------------------------------------


def test_a_stale_value_version_is_refused_and_names_the_winner(world):
    value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5", number="36.5", state=workflow.SUBMITTED)
    first, second = Client(), Client()
    first.force_login(world.reviewer)
    second.force_login(world.other_reviewer)
    loaded = value.version
    # the first reviewer records a judgement (the value stays submitted, its version moves on) …
    assert first.post(f"/values/{value.pk}/judgement/", {"judgement": "done", "reason": "现场核查", "version": loaded}).status_code == 302
    # … and the second, still looking at the old version, approves: refused, with the winner named
    response = second.post(f"/values/{value.pk}/review/", {"action": "approve", "version": loaded}, follow=True)
    text = response.content.decode()
    assert "该数据已被 integrity-reviewer 于" in text and "您的修改未保存" in text
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED and value.version == loaded + 1


def test_the_api_answers_409_for_a_stale_version(world):
    value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5", number="36.5", state=workflow.SUBMITTED)
    token = ApiToken.issue(world.reviewer)
    response = Client().post(f"/api/v1/values/{value.pk}/approve", {"version": value.version + 5},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 409
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED


def test_a_stale_entry_is_refused(world):
    client = Client()
    client.force_login(world.staff)
    url = f"/entry/{PLAN}/{YEAR}/"
    assert client.post(url, {"action": "save", f"i{world.forest.pk}-raw": "36.5", f"i{world.forest.pk}-version": "0"}).status_code == 302
    response = client.post(url, {"action": "save", f"i{world.forest.pk}-raw": "37", f"i{world.forest.pk}-version": "0"})
    assert response.status_code == 400 and "修改" in response.content.decode()
    assert IndicatorValue.objects.get(indicator=world.forest, year=YEAR).raw == "36.5"


def test_a_stale_assigned_target_is_refused(world):
    target = world.energy.targets.get()
    client = Client()
    client.force_login(world.reviewer)
    url = f"/regions/{world.city.code}/assigned-targets/"
    data = {f"t{target.pk}-value": "5", f"t{target.pk}-document": "一号", f"t{target.pk}-version": "0"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, f"t{target.pk}-value": "6"})  # still says version 0
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    assert AssignedTarget.objects.get(target=target).value == 5


def test_a_stale_target_edit_in_the_admin_is_refused(world):
    target = world.forest.targets.get()
    loaded = target.version
    IndicatorTarget.objects.filter(pk=target.pk).update(raw="42", version=loaded + 1)  # a plan re-import meanwhile
    target.refresh_from_db()
    form = TargetInlineForm(data={"year": 2025, "raw": "45", "loaded_version": loaded}, instance=target)
    assert not form.is_valid() and "已被他人修改" in str(form.errors)
    target = IndicatorTarget.objects.get(pk=target.pk)  # the next request loads it afresh
    fresh = TargetInlineForm(data={"year": 2025, "raw": "45", "loaded_version": target.version}, instance=target)
    assert fresh.is_valid(), fresh.errors
    fresh.save()
    target.refresh_from_db()
    assert (target.raw, target.version, target.kind) == ("45", loaded + 2, "exact")


def test_the_admin_change_page_carries_the_loaded_version(world):
    client = Client()
    client.force_login(user_with_role(Role.ADMIN, username="integrity-admin"))
    html = client.get(f"/admin/indicators/indicator/{world.forest.pk}/change/").content.decode()
    assert 'name="targets-0-loaded_version"' in html


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_version_cannot_both_win(world):
    """Real concurrency: two threads, each in its own transaction and connection."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers as a whole; the row lock is exercised on PostgreSQL (CI runs both)")
    value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5", number="36.5", state=workflow.DRAFT)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(raw, user):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                locked_save(value, 1, user, "并发测试", raw=raw)
            outcomes.append("saved")
        except StaleRecord:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(raw, user)) for raw, user in (("37", world.staff), ("38", world.reviewer))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    value.refresh_from_db()
    assert value.version == 2 and value.raw in ("37", "38")


