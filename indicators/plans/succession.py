"""One indicator across plans (十四五 → 十五五): each row of a region's new plan matched to the
indicator of its previous plan, and the new plan's printed baseline checked against the old
plan's approved value for the same year.

The match is proposed in the import preview and confirmed there; the confirmed match is stored
as `Indicator.predecessor` (with `predecessor_confirmed`, so that "无对应指标" is stored too) by
the plan save service. Everything that follows one indicator across plans — the preview's
defaults and baseline check, the indicator page's series and chart — takes the stored link when
the row has one and falls back to the automatic match otherwise.

The automatic match is through the catalog first (both rows link to the same measure, names and
aliases normalised as `catalog.normalise` does), else the two names normalise to the same key. A
printed baseline is kept as printed; the check only lists where it differs from the approved
value, for the administrator to look into. Read-only: nothing here writes.
"""
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Indicator, IndicatorValue, Measure, Plan
from indicators.plans import catalog
from indicators.plans.targets import parse_value
from reporting import workflow

# How a row's predecessor was found: chosen in this preview, stored by an earlier import, or the
# automatic match through the catalog or by name.
CHOSEN, STORED, BY_CATALOG, BY_NAME = "chosen", "stored", "catalog", "name"
NONE = "none"   # the preview form's value for 无对应指标


@dataclass
class Succession:
    key: str                  # the new row's key
    previous: object          # the previous plan's Indicator, or None
    by: str = ""              # CHOSEN / STORED / BY_CATALOG / BY_NAME, "" when nothing matched automatically
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


def previous_plan_of(plan):
    """The same for a stored plan."""
    return (Plan.objects.filter(region_id=plan.region_id, base_year__lt=plan.base_year)
            .exclude(pk=plan.pk).order_by("-base_year", "-code").first())


def next_plan_of(plan):
    """The region's plan whose previous plan `plan` is (the 十五五 plan of a 十四五 plan), or None."""
    later = (Plan.objects.filter(region_id=plan.region_id, base_year__gt=plan.base_year)
             .exclude(pk=plan.pk).order_by("base_year", "code").first())
    return later if later is not None and previous_plan_of(later) == plan else None


class AutomaticMatcher:
    """The automatic match of a row to one of the `old` indicators: same catalog measure, else
    the same normalised name."""

    def __init__(self, old):
        self.by_measure, self.by_name = {}, {}
        for indicator in old:
            if indicator.measure_id:
                self.by_measure.setdefault(indicator.measure_id, indicator)
            self.by_name.setdefault(catalog.normalise(indicator.name), indicator)

    def match(self, name, measure_id):
        """(indicator or None, BY_CATALOG / BY_NAME / "")."""
        if measure_id is not None and (found := self.by_measure.get(measure_id)) is not None:
            return found, BY_CATALOG
        if (found := self.by_name.get(catalog.normalise(name))) is not None:
            return found, BY_NAME
        return None, ""


def stored_predecessors(code):
    """{row key: Indicator or None} of the rows of plan `code` whose match was confirmed earlier."""
    return {i.key: i.predecessor for i in Indicator.objects.filter(plan__code=code, predecessor_confirmed=True)
            .select_related("predecessor")}


def match_previous(table, previous=None, chosen=None):
    """{row key: Succession} for every row of `table`; empty when the region has no earlier plan.

    Per row: the administrator's choice in this preview (`chosen`: {row key: Indicator id or
    None}), else the match stored by an earlier import of the same plan, else the automatic one.
    A chosen or stored indicator outside the previous plan is ignored."""
    previous = previous or previous_plan(table)
    if previous is None:
        return {}
    chosen = chosen or {}
    old = list(previous.indicators.select_related("measure").order_by("order"))
    by_pk = {i.pk: i for i in old}
    automatic = AutomaticMatcher(old)
    measures = catalog.MeasureMatcher(Measure.objects.all())
    stored = stored_predecessors(table.code) if table.code else {}
    approved = {
        v.indicator_id: v.number
        for v in IndicatorValue.objects.filter(indicator__plan=previous, year=table.base_year, state=workflow.APPROVED)
    }
    found = {}
    for row in table.rows:
        if row.key in chosen and (chosen[row.key] is None or chosen[row.key] in by_pk):
            match, by = by_pk.get(chosen[row.key]), CHOSEN
        elif row.key in stored and (stored[row.key] is None or stored[row.key].pk in by_pk):
            match, by = (by_pk[stored[row.key].pk] if stored[row.key] else None), STORED
        else:
            measure = measures.match(row.name)
            match, by = automatic.match(row.name, measure.pk if measure else None)
        printed = parse_value(row.baseline)
        found[row.key] = Succession(
            key=row.key, previous=match, by=by,
            approved=approved.get(match.pk) if match else None,
            printed=printed.number if printed.kind == "number" else None,
        )
    return found


def automatic_predecessors(table):
    """{row key: Indicator id} to store for a table saved without a preview (manage.py
    import_plan): every row's proposal — stored, else automatic — where there is one. Rows
    without one are left undecided."""
    return {key: s.previous.pk for key, s in match_previous(table).items() if s.previous is not None}


def predecessor(indicator, candidates):
    """The indicator of the region's previous plan that `indicator` continues, among `candidates`
    (an Indicator queryset already scoped to the reader), or None: the stored link when the match
    was confirmed (also when it was confirmed as none), else the automatic match."""
    if indicator.predecessor_confirmed:
        if indicator.predecessor_id is None:
            return None
        return candidates.filter(pk=indicator.predecessor_id).select_related("plan").first()
    previous = previous_plan_of(indicator.plan)
    if previous is None:
        return None
    pool = list(candidates.filter(plan=previous).select_related("plan").order_by("order"))
    return AutomaticMatcher(pool).match(indicator.name, indicator.measure_id)[0]


def successor(indicator, candidates):
    """The indicator of the region's next plan that continues `indicator`, among `candidates`:
    one whose stored link points here, else an undecided one whose automatic match is this."""
    stored = candidates.filter(predecessor=indicator).select_related("plan").order_by("plan__base_year", "order").first()
    if stored is not None:
        return stored
    later = next_plan_of(indicator.plan)
    if later is None:
        return None
    for candidate in candidates.filter(plan=later, predecessor_confirmed=False).select_related("plan").order_by("order"):
        if (candidate.measure_id and candidate.measure_id == indicator.measure_id
                or catalog.normalise(candidate.name) == catalog.normalise(indicator.name)):
            if predecessor(candidate, candidates) == indicator:
                return candidate
    return None


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
