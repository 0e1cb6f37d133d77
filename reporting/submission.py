"""The submit half of the reporting mechanism: the one way a bureau's record — an indicator's
yearly value or a project's yearly progress — is saved as a draft or submitted for review.

What a record holds and how its input is checked belongs to its app (`indicators.entry.services`,
`projects.progress`); what happens to it here is the same for both: the 填报期 must accept
entries, the state machine (`reporting.workflow`) decides the next state, a submission is stamped
(提交时间) and marked late (逾期提交) after the deadline, a stored record is saved only if nobody
saved it since the user loaded it (optimistic lock, `StaleRecord` names who won), and every
submission is recorded in the state history (`StateChange`). Review is `reporting.services.review`.
"""
import datetime

from django.db import transaction
from django.utils import timezone

from reporting import workflow
from reporting.models import ReportingPeriod, default_deadline
from reporting.services import locked_save, record_change


def period_for(plan, year):
    """The plan's 填报期 for `year`: the stored one, or the default (1 January to 31 March after)."""
    return ReportingPeriod.objects.filter(plan=plan, year=year).first() or ReportingPeriod.default_for(plan, year)


def open_period(plan, year, user, *, deadline=None, kept_open=True, closed=False, today=None):
    """Create or update the 填报期 of `plan` for `year` (the periods page, the plan set-up check, `open_demo_periods`)."""
    today = today or timezone.localdate()
    period, _created = ReportingPeriod.objects.update_or_create(
        plan=plan, year=year,
        defaults={"deadline": deadline or default_deadline(year), "kept_open": kept_open, "closed": closed,
                  "changed_by": user},
        create_defaults={"opens_on": min(datetime.date(year + 1, 1, 1), today), "deadline": deadline or default_deadline(year),
                         "kept_open": kept_open, "closed": closed, "changed_by": user},
    )
    return period


def closed_period_message(period, today=None):
    """The Chinese message when `period` does not accept entries today, else ""."""
    if period.accepts_entry(today or timezone.localdate()):
        return ""
    return f"{period.year} 年的填报期未开放或已截止，请联系审核员开放补报。"


def save_record(model, record, user, fields, *, submit, period, today=None, expected_version=None, new=None,
                comment=""):
    """Save `fields` on one reviewed record as a draft, or submit it for review. Returns the saved record.

    `record` is the stored record, or None to create one of `model` from `new` (its identifying
    fields, such as indicator and year) and `fields`. `expected_version` is the version the user
    loaded; a stored record saved by someone else since raises `StaleRecord` (nothing saved).
    A step the workflow does not allow (an approved or submitted record) raises
    `workflow.TransitionError`. `comment` goes into the state history of a submission.
    Runs in the caller's transaction, so the caller's other writes stand or fall with it."""
    today = today or timezone.localdate()
    transition = workflow.plan_transition(record.state if record is not None else None,
                                          workflow.SUBMIT if submit else workflow.SAVE, may_enter=True)
    fields = {**fields, "state": transition.to_state}
    if submit:
        fields.update(submitted_at=timezone.now(), late=period.is_late(today), return_reason="")
    if record is None:
        record = model(**(new or {}), created_by=user, updated_by=user, **fields)
        record._history_user = user
        record._change_reason = transition.label
        # A savepoint: a colleague creating the same record at the same moment fails the unique
        # constraint here, and the caller reports that without losing its transaction.
        with transaction.atomic():
            record.save()
    else:
        record = locked_save(record, expected_version, user, transition.label, **fields)
    if submit:
        record_change(record, transition, user, comment)
    return record
