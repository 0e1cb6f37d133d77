"""The review workflow shared by indicator values and project progress: a pure state machine.

draft → submitted → approved, or → returned → (fixed) → submitted again; an approved record is
locked until a reviewer reopens it with a reason. No Django imports.
"""
from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
RETURNED = "returned"
REOPENED = "reopened"

STATES = (DRAFT, SUBMITTED, APPROVED, RETURNED, REOPENED)
STATE_LABELS = {DRAFT: "草稿", SUBMITTED: "已提交", APPROVED: "已审核通过", RETURNED: "已退回", REOPENED: "已重新打开"}
EDITABLE = frozenset({DRAFT, RETURNED, REOPENED})

SAVE, SUBMIT, APPROVE, RETURN, REOPEN = "save", "submit", "approve", "return", "reopen"
ACTION_LABELS = {SAVE: "保存草稿", SUBMIT: "提交", APPROVE: "审核通过", RETURN: "退回", REOPEN: "重新打开", "resubmit": "重新提交"}

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
    label = ACTION_LABELS[action]
    if action == SUBMIT and current in (RETURNED, REOPENED):
        label = ACTION_LABELS["resubmit"]
    return Transition(action=action, from_state=current, to_state=to_state, label=label)
