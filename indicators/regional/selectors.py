"""Across regions: the city comparison (county × measure) and the leader summary of a region.

Every function reads stored evaluation results with aggregate queries whose number does not
depend on how many counties, plans or indicators the region holds.
"""
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from core import generations

from indicators.plans import targets
from indicators.evaluation import STATUS_LABELS, STATUSES
from indicators.results.selectors import ATTENTION, submission_completeness
from indicators.assignments.selectors import assignment_for, target_text
from indicators.models import EvaluationResult, Indicator, Measure, Plan, Region, targets_prefetch
from indicators.models.scoping import region_subtree_q
from accounts.roles import scope_key, user_role


def _year(raw, today=None):
    today = today or timezone.localdate()
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return today.year - 1
    return year if 1990 <= year <= 2100 else today.year - 1


def plans_covering(queryset, year):
    """One plan per region: the one whose period holds `year` (the newest if several do)."""
    chosen = {}
    for plan in queryset.filter(base_year__lt=year).select_related("region").order_by("region_id", "-base_year"):
        if plan.first_year <= year <= plan.final_year and plan.region_id not in chosen:
            chosen[plan.region_id] = plan
    return chosen


def compare_counties(user, region, year_raw, measure_code):
    year = _year(year_raw)
    counties = list(Region.objects.visible_to(user).filter(parent=region).order_by("code"))
    plans = plans_covering(Plan.objects.visible_to(user).filter(region__in=counties), year)
    results = (
        EvaluationResult.objects.filter(plan__in=plans.values(), year=year, indicator__measure__isnull=False)
        .values("plan__region_id", "indicator__measure_id", "indicator_id", "status", "value", "binding_failed",
                "binding", "indicator__order")
    )
    cells = {}
    for row in results:
        cells.setdefault((row["plan__region_id"], row["indicator__measure_id"]), row)
    # Measures in the plans' printed order (the earliest row that measures it), not by code.
    position = {}
    for (_, measure_id), row in cells.items():
        position[measure_id] = min(position.get(measure_id, row["indicator__order"]), row["indicator__order"])
    measures = sorted(Measure.objects.filter(pk__in=position), key=lambda m: (position[m.pk], m.code))
    measure = next((m for m in measures if m.code == measure_code), None) or _opening_measure(measures, cells)
    matrix = []
    for county in counties:
        plan = plans.get(county.pk)
        matrix.append({"county": county, "plan": plan,
                       "cells": [cells.get((county.pk, m.pk)) for m in measures]})
    bars = []
    if measure is not None:
        indicator_ids = [cells[(c.pk, measure.pk)]["indicator_id"] for c in counties if (c.pk, measure.pk) in cells]
        thresholds = _thresholds(indicator_ids, year)
        for county in counties:
            cell = cells.get((county.pk, measure.pk))
            if county.pk not in plans:
                bars.append((county.name, None, None, None, "无规划"))
            elif cell is None:
                bars.append((county.name, None, None, None, "规划无此指标"))
            else:
                parsed = targets.parse_value(cell["value"])
                number = float(parsed.number) if parsed.number is not None else None
                threshold, label = thresholds.get(cell["indicator_id"], (None, ""))
                bars.append((county.name, number, threshold, cell["status"], "", label))
    return {"year": year, "measures": measures, "measure": measure, "matrix": matrix, "bars": bars,
            "statuses": STATUS_LABELS}


def _opening_measure(measures, cells):
    """The measure the comparison opens on: a binding one with data in some county, else any
    with data, else the first — never an empty chart when there is something to compare."""
    def has_data(measure, binding_only):
        return any(m == measure.pk and row["status"] != "no_data" and (row["binding"] or not binding_only)
                   for (_, m), row in cells.items())
    return (next((m for m in measures if has_data(m, True)), None) or next((m for m in measures if has_data(m, False)), None)
            or (measures[0] if measures else None))
def _thresholds(indicator_ids, year):
    """indicator id → (the number its target for `year` asks, the target as text). An assigned
    target (完成市下达指标) counts with its assigned number; a sub-row sharing its parent's cell
    with its own. Three queries whatever the number of counties."""
    found = {}
    indicators = (Indicator.objects.filter(pk__in=indicator_ids).select_related("parent")
                  .prefetch_related(targets_prefetch("targets", "assignments"), targets_prefetch("parent__targets", "assignments")))
    for indicator in indicators:
        source = indicator.parent if indicator.shares_parent_target and indicator.parent_id else indicator
        candidates = sorted(source.targets.all(), key=lambda t: t.year)
        target = next((t for t in candidates if t.year >= year), candidates[-1] if candidates else None)
        if target is None:
            continue
        spec = target.spec()
        if spec.kind == "assigned":
            assignment = assignment_for(target, indicator)
            number = assignment.value if assignment is not None else None
        else:
            number = spec.value if spec.value is not None else (spec.low if spec.low is not None else spec.high)
        found[indicator.pk] = (float(number) if number is not None else None, target_text(target, indicator))
    return found


def _empty_counts():
    return {code: 0 for code in STATUSES}


def summarise(user, region, year_raw):
    """Headline figures of a region (and everything below it) for a leader."""
    year = _year(year_raw)
    visible = Plan.objects.visible_to(user).filter(region_subtree_q(region.pk))
    plans = plans_covering(visible, year)
    plan_ids = [p.pk for p in plans.values()]
    per_plan = defaultdict(lambda: {"all": _empty_counts(), "binding": _empty_counts()})
    results = _visible_results(user, plan_ids, year)
    # Counted as each plan numbers its indicators (evaluation.summary): sub-rows are not counted.
    rows = (results.filter(indicator__parent__isnull=True)
            .values("plan_id", "status", "binding").annotate(n=Count("id")))
    for row in rows:
        per_plan[row["plan_id"]]["all"][row["status"]] += row["n"]
        if row["binding"]:
            per_plan[row["plan_id"]]["binding"][row["status"]] += row["n"]
    overall = {"all": _empty_counts(), "binding": _empty_counts()}
    for counts in per_plan.values():
        for group in ("all", "binding"):
            for code, n in counts[group].items():
                overall[group][code] += n
    binding_total = sum(overall["binding"].values())
    attention = list(
        results.filter(status__in=ATTENTION)
        .select_related("indicator__plan", "plan__region").prefetch_related("indicator__bureaus")
        .order_by("-binding_failed", "-binding", "completion")[:8]
    )
    completeness = submission_completeness(plan_ids, year)
    done = sum(d for d, _ in completeness.values())
    total = sum(t for _, t in completeness.values())
    children = _child_rollup(user, region, plans, per_plan, completeness)
    return {
        "year": year, "plans": list(plans.values()), "overall": overall,
        "binding_met_share": overall["binding"]["met"] / binding_total if binding_total else None,
        "binding_total": binding_total,
        "behind": overall["all"]["behind"], "regressing": overall["all"]["regressing"],
        "not_met": overall["all"]["not_met"], "attention": attention,
        "completeness": (done, total), "completeness_share": done / total if total else None,
        "children": children, "statuses": STATUS_LABELS,
    }


def _visible_results(user, plan_ids, year):
    """Stored results of the plans for `year`, as far as `user` may see their indicators. Bureau
    staff see their own bureau's rows only, on this page as on every other (issue 17: the summary
    showed them other bureaus' binding indicators). For reviewers and leaders the plans' region
    already is their whole scope, so the extra indicator subquery is left out for them."""
    from indicators.models import Indicator

    results = EvaluationResult.objects.filter(plan_id__in=plan_ids, year=year)
    if user_role(user) == "staff":
        results = results.filter(indicator__in=Indicator.objects.visible_to(user))
    return results


def _child_rollup(user, region, plans, per_plan, completeness):
    """One line per region directly below `region`, rolling up every plan in its subtree."""
    children = list(Region.objects.visible_to(user).filter(parent=region).order_by("code"))
    child_ids = {c.pk for c in children}
    ancestry = dict(Region.objects.filter(Q(parent_id__in=child_ids) | Q(parent__parent_id__in=child_ids))
                    .values_list("pk", "parent_id"))
    rollup = {c.pk: {"region": c, "plans": 0, "all": _empty_counts(), "binding_met": 0, "binding": 0, "done": 0, "total": 0}
              for c in children}
    for region_id, plan in plans.items():
        node = region_id
        while node is not None and node not in child_ids:
            node = ancestry.get(node)
        if node is None:
            continue
        line = rollup[node]
        line["plans"] += 1
        for code, n in per_plan[plan.pk]["all"].items():
            line["all"][code] += n
        line["binding_met"] += per_plan[plan.pk]["binding"]["met"]
        line["binding"] += sum(per_plan[plan.pk]["binding"].values())
        done, total = completeness.get(plan.pk, (0, 0))
        line["done"] += done
        line["total"] += total
    return list(rollup.values())


def plan_project_summary(user, plan, year):
    """The key-project summary (重点工程) of one plan as `user` may see it, once per data generation."""
    from projects.summary import summary_for_plan

    return generations.cached(("project_summary_plan", plan.pk, year, scope_key(user)),
                              lambda: summary_for_plan(plan, user, as_of_year=year))


def leader_summary(user, region, year_raw):
    """The leader summary of a region: its indicators and key projects, computed once per data
    generation (a nation's summary aggregates every plan of the country)."""
    from projects.summary import summary_for_region

    year = _year(year_raw)

    def compute():
        summary = summarise(user, region, year)
        summary["plans"] = len(summary["plans"])  # the page shows the count; a nation has thousands
        summary["project_summary"] = summary_for_region(region, user, as_of_year=year)
        return summary

    return generations.cached(("leader_summary", region.pk, year, scope_key(user)), compute)
