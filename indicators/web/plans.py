"""Plan pages: thin views that scope through the querysets, call the domain, render."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.decorators import role_required
from core.security import int_or

from indicators.assignments.selectors import assignment_for, assignment_history, target_text
from indicators.web import charts
from indicators.results.selectors import parse_year
from indicators.results.services import milestone_for
from indicators.web.forms import PlanImportForm
from indicators.models import Plan
from indicators.plans.services import PlanTableInvalid, plan_table_from_db, save_plan_table
from accounts.roles import user_role
from indicators.plans.xlsx import WorkbookRejected, read_plan_table, write_plan_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLANS_PER_PAGE = 50


def is_administrator(user):
    return user_role(user) == "admin"


def xlsx_response(content, filename):
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def plan_list(request):
    plans = Plan.objects.visible_to(request.user).select_related("region")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        plans = plans.filter(Q(region__name__icontains=query) | Q(region__code__startswith=query)
                             | Q(title__icontains=query) | Q(code__icontains=query))
    page = Paginator(plans, PLANS_PER_PAGE).get_page(int_or(request.GET.get("page"), 1))
    return render(request, "indicators/plan_list.html", {
        "plans": page.object_list, "page": page, "query": query, "can_import": is_administrator(request.user)})


@login_required
def plan_detail(request, code):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region", "parent"), code=code)
    indicators = (
        plan.indicators.visible_to(request.user)
        .select_related("parent", "measure")
        .prefetch_related("targets__assignments", "parent__targets__assignments", "bureaus")
        .order_by("order")
    )
    return render(request, "indicators/plan_detail.html", {"plan": plan, "indicators": indicators})


@login_required
def plan_export(request, code):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region", "parent"), code=code)
    table = plan_table_from_db(plan)
    visible = set(plan.indicators.visible_to(request.user).values_list("key", flat=True))
    table.rows = [row for row in table.rows if row.key in visible]
    return xlsx_response(write_plan_table(table), f"{plan.code}-规划指标体系.xlsx")


@role_required("admin")
def plan_import(request):
    errors = []
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            table, errors = read_plan_table(form.cleaned_data["file"].read(), settings.PLAN_IMPORT_MAX_BYTES)
            if not errors:
                plan = save_plan_table(table)
                messages.success(request, _("已导入规划 %(code)s，共 %(count)d 行指标。") % {"code": plan.code, "count": len(table.rows)})
                return redirect("plan_detail", code=plan.code)
        except WorkbookRejected as exc:
            form.add_error("file", str(exc))
        except PlanTableInvalid as exc:
            errors = exc.errors
    return render(request, "indicators/plan_import.html", {"form": form, "errors": errors}, status=400 if errors or form.errors else 200)


@login_required
def indicator_detail(request, code, key):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    indicator = get_object_or_404(
        plan.indicators.visible_to(request.user).select_related("parent", "measure")
        .prefetch_related("targets__assignments__recorded_by", "parent__targets__assignments"),
        key=key,
    )
    values = list(indicator.values.order_by("year").prefetch_related("evidence"))
    results = list(indicator.evaluations.order_by("year"))
    year = parse_year(plan, request.GET.get("year"))
    evaluation = next((r for r in results if r.year == year), None)
    context = {
        "plan": plan, "indicator": indicator, "values": values, "targets": indicator.targets.all(),
        "sub_rows": indicator.children.visible_to(request.user).order_by("order"), "results": results,
        "evaluation": evaluation, "year": year,
        "chart": indicator_chart(plan, indicator, values, evaluation),
        "assignment_history": assignment_history(indicator),
    }
    return render(request, "indicators/indicator_detail.html", context)


def indicator_chart(plan, indicator, values, evaluation):
    if indicator.value_type != "number":
        return None
    points = [(v.year, float(v.number), v.is_approved) for v in values if v.number is not None]
    baseline = float(indicator.baseline_value) if indicator.baseline_value is not None else None
    lines = []
    # A sub-row sharing the parent's cell is drawn against the parent's target, with its own assigned number.
    source = indicator.parent if indicator.shares_parent_target and indicator.parent_id else indicator
    for target in source.targets.all():
        spec = target.spec()
        assigned = assignment_for(target, indicator)
        low = spec.low if spec.kind == "range" else (assigned.value if assigned else spec.value)
        high = spec.high if spec.kind == "range" else low
        if low is not None:
            label = target_text(target, indicator) if spec.kind == "assigned" else target.raw
            lines.append((target.year, float(low), float(high), label))
    forecast = (milestone_for(plan, evaluation.year), evaluation.forecast) if evaluation and evaluation.forecast is not None else None
    return charts.indicator_progress("indicator-chart", indicator, indicator.baseline_year, baseline, points, lines, forecast)
