"""Review by the ecology-environment bureau: the queue, one plan-year's batch, one value's page,
and their actions. What each value is judged against comes from `indicators.review.selectors`;
approving many goes through `indicators.review.services.review_values` (one re-evaluation).

Scope: the queue and actions take values through `IndicatorValue.objects.reviewable_by(user)`;
a value's page through `visible_to(user)`. Anything else is 404.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import scope_key
from core import generations
from core.decorators import role_required
from core.http import BadVersion, bad_request, parse_version, redirect_back
from core.security import int_or
from core.tables import configure as configure_table
from reporting import workflow
from reporting.evidence import name_for_type
from reporting.labels import action_label
from reporting.models import Evidence
from reporting.services import StaleRecord
from reporting.workflow import TransitionError

from indicators.entry.rules import JUDGEMENT_LABELS
from indicators.review import selectors as review_selectors
from indicators.review.services import record_judgement, review_value, review_values
from indicators.web.filters import ReviewQueueFilter
from indicators.models import IndicatorValue, Plan
from indicators.web.plans import indicator_chart
from indicators.web.tables import ReviewQueueTable


@role_required("reviewer", "admin")
def review_queue(request):
    user = request.user
    values = review_selectors.queue_values(user, sort=request.GET.get(ReviewQueueTable._meta.order_by_field, ""))
    if request.GET:
        queue = ReviewQueueFilter(request.GET, queryset=values, user=user)
        table = ReviewQueueTable(queue.qs)
        filters_html = _filters_html(queue)
    else:  # the queue as a reviewer opens it: its filter form is the same until the data change
        table = ReviewQueueTable(values.filter(state=workflow.SUBMITTED))
        filters_html = generations.cached(("review_queue_filters", *scope_key(user)), lambda: _filters_html(
            ReviewQueueFilter(None, queryset=values, user=user)))
    plan_years_html, submitted = _plan_years(user)
    # Unfiltered, the queue is every submitted value in scope: the plan-years' counts add up to it.
    unfiltered = not any(name in ReviewQueueFilter.base_filters for name in request.GET)
    configure_table(request, table, count=submitted if unfiltered else None)
    review_selectors.attach_context(row.record for row in table.page.object_list)
    return render(request, "indicators/review_queue.html",
                  {"filters_html": filters_html, "table": table, "plan_years_html": plan_years_html})


def _filters_html(queue):
    return render_to_string("indicators/includes/review_filters.html", {"filter": queue})


def _plan_years(user):
    """The queue's list of plan-years to review in one batch, as HTML, and the number of submitted
    values it counts. A province's reviewer has a couple of hundred plan-years: the list is
    rendered once per data generation for each scope (and language), as it is read."""
    def compute():
        plan_years = review_selectors.pending_plan_years(user)
        html = render_to_string("indicators/includes/plan_years.html", {"plan_years": plan_years})
        return html, sum(p.count for p in plan_years)

    return generations.cached(("review_queue_plan_years", *scope_key(user)), compute)


@role_required("reviewer", "admin")
@require_POST
def approve_selected(request):
    ids = [n for n in (int_or(i) for i in request.POST.getlist("select")) if n is not None]
    values = list(IndicatorValue.objects.reviewable_by(request.user).filter(pk__in=ids, state=workflow.SUBMITTED)
                  .select_related("indicator__plan__region"))
    if not values:
        messages.info(request, _("没有选中待审核的数据。"))
        return redirect_back(request, "review_queue")
    try:
        review_values(values, workflow.APPROVE, request.user)
    except (TransitionError, StaleRecord) as exc:
        messages.error(request, _("未审核（全部未保存）：%(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("已审核通过 %(count)d 项。") % {"count": len(values)})
    return redirect_back(request, "review_queue")


@role_required("reviewer", "admin")
def plan_year_review(request, code, year):
    """批量审核 one plan-year (a back-filled year): every submitted row with what changed since its
    last approval; approve all or the ticked ones in one action."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    if request.method == "POST":
        values = IndicatorValue.objects.reviewable_by(request.user).filter(
            indicator__plan=plan, year=year, state=workflow.SUBMITTED).select_related("indicator__plan__region")
        if request.POST.get("scope") != "all":
            ids = [n for n in (int_or(i) for i in request.POST.getlist("select")) if n is not None]
            values = values.filter(pk__in=ids)
        values = list(values)
        versions = {v.pk: int_or(request.POST.get(f"v{v.pk}-version")) for v in values}
        try:
            approved = review_values(values, workflow.APPROVE, request.user,
                                     expected_versions={pk: v for pk, v in versions.items() if v is not None})
        except (TransitionError, StaleRecord) as exc:
            messages.error(request, _("未审核任何数据：%(error)s") % {"error": exc})
        else:
            if approved:
                messages.success(request, _("已审核通过 %(count)d 项。") % {"count": len(approved)})
            else:
                messages.info(request, _("没有选中待审核的数据。"))
        return redirect("plan_year_review", code=plan.code, year=year)
    rows = review_selectors.plan_year_rows(request.user, plan, year)
    return render(request, "indicators/plan_year_review.html", {"plan": plan, "year": year, "rows": rows})


@login_required
def value_detail(request, pk):
    people = ("updated_by__profile__bureau__region", "updated_by__profile__region",
              "reviewed_by__profile__bureau__region", "reviewed_by__profile__region")
    value = get_object_or_404(
        review_selectors.with_context(IndicatorValue.objects.visible_to(request.user)).select_related(*people), pk=pk)
    review_selectors.attach_context([value])
    can_review = value.review_allowed(request.user)
    indicator = value.indicator
    context = {
        "value": value,
        "indicator": indicator,
        "review": value.review,
        "changes": value.state_changes.select_related("user__profile__bureau__region", "user__profile__region"),
        "history": value.history.select_related("history_user__profile__bureau__region", "history_user__profile__region")
        .order_by("-history_date")[:50],
        "evidence": value.evidence.all(),
        "can_review": can_review,
        "next_value": review_selectors.next_in_queue(request.user, value) if can_review else None,
        "chart": indicator_chart(indicator.plan, indicator, list(indicator.values.order_by("year")), None),
    }
    return render(request, "indicators/value_detail.html", context)


@login_required
@require_POST
def value_review(request, pk):
    value = get_object_or_404(IndicatorValue.objects.reviewable_by(request.user).select_related("indicator__plan__region"), pk=pk)
    action = request.POST.get("action", "")
    if action not in (workflow.APPROVE, workflow.RETURN, workflow.REOPEN):
        raise Http404
    try:
        version = parse_version(request.POST.get("version"))
    except BadVersion as exc:
        return bad_request(request, str(exc))
    try:
        review_value(value, action, request.user, reason=request.POST.get("reason", ""), expected_version=version)
    except (TransitionError, StaleRecord) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已%(action)s：%(name)s %(year)s 年。") % {
            "action": action_label(action), "name": value.indicator.name, "year": value.year})
    return redirect_back(request, value.get_absolute_url())


@login_required
def evidence_download(request, pk):
    """Evidence is served only to those who may see the record it belongs to."""
    evidence = get_object_or_404(Evidence.objects.select_related("content_type"), pk=pk)
    record_model = evidence.content_type.model_class()
    manager = getattr(record_model, "objects", None)
    if manager is None or not hasattr(manager, "visible_to") or not manager.visible_to(request.user).filter(pk=evidence.object_id).exists():
        raise Http404
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name_for_type(evidence.original_name, evidence.media_type),
                            content_type=evidence.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def value_judgement(request, pk):
    """审核评价: a reviewer's 完成 / 基本完成 / 未完成 with a written reason; it is what a
    qualitative indicator's evaluation counts."""
    value = get_object_or_404(IndicatorValue.objects.reviewable_by(request.user).select_related("indicator"), pk=pk)
    judgement, reason = request.POST.get("judgement", ""), request.POST.get("reason", "").strip()
    try:
        version = parse_version(request.POST.get("version"))
    except BadVersion as exc:
        return bad_request(request, str(exc))
    if judgement not in JUDGEMENT_LABELS or not reason:
        messages.error(request, _("请选择完成情况并填写评价理由。"))
        return redirect(value.get_absolute_url())
    try:
        record_judgement(value, request.user, judgement, reason, version)
    except StaleRecord as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录审核评价。"))
    return redirect(value.get_absolute_url())
