"""Evaluation reports: freeze (reviewers), follow generation, download, retry."""
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reporting.tasks import enqueue

from core.labels import label as translated
from indicators.evaluation import STATUS_LABELS
from indicators.models import EvaluationReport, Plan
from indicators.reports.services import default_narrative, report_year, snapshot
from indicators.reports.tasks import STALE_AFTER, generate_report


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("评估类型"), choices=EvaluationReport.Kind.choices)


def _queue(request, report):
    report.task_token = uuid.uuid4()
    report.state, report.error, report.started_at, report.finished_at = EvaluationReport.State.PENDING, "", None, None
    report.save()
    token = str(report.task_token)
    transaction.on_commit(lambda: enqueue(generate_report, report.pk, token) or messages.info(
        request, _("后台服务暂时不可用，报告已排队，将在恢复后自动生成。")))


@login_required
def report_list(request, code):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    can_freeze = Plan.objects.reviewable_by(request.user).filter(pk=plan.pk).exists()
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if not can_freeze:
            raise Http404
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            year = report_year(plan, kind)
            if year is None:
                form.add_error("kind", _("该规划没有中期评估年份。"))
            else:
                with transaction.atomic():
                    report, created = EvaluationReport.objects.get_or_create(
                        plan=plan, kind=kind, year=year, defaults={"created_by": request.user})
                    if created or request.POST.get("refreeze"):
                        report.snapshot = snapshot(plan, year)
                        report.narrative = default_narrative(report.snapshot)
                        report.synthetic = report.snapshot["synthetic_values"]
                        _queue(request, report)
                return redirect("report_detail", code=plan.code, pk=report.pk)
    reports = plan.reports.all()
    return render(request, "indicators/report_list.html", {"plan": plan, "reports": reports, "form": form,
                                                           "can_freeze": can_freeze})


@login_required
def report_detail(request, code, pk):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    report = get_object_or_404(plan.reports, pk=pk)
    can_freeze = Plan.objects.reviewable_by(request.user).filter(pk=plan.pk).exists()
    stuck = report.state == EvaluationReport.State.RUNNING and report.started_at and report.started_at < timezone.now() - STALE_AFTER
    return render(request, "indicators/report_detail.html", {
        "plan": plan, "report": report, "can_freeze": can_freeze, "stuck": stuck,
        "working": report.state in (EvaluationReport.State.PENDING, EvaluationReport.State.RUNNING) and not stuck,
        "totals": [(code, translated(STATUS_LABELS[code]), n) for code, n in report.snapshot.get("totals", {}).items() if n],
        "narrative": sorted((report.narrative or {}).items(), key=lambda kv: kv[0] != "总体"),
    })


@login_required
@require_POST
def report_regenerate(request, code, pk):
    """Retry a failed generation, or regenerate after editing the narrative. Same snapshot."""
    plan = get_object_or_404(Plan.objects.reviewable_by(request.user), code=code)
    with transaction.atomic():
        report = get_object_or_404(plan.reports.select_for_update(), pk=pk)
        narrative = {key[len("narrative-"):]: value.strip()[:5000] for key, value in request.POST.items()
                     if key.startswith("narrative-")}
        if narrative:
            report.narrative = {**(report.narrative or {}), **narrative}
        _queue(request, report)
    messages.success(request, _("已重新生成评估报告。"))
    return redirect("report_detail", code=plan.code, pk=report.pk)


@login_required
def report_download(request, code, pk, fmt):
    plan = get_object_or_404(Plan.objects.visible_to(request.user), code=code)
    report = get_object_or_404(plan.reports, pk=pk, state=EvaluationReport.State.DONE)
    field = {"xlsx": report.xlsx, "docx": report.docx}.get(fmt)
    if not field:
        raise Http404
    filename = f"{plan.code}-{report.year}年{report.get_kind_display()}.{fmt}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename)
