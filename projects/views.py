"""Project pages: thin views that scope through the querysets, call the domain, render.

Everything a user reaches goes through `visible_to` / `editable_by` / `reviewable_by`, so an
object outside their scope is 404 — also for a leader trying to write."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import generations
from core.http import BadVersion, bad_request, parse_version
from core.security import int_or
from core.tables import configure as configure_table
from accounts.roles import scope_key
from indicators.web.plans import xlsx_response
from reporting import services, workflow
from reporting.evidence import name_for_type
from reporting.labels import state_label
from reporting.models import Evidence, StateChange

from projects import charts
from projects.export import write_projects
from projects.filters import ProjectFilter
from projects.forms import ProgressForm, ReviewForm
from projects.models import Project, ProjectProgress, Quantity
from projects.progress import ProgressRejected, open_years, review_progress, save_progress
from projects.selectors import attach_list_details
from projects.summary import progress_rows_for, project_summary
from projects.tables import ProjectTable


def _projects(user):
    return Project.objects.visible_to(user).select_related("plan__region", "box", "bureau")


def _quantities():
    """A project's planned quantities in their printed order. (The model's ordering goes through
    project → plan → region, for lists across projects; a prefetch groups by project anyway.)"""
    return Prefetch("quantities", queryset=Quantity.objects.order_by("order", "pk"))


def _filtered(request):
    filterset = ProjectFilter(request.GET or None, queryset=_projects(request.user), request=request)
    return filterset, filterset.qs


@login_required
def project_list(request):
    filterset, projects = _filtered(request)
    # The summary covers every project the filters match (a province: hundreds), not just this
    # page of the table: computed once per data generation for each scope and filter. Its total
    # is the table's row count, so the paginator needs no COUNT query.
    filters = sorted((k, v) for k, v in request.GET.lists() if k in ProjectFilter.base_filters)
    summary = generations.cached(("project_list", scope_key(request.user), repr(filters)),
                                 lambda: project_summary(progress_rows_for(projects)))
    table = ProjectTable(projects)
    configure_table(request, table, count=summary.total)
    attach_list_details(row.record for row in table.page.object_list)
    query = request.GET.urlencode()
    return render(request, "projects/project_list.html", {
        "filter": filterset, "table": table, "summary": summary, "query": query,
    })


@login_required
def project_export(request):
    _, projects = _filtered(request)
    projects = projects.prefetch_related(
        "counties", _quantities(), "indicators", Prefetch("progress", queryset=ProjectProgress.objects.all(), to_attr="all_progress"),
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(write_projects(projects), f"重点工程-{stamp}.xlsx")


@login_required
def project_timeline(request):
    filterset, projects = _filtered(request)
    approved = ProjectProgress.objects.filter(state=workflow.APPROVED)
    projects = projects.prefetch_related(Prefetch("progress", queryset=approved, to_attr="timeline_progress"))
    rows = charts.timeline_rows(projects)
    chart = charts.chart_html(charts.timeline_figure(rows)) if rows else ""
    axis = charts.chart_html(charts.timeline_axis_figure(rows)) if rows else ""
    return render(request, "projects/timeline.html", {
        "filter": filterset, "rows": rows, "chart": chart, "axis": axis, "query": request.GET.urlencode(),
    })


def _progress_reports(project):
    return list(
        project.progress.select_related("updated_by", "reviewed_by")
        .prefetch_related("quantity_rows", "evidence",
                          Prefetch("state_changes", queryset=StateChange.objects.select_related("user"), to_attr="steps"))
        .order_by("year")
    )


@login_required
def project_detail(request, pk, year=None, form=None):
    project = get_object_or_404(_projects(request.user).select_related("bureau__region"), pk=pk)
    user = request.user
    if year is None:
        year = int_or(request.GET.get("year"))
    quantities = list(project.quantities.all())
    reports = _progress_reports(project)
    latest = reports[-1] if reports else None
    done = {r.quantity_id: r.amount_done for r in latest.quantity_rows.all()} if latest else {}
    bars = []
    for quantity in quantities:
        amount = done.get(quantity.pk)
        share = None
        if amount is not None and quantity.amount > 0:
            share = min(float(amount) / float(quantity.amount), 1.0)
        bars.append({"quantity": quantity, "done": amount, "percent": None if share is None else round(share * 100, 1)})
    rows = charts.history_rows(quantities, reports)
    chart = charts.history_chart(f"project-{project.pk}-history", quantities, rows) if rows else None

    can_enter = Project.objects.editable_by(user).filter(pk=project.pk).exists()
    can_review = Project.objects.reviewable_by(user).filter(pk=project.pk).exists()
    years = open_years(project.plan) if can_enter else []
    by_year = {r.year: r for r in reports}
    if can_enter and form is None and years:
        year = year if year in years else years[0]
        report = by_year.get(year)
        if report is not None and report.is_editable:
            form = ProgressForm(initial=ProgressForm.initial_from(report), quantities=quantities)
        elif report is None:  # a new year starts from last year's cumulative figures
            earlier = [r for r in reports if r.year < year]
            initial = ProgressForm.initial_from(earlier[-1]) if earlier else {}
            initial.pop("version", None)
            initial.pop("narrative", None)
            form = ProgressForm(initial=initial, quantities=quantities)
    return render(request, "projects/project_detail.html", {
        "project": project, "quantities": quantities, "bars": bars, "reports": reports, "latest": latest,
        "history_rows": rows, "chart": chart, "can_enter": can_enter, "can_review": can_review,
        "open_years": years, "year": year, "form": form, "entry_report": by_year.get(year) if year else None,
        "counties": list(project.counties.all()), "indicators": list(project.indicators.all()),
    }, status=400 if form is not None and form.is_bound else 200)


@login_required
def progress_entry(request, pk, year):
    """GET: the detail page with the form for `year`; POST: save or submit it."""
    if request.method != "POST":
        return project_detail(request, pk, year=year)
    project = get_object_or_404(Project.objects.editable_by(request.user).select_related("plan__region"), pk=pk)
    quantities = list(project.quantities.all())
    form = ProgressForm(request.POST, request.FILES, quantities=quantities)
    if form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            save_progress(request.user, project, year, form.to_input(), submit=submit)
        except ProgressRejected as rejected:
            for error in rejected.errors:
                form.add_error(None, error)
        else:
            messages.success(request, _("已提交 %(year)d 年进展，等待审核。") % {"year": year} if submit
                             else _("已保存 %(year)d 年进展（草稿）。") % {"year": year})
            return redirect("project_detail", pk=project.pk)
    return project_detail(request, pk, year=year, form=form)


@require_POST
@login_required
def progress_review(request, pk):
    report = get_object_or_404(ProjectProgress.objects.reviewable_by(request.user).select_related("project__plan__region"), pk=pk)
    try:
        version = parse_version(request.POST.get("version"))
    except BadVersion as exc:
        return bad_request(request, str(exc))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核操作。"))
        return redirect("project_detail", pk=report.project_id)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"] or ""
    try:
        reviewed = review_progress(report, action, request.user, reason=reason, expected_version=version)
    except workflow.TransitionError as exc:
        messages.error(request, str(exc))
    except services.StaleRecord as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(year)d 年进展%(done)s。") % {"year": report.year, "done": state_label(reviewed.state)})
    return redirect(reverse("project_detail", args=[report.project_id]) + f"#year-{report.year}")


@login_required
def evidence_download(request, pk):
    """A progress report's evidence file, for users who may see that report."""
    from django.contrib.contenttypes.models import ContentType

    evidence = get_object_or_404(Evidence, pk=pk, content_type=ContentType.objects.get_for_model(ProjectProgress))
    if not ProjectProgress.objects.visible_to(request.user).filter(pk=evidence.object_id).exists():
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=name_for_type(evidence.original_name, evidence.media_type), content_type=evidence.media_type)
