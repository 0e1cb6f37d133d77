"""四眼原则 (four-eyes rule): nobody approves or returns a record they submitted or last edited,
whatever their role is now — a bureau clerk who became a reviewer, or an administrator who
corrected a report in /admin/, leaves that record to another reviewer.

Who counts:
- the submitter: the user of the record's latest 提交 step in the state history (`StateChange`),
  that is, of the submission now under review;
- the last editor: `updated_by`, the user of the last save — except when that save was the
  reviewer's own 审核评价 (`workflow.JUDGEMENT_NOTE`, told by the history's change reason): that is
  part of reviewing, not an edit of what the bureau reported, and the reviewer who judged a
  qualitative value may still approve it.

Reopening an approved record is not covered: it changes nothing reported and sends the record
back to the bureau. A refusal is a `workflow.TransitionError`, shown and answered like any other
step that is not allowed (nothing saved).
"""
from django.contrib.contenttypes.models import ContentType

from reporting import workflow
from reporting.models import StateChange

GUARDED = frozenset({workflow.APPROVE, workflow.RETURN})
_LOOK_UP = object()


def last_submitters(model, ids):
    """pk → the user id of the latest 提交 step of each record (one query)."""
    rows = (StateChange.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids),
                                       action=workflow.SUBMIT)
            .order_by("object_id", "at", "id").values_list("object_id", "user_id"))
    return dict(rows)  # later rows overwrite earlier ones: the latest submission wins


def _last_save_was_judgement(record):
    history = getattr(record, "history", None)
    if history is None:
        return False
    reason = history.order_by("-history_date", "-history_id").values_list("history_change_reason", flat=True).first()
    return reason == workflow.JUDGEMENT_NOTE


def check(record, user, action, *, submitter_id=_LOOK_UP, shown=None):
    """Raise TransitionError when `user` may not take `action` on `record` under the four-eyes rule.

    `record` should be the row as it is now (locked); `submitter_id` the user of its latest
    submission (None: never submitted) if the caller already knows it, else it is looked up;
    `shown` the object the message names (the caller's copy, with its relations loaded), `record`
    itself by default."""
    if action not in GUARDED:
        return
    if submitter_id is _LOOK_UP:
        submitter_id = last_submitters(type(record), [record.pk]).get(record.pk)
    label = workflow.ACTION_LABELS[action]
    name = str(shown if shown is not None else record)
    if submitter_id == user.pk:
        raise workflow.TransitionError(
            f"「{name}」由您本人提交，须由另一位审核员{label}（四眼原则：提交或最后修改数据的人不能审核该数据）。")
    if record.updated_by_id == user.pk and not _last_save_was_judgement(record):
        raise workflow.TransitionError(
            f"「{name}」最后由您本人修改，须由另一位审核员{label}（四眼原则：提交或最后修改数据的人不能审核该数据）。")
