"""What a bureau user sees when reporting: the years it owes (worklist) and one year's grid.

Query helpers over the scoping querysets; no request objects. The entry form, the .xlsx form
and the home page all read from here.
"""
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from reporting import workflow
from reporting.models import ReportingPeriod

from indicators.models import Indicator, IndicatorValue, Plan, targets_prefetch
from indicators.entry.services import previous_approved


@dataclass
class WorkItem:
    """One plan-year a bureau must report, with how far it has got."""

    plan: Plan
    year: int
    period: ReportingPeriod
    total: int
    counts: Counter

    @property
    def entered(self):
        return sum(self.counts.values())

    @property
    def submitted(self):
        return self.counts[workflow.SUBMITTED]

    @property
    def approved(self):
        return self.counts[workflow.APPROVED]

    @property
    def returned(self):
        return self.counts[workflow.RETURNED] + self.counts[workflow.REOPENED]

    @property
    def open(self):
        return self.period.accepts_entry()


def reporting_years(plan, periods, today):
    """The data years a plan collects: every year with a period on record, plus last year
    while the plan runs (its period is implied by the default deadline)."""
    years = {p.year for p in periods}
    last_year = today.year - 1
    if plan.first_year <= last_year <= plan.final_year:
        years.add(last_year)
    return sorted(years, reverse=True)


def worklist(user, today=None):
    """Every plan-year the user's bureau reports, newest first."""
    today = today or timezone.localdate()
    indicators = Indicator.objects.editable_by(user)
    by_plan = {}
    for plan_id, indicator_id in indicators.values_list("plan_id", "pk"):
        by_plan.setdefault(plan_id, set()).add(indicator_id)
    if not by_plan:
        return []
    plans = Plan.objects.filter(pk__in=by_plan).select_related("region")
    periods = {}
    for period in ReportingPeriod.objects.filter(plan__in=plans):
        periods[(period.plan_id, period.year)] = period
    counts = Counter()
    own_indicators = set().union(*by_plan.values())
    rows = IndicatorValue.objects.filter(indicator_id__in=own_indicators).values_list("indicator__plan_id", "year", "state")
    for plan_id, year, state in rows:
        counts[(plan_id, year, state)] += 1
    items = []
    for plan in plans:
        plan_periods = [p for (pid, _), p in periods.items() if pid == plan.pk]
        for year in reporting_years(plan, plan_periods, today):
            period = periods.get((plan.pk, year)) or ReportingPeriod.default_for(plan, year)
            state_counts = Counter({s: counts[(plan.pk, year, s)] for s in workflow.STATES if counts[(plan.pk, year, s)]})
            items.append(WorkItem(plan, year, period, len(by_plan[plan.pk]), state_counts))
    return items


SHOWN_FIELDS = ("raw", "judgement", "source", "note", "explanation", "rate_mode")


@dataclass
class GridRow:
    indicator: Indicator
    value: IndicatorValue | None
    previous: IndicatorValue | None
    typed: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    @property
    def editable(self):
        return self.value is None or self.value.is_editable

    @property
    def shown(self):
        """What each input shows: what the user typed (after a refused save), else what is stored."""
        stored = {name: getattr(self.value, name, "") if self.value is not None else "" for name in SHOWN_FIELDS}
        return {**stored, **{k: v for k, v in self.typed.items() if k in SHOWN_FIELDS}}

    @property
    def version(self):
        return self.typed.get("version", self.value.version if self.value is not None else 0)


def entry_grid(user, plan, year):
    """The rows of one bureau's form for one year, in table order."""
    indicators = list(
        Indicator.objects.editable_by(user).filter(plan=plan)
        .select_related("parent").prefetch_related(targets_prefetch()).order_by("order")
    )
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(indicator__in=indicators, year=year).prefetch_related("evidence")
    }
    previous = previous_approved([i.pk for i in indicators], year)
    return [GridRow(i, values.get(i.pk), previous.get(i.pk)) for i in indicators]
