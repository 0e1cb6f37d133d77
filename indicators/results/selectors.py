"""What the evaluation pages show, assembled from stored results in a fixed number of queries.

No request objects: views pass the user (for scope), the plan and the year.
"""
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from reporting import workflow

from core.labels import label as translated
from indicators.evaluation import STATUS_LABELS, STATUSES
from indicators.models import EvaluationResult, IndicatorValue

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


def status_totals(results):
    """Counts per status for all results and for the binding ones, with shares for the summary."""
    everything = Counter(r.status for r in results)
    binding = Counter(r.status for r in results if r.binding)
    total, binding_total = sum(everything.values()), sum(binding.values())
    return {
        "all": {code: everything.get(code, 0) for code in STATUSES},
        "binding": {code: binding.get(code, 0) for code in STATUSES},
        "total": total,
        "binding_total": binding_total,
        "binding_met_share": binding.get("met", 0) / binding_total if binding_total else None,
        "binding_failed": sum(1 for r in results if r.binding_failed),
    }


@dataclass
class EvaluationRow:
    indicator: object
    result: EvaluationResult | None
    values: dict = field(default_factory=dict)  # year → IndicatorValue (latest state, any)

    @property
    def status(self):
        return self.result.status if self.result else "no_data"

    @property
    def status_label(self):
        return translated(STATUS_LABELS[self.status])


def plan_rows(plan, user, year, *, status="", category="", bureau=""):
    """Rows of the plan evaluation page for `year`, filtered, and the totals over what is visible."""
    indicators = list(
        plan.indicators.visible_to(user).select_related("parent").prefetch_related("targets__assignments", "bureaus")
        .order_by("order")
    )
    results = {r.indicator_id: r for r in EvaluationResult.objects.filter(plan=plan, year=year, indicator__in=indicators)}
    values = {}
    for value in IndicatorValue.objects.filter(indicator__in=indicators, year__lte=year).only(
        "indicator_id", "year", "raw", "judgement", "state", "synthetic", "late"
    ):
        values.setdefault(value.indicator_id, {})[value.year] = value
    rows = [EvaluationRow(i, results.get(i.pk), values.get(i.pk, {})) for i in indicators]
    totals = status_totals([r.result for r in rows if r.result])
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
