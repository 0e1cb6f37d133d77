"""规划配置检查: what keeps a plan from being used, read in a handful of queries.

A plan whose table prints no 责任部门 cannot be reported until an administrator links bureaus;
rows not linked to the catalog (指标目录) drop out of the city comparison; a year without a
reporting period cannot be entered; a target that reads 完成上级下达指标 cannot be judged until
the number is recorded; a key project without a bureau has nobody to report its progress."""
from dataclasses import dataclass, field

from django.utils import timezone

from indicators.models import Bureau, IndicatorTarget, Measure


@dataclass
class PlanSetup:
    plan: object
    indicators_without_bureau: list = field(default_factory=list)
    unlinked_indicators: list = field(default_factory=list)
    years_without_period: list = field(default_factory=list)
    targets_without_assignment: list = field(default_factory=list)
    projects_without_bureau: list = field(default_factory=list)
    bureaus: list = field(default_factory=list)  # the plan region's bureaus, to choose from
    measures: list = field(default_factory=list)  # the catalog, to link rows to

    @property
    def problem_count(self):
        return (len(self.indicators_without_bureau) + len(self.unlinked_indicators) + len(self.years_without_period)
                + len(self.targets_without_assignment) + len(self.projects_without_bureau))

    @property
    def is_ready(self):
        return self.problem_count == 0


def years_due(plan, today=None):
    """The plan's data years whose reporting should have opened by `today` (a year's values
    are entered from the next January)."""
    today = today or timezone.localdate()
    return [year for year in range(plan.first_year, plan.final_year + 1) if year < today.year]


def plan_setup(plan, today=None):
    """The set-up check of one plan (the caller has checked it may see the plan)."""
    indicators = list(plan.indicators.prefetch_related("bureaus").select_related("measure").order_by("order"))
    # A sub-row that shares its parent's merged cells is reported under the parent's bureaus.
    by_pk = {i.pk: i for i in indicators}
    without_bureau = [
        i for i in indicators
        if not i.bureaus.all() and not (i.parent_id and by_pk.get(i.parent_id) and by_pk[i.parent_id].bureaus.all())
    ]
    opened = set(plan.periods.values_list("year", flat=True))
    targets = (IndicatorTarget.objects.filter(indicator__plan=plan, kind="assigned", assignments__isnull=True)
               .select_related("indicator").order_by("indicator__order", "year"))
    projects = list(plan.projects.filter(bureau__isnull=True).select_related("box").order_by("box__order", "order"))
    return PlanSetup(
        plan=plan,
        indicators_without_bureau=without_bureau,
        unlinked_indicators=[i for i in indicators if i.measure_id is None],
        years_without_period=[y for y in years_due(plan, today) if y not in opened],
        targets_without_assignment=list(targets),
        projects_without_bureau=projects,
        bureaus=list(Bureau.objects.filter(region=plan.region).select_related("region").order_by("name")),
        measures=list(Measure.objects.order_by("code")),
    )


def plan_has_no_bureaus(plan):
    """True when not one indicator of the plan is linked to a bureau (the printed table lists none
    and no administrator has linked any yet) — pages say so instead of showing empty cells."""
    return not plan.indicators.filter(bureaus__isnull=False).exists()
