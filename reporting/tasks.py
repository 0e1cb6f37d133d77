"""Background work of the reporting mechanism. Every task is idempotent and retried with backoff."""
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

log = logging.getLogger(__name__)
REMINDER_DAYS = (14, 7, 1)


def enqueue(task, *args, **kwargs):
    """Send a task, but never let a broker outage fail the user's own save: the work is kept
    in the database (unsent notifications, pending reports) and picked up on the next run."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
        return True
    except Exception as exc:  # kombu raises several connection error types
        log.warning("broker unavailable, %s queued for later: %s", task.name, exc)
        from core import deferred

        deferred.note(task.name)  # the request's page says the work is queued
        return False


def queue_notification_emails():
    return enqueue(send_notification_emails)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_notification_emails(self):
    """E-mail every notification not e-mailed yet. Marks each one as sent, so a rerun sends nothing twice."""
    from reporting.models import Notification

    sent = 0
    pending = Notification.objects.filter(emailed=False).select_related("user").exclude(user__email="")
    for notification in pending[:500]:
        send_mail(
            subject=f"[生态指标] {notification.get_kind_display()}",
            message=f"{notification.message}\n\n{notification.url}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed=True)
        sent += 1
    return sent


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_deadline_reminders(self, today=None):
    """Remind bureaus with missing values 14, 7 and 1 days before a period's deadline.

    Each reminder has a dedupe key (period, days, user), so running twice a day sends one."""
    from reporting.reminders import deadline_reminders

    today = timezone.localdate() if today is None else timezone.datetime.fromisoformat(str(today)).date()
    created = deadline_reminders(today, REMINDER_DAYS)
    if created:
        queue_notification_emails()
    return created
