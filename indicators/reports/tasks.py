"""Background work on evaluation reports: writing their files, and picking up lost ones. Idempotent and retried."""
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)
# A report still "running" after this long lost its worker: show it as failed and retryable.
STALE_AFTER = timezone.timedelta(minutes=15)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def generate_report(self, report_id, token):
    """Write every format of formats.FORMATS for a frozen report. A rerun with the same token
    rewrites the same files from the same snapshot; a stale token (the report was regenerated
    since) is ignored."""
    from indicators.models import EvaluationReport
    from indicators.reports.formats import FORMATS

    with transaction.atomic():
        report = EvaluationReport.objects.select_for_update().filter(pk=report_id, task_token=token).first()
        if report is None or report.state == EvaluationReport.State.DONE:
            return "skipped"
        report.state = EvaluationReport.State.RUNNING
        report.started_at = timezone.now()
        report.attempts += 1
        report.save(update_fields=["state", "started_at", "attempts"])
    try:
        written = {fmt: fmt.write(report) for fmt in FORMATS.values()}
        with transaction.atomic():
            report = EvaluationReport.objects.select_for_update().get(pk=report_id)
            if str(report.task_token) != str(token):
                return "superseded"
            for fmt, content in written.items():
                field = getattr(report, fmt.field)
                if field:
                    field.delete(save=False)
                field.save(fmt.stored_name(report), ContentFile(content), save=False)
            report.state, report.error, report.finished_at = EvaluationReport.State.DONE, "", timezone.now()
            report.save()
    except Exception as exc:
        log.exception("report %s failed", report_id)
        EvaluationReport.objects.filter(pk=report_id, task_token=token).update(
            state=EvaluationReport.State.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000], finished_at=timezone.now())
        if isinstance(exc, OSError):
            raise
        return "failed"
    return "done"


@shared_task
def requeue_pending_reports():
    """Pick up reports whose task never reached a worker (broker down) or lost its worker."""
    from reporting.tasks import enqueue

    from indicators.models import EvaluationReport

    cutoff = timezone.now() - STALE_AFTER
    pending = EvaluationReport.objects.filter(state=EvaluationReport.State.PENDING, created_at__lt=cutoff)
    stuck = EvaluationReport.objects.filter(state=EvaluationReport.State.RUNNING, started_at__lt=cutoff)
    count = 0
    for report in [*pending, *stuck]:
        enqueue(generate_report, report.pk, str(report.task_token))
        count += 1
    return count
