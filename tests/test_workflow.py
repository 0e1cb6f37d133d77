"""The review state machine (reporting/workflow.py): pure, no database."""
import pytest

from reporting import workflow
from reporting.workflow import TransitionError, plan_transition


def test_saving_a_new_value_makes_a_draft():
    step = plan_transition(None, workflow.SAVE, may_enter=True)
    assert (step.from_state, step.to_state, step.label) == (None, workflow.DRAFT, "保存草稿")


@pytest.mark.parametrize("state", [workflow.DRAFT, workflow.RETURNED, workflow.REOPENED])
def test_saving_an_editable_value_keeps_its_state(state):
    assert plan_transition(state, workflow.SAVE, may_enter=True).to_state == state


def test_submitting_a_draft_sends_it_for_review():
    step = plan_transition(workflow.DRAFT, workflow.SUBMIT, may_enter=True)
    assert step.to_state == workflow.SUBMITTED and step.label == "提交"


@pytest.mark.parametrize("state", [workflow.RETURNED, workflow.REOPENED])
def test_submitting_a_returned_or_reopened_value_is_labelled_a_resubmission(state):
    step = plan_transition(state, workflow.SUBMIT, may_enter=True)
    assert step.to_state == workflow.SUBMITTED and step.label == "重新提交"


def test_a_reviewer_approves_a_submitted_value():
    assert plan_transition(workflow.SUBMITTED, workflow.APPROVE, may_review=True).to_state == workflow.APPROVED


def test_returning_needs_a_reason():
    with pytest.raises(TransitionError, match="必须填写原因"):
        plan_transition(workflow.SUBMITTED, workflow.RETURN, reason="   ", may_review=True)
    assert plan_transition(workflow.SUBMITTED, workflow.RETURN, reason="数据来源不明", may_review=True).to_state == workflow.RETURNED


def test_reopening_an_approved_value_needs_a_reason():
    with pytest.raises(TransitionError, match="必须填写原因"):
        plan_transition(workflow.APPROVED, workflow.REOPEN, may_review=True)
    assert plan_transition(workflow.APPROVED, workflow.REOPEN, reason="统计口径调整", may_review=True).to_state == workflow.REOPENED


@pytest.mark.parametrize("action", [workflow.SAVE, workflow.SUBMIT])
def test_an_approved_value_is_locked_against_entry(action):
    with pytest.raises(TransitionError, match="已审核通过并锁定"):
        plan_transition(workflow.APPROVED, action, may_enter=True)


@pytest.mark.parametrize("action", [workflow.SAVE, workflow.SUBMIT])
def test_a_submitted_value_cannot_be_changed_while_it_waits_for_review(action):
    with pytest.raises(TransitionError, match="正在等待审核"):
        plan_transition(workflow.SUBMITTED, action, may_enter=True)


@pytest.mark.parametrize("state", [None, workflow.DRAFT, workflow.RETURNED, workflow.APPROVED, workflow.REOPENED])
def test_only_a_submitted_value_can_be_approved(state):
    with pytest.raises(TransitionError):
        plan_transition(state, workflow.APPROVE, may_review=True)


@pytest.mark.parametrize("state", [workflow.DRAFT, workflow.SUBMITTED, workflow.RETURNED])
def test_only_an_approved_value_can_be_reopened(state):
    with pytest.raises(TransitionError):
        plan_transition(state, workflow.REOPEN, reason="x", may_review=True)


def test_entry_needs_the_right_to_enter_and_review_the_right_to_review():
    with pytest.raises(TransitionError, match="没有填报该数据的权限"):
        plan_transition(workflow.DRAFT, workflow.SUBMIT, may_review=True)
    with pytest.raises(TransitionError, match="没有审核该数据的权限"):
        plan_transition(workflow.SUBMITTED, workflow.APPROVE, may_enter=True)


def test_an_unknown_action_is_refused_in_chinese():
    with pytest.raises(TransitionError, match="未知操作"):
        plan_transition(workflow.DRAFT, "delete", may_enter=True, may_review=True)


def test_every_state_has_a_chinese_label_and_only_draft_returned_reopened_are_editable():
    assert set(workflow.STATE_LABELS) == set(workflow.STATES)
    assert workflow.EDITABLE == {workflow.DRAFT, workflow.RETURNED, workflow.REOPENED}
