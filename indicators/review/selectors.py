"""What a reviewer judges a value against: the read model of the review queue, a value's page and
the bulk approval of one plan-year.

For each value: the target as parsed (with its assigned number), the baseline, the last approved
value before it and its year, the change against it (%), the bureau's explanation, the evidence
count, the late mark, and — once a value was approved before — what changed since that approval.

Query count is constant — in the number of rows and in what they hold. The queue query carries
the last approved value, the change and the evidence count only where it is sorted or filtered
by them, as aliases (`sortable_by_context`): selected on every page, their eight subqueries took
longer to compile than the page took to run. `attach_context` then reads, for a whole page, the
approved values of its indicators (one query: the last one before each row's year, and the
change against it), the targets of its rows and their parent rows with their assigned numbers
(one), the approved versions (one) and the evidence (one: files added since approval, and the
count).
"""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import (Case, Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery,
                              Value, When)
from django.db.models.functions import Abs, Coalesce
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import scope_key
from core import generations
from core.links import reverser
from reporting import workflow
from reporting.models import Evidence

from indicators.assignments.selectors import target_text
from indicators.entry.rules import CHANGE_THRESHOLD
from indicators.models import AssignedTarget, Indicator, IndicatorTarget, IndicatorValue
from indicators.results.services import milestone_for

LARGE_CHANGE_PERCENT = CHANGE_THRESHOLD * 100

# Fields whose change since the last approval a reviewer sees, with their labels.
DIFF_FIELDS = (("raw", _("填报值")), ("judgement", _("完成情况")), ("source", _("数据来源")), ("note", _("备注")),
               ("explanation", _("变化说明")), ("rate_mode", _("降低率口径")))

FLAGS = {"large_change": _("变化较大"), "binding": _("约束性"), "late": _("逾期")}


def binding_q(prefix=""):
    """约束性: the row's own attribute, or its parent's when it shares the parent's target and has none."""
    return Q(**{f"{prefix}attribute": Indicator.Attribute.BINDING}) | (
        Q(**{f"{prefix}attribute": ""}) & Q(**{f"{prefix}shares_parent_target": True})
        & Q(**{f"{prefix}parent__attribute": Indicator.Attribute.BINDING}))


def with_context(values):
    """A queryset of values with the rows `attach_context` reads beside each (indicator, plan,
    region, parent row) joined in."""
    return values.select_related("indicator__plan__region", "indicator__parent")


# The queue's columns sorted by what `sortable_by_context` adds (django-tables2 column names).
CONTEXT_COLUMNS = ("last_approved", "change_percent", "evidence_count")


def sortable_by_context(values):
    """`values` that can be sorted and filtered by what the queue shows beside each row, as
    aliases (computed only where an ORDER BY or WHERE uses them): the last approved value before
    the row's year and its year, the change against it in %, the evidence count. Only a queue
    sorted or filtered by one of them needs this; `attach_context` reads what is shown."""
    if "change_percent" in values.query.annotations:
        return values
    approved_before = IndicatorValue.objects.filter(
        indicator_id=OuterRef("indicator_id"), state=workflow.APPROVED, year__lt=OuterRef("year")).order_by("-year")
    value_type = ContentType.objects.get_for_model(IndicatorValue)
    evidence = Evidence.objects.filter(content_type=value_type, object_id=OuterRef("pk")).order_by().values(
        "object_id").annotate(n=Count("pk")).values("n")
    decimal = DecimalField(max_digits=20, decimal_places=6)
    return (
        values.alias(
            last_approved_number=Subquery(approved_before.values("number")[:1]),
            last_approved_year=Subquery(approved_before.values("year")[:1]),
            evidence_count=Coalesce(Subquery(evidence), Value(0)),
        )
        .alias(change_percent=Case(
            When(Q(last_approved_number__isnull=True) | Q(last_approved_number=0) | Q(number__isnull=True),
                 then=Value(None, output_field=decimal)),
            default=ExpressionWrapper((F("number") - F("last_approved_number")) * Value(Decimal(100))
                                      / Abs(F("last_approved_number")), output_field=decimal),
            output_field=decimal))
    )


def filter_flag(values, flag):
    if flag == "large_change":
        return sortable_by_context(values).filter(
            Q(change_percent__gt=LARGE_CHANGE_PERCENT) | Q(change_percent__lt=-LARGE_CHANGE_PERCENT))
    if flag == "binding":
        return values.filter(binding_q("indicator__"))
    if flag == "late":
        return values.filter(late=True)
    return values


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class ReviewContext:
    """Everything beside the value itself that a reviewer weighs."""

    target: str
    target_year: int | None
    baseline: str
    last_approved: str
    last_approved_year: int | None
    change_percent: Decimal | None
    large_change: bool
    binding: bool
    evidence_count: int
    approved_before: bool = False  # this very value was approved once (then reopened)
    changes: list = field(default_factory=list)

    @property
    def change_text(self):
        """+32.2% (against the last approved value), or — when there is none to compare with."""
        return "—" if self.change_percent is None else f"{self.change_percent:+.1f}%"


def _target_for(value, targets):
    """The target `value` is judged against; `targets`: {indicator id: its targets in year order}."""
    indicator = value.indicator
    source = indicator.parent if indicator.shares_parent_target and indicator.parent_id else indicator
    milestone = milestone_for(indicator.plan, value.year)
    own = targets.get(source.pk, [])
    return next((t for t in own if t.year == milestone), next((t for t in own if t.year >= value.year), None))


def change_percent(number, previous):
    """The change of `number` against `previous` in % of |previous| (None when either is missing
    or `previous` is 0) — what `sortable_by_context` sorts and filters by, in Python."""
    if number is None or previous is None or previous == 0:
        return None
    return (number - previous) * Decimal(100) / abs(previous)


def context_for(value, targets, assignments, last_approved=None, evidence_count=0, approved_version=None,
                evidence_since=None):
    """`value` with its indicator (and plan, parent); `last_approved` the (year, number, raw) of the
    last approved value of its indicator before its year; `approved_version` its own last
    approved historical record (a dict of the `DIFF_FIELDS`). `targets` ({indicator id: its
    targets in year order}) and `assignments` ({target id: its assigned numbers}) were read for
    the page (`_targets_of_page`)."""
    indicator = value.indicator
    target = _target_for(value, targets)
    last_year, last_number, last_raw = last_approved or (None, None, "")
    change = change_percent(value.number, last_number)
    context = ReviewContext(
        target=target_text(target, indicator, assignments.get(target.pk, []) if target else None), target_year=target.year if target else None,
        baseline=f"{indicator.baseline_raw}（{indicator.baseline_year}）" if indicator.baseline_raw and indicator.baseline_year
        else (indicator.baseline_raw or "—"),
        last_approved=last_raw or "", last_approved_year=last_year,
        change_percent=change, large_change=change is not None and abs(change) > LARGE_CHANGE_PERCENT,
        binding=indicator.effective_attribute == Indicator.Attribute.BINDING, evidence_count=evidence_count,
    )
    if approved_version is not None:
        context.approved_before = True
        for name, label in DIFF_FIELDS:
            old, new = approved_version[name] or "", getattr(value, name) or ""
            if old != new:
                context.changes.append(Change(label, str(old), str(new)))
        if evidence_since:
            context.changes.append(Change(_("佐证材料"), "", gettext("新增 %(files)s") % {
                "files": pgettext("punctuation", "、").join(evidence_since)}))
    return context


def _last_approved_before(values):
    """{value pk: (year, number, raw)} of the last approved value of each value's indicator
    before the value's year, in one query for the page."""
    approved = {}
    for indicator_id, year, number, raw in (
            IndicatorValue.objects.filter(indicator_id__in={v.indicator_id for v in values}, state=workflow.APPROVED)
            .order_by("indicator_id", "-year").values_list("indicator_id", "year", "number", "raw")):
        approved.setdefault(indicator_id, []).append((year, number, raw))
    found = {}
    for value in values:
        earlier = next((row for row in approved.get(value.indicator_id, ()) if row[0] < value.year), None)
        if earlier is not None:
            found[value.pk] = earlier
    return found


def _targets_of_page(indicator_ids):
    """({indicator id: its targets in year order}, {target id: its assigned numbers}) in one query
    (targets LEFT JOIN their assignments). A prefetch builds a related manager per indicator and
    per target, which cost the page more than its queries did."""
    target_fields = [f.attname for f in IndicatorTarget._meta.concrete_fields]
    assignment_fields = [f.attname for f in AssignedTarget._meta.concrete_fields]
    width = len(target_fields)
    rows = (IndicatorTarget.objects.filter(indicator_id__in=indicator_ids).order_by("year", "pk", "assignments__pk")
            .values_list(*target_fields, *(f"assignments__{name}" for name in assignment_fields)))
    targets, assignments, seen = {}, {}, {}
    for row in rows:
        target_pk = row[0]
        if target_pk not in seen:
            seen[target_pk] = target = IndicatorTarget.from_db("default", target_fields, row[:width])
            targets.setdefault(target.indicator_id, []).append(target)
        if row[width] is not None:  # the assignment's id: NULL for a target without one
            assignments.setdefault(target_pk, []).append(AssignedTarget.from_db("default", assignment_fields, row[width:]))
    return targets, assignments


def attach_context(values):
    """Set `.review` on each value of a page (from `with_context`): five queries whatever the page
    size and whatever its rows hold (last approved values, targets, assigned numbers,
    approved versions, evidence)."""
    values = list(values)
    if not values:
        return values
    last_approved = _last_approved_before(values)
    targets, assignments = _targets_of_page(
        {v.indicator_id for v in values} | {v.indicator.parent_id for v in values if v.indicator.parent_id})
    ids = [v.pk for v in values]
    approved_versions = {}
    # The fields compared, as plain rows: a page's approved versions need no model instances.
    for version in (IndicatorValue.history.filter(id__in=ids, state=workflow.APPROVED)
                    .order_by("id", "-history_date", "-history_id")
                    .values("id", "history_date", *(name for name, _label in DIFF_FIELDS))):
        approved_versions.setdefault(version["id"], version)
    added, counts = {}, {}
    value_type = ContentType.objects.get_for_model(IndicatorValue)
    for object_id, uploaded_at, name in Evidence.objects.filter(content_type=value_type, object_id__in=ids).values_list(
            "object_id", "uploaded_at", "original_name"):
        counts[object_id] = counts.get(object_id, 0) + 1
        approved = approved_versions.get(object_id)
        if approved is not None and uploaded_at > approved["history_date"]:
            added.setdefault(object_id, []).append(name)
    for value in values:
        value.review = context_for(value, targets, assignments, last_approved.get(value.pk), counts.get(value.pk, 0),
                                   approved_versions.get(value.pk), added.get(value.pk))
    return values


def queue_values(user, sort=""):
    """The values `user` may review, for the queue (not yet filtered by state); `sort`: the
    queue's sort parameter, when it sorts by a column that needs `sortable_by_context`."""
    values = with_context(IndicatorValue.objects.reviewable_by(user))
    if any(column in sort for column in CONTEXT_COLUMNS):
        values = sortable_by_context(values)
    return values


def next_in_queue(user, value):
    """The submitted value to review after `value`, in queue order (oldest submission first)."""
    queue = IndicatorValue.objects.reviewable_by(user).filter(state=workflow.SUBMITTED).exclude(pk=value.pk)
    if value.submitted_at is not None:
        later = queue.filter(Q(submitted_at__gt=value.submitted_at) | Q(submitted_at=value.submitted_at, pk__gt=value.pk))
        found = later.order_by("submitted_at", "pk").only("pk").first()
        if found is not None:
            return found
    return queue.order_by("submitted_at", "pk").only("pk").first()


def plan_year_rows(user, plan, year):
    """批量审核: every submitted value of one plan-year the user may review, each with its context."""
    values = with_context(IndicatorValue.objects.reviewable_by(user).filter(
        indicator__plan=plan, year=year, state=workflow.SUBMITTED)).order_by("indicator__order")
    return attach_context(values)


class PlanYear(NamedTuple):
    url: str
    region: str
    year: int
    count: int
    year_text: str  # "2024 年", in the reader's language (the cache is per language)
    count_text: str  # "（3 项待审核）"


def pending_plan_years(user):
    """`PlanYear`s: the plan-years with submitted values, with their links and counts.

    An aggregate over every submitted value in scope, like the region summaries: read once per
    data generation for each scope (`core.generations`; submitting, reviewing and reopening
    values all raise it). A province's reviewer has a couple of hundred plan-years; their links
    are written from one reversed URL rather than by a `reverse()` each."""
    def compute():
        rows = (IndicatorValue.objects.reviewable_by(user).filter(state=workflow.SUBMITTED).order_by()
                .values_list("indicator__plan__code", "indicator__plan__region__name", "year")
                .annotate(n=Count("pk")).order_by("indicator__plan__region__code", "year"))
        link = plan_year_link()
        return [PlanYear(link(code, year), region, year, n, gettext("%(year)s 年") % {"year": year},
                         gettext("（%(count)s 项待审核）") % {"count": n}) for code, region, year, n in rows]

    return generations.cached(("pending_plan_years", *scope_key(user)), compute)


def plan_year_link():
    """A function (plan code, year) → the URL of that plan-year's batch review, equal to
    `reverse("plan_year_review", args=[code, year])`."""
    return reverser("plan_year_review", str, int)
