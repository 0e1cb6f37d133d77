"""下达目标: the numbers a higher level assigns where a target reads 完成市下达指标.

Saved all-or-nothing with an optimistic lock per target; evaluations are refreshed after.
"""
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from indicators.entry.rules import parse_entry
from indicators.models import AssignedTarget


@dataclass
class AssignmentInput:
    target_id: int
    value: str = ""
    document: str = ""
    document_date: str = ""
    version: int = 0  # the assignment's version the user saw; 0 when there was none


class AssignmentsRejected(Exception):
    def __init__(self, errors):
        super().__init__("；".join(errors.values()))
        self.errors = errors  # target id → message


def _date(text):
    text = (text or "").strip()
    if not text:
        return None
    return date.fromisoformat(text)


def save_assignments(user, targets, items, year):
    """`targets`: the assignable targets by id (already scoped). Returns how many were saved."""
    errors, planned = {}, []
    for item in items:
        target = targets.get(item.target_id)
        if target is None:
            errors[item.target_id] = "该目标不存在或不由您下达。"
            continue
        if not item.value.strip() and not item.document.strip():
            continue
        name = f"{target.indicator.plan.region.name}「{target.indicator.name}」"
        entry = parse_entry(item.value, indicator_name=name, value_type="number", unit=target.indicator.unit)
        if not entry.ok:
            errors[item.target_id] = entry.error
            continue
        if not item.document.strip():
            errors[item.target_id] = f"{name}：请填写下达文件（文号）。"
            continue
        try:
            document_date = _date(item.document_date)
        except ValueError:
            errors[item.target_id] = f"{name}：下达日期「{item.document_date}」格式应为 YYYY-MM-DD。"
            continue
        planned.append((target, entry.number, item, document_date))
    if errors:
        raise AssignmentsRejected(errors)
    saved = 0
    with transaction.atomic():
        for target, number, item, document_date in planned:
            current = AssignedTarget.objects.select_for_update().filter(target=target).first()
            if (current.version if current else 0) != item.version:
                errors[target.pk] = f"「{target.indicator.name}」的下达数已被他人修改，请刷新后重试。"
                continue
            assignment = current or AssignedTarget(target=target)
            changed = (assignment.value, assignment.document, assignment.document_date, assignment.year) != (
                number, item.document.strip()[:200], document_date, year)
            if current and not changed:
                continue
            assignment.value, assignment.document, assignment.document_date = number, item.document.strip()[:200], document_date
            assignment.year, assignment.recorded_by = year, user
            assignment.version = (current.version + 1) if current else 1
            assignment._history_user = user
            assignment.save()
            saved += 1
        if errors:
            raise AssignmentsRejected(errors)
        from indicators.results.services import recompute

        recompute([t.indicator_id for t, *_ in planned])
    return saved
