"""Saving a bureau's yearly project progress — through the shared reporting mechanism: the same
periods (`ReportingPeriod`) and the same draft/submit step (`reporting.submission.save_record`:
state machine, late marking, optimistic lock, state history) as indicator values, the same
evidence files (`reporting.evidence`). Review goes through `reporting.services.review`. What is
checked here is the progress's own content (status, amounts, quantities)."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import generations
from reporting.evidence import EvidenceRejected, attach, check_evidence, check_quotas
from reporting.services import StaleRecord, review
from reporting.submission import closed_period_message, period_for, save_record

from projects.models import Project, ProjectProgress, QuantityProgress, Status


class ProgressRejected(Exception):
    """The report was not saved; `errors` says why, in Chinese."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("；".join(self.errors))


@dataclass
class ProgressInput:
    status: str
    investment_done: Decimal | None = None
    narrative: str = ""
    quantities: dict = field(default_factory=dict)  # quantity id → cumulative amount done (or None)
    version: int | None = None  # the version the user loaded; None when there was no report yet
    files: list = field(default_factory=list)  # uploaded evidence files


def open_years(plan, today=None):
    """Years of the plan whose reporting period accepts entries today, latest first."""
    today = today or timezone.localdate()
    last = min(plan.final_year, today.year)
    return [year for year in range(last, plan.first_year - 1, -1) if period_for(plan, year).accepts_entry(today)]


def save_progress(user, project, year, data, *, submit, today=None):
    """Save (and with `submit`, submit for review) one project's progress for `year`.

    Raises ProgressRejected listing every problem; nothing is written in that case."""
    today = today or timezone.localdate()
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
        raise ProgressRejected(["您没有填报该工程进展的权限。"])
    errors = []
    period = period_for(project.plan, year)
    closed = closed_period_message(period, today)
    if closed:
        errors.append(closed)
    if data.status not in Status.values:
        errors.append("请选择进展状态。")
    if data.investment_done is not None and data.investment_done < 0:
        errors.append("累计完成投资不能为负数。")
    quantities = {q.pk: q for q in project.quantities.all()}
    for quantity_id, amount in data.quantities.items():
        quantity = quantities.get(quantity_id)
        if quantity is None:
            errors.append("工程量不属于该工程。")
        elif amount is not None and amount < 0:
            errors.append(f"「{quantity.measure}」的累计完成量不能为负数。")
    if submit and data.status == Status.COMPLETED:
        missing = [q.measure for q in quantities.values() if data.quantities.get(q.pk) is None]
        if missing:
            errors.append(f"工程已完工，请填写各项工程量的累计完成量：{'、'.join(missing)}。")
    checked = []
    for upload in data.files:
        try:
            checked.append(check_evidence(upload))
        except EvidenceRejected as exc:
            errors.append(str(exc))
    record = ProjectProgress.objects.filter(project=project, year=year).first()
    if record is not None and not record.is_editable:
        errors.append(f"{year} 年进展{record.state_label}，不能修改。")
    if errors:
        raise ProgressRejected(errors)

    fields = dict(status=data.status, investment_done=data.investment_done, narrative=data.narrative.strip())
    expected = data.version
    if expected is None and record is not None:
        expected = record.version  # a report sent without the version it was loaded at saves over the stored one
    try:
        with transaction.atomic():
            record = save_record(ProjectProgress, record, user, fields, submit=submit, period=period, today=today,
                                 expected_version=expected, new=dict(project=project, year=year),
                                 comment=fields["narrative"][:500])
            _save_quantities(record, quantities, data.quantities, user)
            check_quotas([(record, checked)], user)
            for checked_file in checked:
                attach(record, checked_file, user)
            generations.bump()  # the project summaries read progress
    except StaleRecord as stale:
        raise ProgressRejected([str(stale)]) from None
    except EvidenceRejected as rejected:  # a quota: the transaction above left nothing saved
        raise ProgressRejected([str(rejected)]) from None
    except IntegrityError:
        raise ProgressRejected(["其他用户同时保存了该工程的进展，您的修改未保存，请刷新后重试。"]) from None
    return record


@transaction.atomic
def review_progress(report, action, user, *, reason="", expected_version=None):
    """Approve, return or reopen one year's progress. The project's status is its latest approved
    report's, and the project summaries read both."""
    report = review(report, action, user, reason=reason, expected_version=expected_version)
    Project.objects.get(pk=report.project_id).refresh_status()
    generations.bump()
    return report


def _save_quantities(record, quantities, amounts, user):
    current = {row.quantity_id: row for row in record.quantity_rows.all()}
    for quantity_id in quantities:
        amount = amounts.get(quantity_id)
        row = current.get(quantity_id)
        if amount is None:
            if row is not None:
                row._history_user = user
                row.delete()
            continue
        if row is None:
            row = QuantityProgress(progress=record, quantity_id=quantity_id, amount_done=amount)
        elif row.amount_done == amount:
            continue
        row.amount_done = amount
        row._history_user = user
        row.save()


def latest_rows(progress_rows):
    """project id → its latest report among `progress_rows`."""
    latest = {}
    for row in progress_rows:
        if row.project_id not in latest or row.year > latest[row.project_id].year:
            latest[row.project_id] = row
    return latest
