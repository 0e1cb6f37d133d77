"""下达目标: the numbers a higher level assigns where a target reads 完成市下达指标 — one per target
year, and one per sub-row where sub-rows share their parent's target (each pollutant).

Saved all-or-nothing with an optimistic lock per row; every change is kept by simple-history
(who, when, old → new). The write re-evaluates the affected indicators itself, once per save
(`recompute`, which also renews the region summaries); no signal does it.
"""
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from indicators.entry.rules import parse_entry
from indicators.models import AssignedTarget


_FIELD = "下达数值"


@dataclass
class AssignmentInput:
    target_id: int
    value: str = ""
    document: str = ""
    document_date: str = ""
    version: int = 0  # the assignment's version the user saw; 0 when there was none
    indicator_id: int | None = None  # the sub-row, when the target is shared by sub-rows
    label: str = ""  # where the input came from, e.g. "第 5 行" of an uploaded sheet

    @property
    def key(self):
        return f"t{self.target_id}" + (f"-i{self.indicator_id}" if self.indicator_id is not None else "")


class AssignmentsRejected(Exception):
    def __init__(self, errors):
        super().__init__("；".join(errors.values()))
        self.errors = errors  # row key ("t12" or "t12-i34") → message


def _date(text):
    text = (text or "").strip()
    if not text:
        return None
    return date.fromisoformat(text[:10])


def _row_name(target, sub_row):
    """绛县「细颗粒物（PM2.5）浓度」2025 年 — single brackets, the sub-row after the parent."""
    name = f"{target.indicator.name} · {sub_row.name}" if sub_row is not None else target.indicator.name
    return f"{target.indicator.plan.region.name}「{name}」{target.year} 年"


def _sub_row(target, indicator_id):
    if indicator_id is None:
        return None
    return next((c for c in target.indicator.children.all() if c.pk == indicator_id and c.shares_parent_target), None)


def save_assignments(user, targets, items, year=None):
    """`targets`: the assignable targets by id (already scoped, `indicator__children` prefetched
    for shared targets). `year`: the year the number applies to, by default the target's year.
    Returns how many rows were saved; raises AssignmentsRejected (key → message) and saves nothing."""
    errors, planned = {}, []
    for item in items:
        target = targets.get(item.target_id)
        where = f"{item.label}：" if item.label else ""
        if target is None:
            errors[item.key] = f"{where}该目标不存在或不由您下达。"
            continue
        sub_row = _sub_row(target, item.indicator_id)
        if item.indicator_id is not None and sub_row is None:
            errors[item.key] = f"{where}该子项不共用此目标。"
            continue
        if not item.value.strip() and not item.document.strip():
            continue
        name = _row_name(target, sub_row)
        entry = parse_entry(item.value, indicator_name=_FIELD, value_type="number", unit=(sub_row or target.indicator).unit)
        if not entry.ok:
            # parse_entry names its field in 「」; the row already carries the brackets once.
            errors[item.key] = f"{where}{name}的下达数值：{entry.error.removeprefix(f'「{_FIELD}」：')}"
            continue
        if not item.document.strip():
            errors[item.key] = f"{where}{name}：请填写下达文件（文号）。"
            continue
        try:
            document_date = _date(item.document_date)
        except ValueError:
            errors[item.key] = f"{where}{name}：下达日期「{item.document_date}」格式应为 YYYY-MM-DD。"
            continue
        planned.append((target, sub_row, entry.number, item, document_date, name))
    if errors:
        raise AssignmentsRejected(errors)
    saved = 0
    with transaction.atomic():
        for target, sub_row, number, item, document_date, name in planned:
            current = AssignedTarget.objects.select_for_update().filter(target=target, indicator=sub_row).first()
            if (current.version if current else 0) != item.version:
                errors[item.key] = f"{name}：下达数已被他人修改，请刷新后重试。"
                continue
            applies_to = year if year is not None else target.year
            document = item.document.strip()[:200]
            assignment = current or AssignedTarget(target=target, indicator=sub_row)
            if current and (current.value, current.document, current.document_date, current.year) == (
                    number, document, document_date, applies_to):
                continue
            assignment.value, assignment.document, assignment.document_date = number, document, document_date
            assignment.year, assignment.recorded_by = applies_to, user
            assignment.version = (current.version + 1) if current else 1
            assignment._history_user = user
            assignment.save()
            saved += 1
        if errors:
            raise AssignmentsRejected(errors)
        if saved:
            from indicators.results.services import recompute

            # recompute renews the region summaries too (core.generations)
            recompute(sorted({(sub_row or target.indicator).pk for target, sub_row, *_ in planned}
                             | {target.indicator_id for target, *_ in planned}))
    return saved
