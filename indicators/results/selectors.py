"""What the evaluation pages show, assembled from stored results in a fixed number of queries.

No request objects: views pass the user (for scope), the plan and the year.
"""
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from reporting import workflow

from core.labels import label as translated
from indicators import evaluation
from indicators.evaluation import STATUS_LABELS
from indicators.evaluation.formatting import format_number, format_percent
from indicators.models import EvaluationResult, Indicator, IndicatorValue, targets_prefetch
from indicators.results.services import milestone_for, plan_settings

ATTENTION = ("not_met", "regressing", "behind")


def default_year(plan, today=None):
    """The latest data year that can have values: last year, within the plan's period."""
    today = today or timezone.localdate()
    return min(plan.final_year, max(plan.first_year, today.year - 1))


def parse_year(plan, raw, today=None):
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default_year(plan, today)
    return year if plan.first_year <= year <= plan.final_year else default_year(plan, today)


def _counted(result):
    return result.indicator.parent_id is None


def status_totals(results, counted=_counted):
    """Counts per status for all results and for the binding ones, with shares for the summary,
    over the plan's own numbering (`evaluation.plan_counts`): a sub-row is not counted, its
    numbered row is (with the group's status where they share one target). `counted(result)`
    says whether a result's row is a numbered one; by default its indicator has no parent."""
    counts = evaluation.plan_counts(
        evaluation.PlanRow(key=str(r.indicator_id), name="", status=r.status, binding=r.binding,
                           counted=counted(r), binding_failed=r.binding_failed, stale=r.stale)
        for r in results)
    return {
        "all": counts["by_status"],
        "binding": counts["binding_by_status"],
        "total": counts["indicators"],
        "binding_total": counts["binding"],
        "binding_met": counts["binding_met"],
        "binding_met_share": counts["binding_met_share"],
        "binding_failed": counts["binding_failed"],
        "sub_rows": counts["sub_rows"],
    }


def plan_table_rows(indicators, results):
    """`evaluation.PlanRow`s for a plan's indicators (parents loaded) and their results by indicator id;
    an indicator without a stored result counts as 无数据."""
    rows = []
    for indicator in indicators:
        result = results.get(indicator.pk)
        binding = result.binding if result is not None else indicator.effective_attribute == Indicator.Attribute.BINDING
        rows.append(evaluation.PlanRow(
            key=indicator.key, name=indicator.name, number=indicator.number,
            status=result.status if result is not None else "no_data", binding=binding,
            counted=indicator.parent_id is None,
            binding_failed=bool(result is not None and result.binding_failed),
            stale=bool(result is not None and result.stale)))
    return rows


def plan_summary(plan, year, user=None) -> dict:
    """总体情况 of a plan at data year `year`, from the stored results: a dict with exactly
    `evaluation.SUMMARY_KEYS` — `indicators` and `binding` (counted as the plan numbers them),
    `binding_met`, `by_status` (status → count, every status), `grade` ("pass" / "fail"),
    `grade_provisional` (True before the plan's final year) and `grade_reason` (Chinese text).

    The verdict is the plan's: over all its indicators (`user` None, as reports and the API use
    it), or over the rows `user` may see when given."""
    indicators = plan.indicators.all() if user is None else plan.indicators.visible_to(user)
    indicators = list(indicators.select_related("parent").order_by("order"))
    results = {r.indicator_id: r for r in EvaluationResult.objects.filter(plan=plan, year=year)}
    rows = plan_table_rows(indicators, results)
    return evaluation.summarise(rows, plan_settings(plan), provisional=year < plan.final_year)


@dataclass
class EvaluationRow:
    indicator: object
    result: EvaluationResult | None
    values: dict = field(default_factory=dict)  # year → IndicatorValue (latest state, any)
    milestone: int | None = None                  # the target year the data year is measured against

    @property
    def status(self):
        return self.result.status if self.result else "no_data"

    @property
    def status_label(self):
        return translated(STATUS_LABELS[self.status])

    @property
    def rate_line(self):
        """降低率 rows: 累计降低 R_k and R_k÷R as Chinese reports print them, beside the log progress."""
        result = self.result
        if result is None or result.cumulative_rate is None or not self.indicator.is_rate:
            return ""
        target = rate_target(self.indicator, self.milestone)
        achieved = format_number(result.cumulative_rate, 2)
        if target is None or target <= 0:
            return gettext("累计降低 %(achieved)s%%") % {"achieved": achieved}
        return gettext("累计降低 %(achieved)s%%，为目标 %(target)s%% 的 %(share)s") % {
            "achieved": achieved, "target": format_number(target), "share": format_percent(result.cumulative_rate / target, 1)}


def rate_target(indicator, milestone=None):
    """The cumulative reduction R (in %) a 降低率 indicator aims at by `milestone` (its first target
    year by default): the assigned number of a 完成市下达指标 target, the lower end of a range, or
    the printed number; None when there is none. Targets and assignments should be prefetched."""
    targets_by_year = sorted(indicator.targets.all(), key=lambda t: t.year)
    target = next((t for t in targets_by_year if milestone is None or t.year >= milestone), None)
    if target is None:
        return None
    assignment = next(iter(target.assignments.all()), None)
    if assignment is not None:
        return float(assignment.value)
    spec = target.spec()
    number = spec.low if spec.kind == "range" else spec.value
    return None if number is None else float(number)


def plan_rows(plan, user, year, *, status="", category="", bureau=""):
    """Rows of the plan evaluation page for `year`, filtered, and the totals over what is visible."""
    indicators = list(
        plan.indicators.visible_to(user).select_related("parent").prefetch_related(targets_prefetch("targets", "assignments"), "bureaus")
        .order_by("order")
    )
    results = {r.indicator_id: r for r in EvaluationResult.objects.filter(plan=plan, year=year, indicator__in=indicators)}
    milestone = milestone_for(plan, year)
    values = {}
    for value in IndicatorValue.objects.filter(indicator__in=indicators, year__lte=year).only(
        "indicator_id", "year", "raw", "judgement", "state", "synthetic", "late"
    ):
        values.setdefault(value.indicator_id, {})[value.year] = value
    rows = [EvaluationRow(i, results.get(i.pk), values.get(i.pk, {}), milestone) for i in indicators]
    parents = {i.pk: i.parent_id for i in indicators}
    totals = status_totals([r.result for r in rows if r.result],
                           counted=lambda result: parents[result.indicator_id] is None)
    categories = list(dict.fromkeys(i.category for i in indicators if i.category))
    bureaus = sorted({b.name for i in indicators for b in i.bureaus.all()})
    if status:
        rows = [r for r in rows if r.status == status]
    if category:
        rows = [r for r in rows if r.indicator.category == category]
    if bureau:
        rows = [r for r in rows if any(b.name == bureau for b in r.indicator.bureaus.all())]
    return rows, totals, categories, bureaus


def attention_list(results, limit=8):
    """The indicators that most need a leader's attention: binding failures first, then regressing, behind."""
    order = {code: n for n, code in enumerate(ATTENTION)}
    flagged = [r for r in results if r.status in order]
    flagged.sort(key=lambda r: (not r.binding_failed, not r.binding, order[r.status], r.completion if r.completion is not None else 0))
    return flagged[:limit]


def submission_completeness(plan_ids, year):
    """plan id → (indicators with a value submitted or approved for `year`, indicators in total).
    One aggregate query however many plans: the leader summary of a nation asks for thousands."""
    from indicators.models import Indicator

    reported = Q(values__year=year, values__state__in=[workflow.SUBMITTED, workflow.APPROVED])
    rows = (Indicator.objects.filter(plan_id__in=plan_ids).values("plan_id")
            .annotate(n=Count("id", distinct=True), done=Count("values", filter=reported)))
    counts = {row["plan_id"]: (row["done"], row["n"]) for row in rows}
    return {pid: counts.get(pid, (0, 0)) for pid in plan_ids}
