"""Which background tasks could not reach the broker during the current request.

`reporting.tasks.enqueue` calls `note(task_name)` when sending fails; DeferredWorkNoticeMiddleware
reads the list after the view and tells the user. Outside a request (a worker, a command) there
is no list and `note` does nothing."""
from contextvars import ContextVar

_pending = ContextVar("deferred_tasks", default=None)

# Tasks whose views already tell the user themselves (report generation) are not described.
_DESCRIPTIONS = {
    "reporting.tasks.send_notification_emails": "通知邮件",
    "reporting.tasks.send_deadline_reminders": "截止提醒",
    "indicators.results.tasks.reevaluate_all": "重新评估",
}


def start():
    return _pending.set([])


def finish(token):
    _pending.reset(token)


def note(task_name):
    pending = _pending.get()
    if pending is not None:
        pending.append(task_name)


def names():
    return list(_pending.get() or [])


def describe(task_name):
    return _DESCRIPTIONS.get(task_name, "")
