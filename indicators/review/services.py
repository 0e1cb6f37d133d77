"""批量审核: approving many submitted values in one action — a back-filled plan-year, or the rows
a reviewer ticked in the queue — all or nothing, with ONE re-evaluation for the batch.

The state change of each value goes through the shared `reporting.services.review` (its lock,
its history, its notification); re-evaluation and the summary-cache bump are called here once.
"""
from django.db import transaction

from core import generations
from reporting import workflow
from reporting.services import review

from indicators.results.services import recompute


def approve_batch(user, values, versions=None):
    """Approve every value of `values` (already scoped with `reviewable_by` and SUBMITTED).

    `versions`: {value id: version the reviewer saw}; a value changed since raises StaleRecord
    and nothing of the batch is saved. Returns the approved values."""
    versions = versions or {}
    approved = []
    with transaction.atomic():
        for value in values:
            approved.append(review(value, workflow.APPROVE, user, expected_version=versions.get(value.pk)))
        if approved:
            recompute(sorted({value.indicator_id for value in approved}))
            generations.bump()
    return approved
