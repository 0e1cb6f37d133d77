"""下达目标 as the pages show them: which assignment stands behind a target for a row, and the
target's text with the assigned number (完成市下达指标（下达 40，文号）).

The display helpers read prefetched `target.assignments` (callers prefetch `targets__assignments`,
or the parent's, and pay no query per row) or the assignments a caller read itself; `assignable_rows` is what the
下达目标 page and its .xlsx list.
"""
from dataclasses import dataclass

from core.phrases import phrase
from indicators.plans.targets import assigned_level


def _format_number(number):
    """40.000000 → 40, 0.500000 → 0.5 (stored with six decimals, shown as typed)."""
    return "" if number is None else f"{number.normalize():f}"


def assignment_for(target, indicator=None, assignments=None):
    """The assignment that applies to `indicator` under `target` (`assignments`: the target's,
    when the caller read them itself; else the prefetched `target.assignments`).

    A sub-row sharing its parent's merged target cell (主要污染物减排 → each pollutant) has its own
    number: the assignment naming that sub-row wins; otherwise the one recorded for the shared cell
    (the only one there was before sub-rows had their own)."""
    if target is None:
        return None
    assignments = list(target.assignments.all()) if assignments is None else assignments
    if indicator is not None and indicator.pk != target.indicator_id:
        own = next((a for a in assignments if a.indicator_id == indicator.pk), None)
        if own is not None:
            return own
    return next((a for a in assignments if a.indicator_id is None), None)


def assigned_text(assignment):
    """下达 40，晋环发〔2022〕12号"""
    if assignment is None:
        return ""
    return phrase("assigned", number=_format_number(assignment.value), document=assignment.document)


def target_text(target, indicator=None, assignments=None):
    """The parsed target as a sentence; an assigned target carries its number once recorded."""
    if target is None:
        return "—"
    spec = target.spec()
    if spec.kind == "assigned":
        assignment = assignment_for(target, indicator, assignments)
        level = assigned_level(spec.assigned_by)
        if assignment is not None:
            return phrase("target_assigned", level=level, assigned=assigned_text(assignment))
        return phrase("target_assigned_pending", level=level)
    return spec.describe()


def assigned_json(assignment):
    """The API's `assigned` object, or None while nothing is recorded."""
    if assignment is None:
        return None
    return {"number": float(assignment.value), "document": assignment.document, "year": assignment.year}


@dataclass
class AssignmentRow:
    """One number to record: a target, or one sub-row under a shared target (`indicator` set)."""

    target: object
    indicator: object = None  # the sub-row sharing the target's cell, None for the target's own row
    assignment: object = None

    @property
    def key(self):
        return f"t{self.target.pk}" + (f"-i{self.indicator.pk}" if self.indicator is not None else "")

    @property
    def row_indicator(self):
        return self.indicator or self.target.indicator

    @property
    def label(self):
        """绛县「主要污染物减排 · 化学需氧量」2025 年 — names the row in errors."""
        parent = self.target.indicator
        name = f"{parent.name} · {self.indicator.name}" if self.indicator is not None else parent.name
        return f"{parent.plan.region.name}「{name}」{self.target.year} 年"


def assignable_rows(user, region):
    """Every number `user` may assign in `region`'s subtree: each target year, and each sub-row of
    a target its sub-rows share (each pollutant of 主要污染物减排). Three queries."""
    from indicators.models import IndicatorTarget
    from indicators.models.scoping import region_subtree_q

    targets = list(
        IndicatorTarget.objects.assignable_by(user)
        .filter(region_subtree_q(region.pk, prefix="indicator__plan__region"))
        .select_related("indicator__plan__region").prefetch_related("assignments", "indicator__children")
        .order_by("indicator__plan__region__code", "indicator__order", "year"))
    rows = []
    for target in targets:
        sub_rows = sorted((c for c in target.indicator.children.all() if c.shares_parent_target), key=lambda c: c.order)
        for indicator in [None, *sub_rows]:  # the row owning the cell is a pollutant too (化学需氧量)
            assignment = next((a for a in target.assignments.all()
                               if a.indicator_id == (indicator.pk if indicator is not None else None)), None)
            rows.append(AssignmentRow(target, indicator, assignment))
    return rows


@dataclass
class AssignmentChange:
    at: object
    user: object
    year: int
    sub_row: str
    old: str
    new: str
    document: str
    kind: str  # 录入 / 修改 / 删除


def assignment_history(indicator):
    """Who changed which assigned number when, old → new, for `indicator`'s targets (and its
    sub-rows' numbers) or, for a sub-row, its own number. Newest first; one query."""
    from django.db.models import Q

    from indicators.models import AssignedTarget

    records = (AssignedTarget.history.filter(Q(target__indicator=indicator) | Q(indicator=indicator))
               .select_related("history_user__profile__bureau__region", "history_user__profile__region",
                               "target", "indicator")
               .order_by("history_date", "history_id"))
    previous, changes = {}, []
    for record in records:
        slot = (record.target_id, record.indicator_id)
        before = previous.get(slot)
        kind = {"+": "录入", "~": "修改", "-": "删除"}.get(record.history_type, record.history_type)
        changes.append(AssignmentChange(
            at=record.history_date, user=record.history_user, year=record.target.year,
            sub_row=record.indicator.name if record.indicator_id else "",
            old=_format_number(before.value) if before is not None else "",
            new="" if record.history_type == "-" else _format_number(record.value),
            document=record.document, kind=kind))
        previous[slot] = None if record.history_type == "-" else record
    return changes[::-1]
