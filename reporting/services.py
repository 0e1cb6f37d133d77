"""Workflow steps on any reviewed record (indicator value, project progress), recorded and
notified the same way. Records say who may enter and review them through two methods,
`entry_allowed(user)` and `review_allowed(user)`, which use the scoping querysets."""
import logging

from django.db import transaction
from django.utils import timezone

from reporting import four_eyes, workflow
from reporting.models import Notification, StateChange

log = logging.getLogger(__name__)


class StaleRecord(Exception):
    """Someone else saved the record since this user loaded it (optimistic lock)."""

    def __init__(self, record, current):
        self.record, self.current = record, current
        who = current.updated_by.get_full_name() or current.updated_by.get_username() if current.updated_by else "其他用户"
        when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M") if current.updated_at else ""
        super().__init__(f"该数据已被 {who} 于 {when} 修改（当前内容：{current.display_value()}，状态：{current.state_label}），您的修改未保存，请刷新后重试。")


def locked_save(record, expected_version, user, reason="", *, check=None, **fields):
    """Save `fields` only if nobody saved the record since `expected_version` was read.

    The row is locked (SELECT … FOR UPDATE) for the check, so two concurrent saves cannot both
    pass; the loser gets StaleRecord with the winner's content. `check(current)`, if given, sees
    the locked row before anything changes and may refuse by raising. Must run inside a transaction."""
    model = type(record)
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join, and
    # after waiting for the lock it would re-read this row but not the joined one (a stale editor).
    current = model.objects.select_for_update().get(pk=record.pk)
    if current.version != expected_version:
        raise StaleRecord(record, current)
    if check is not None:
        check(current)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_by = user
    current._change_reason = reason
    current._history_user = user
    current.save()
    return current


def record_change(record, transition, user, comment=""):
    return StateChange.objects.create(
        record=record, action=transition.action, from_state=transition.from_state or "", to_state=transition.to_state,
        user=user, comment=comment,
    )


@transaction.atomic
def review(record, action, user, *, reason="", expected_version=None):
    """Approve, return or reopen one record. Nobody approves or returns a record they submitted or
    last edited (`reporting.four_eyes`); that refusal is a TransitionError, like any other."""
    transition = workflow.plan_transition(
        record.state, action, reason=reason, may_review=record.review_allowed(user)
    )
    version = record.version if expected_version is None else expected_version
    fields = {"state": transition.to_state, "reviewed_at": timezone.now(), "reviewed_by": user}
    if action in (workflow.RETURN, workflow.REOPEN):
        fields["return_reason"] = reason.strip()
    shown = record  # names the record in a refusal, with the relations the caller loaded
    record = locked_save(record, version, user, transition.label,
                         check=lambda current: four_eyes.check(current, user, action, shown=shown), **fields)
    record_change(record, transition, user, reason.strip())
    record.after_review(action)
    notify_bureau(record, action, reason)
    return record


_ACTION_KIND = {workflow.RETURN: Notification.Kind.RETURNED, workflow.APPROVE: Notification.Kind.APPROVED,
                workflow.REOPEN: Notification.Kind.REOPENED}


def notify_bureau(record, action, reason=""):
    """In-app notifications now; e-mail goes through a task so a broker outage loses nothing."""
    kind = _ACTION_KIND.get(action)
    if kind is None:
        return 0
    message = record.notification_text(action, reason)
    limit = Notification._meta.get_field("message").max_length
    if len(message) > limit:  # a long reason stays in full on the record; the notification points there
        message = message[: limit - 1] + "…"
    users = list(record.bureau_users())
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, message=message, url=record.get_absolute_url()) for u in users]
    )
    from reporting.tasks import queue_notification_emails

    transaction.on_commit(queue_notification_emails)
    return len(users)
