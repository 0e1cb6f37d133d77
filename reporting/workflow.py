"""The review workflow shared by indicator values and project progress: a pure state machine.

draft → submitted → approved, or → returned → (fixed) → submitted again; an approved record is
locked until a reviewer reopens it with a reason. No Django imports.

The labels below are the one table of workflow wording: every state and step name a page,
export, filter, form, message or notification shows is taken from here (the templates' review
buttons say the same words through `{% translate %}`, which finds the same catalog entries).
They are plain Chinese, marked with `gettext_noop` (this module's own, so it stays free of
Django) only so that `makemessages` puts them in the catalog; the translation happens where a
label reaches the UI, through `reporting.labels` (`state_label`, `action_label`,
`state_choices`, `action_choices`). Notifications are stored text and stay in Chinese.
"""
from dataclasses import dataclass


def gettext_noop(message):
    """Mark `message` for the translation catalog and return it unchanged (see the module docstring)."""
    return message


DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
RETURNED = "returned"
REOPENED = "reopened"

STATES = (DRAFT, SUBMITTED, APPROVED, RETURNED, REOPENED)
STATE_LABELS = {
    DRAFT: gettext_noop("草稿"), SUBMITTED: gettext_noop("已提交"), APPROVED: gettext_noop("已审核通过"),
    RETURNED: gettext_noop("已退回"), REOPENED: gettext_noop("已重新打开"),
}
EDITABLE = frozenset({DRAFT, RETURNED, REOPENED})

SAVE, SUBMIT, APPROVE, RETURN, REOPEN = "save", "submit", "approve", "return", "reopen"
RESUBMIT = "resubmit"  # not an action of its own: the label of SUBMIT from RETURNED or REOPENED
ACTION_LABELS = {
    SAVE: gettext_noop("保存草稿"), SUBMIT: gettext_noop("提交"), APPROVE: gettext_noop("审核通过"),
    RETURN: gettext_noop("退回"), REOPEN: gettext_noop("重新打开"), RESUBMIT: gettext_noop("重新提交"),
}
# How a notification says what a review did to a record (「…」2023年数据被退回：原因).
OUTCOME_LABELS = {APPROVE: "已审核通过", RETURN: "被退回", REOPEN: "被重新打开"}
# The reason recorded in the history when a reviewer records 审核评价 (a review act, not an edit).
JUDGEMENT_NOTE = gettext_noop("审核评价")


def outcome_label(action):
    return OUTCOME_LABELS.get(action, action)


def step_label(action, from_state):
    """What a step is called: SUBMIT of a returned or reopened record is 重新提交."""
    if action == SUBMIT and from_state in (RETURNED, REOPENED):
        return ACTION_LABELS[RESUBMIT]
    return ACTION_LABELS.get(action, action)

# action → (states it may start from, state it leads to, who may take it, reason required)
_RULES = {
    SAVE: (frozenset({None, *EDITABLE}), None, "entry", False),
    SUBMIT: (frozenset({None, *EDITABLE}), SUBMITTED, "entry", False),
    APPROVE: (frozenset({SUBMITTED}), APPROVED, "review", False),
    RETURN: (frozenset({SUBMITTED}), RETURNED, "review", True),
    REOPEN: (frozenset({APPROVED}), REOPENED, "review", True),
}


class TransitionError(Exception):
    """A workflow step that is not allowed; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Transition:
    action: str
    from_state: str | None
    to_state: str
    label: str


def plan_transition(current, action, *, reason="", may_enter=False, may_review=False):
    """Check one step and say where it leads. Raises TransitionError with a Chinese message."""
    if action not in _RULES:
        raise TransitionError(f"未知操作：{action}")
    sources, target, who, needs_reason = _RULES[action]
    if who == "entry" and not may_enter:
        raise TransitionError("您没有填报该数据的权限。")
    if who == "review" and not may_review:
        raise TransitionError("您没有审核该数据的权限。")
    if current not in sources:
        if current == APPROVED:
            raise TransitionError("该数据已审核通过并锁定，如需修改请由审核员重新打开。")
        if current == SUBMITTED and who == "entry":
            raise TransitionError("该数据已提交，正在等待审核，不能修改。")
        raise TransitionError(f"当前状态「{STATE_LABELS.get(current, current or '未填报')}」不能执行「{ACTION_LABELS[action]}」。")
    if needs_reason and not (reason or "").strip():
        raise TransitionError(f"「{ACTION_LABELS[action]}」必须填写原因。")
    to_state = target if target is not None else (current if current in EDITABLE else DRAFT)
    return Transition(action=action, from_state=current, to_state=to_state, label=step_label(action, current))
