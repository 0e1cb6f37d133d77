"""One indicator across plans (十四五 → 十五五): each row of a region's new plan matched to the
indicator of its previous plan, and the new plan's printed baseline checked against the old
plan's approved value for the same year. Read-only; shown in the import preview for confirmation.

A match is through the catalog first (both rows link to the same measure, names and aliases
normalised as `catalog.normalise` does), else the two names normalise to the same key. A printed
baseline is kept as printed; the check only lists where it differs from the approved value, for
the administrator to look into.
"""
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import IndicatorValue, Measure, Plan
from indicators.plans import catalog
from indicators.plans.targets import parse_value
from reporting import workflow


@dataclass
class Succession:
    key: str                  # the new row's key
    previous: object          # the previous plan's Indicator, or None
    by: str = ""              # "catalog" / "name"
    approved: Decimal | None = None   # the old plan's approved value for the new base year
    printed: Decimal | None = None    # the new plan's printed baseline, as a number

    @property
    def differs(self):
        return self.approved is not None and self.printed is not None and self.approved != self.printed


def previous_plan(table):
    """The region's latest plan with an earlier base year (the 十四五 plan of a 十五五 table)."""
    if not table.region_code or not table.base_year:
        return None
    return (Plan.objects.filter(region__code=table.region_code, base_year__lt=table.base_year)
            .exclude(code=table.code).order_by("-base_year", "-code").first())


def match_previous(table, previous=None):
    """{row key: Succession} for every row of `table`; empty when the region has no earlier plan."""
    previous = previous or previous_plan(table)
    if previous is None:
        return {}
    matcher = catalog.MeasureMatcher(Measure.objects.all())
    old = list(previous.indicators.select_related("measure").order_by("order"))
    by_measure = {}
    by_name = {}
    for indicator in old:
        if indicator.measure_id:
            by_measure.setdefault(indicator.measure_id, indicator)
        by_name.setdefault(catalog.normalise(indicator.name), indicator)
    approved = {
        v.indicator_id: v.number
        for v in IndicatorValue.objects.filter(indicator__plan=previous, year=table.base_year, state=workflow.APPROVED)
    }
    found = {}
    for row in table.rows:
        measure = matcher.match(row.name)
        match, by = (by_measure.get(measure.pk), "catalog") if measure else (None, "")
        if match is None and (match := by_name.get(catalog.normalise(row.name))) is not None:
            by = "name"
        printed = parse_value(row.baseline)
        found[row.key] = Succession(
            key=row.key, previous=match, by=by if match else "",
            approved=approved.get(match.pk) if match else None,
            printed=printed.number if printed.kind == "number" else None,
        )
    return found


def predecessor(indicator, candidates):
    """The indicator of the region's previous plan that `indicator` continues, among `candidates`
    (an Indicator queryset already scoped to the reader), or None."""
    plan = indicator.plan
    previous = (Plan.objects.filter(region_id=plan.region_id, base_year__lt=plan.base_year)
                .exclude(pk=plan.pk).order_by("-base_year", "-code").first())
    if previous is None:
        return None
    pool = list(candidates.filter(plan=previous).order_by("order"))
    if indicator.measure_id:
        match = next((i for i in pool if i.measure_id == indicator.measure_id), None)
        if match is not None:
            return match
    key = catalog.normalise(indicator.name)
    return next((i for i in pool if catalog.normalise(i.name) == key), None)


@dataclass
class SeriesPoint:
    year: int
    plan: object
    kind: str          # "baseline" / "value" / "target"
    text: str
    boundary: bool = False   # the first point of the later plan: where one plan hands over to the next


def series_across_plans(indicator, previous):
    """One series over both plans: each plan's printed baseline, approved values and targets in
    year order, the later plan's points after the earlier plan's, its first point marked as the
    plan boundary."""
    points = []
    for index, item in enumerate((previous, indicator)):
        own = [SeriesPoint(item.plan.base_year, item.plan, "baseline", item.baseline_raw or "—")]
        own += [SeriesPoint(v.year, item.plan, "value", v.display_value())
                for v in item.values.filter(state=workflow.APPROVED).order_by("year")]
        own += [SeriesPoint(t.year, item.plan, "target", t.raw or t.describe()) for t in item.targets.all()]
        order = {"baseline": 0, "value": 1, "target": 2}
        own.sort(key=lambda p: (p.year, order[p.kind]))
        if index == 1 and own:
            own[0].boundary = True
        points.extend(own)
    return points
