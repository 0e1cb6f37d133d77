"""Workflow steps on any reviewed record (indicator value, project progress), recorded and
notified the same way. Records say who may enter and review them through two methods,
`entry_allowed(user)` and `review_allowed(user)`, which use the scoping querysets."""
import logging

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

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


def locked_save(record, expected_version, user, reason="", **fields):
    """Save `fields` only if nobody saved the record since `expected_version` was read.

    The row is locked (SELECT … FOR UPDATE) for the check, so two concurrent saves cannot both
    pass; the loser gets StaleRecord with the winner's content. Must run inside a transaction."""
    model = type(record)
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join, and
    # after waiting for the lock it would re-read this row but not the joined one (a stale editor).
    current = model.objects.select_for_update().get(pk=record.pk)
    if current.version != expected_version:
        raise StaleRecord(record, current)
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


def review(record, action, user, *, reason="", expected_version=None):
    """Approve, return or reopen one record (see `review_many`)."""
    versions = None if expected_version is None else {record.pk: expected_version}
    return review_many([record], action, user, reason=reason, expected_versions=versions)[0]


@transaction.atomic
def review_many(records, action, user, *, reason="", expected_versions=None):
    """Approve, return or reopen records of one model in one step: all of them or, on the first
    refusal, none. A fixed number of queries however many records there are.

    `expected_versions` (pk → version the reviewer loaded) guards each record like `locked_save`;
    without it the version read now is taken. Nobody approves or returns a record they submitted
    or last edited (四眼原则, `reporting.four_eyes`), whatever their role is now. What depends on
    the new states (re-evaluation, summaries) is the caller's to run: this mechanism knows nothing
    of indicators."""
    records = list(records)
    if not records:
        return []
    model = type(records[0])
    ids = [r.pk for r in records]
    allowed = set(model.objects.reviewable_by(user).filter(pk__in=ids).values_list("pk", flat=True))
    # No select_related under FOR UPDATE (see locked_save); what the messages need comes from `records`.
    current = {r.pk: r for r in model.objects.select_for_update().filter(pk__in=ids)}
    submitters = four_eyes.last_submitters(model, ids)
    now = timezone.now()
    changes, reviewed = [], []
    for record in records:
        locked = current[record.pk]
        if record.pk not in allowed:
            workflow.plan_transition(locked.state, action, reason=reason, may_review=False)  # raises: no right
        # The version first: of two reviewers acting at once, the loser is told who won and what.
        expected = locked.version if expected_versions is None else expected_versions.get(record.pk, locked.version)
        if locked.version != expected:
            raise StaleRecord(record, locked)
        transition = workflow.plan_transition(locked.state, action, reason=reason, may_review=True)
        four_eyes.check(locked, user, action, submitter_id=submitters.get(record.pk), shown=record)
        locked.state, locked.reviewed_at, locked.reviewed_by = transition.to_state, now, user
        if action in (workflow.RETURN, workflow.REOPEN):
            locked.return_reason = reason.strip()
        locked.version += 1
        locked.updated_by = user
        locked.updated_at = now  # bulk_update skips auto_now
        changes.append(StateChange(content_type=_content_type(model), object_id=locked.pk, action=transition.action,
                                   from_state=transition.from_state or "", to_state=transition.to_state, user=user,
                                   comment=reason.strip(), at=now))
        _copy_display_relations(record, locked)
        reviewed.append(locked)
    fields = ["state", "reviewed_at", "reviewed_by", "return_reason", "version", "updated_by", "updated_at"]
    # The history's reason is stored in Chinese (the table's label), whatever language the reviewer reads.
    bulk_update_with_history(reviewed, model, fields, default_user=user,
                             default_change_reason=workflow.ACTION_LABELS[action], default_date=now)
    StateChange.objects.bulk_create(changes)
    notify_bureaus(reviewed, action, reason)
    return reviewed


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)  # cached by Django after the first call


def _copy_display_relations(record, locked):
    """Give the locked row the related objects the caller loaded (names for messages)."""
    for field in type(record)._meta.concrete_fields:
        if field.is_relation and field.is_cached(record) and not field.is_cached(locked):
            field.set_cached_value(locked, field.get_cached_value(record))


_ACTION_KIND = {workflow.RETURN: Notification.Kind.RETURNED, workflow.APPROVE: Notification.Kind.APPROVED,
                workflow.REOPEN: Notification.Kind.REOPENED}


def notify_bureaus(records, action, reason=""):
    """In-app notifications now, for the bureaus of every record; e-mail goes through a task so a
    broker outage loses nothing."""
    kind = _ACTION_KIND.get(action)
    if kind is None or not records:
        return 0
    users_of = type(records[0]).bureau_users_of(records)
    limit = Notification._meta.get_field("message").max_length
    notices = []
    for record in records:
        message = record.notification_text(action, reason)
        if len(message) > limit:  # a long reason stays in full on the record; the notification points there
            message = message[: limit - 1] + "…"
        url = record.get_absolute_url()
        notices += [Notification(user=u, kind=kind, message=message, url=url) for u in users_of.get(record.pk, ())]
    Notification.objects.bulk_create(notices)
    from reporting.tasks import queue_notification_emails

    transaction.on_commit(queue_notification_emails)
    return len(notices)


def notify_bureau(record, action, reason=""):
    return notify_bureaus([record], action, reason)
