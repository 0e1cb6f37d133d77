"""Workflow labels where they reach the UI: the one table (`reporting.workflow` STATE_LABELS,
ACTION_LABELS), translated into the active language. `workflow` stays pure and holds the Chinese;
this module is the edge that calls Django's gettext on it (the catalog has every label because
`workflow` marks them with `gettext_noop`)."""
from django.utils.translation import gettext, gettext_lazy

from reporting import workflow


def state_label(state):
    """A state's name in the active language (an unknown state is shown as stored)."""
    label = workflow.STATE_LABELS.get(state)
    return gettext(label) if label else state


def action_label(action, from_state=None):
    """An action's (or a recorded step's) name in the active language; 重新提交 for a resubmission."""
    label = workflow.step_label(action, from_state)
    return gettext(label) if label in workflow.ACTION_LABELS.values() else label


def state_choices():
    """(state, lazily translated label) for model fields and filters, in workflow order."""
    return [(state, gettext_lazy(workflow.STATE_LABELS[state])) for state in workflow.STATES]


def action_choices(*actions):
    return [(action, gettext_lazy(workflow.ACTION_LABELS[action])) for action in actions]
