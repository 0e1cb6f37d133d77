"""下达目标 as the pages show them: which assignment stands behind a target for a row, and the
target's text with the assigned number (完成市下达指标（下达 40，文号）).

Everything here reads prefetched `target.assignments`, so callers prefetch
`targets__assignments` (or the parent's) and pay no query per row.
"""


def _format_number(number):
    """40.000000 → 40, 0.500000 → 0.5 (stored with six decimals, shown as typed)."""
    return "" if number is None else f"{number.normalize():f}"


def assignment_for(target, indicator=None):
    """The assignment that applies to `indicator` under `target`.

    A sub-row sharing its parent's merged target cell (主要污染物减排 → each pollutant) has its own
    number: the assignment naming that sub-row wins; otherwise the one for the target itself."""
    if target is None:
        return None
    assignments = list(target.assignments.all())
    if indicator is not None and indicator.pk != target.indicator_id:
        own = next((a for a in assignments if a.indicator_id == indicator.pk), None)
        if own is not None:
            return own
    return next((a for a in assignments if a.indicator_id is None), None)


def assigned_text(assignment):
    """下达 40，晋环发〔2022〕12号"""
    if assignment is None:
        return ""
    return f"下达 {_format_number(assignment.value)}，{assignment.document}"


def target_text(target, indicator=None):
    """The parsed target as a sentence; an assigned target carries its number once recorded."""
    if target is None:
        return "—"
    spec = target.spec()
    if spec.kind == "assigned":
        assignment = assignment_for(target, indicator)
        level = spec.assigned_by or "上级"
        if assignment is not None:
            return f"完成{level}下达指标（{assigned_text(assignment)}）"
        return f"完成{level}下达指标（待下达数值）"
    return spec.describe()


def assigned_json(assignment):
    """The API's `assigned` object, or None while nothing is recorded."""
    if assignment is None:
        return None
    return {"number": float(assignment.value), "document": assignment.document, "year": assignment.year}
