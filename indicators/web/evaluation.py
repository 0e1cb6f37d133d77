"""Evaluation pages: a plan's evaluation, a county dashboard, a city comparison, a leader summary.

Thin views over `results.selectors` and `regional.selectors`; all reads go through the scoping querysets.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.decorators import role_required
from core.security import int_or

from indicators.web import charts
from indicators.regional import selectors as regional
from indicators.assignments.selectors import assignable_rows
from indicators.assignments.services import AssignmentInput, AssignmentsRejected, save_assignments
from indicators.assignments.xlsx import read_assignments, write_assignments
from indicators.plans.xlsx import WorkbookRejected
from indicators.evaluation import STATUS_LABELS
from indicators.results.selectors import (attention_list, parse_year, plan_rows, plan_summary, status_totals,
                                          submission_completeness)
from indicators.evaluation.settings import EvaluationSettings
from indicators.reports.xlsx_tables import evaluation_row, write_evaluation
from indicators.results.services import plan_settings
from indicators.models import EvaluationResult, Plan, Region, targets_prefetch
from indicators.web.plans import xlsx_response


def _visible_plan(user, code):
    return get_object_or_404(Plan.objects.visible_to(user).select_related("region", "parent"), code=code)


@login_required
def plan_evaluation(request, code):
    plan = _visible_plan(request.user, code)
    year = parse_year(plan, request.GET.get("year"))
    filters = {name: request.GET.get(name, "")[:50] for name in ("status", "category", "bureau")}
    rows, totals, categories, bureaus = plan_rows(plan, request.user, year, **filters)
    if request.GET.get("format") == "xlsx":
        content = write_evaluation(plan.title, year, (evaluation_row(plan.region.name, r.indicator, r.result) for r in rows))
        return xlsx_response(content, f"{plan.code}-{year}年评估.xlsx")
    context = {
        "plan": plan, "year": year, "years": list(range(plan.first_year, plan.final_year + 1)), "rows": rows,
        "totals": totals, "categories": categories, "bureaus": bureaus, "filters": filters,
        "statuses": STATUS_LABELS, "settings_lines": plan_settings(plan).describe(),
        "defaults_differ": plan_settings(plan) != EvaluationSettings(),
        "value_years": list(range(plan.first_year, year + 1)),
        "summary": plan_summary(plan, year),
    }
    return render(request, "indicators/plan_evaluation.html", context)


@login_required
def plan_dashboard(request, code):
    """县级看板: status distribution, binding indicators, categories, lagging list, completeness."""
    plan = _visible_plan(request.user, code)
    year = parse_year(plan, request.GET.get("year"))
    results = list(
        EvaluationResult.objects.filter(plan=plan, year=year, indicator__in=plan.indicators.visible_to(request.user))
        .select_related("indicator__plan", "indicator__parent")
        .prefetch_related("indicator__bureaus", targets_prefetch("indicator__targets", "assignments"),
                          targets_prefetch("indicator__parent__targets", "assignments"))
        .order_by("indicator__order")
    )
    totals = status_totals(results)
    by_category = {}
    for result in results:
        by_category.setdefault(result.indicator.category or "—", []).append(result)
    done, total = submission_completeness([plan.pk], year)[plan.pk]
    context = {
        "plan": plan, "year": year, "years": list(range(plan.first_year, plan.final_year + 1)), "totals": totals,
        "binding": [r for r in results if r.binding],
        "categories": {name: status_totals(items)["all"] for name, items in by_category.items()},
        "lagging": attention_list(results, limit=20), "completeness": (done, total),
        "chart": charts.status_distribution("status-chart", totals["all"]), "statuses": STATUS_LABELS,
    }
    context["project_summary"] = regional.plan_project_summary(request.user, plan, year)
    return render(request, "indicators/plan_dashboard.html", context)


@login_required
def city_comparison(request, region_code):
    region = get_object_or_404(Region.objects.visible_to(request.user), code=region_code)
    comparison = regional.compare_counties(request.user, region, request.GET.get("year"), request.GET.get("measure"))
    context = {"region": region, **comparison}
    if comparison["measure"] is not None:
        context["chart"] = charts.county_bars("county-bars", comparison["measure"].name, comparison["measure"].unit,
                                              comparison["bars"])
    return render(request, "indicators/city_comparison.html", context)


@login_required
def leader_summary(request, region_code):
    region = get_object_or_404(Region.objects.visible_to(request.user), code=region_code)
    context = {"region": region, **regional.leader_summary(request.user, region, request.GET.get("year"))}
    return render(request, "indicators/leader_summary.html", context)


def _assignment_scope(request, region_code):
    region = get_object_or_404(Region.objects.visible_to(request.user), code=region_code)
    rows = assignable_rows(request.user, region)
    targets = {row.target.pk: row.target for row in rows}
    return region, rows, targets


@role_required("reviewer", "admin")
def assigned_targets(request, region_code):
    """A city reviewer records the numbers it assigned to its counties — each target year and each
    sub-row of a shared target — on the page or from an .xlsx, all counties at once."""
    region, rows, targets = _assignment_scope(request, region_code)
    errors, status = {}, 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                items, sheet_errors = read_assignments(upload.read(settings.PLAN_IMPORT_MAX_BYTES + 1), rows,
                                                       settings.PLAN_IMPORT_MAX_BYTES)
            except WorkbookRejected as exc:
                items, sheet_errors = [], [str(exc)]
            errors = {f"sheet{n}": e for n, e in enumerate(sheet_errors)}
        else:
            items = [AssignmentInput(target_id=row.target.pk, indicator_id=row.indicator.pk if row.indicator else None,
                                     value=request.POST.get(f"{row.key}-value", ""),
                                     document=request.POST.get(f"{row.key}-document", ""),
                                     document_date=request.POST.get(f"{row.key}-date", ""),
                                     version=int_or(request.POST.get(f"{row.key}-version"), 0))
                     for row in rows if f"{row.key}-value" in request.POST]
        if not errors:
            try:
                saved = save_assignments(request.user, targets, items)
            except AssignmentsRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, _("已保存下达目标 %(count)d 项。") % {"count": saved})
                return redirect("assigned_targets", region_code=region.code)
        status = 400
    uploaded = request.FILES.get("file") is not None
    # A sheet's errors (they name its rows) are listed with the upload; a form's sit by their inputs.
    upload_errors = list(errors.values()) if uploaded else []
    typed = ({row.key: {k: request.POST.get(f"{row.key}-{k}", "") for k in ("value", "document", "date")} for row in rows}
             if errors and not uploaded else {})
    shown = [{"row": row, "target": row.target, "assignment": row.assignment,
              "error": None if uploaded else errors.get(row.key), "typed": typed.get(row.key)} for row in rows]
    return render(request, "indicators/assigned_targets.html",
                  {"region": region, "rows": shown, "upload_errors": upload_errors}, status=status)


@role_required("reviewer", "admin")
def assigned_targets_download(request, region_code):
    region, rows, _targets = _assignment_scope(request, region_code)
    return xlsx_response(write_assignments(region, rows), f"{region.code}-下达目标录入表.xlsx")
