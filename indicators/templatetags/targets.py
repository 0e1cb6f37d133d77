"""Targets as pages print them, with the assigned number (下达目标) wherever one is recorded.

    {% load targets %}
    {% target_text target indicator %}     → 完成市下达指标（下达 40，运环发〔2022〕8号）
    {% shared_assigned indicator year %}   → 下达 8，… for a sub-row sharing its parent's cell

Both read prefetched `targets__assignments` (and `parent__targets__assignments` for sub-rows).
"""
from django import template
from django.utils.translation import pgettext

from core.labels import phrase
from indicators.assignments.selectors import assigned_text, assignment_for
from indicators.assignments.selectors import target_text as _target_text

register = template.Library()


@register.simple_tag
def target_text(target, indicator=None):
    return phrase(_target_text(target, indicator))


@register.simple_tag
def shared_assigned(indicator, year):
    """The number assigned to a sub-row under its parent's shared target of `year`, or ""."""
    if not (indicator.shares_parent_target and indicator.parent_id):
        return ""
    target = next((t for t in indicator.parent.targets.all() if t.year == year), None)
    return phrase(assigned_text(assignment_for(target, indicator)))


@register.simple_tag
def milestone_target(indicator, year):
    """The target `indicator` is measured against in `year` (its own, or its parent's shared cell),
    as text with the assigned number."""
    source = indicator.parent if indicator.shares_parent_target and indicator.parent_id else indicator
    candidates = sorted(source.targets.all(), key=lambda t: t.year)
    target = next((t for t in candidates if t.year >= int(year)), candidates[-1] if candidates else None)
    if target is None:
        return "—"
    return f"{target.year}{pgettext('punctuation', '：')}{phrase(_target_text(target, indicator))}"
