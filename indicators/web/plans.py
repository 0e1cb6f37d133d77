"""Plan pages: thin views that scope through the querysets, call the domain, render."""
import secrets

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

from core.labels import phrase
from indicators.assignments.selectors import assignment_for, assignment_history, target_text
from indicators.web import charts
from indicators.results.selectors import parse_year
from indicators.results.services import milestone_for
from indicators.web.forms import PlanImportForm
from indicators.models import Indicator, Plan, Region, targets_prefetch
from indicators.plans import selectors as plan_selectors
from indicators.plans import services as plan_services
from indicators.plans import succession
from indicators.plans.docx import Box, box_project_data
from indicators.plans.importing import UploadRejected, read_plan_file, row_warnings
from indicators.plans.preview import (apply_edits, build_preview, predecessor_choices, problem_text, table_from_data,
                                      table_to_data)
from indicators.plans.services import PlanTableInvalid, check_plan_table, plan_table_from_db, save_imported_plan
from indicators.plans.table import TableError
from accounts.roles import user_role
from reporting import workflow
from indicators.plans.xlsx import write_plan_table

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
        .prefetch_related(targets_prefetch("targets", "assignments"), targets_prefetch("parent__targets", "assignments"), "bureaus")
        .order_by("order")
    )
    return render(request, "indicators/plan_detail.html", {
        "plan": plan, "indicators": indicators, "no_bureaus": plan_selectors.plan_has_no_bureaus(plan),
        "can_set_up": is_administrator(request.user)})


def _ids(request, name):
    return [int(v) for v in request.POST.getlist(name) if v.isdigit()]


@role_required("admin")
def plan_setup(request, code):
    """规划配置检查: what blocks use of one plan, each with its fix on the same page."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region", "region__parent"), code=code)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "bureau":
                bureau = get_object_or_404(plan.region.bureaus, pk=int_or(request.POST.get("bureau"), 0))
                count = plan_services.assign_bureau(plan, bureau, _ids(request, "indicator"), request.user)
                messages.success(request, _("已为 %(count)d 项指标指派责任部门“%(bureau)s”。") % {"count": count, "bureau": bureau.name})
            elif action == "measure":
                links = {pk: int_or(request.POST.get(f"measure-{pk}"), 0) for pk in _ids(request, "indicator")}
                count = plan_services.link_measures(plan, links, request.user)
                messages.success(request, _("已关联目录指标 %(count)d 项。") % {"count": count})
            elif action == "periods":
                opened = plan_services.open_periods(plan, _ids(request, "year"), request.user)
                messages.success(request, _("已开放填报期 %(count)d 个。") % {"count": len(opened)})
            elif action == "project-bureau":
                bureau = get_object_or_404(plan.region.bureaus, pk=int_or(request.POST.get("bureau"), 0))
                count = plan_services.assign_project_bureau(plan, bureau, _ids(request, "project"), request.user)
                messages.success(request, _("已为 %(count)d 项重点工程指派责任部门“%(bureau)s”。") % {"count": count, "bureau": bureau.name})
            else:
                messages.error(request, _("未知的操作。"))
        except plan_services.SetupRejected as exc:
            messages.error(request, str(exc))
        return redirect("plan_setup", code=plan.code)
    return render(request, "indicators/plan_setup.html", {"plan": plan, "setup": plan_selectors.plan_setup(plan)})


@login_required
def plan_export(request, code):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region", "parent"), code=code)
    table = plan_table_from_db(plan)
    visible = set(plan.indicators.visible_to(request.user).values_list("key", flat=True))
    table.rows = [row for row in table.rows if row.key in visible]
    return xlsx_response(write_plan_table(table), f"{plan.code}-规划指标体系.xlsx")


IMPORT_SESSION_KEY = "plan_import"


@role_required("admin")
def plan_import(request):
    """Upload (.xlsx template or the plan's .docx) → preview with corrections → confirm saves.

    Nothing is written before the administrator confirms; the parsed table waits in the session."""
    if request.method == "POST" and request.POST.get("action") in ("confirm", "recheck"):
        return _import_confirm(request)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = read_plan_file(upload.name, upload.read(), settings.PLAN_IMPORT_MAX_BYTES,
                                    regions=list(Region.objects.values_list("code", "name")) or None)
        except UploadRejected as exc:
            form.add_error("file", exc.text(_))
        else:
            if result.table is None:
                return render(request, "indicators/plan_import.html",
                              {"form": form, "errors": [problem_text(e) for e in result.errors]}, status=400)
            token = secrets.token_urlsafe(16)
            recomputed = set(row_warnings(result.table))
            request.session[IMPORT_SESSION_KEY] = {
                "token": token, "table": table_to_data(result.table), "format": result.source_format,
                # the reader's warnings with their msgids, shown in the language of each page; the
                # others are recomputed
                "notices": [w.to_data() for w in result.warnings if w.row is None],
                # the reader's own row warnings (a row joined across a page break, a row without 序号)
                "row_notices": [w.to_data() for w in result.warnings if w.row is not None and w not in recomputed][:500],
                "boxes": [{"title": b.title, "lines": b.lines[:500], "cells": b.cells[:500]} for b in result.boxes][:50],
            }
            return _render_preview(request, result.table, result.errors, token)
    return render(request, "indicators/plan_import.html", {"form": form, "errors": []}, status=400 if form.errors else 200)


def _plan_notices(stored):
    # A preview begun before notices kept their msgids stored [field, message] / [row, field, message].
    return ([TableError.from_data(d) if len(d) == 6 else TableError(None, *d) for d in stored.get("notices", [])]
            + [TableError.from_data(d) if len(d) == 6 else TableError(*d) for d in stored.get("row_notices", [])])


def _render_preview(request, table, errors, token, status=None):
    stored = request.session.get(IMPORT_SESSION_KEY, {})
    chosen = _chosen_predecessors(stored, table)
    errors = list(errors) or check_plan_table(table, chosen)
    warnings = _plan_notices(stored) + row_warnings(table)
    boxes = _stored_boxes(stored)
    preview = build_preview(table, errors, warnings, box_project_data(table.code, boxes)["box"] if boxes else [],
                            chosen=chosen)
    context = {"preview": preview, "token": token, "format": stored.get("format", ""),
               "regions": Region.objects.order_by("code").values_list("code", "name")}
    return render(request, "indicators/plan_import_preview.html", context,
                  status=status or (400 if preview.has_errors else 200))


def _chosen_predecessors(stored, table):
    """The predecessors picked in this preview so far, for the table's current rows."""
    keys = {row.key for row in table.rows}
    return {key: pk for key, pk in stored.get("predecessors", {}).items() if key in keys}


def _stored_boxes(stored):
    return [Box(b["title"], b["lines"], b.get("cells", [])) for b in stored.get("boxes", [])]


def _import_confirm(request):
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored or not secrets.compare_digest(stored.get("token", ""), request.POST.get("token", "")):
        messages.error(request, _("导入预览已过期，请重新上传文件。"))
        return redirect("plan_import")
    table = apply_edits(table_from_data(stored["table"]), request.POST)
    stored["table"] = table_to_data(table)
    stored["predecessors"] = {**stored.get("predecessors", {}), **predecessor_choices(table, request.POST)}
    request.session[IMPORT_SESSION_KEY] = stored
    chosen = _chosen_predecessors(stored, table)
    errors = check_plan_table(table, chosen)
    if errors or request.POST.get("action") == "recheck":
        return _render_preview(request, table, errors, stored["token"])
    # What the preview showed for every row (chosen, stored earlier, or the automatic match) is
    # what the administrator confirmed.
    predecessors = {key: s.previous.pk if s.previous else None for key, s in succession.match_previous(table, chosen=chosen).items()}
    boxes = _stored_boxes(stored) if request.POST.get("import_boxes") else []
    try:
        plan = save_imported_plan(table, box_data=box_project_data(table.code, boxes) if boxes else None,
                                  predecessors=predecessors)
    except PlanTableInvalid as exc:
        return _render_preview(request, table, exc.errors, stored["token"], status=400)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(request, _("已导入规划 %(code)s，共 %(count)d 行指标。") % {"code": plan.code, "count": len(table.rows)})
    return redirect("plan_detail", code=plan.code)


@login_required
def indicator_detail(request, code, key):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    indicator = get_object_or_404(
        plan.indicators.visible_to(request.user).select_related("parent", "measure")
        .prefetch_related(targets_prefetch("targets", "assignments__recorded_by"), targets_prefetch("parent__targets", "assignments")),
        key=key,
    )
    values = list(indicator.values.order_by("year").prefetch_related("evidence"))
    results = list(indicator.evaluations.order_by("year"))
    year = parse_year(plan, request.GET.get("year"))
    evaluation = next((r for r in results if r.year == year), None)
    candidates = Indicator.objects.visible_to(request.user)
    previous = succession.predecessor(indicator, candidates)
    context = {
        "plan": plan, "indicator": indicator, "values": values, "targets": indicator.targets.all(),
        "sub_rows": indicator.children.visible_to(request.user).order_by("order"), "results": results,
        "evaluation": evaluation, "year": year,
        "chart": indicator_chart(plan, indicator, values, evaluation, previous),
        "assignment_history": assignment_history(indicator),
        "next_indicator": succession.successor(indicator, candidates),
    }
    if previous is not None:
        context["previous_indicator"] = previous
        context["series"] = succession.series_across_plans(indicator, previous)
    return render(request, "indicators/indicator_detail.html", context)


def _target_lines(indicator):
    """[(year, low, high, label)] of the indicator's targets that are numbers."""
    lines = []
    # A sub-row sharing the parent's cell is drawn against the parent's target, with its own assigned number.
    source = indicator.parent if indicator.shares_parent_target and indicator.parent_id else indicator
    for target in source.targets.all():
        spec = target.spec()
        assigned = assignment_for(target, indicator)
        low = spec.low if spec.kind == "range" else (assigned.value if assigned else spec.value)
        high = spec.high if spec.kind == "range" else low
        if low is not None:
            label = phrase(target_text(target, indicator)) if spec.kind == "assigned" else target.raw
            lines.append((target.year, float(low), float(high), label))
    return lines


def _plan_series(indicator, values):
    plan = indicator.plan
    baseline = float(indicator.baseline_value) if indicator.baseline_value is not None else None
    return charts.PlanSeries(
        label=charts.plan_label(plan.first_year, plan.final_year), base_year=indicator.baseline_year or plan.base_year,
        first_year=plan.first_year, baseline=baseline,
        values=[(v.year, float(v.number), v.is_approved) for v in values if v.number is not None],
        targets=_target_lines(indicator))


def indicator_chart(plan, indicator, values, evaluation, previous=None):
    """The progress chart; across both plans when the indicator continues one of the previous plan."""
    if indicator.value_type != "number":
        return None
    forecast = (milestone_for(plan, evaluation.year), evaluation.forecast) if evaluation and evaluation.forecast is not None else None
    if previous is not None and previous.value_type == "number":
        earlier = _plan_series(previous, previous.values.filter(state=workflow.APPROVED).order_by("year"))
        return charts.indicator_across_plans("indicator-chart", indicator.name, indicator.unit, earlier,
                                             _plan_series(indicator, values), forecast)
    points = [(v.year, float(v.number), v.is_approved) for v in values if v.number is not None]
    baseline = float(indicator.baseline_value) if indicator.baseline_value is not None else None
    return charts.indicator_progress("indicator-chart", indicator, indicator.baseline_year, baseline, points,
                                     _target_lines(indicator), forecast)
