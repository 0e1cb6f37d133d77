"""Keeping `EvaluationResult` current: database rows → `evaluation.IndicatorFacts` → results.

`recompute()` is the one writer of EvaluationResult. Every write path that changes what an
evaluation reads calls it explicitly, once per batch: value review (`indicators.review.services`:
form, batch approval, API, reopen, 审核评价), assigned numbers (`indicators.assignments`), plan
import and seed (`indicators.plans.services`), the admin (`indicators.admin`), demo and synthetic
data, and the full re-evaluation task. No model hook or signal does it.

The rules are in the pure `evaluation` package; this module only gathers the facts (approved
values, targets, assigned numbers, the plan's settings) and writes what it returns.
"""
import json
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import JSONField
from django.utils import timezone

from core import generations, phrases
from core.batches import cyclic_gc_paused
from reporting import workflow

from indicators import evaluation
from indicators.assignments.selectors import assignment_for
from indicators.plans import targets
from indicators.evaluation.formatting import format_number
from indicators.evaluation.settings import EvaluationSettings
from indicators.models import EvaluationResult, Indicator, IndicatorValue, Plan, targets_prefetch

_HUNDRED = Decimal(100)


def data_years(plan):
    return range(plan.first_year, plan.final_year + 1)


def milestone_for(plan, year):
    """The milestone a data year is measured against: the first one not yet passed."""
    years = sorted(plan.milestone_years)
    return next((y for y in years if y >= year), years[-1]) if years else year


def plan_settings(plan):
    try:
        return EvaluationSettings.from_dict(plan.evaluation_settings or {})
    except ValueError:
        return evaluation.DEFAULTS


def observation(value):
    """An approved value as the evaluation sees it. The reviewer's judgement counts only with a reason."""
    return _observation(value.year, value.number, value.water_class, value.raw, value.rate_mode,
                        value.reviewer_judgement, value.reviewer_judgement_reason)


def _observation(year, number, water_class, raw, rate_mode, reviewer_judgement, reviewer_judgement_reason):
    judgement = reviewer_judgement if reviewer_judgement_reason.strip() else None
    return evaluation.Observation(
        year=year, number=number, water_class=water_class, text=raw,
        rate_mode=rate_mode or None, judgement=judgement or None, judgement_reason=reviewer_judgement_reason,
    )


_OBSERVED = ("year", "number", "water_class", "raw", "rate_mode", "reviewer_judgement", "reviewer_judgement_reason")


def indicator_facts(indicator, milestone, observations, target_source=None):
    """Facts for one indicator against one milestone. `target_source` is the parent row when
    this sub-row shares the parent's merged target cell."""
    source = target_source or indicator
    target = next((t for t in source.targets.all() if t.year == milestone), None)
    spec = targets.parse_target(target.raw if target else "")
    # A sub-row sharing the parent's cell is measured against its own assigned number (each pollutant).
    assignment = assignment_for(target, indicator)
    plan = indicator.plan
    return evaluation.IndicatorFacts(
        key=indicator.key,
        binding=indicator.effective_attribute == Indicator.Attribute.BINDING,
        direction=indicator.direction,
        base_year=plan.base_year,
        milestone_year=milestone,
        baseline=targets.parse_value(indicator.baseline_raw),
        target=spec,
        observations=tuple(observations),
        assigned_value=assignment.value if assignment is not None else None,
        is_rate=indicator.is_rate,
        value_type=indicator.value_type,
        baseline_year=indicator.baseline_year if indicator.baseline_year != plan.base_year else None,
        ceiling=_HUNDRED if indicator.unit.strip() in ("%", "％") else None,
    )


def evaluate_indicators(indicators, years_for=data_years):
    """(indicator, Evaluation) pairs for every data year; parents sharing a target with their
    sub-rows are met only when every sub-row is."""
    indicators = list(indicators)
    approved = {}
    # Plain tuples, not model instances: building an IndicatorValue per row cost more than evaluating it.
    values = IndicatorValue.objects.filter(indicator__in=indicators, state=workflow.APPROVED).values_list(
        "indicator_id", *_OBSERVED)
    for indicator_id, *fields in values:
        approved.setdefault(indicator_id, []).append(_observation(*fields))
    by_id = {i.pk: i for i in indicators}
    children = {}
    for indicator in indicators:
        if indicator.parent_id and indicator.shares_parent_target:
            children.setdefault(indicator.parent_id, []).append(indicator)
    results = []
    cache = {}
    settings_of = {}
    # Pure work that keeps every result until the chunk is stored: see core.batches.
    with cyclic_gc_paused():
        for indicator in indicators:
            plan = indicator.plan
            settings = settings_of.get(plan.pk)
            if settings is None:
                settings = settings_of[plan.pk] = plan_settings(plan)
            own_settings = settings.for_indicator(indicator.key, indicator.number)
            parent = by_id.get(indicator.parent_id) if indicator.shares_parent_target else None
            for year in years_for(plan):
                milestone = milestone_for(plan, year)
                key = (indicator.pk, milestone)
                if key not in cache:
                    cache[key] = indicator_facts(indicator, milestone, approved.get(indicator.pk, ()), parent)
                results.append((indicator, evaluation.evaluate(cache[key], year, own_settings)))
    by_key = {(i.pk, e.year): e for i, e in results}
    combined = []
    for indicator, result in results:
        kids = children.get(indicator.pk)
        if kids:
            result = evaluation.combine_shared_target(result, [by_key[(k.pk, result.year)] for k in kids])
        combined.append((indicator, result))
    return combined


def _display(value, value_type):
    if value is None:
        return ""
    if value_type == "water_class":
        return targets.WATER_CLASS_NAMES.get(value, str(value))
    if isinstance(value, Decimal):
        return format_number(value)  # 36.700000 → 36.7, and never -0
    return str(value)


def _result_row(indicator, result):
    return EvaluationResult(**_result_fields(indicator, result))


def _result_fields(indicator, result):
    """The stored columns of one result (attname → value), without building a model instance."""
    value = result.value
    return dict(
        indicator_id=indicator.pk, plan_id=indicator.plan_id, year=result.year, status=result.status,
        completion=result.completion, time_progress=result.time_progress,
        value=_display(value, indicator.value_type),
        value_year=result.value_year, stale=result.stale, binding=result.binding, binding_failed=result.binding_failed,
        forecast=result.forecast, forecast_status=result.forecast_status or "", trend=result.trend or "",
        needed_yearly_rate=result.needed_yearly_rate, cumulative_rate=result.cumulative_rate,
        explanation=result.explanation, explanation_steps=[phrases.to_json(step) for step in result.steps],
    )


def _family(indicator_ids):
    """The indicators to recompute when these change: themselves, their parents and sub-rows."""
    rows = Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "parent_id")
    family = set(indicator_ids) | {parent for _, parent in rows if parent}
    family |= set(Indicator.objects.filter(parent_id__in=family).values_list("pk", flat=True))
    return family


# Whole-plan refreshes run this many plans at a time, so a national re-evaluation holds one chunk
# of indicators and values in memory, never all of them.
REFRESH_CHUNK_PLANS = 100


@transaction.atomic
def recompute(indicator_ids=None, plans=None):
    """Recompute and store results for some indicators (with their family: parent and sub-rows)
    or whole plans (every plan when neither is given), and renew the region summaries. Returns
    the number of results stored. Call it once per batch, inside the batch's transaction."""
    if indicator_ids is None:
        plan_ids = (list(Plan.objects.values_list("pk", flat=True)) if plans is None
                    else [getattr(plan, "pk", plan) for plan in plans])
        return sum(_refresh(plan_ids=plan_ids[start:start + REFRESH_CHUNK_PLANS])
                   for start in range(0, len(plan_ids), REFRESH_CHUNK_PLANS))
    return _refresh(indicator_ids=indicator_ids, plan_ids=None if plans is None else [getattr(p, "pk", p) for p in plans])


def _refresh(indicator_ids=None, plan_ids=None):
    queryset = Indicator.objects.select_related("plan", "parent").prefetch_related(targets_prefetch("targets", "assignments"))
    if indicator_ids is not None:
        queryset = queryset.filter(pk__in=_family(set(indicator_ids)))
    if plan_ids is not None:
        queryset = queryset.filter(plan_id__in=plan_ids)
    indicators = list(queryset)
    with cyclic_gc_paused():  # the rows (and their explanation JSON) live until they are inserted
        rows = [_result_fields(i, r) for i, r in evaluate_indicators(indicators)]
    if indicator_ids is None:
        EvaluationResult.objects.filter(plan_id__in=plan_ids).delete()
    else:
        EvaluationResult.objects.filter(indicator__in=indicators).delete()
    _insert_results(rows)
    generations.bump()  # the region summaries read these rows
    return len(rows)


def _insert_results(rows):
    """Store result rows (dicts of `_result_fields`): bulk_create, or on PostgreSQL one COPY,
    several times faster for a whole province. Either way no signals, and `computed_at` is now."""
    connection = connections[router.db_for_write(EvaluationResult)]
    if connection.vendor != "postgresql" or len(rows) < 500:
        EvaluationResult.objects.bulk_create([EvaluationResult(**row) for row in rows], batch_size=2000)
        return
    fields = [f for f in EvaluationResult._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["computed_at"] = timezone.now()  # what auto_now sets on save
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(EvaluationResult._meta.db_table)
    attnames = [f.attname for f in fields]
    # COPY takes a JSON column as its text (a Python list would be sent as an array).
    as_json = [isinstance(f, JSONField) for f in fields]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(value, ensure_ascii=False) if is_json else value
                                for value, is_json in zip((row.get(name, defaults[name]) for name in attnames),
                                                          as_json)])
