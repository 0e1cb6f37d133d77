"""One mechanism for what bureaus report: indicator values and project progress go through the
same submit step (`reporting.submission.save_record`), the same scoping mixins
(`accounts.scoping`), the same label table (`reporting.workflow`) and the same review with its
four-eyes rule (`reporting.services.review`, `reporting.four_eyes`). The data here is 示例数据."""
import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import Role
from accounts.scoping import FollowsParentScopeMixin, ReportedScopeMixin
from indicators.entry import services as entry_services
from indicators.entry.services import EntryInput, save_entries
from indicators.models import Indicator, IndicatorValue, Region
from projects import progress as progress_services
from projects.models import Box, Project, ProjectProgress, Status
from projects.progress import ProgressInput, save_progress
from reporting import labels, submission, workflow
from reporting.models import ReportingPeriod, StateChange
from reporting.services import locked_save, review
from reporting.workflow import TransitionError

from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

pytestmark = pytest.mark.django_db
YEAR = 2023


@pytest.fixture
def county():
    """示例数据: a county with one bureau, one indicator and one project of that bureau."""
    city = RegionFactory(name="示例市", level=Region.Level.CITY)
    region = RegionFactory(name="示例县", parent=city)
    bureau = BureauFactory(region=region, name="示例林业局")
    plan = PlanFactory(region=region)
    indicator = IndicatorFactory(plan=plan, name="示例森林覆盖率", target="37.07", bureaus=[bureau])
    box = Box.objects.create(plan=plan, number="1", title="示例专栏", text="示例")
    project = Project.objects.create(plan=plan, box=box, name="示例造林工程", content="示例", bureau=bureau)
    other_region = RegionFactory(name="示例邻县", parent=RegionFactory(name="示例邻市", level=Region.Level.CITY))
    return {
        "plan": plan, "indicator": indicator, "project": project, "bureau": bureau,
        "staff": user_with_role(Role.BUREAU_STAFF, bureau=bureau),
        "reviewer": user_with_role(Role.REVIEWER, region=region),
        "other_reviewer": user_with_role(Role.REVIEWER, region=region),
        "city_reviewer": user_with_role(Role.REVIEWER, region=city),
        "admin": user_with_role(Role.ADMIN),
        "outsider_reviewer": user_with_role(Role.REVIEWER, region=other_region),
        "outsider_staff": user_with_role(Role.BUREAU_STAFF, bureau=BureauFactory(region=other_region, name="示例邻县林业局")),
    }


def late_period(plan):
    """A 填报期 past its deadline but kept open: submissions are accepted and marked 逾期."""
    today = datetime.date.today()
    return ReportingPeriod.objects.create(plan=plan, year=YEAR, opens_on=today - datetime.timedelta(days=60),
                                          deadline=today - datetime.timedelta(days=1), kept_open=True)


def submit_value(county, raw="36.5", explanation="示例说明", version=None):
    item = EntryInput(indicator_id=county["indicator"].pk, raw=raw, explanation=explanation, version=version)
    return save_entries(county["staff"], county["plan"], YEAR, [item], submit=True)[0]


def submit_progress(county, narrative="示例说明"):
    data = ProgressInput(status=Status.IN_PROGRESS, investment_done=Decimal("10"), narrative=narrative)
    return save_progress(county["staff"], county["project"], YEAR, data, submit=True)


def history(record):
    return [(c.action, c.from_state, c.to_state, c.user_id, c.comment) for c in record.state_changes.order_by("at", "id")]


# --- one submit step -----------------------------------------------------------------------------


def test_values_and_progress_are_saved_through_the_one_submit_step(county, monkeypatch):
    late_period(county["plan"])
    calls = []
    real = submission.save_record

    def spy(model, *args, **kwargs):
        calls.append(model)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(entry_services, "save_record", spy)
    monkeypatch.setattr(progress_services, "save_record", spy)
    submit_value(county)
    submit_progress(county)
    assert calls == [IndicatorValue, ProjectProgress]


def test_a_late_submission_is_marked_and_recorded_the_same_way_for_values_and_progress(county):
    late_period(county["plan"])
    value, report = submit_value(county), submit_progress(county)
    for record in (value, report):
        record.refresh_from_db()
        assert (record.state, record.late, record.updated_by, record.version) == (
            workflow.SUBMITTED, True, county["staff"], 1)
        assert record.submitted_at is not None
        assert history(record) == [(workflow.SUBMIT, "", workflow.SUBMITTED, county["staff"].pk, "示例说明")]
        # the history of the record's creation names the step, like every later save
        assert record.history.get().history_change_reason == "提交"


def test_a_draft_then_a_resubmission_after_return_follow_the_same_steps_for_both(county):
    late_period(county["plan"])
    records = []
    for draft, submit in (
        (lambda: save_entries(county["staff"], county["plan"], YEAR, [EntryInput(indicator_id=county["indicator"].pk, raw="36.5")], submit=False)[0],
         lambda record: submit_value(county, version=record.version)),
        (lambda: save_progress(county["staff"], county["project"], YEAR, ProgressInput(status=Status.IN_PROGRESS), submit=False),
         lambda record: submit_progress(county)),
    ):
        record = draft()
        assert record.state == workflow.DRAFT and not record.late and not record.state_changes.exists()
        submit(record)
        record.refresh_from_db()
        review(record, workflow.RETURN, county["reviewer"], reason="请核实")
        record.refresh_from_db()
        submit(record)
        record.refresh_from_db()
        records.append(record)
    value, report = records
    steps = [(a, f, t) for a, f, t, _user, _comment in history(value)]
    assert steps == [(a, f, t) for a, f, t, _user, _comment in history(report)] == [
        (workflow.SUBMIT, workflow.DRAFT, workflow.SUBMITTED), (workflow.RETURN, workflow.SUBMITTED, workflow.RETURNED),
        (workflow.SUBMIT, workflow.RETURNED, workflow.SUBMITTED)]
    assert [c.label for c in value.state_changes.all()] == [c.label for c in report.state_changes.all()] == ["提交", "退回", "重新提交"]
    assert value.return_reason == report.return_reason == ""  # a resubmission clears the reason


def test_a_stale_save_names_the_winner_for_values_and_progress_alike(county):
    late_period(county["plan"])
    value, report = submit_value(county), submit_progress(county)
    for record in (value, report):
        review(record, workflow.RETURN, county["reviewer"], reason="请核实")  # version 1 → 2
    with pytest.raises(entry_services.SubmissionRejected) as values_refused:
        save_entries(county["staff"], county["plan"], YEAR,
                     [EntryInput(indicator_id=county["indicator"].pk, raw="36.9", version=1)], submit=False)
    data = ProgressInput(status=Status.COMPLETED, narrative="改", version=1)
    with pytest.raises(progress_services.ProgressRejected) as progress_refused:
        save_progress(county["staff"], county["project"], YEAR, data, submit=False)
    winner = f"该数据已被 {county['reviewer'].get_username()} 于"
    assert values_refused.value.errors[0].field == "version" and winner in values_refused.value.errors[0].message
    assert winner in progress_refused.value.errors[0] and "您的修改未保存" in progress_refused.value.errors[0]
    value.refresh_from_db()
    report.refresh_from_db()
    assert (value.raw, value.version, report.status, report.version) == ("36.5", 2, Status.IN_PROGRESS, 2)


def test_the_period_message_is_the_same_for_values_and_progress(county):
    today = datetime.date.today()
    ReportingPeriod.objects.create(plan=county["plan"], year=YEAR, opens_on=today - datetime.timedelta(days=60),
                                   deadline=today - datetime.timedelta(days=1))
    with pytest.raises(entry_services.SubmissionRejected) as values_refused:
        submit_value(county)
    with pytest.raises(progress_services.ProgressRejected) as progress_refused:
        submit_progress(county)
    message = f"{YEAR} 年的填报期未开放或已截止，请联系审核员开放补报。"
    assert values_refused.value.errors[0].message == message and message in progress_refused.value.errors
    assert not IndicatorValue.objects.exists() and not ProjectProgress.objects.exists()


# --- one scoping mixin ---------------------------------------------------------------------------


def test_indicators_and_projects_share_one_scoping_mixin_and_their_records_follow_their_parent():
    assert issubclass(type(Indicator.objects.all()), ReportedScopeMixin)
    assert issubclass(type(Project.objects.all()), ReportedScopeMixin)
    assert issubclass(type(IndicatorValue.objects.all()), FollowsParentScopeMixin)
    assert issubclass(type(ProjectProgress.objects.all()), FollowsParentScopeMixin)
    for queryset in (IndicatorValue.objects.all(), ProjectProgress.objects.all()):
        # the records' querysets define none of the scope methods themselves
        assert not {"visible_to", "editable_by", "reviewable_by"} & set(vars(type(queryset)))


def test_records_are_in_scope_exactly_where_their_parent_is(county):
    late_period(county["plan"])
    value, report = submit_value(county), submit_progress(county)
    expected = {
        "staff": (True, True, False), "reviewer": (True, False, True), "city_reviewer": (True, False, True),
        "admin": (True, False, True), "outsider_reviewer": (False, False, False), "outsider_staff": (False, False, False),
    }
    for who, (sees, edits, reviews) in expected.items():
        user = county[who]
        for record in (value, report):
            records = type(record).objects
            got = tuple(getattr(records, m)(user).filter(pk=record.pk).exists()
                        for m in ("visible_to", "editable_by", "reviewable_by"))
            assert got == (sees, edits, reviews), (who, type(record).__name__)


def test_out_of_scope_is_an_empty_queryset_for_values_and_progress(county):
    late_period(county["plan"])
    submit_value(county), submit_progress(county)
    for who in ("outsider_reviewer", "outsider_staff"):
        for model in (IndicatorValue, ProjectProgress):
            assert list(model.objects.visible_to(county[who])) == []
            assert list(model.objects.reviewable_by(county[who])) == []
    anonymous = type("Anonymous", (), {"is_authenticated": False})()
    assert not IndicatorValue.objects.visible_to(anonymous).exists() and not ProjectProgress.objects.visible_to(anonymous).exists()


# --- one label table -----------------------------------------------------------------------------


def test_every_state_label_shown_comes_from_the_workflow_table(county):
    late_period(county["plan"])
    value, report = submit_value(county), submit_progress(county)
    for record in (value, report):
        assert dict(type(record)._meta.get_field("state").choices) == workflow.STATE_LABELS
        for state, label in workflow.STATE_LABELS.items():
            record.state = state
            assert record.state_label == label
    change = value.state_changes.get()
    assert (change.label, change.to_state_label) == (workflow.ACTION_LABELS[workflow.SUBMIT], workflow.STATE_LABELS[workflow.SUBMITTED])
    from indicators.web.filters import ReviewQueueFilter
    from projects.forms import ReviewForm

    assert dict(ReviewQueueFilter.base_filters["state"].extra["choices"]) == workflow.STATE_LABELS
    assert dict(ReviewForm.base_fields["action"].choices) == {a: workflow.ACTION_LABELS[a] for a in (workflow.APPROVE, workflow.RETURN, workflow.REOPEN)}


def test_workflow_labels_are_translated_where_they_reach_the_ui():
    with translation.override("en"):
        assert labels.state_label(workflow.DRAFT) == "Draft"
        assert labels.state_label(workflow.RETURNED) == "Returned"
        assert labels.action_label(workflow.SUBMIT, workflow.RETURNED) == "Resubmit"
        assert [str(label) for _state, label in labels.state_choices()] == ["Draft", "Submitted", "Approved", "Returned", "Reopened"]
    with translation.override("zh-hans"):
        assert labels.state_label(workflow.APPROVED) == "已审核通过"
        assert labels.action_label(workflow.SUBMIT, workflow.REOPENED) == "重新提交"


def test_no_module_keeps_a_table_of_workflow_labels_of_its_own():
    """Any literal that is a workflow label, outside workflow.py, would be a second table."""
    wording = set(workflow.STATE_LABELS.values()) | set(workflow.ACTION_LABELS.values()) | set(workflow.OUTCOME_LABELS.values())
    root = Path(settings.BASE_DIR)
    copies = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in (".venv", "tests", "benchmarks") or "migrations" in relative.parts or relative == Path("reporting/workflow.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in wording:
                copies.append(f"{relative}:{node.lineno} {node.value}")
    assert not copies, copies


def test_notifications_phrase_the_outcome_from_the_one_table(county):
    late_period(county["plan"])
    value, report = submit_value(county), submit_progress(county)
    for action in (workflow.APPROVE, workflow.RETURN, workflow.REOPEN):
        assert value.notification_text(action).endswith(f"数据{workflow.OUTCOME_LABELS[action]}")
        assert report.notification_text(action).endswith(f"进展{workflow.OUTCOME_LABELS[action]}")


# --- four eyes -----------------------------------------------------------------------------------


def test_a_reviewer_who_last_edited_a_value_may_not_approve_or_return_it(county):
    late_period(county["plan"])
    value = submit_value(county)
    reviewer = county["reviewer"]
    with_edit = locked_save(value, value.version, reviewer, "更正", raw="36.6", number=Decimal("36.6"))
    for action, reason in ((workflow.APPROVE, ""), (workflow.RETURN, "请核实")):
        with pytest.raises(TransitionError, match="最后由您本人修改.*四眼原则"):
            review(with_edit, action, reviewer, reason=reason)
    with_edit.refresh_from_db()
    assert (with_edit.state, with_edit.version, with_edit.reviewed_by) == (workflow.SUBMITTED, 2, None)
    assert list(with_edit.state_changes.values_list("action", flat=True)) == [workflow.SUBMIT]
    # another reviewer may
    approved = review(with_edit, workflow.APPROVE, county["other_reviewer"])
    assert approved.state == workflow.APPROVED and approved.reviewed_by == county["other_reviewer"]


def test_an_admin_who_submitted_a_value_when_they_were_staff_may_not_approve_it(county):
    late_period(county["plan"])
    value = submit_value(county)
    staff = county["staff"]
    staff.is_superuser = staff.is_staff = True  # promoted: now an administrator, whatever they were
    staff.save()
    staff.profile.role = Role.ADMIN
    staff.profile.save()
    value.updated_by = county["admin"]  # even when someone else saved it last, the submitter may not review it
    IndicatorValue.objects.filter(pk=value.pk).update(updated_by=county["admin"])
    with pytest.raises(TransitionError, match="由您本人提交.*四眼原则"):
        review(value, workflow.APPROVE, staff)
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED and value.reviewed_at is None
    assert review(value, workflow.APPROVE, county["reviewer"]).state == workflow.APPROVED


def test_an_admin_who_corrected_a_progress_report_leaves_its_review_to_another(county):
    late_period(county["plan"])
    report = submit_progress(county)
    corrected = locked_save(report, report.version, county["admin"], "更正", narrative="更正后的说明")
    with pytest.raises(TransitionError, match="最后由您本人修改"):
        review(corrected, workflow.RETURN, county["admin"], reason="请核实")
    corrected.refresh_from_db()
    assert corrected.state == workflow.SUBMITTED and corrected.return_reason == ""
    assert review(corrected, workflow.RETURN, county["reviewer"], reason="请核实").state == workflow.RETURNED


def test_a_reviewer_who_recorded_a_judgement_may_still_approve(county):
    """审核评价 is part of reviewing, not an edit of what the bureau reported."""
    late_period(county["plan"])
    value = submit_value(county)
    reviewer = county["reviewer"]
    judged = locked_save(value, value.version, reviewer, workflow.JUDGEMENT_NOTE, reviewer_judgement="done",
                         reviewer_judgement_reason="现场核查")
    assert judged.updated_by == reviewer
    assert review(judged, workflow.APPROVE, reviewer).state == workflow.APPROVED


def test_reopening_is_not_refused_to_the_approver(county):
    late_period(county["plan"])
    value = submit_value(county)
    approved = review(value, workflow.APPROVE, county["reviewer"])
    assert review(approved, workflow.REOPEN, county["reviewer"], reason="数据需核实").state == workflow.REOPENED


def test_the_api_answers_400_with_the_four_eyes_message(client, county):
    from core.models import ApiToken

    late_period(county["plan"])
    value = submit_value(county)
    reviewer = county["reviewer"]
    corrected = locked_save(value, value.version, reviewer, "更正", raw="36.6", number=Decimal("36.6"))
    token = ApiToken.issue(reviewer)
    response = client.post(f"/api/v1/values/{value.pk}/approve", {"version": corrected.version},
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 400
    assert "四眼原则" in response.json()["errors"][0]["message"]
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED


def test_batch_approval_refuses_all_when_one_value_is_the_reviewers_own(client, county):
    late_period(county["plan"])
    second = IndicatorFactory(plan=county["plan"], name="示例草地覆盖率", bureaus=[county["bureau"]])
    staff, reviewer = county["staff"], county["reviewer"]
    save_entries(staff, county["plan"], YEAR, [EntryInput(indicator_id=county["indicator"].pk, raw="36.5", explanation="示例"),
                                               EntryInput(indicator_id=second.pk, raw="30", explanation="示例")], submit=True)
    own = IndicatorValue.objects.get(indicator=second)
    locked_save(own, own.version, reviewer, "更正", raw="31", number=Decimal("31"))
    client.force_login(reviewer)
    response = client.post("/review/approve/", {"select": [str(v.pk) for v in IndicatorValue.objects.all()]}, follow=True)
    assert response.status_code == 200
    assert "全部未保存" in response.content.decode() and "四眼原则" in response.content.decode()
    assert set(IndicatorValue.objects.values_list("state", flat=True)) == {workflow.SUBMITTED}
