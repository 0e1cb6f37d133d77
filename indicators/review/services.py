"""Reviewing yearly values. Each function runs the shared workflow step (`reporting.services`)
and then, explicitly and once per call, what depends on approved values: the stored evaluation
results (`recompute`, which also renews the region summaries) or, where no approved value
changed, just the summaries."""
from django.db import transaction

from core import generations
from reporting import workflow
from reporting.services import locked_save, review_many

from indicators.results.services import recompute

# Approving or reopening changes which values the evaluation counts; returning does not.
_CHANGES_APPROVED = {workflow.APPROVE, workflow.REOPEN}


@transaction.atomic
def review_values(values, action, user, *, reason="", expected_versions=None):
    """Approve, return or reopen `values` (all or none), then re-evaluate their indicators once."""
    reviewed = review_many(values, action, user, reason=reason, expected_versions=expected_versions)
    if action in _CHANGES_APPROVED:
        recompute({value.indicator_id for value in reviewed})
    else:
        generations.bump()
    return reviewed


def review_value(value, action, user, *, reason="", expected_version=None):
    versions = None if expected_version is None else {value.pk: expected_version}
    return review_values([value], action, user, reason=reason, expected_versions=versions)[0]


@transaction.atomic
def record_judgement(value, user, judgement, reason, expected_version):
    """审核评价 (完成 / 基本完成 / 未完成 with its reason): what a qualitative row's evaluation counts."""
    value = locked_save(value, expected_version, user, workflow.JUDGEMENT_NOTE,
                        reviewer_judgement=judgement, reviewer_judgement_reason=reason[:2000])
    recompute([value.indicator_id])
    return value
