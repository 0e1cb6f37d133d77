"""Evaluation reports: freeze (reviewers), edit the drafted paragraphs, follow generation,
download, retry; a county's own .docx template."""
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from reporting.tasks import enqueue

from core.labels import label as translated
from indicators.evaluation import STATUS_LABELS
from indicators.models import EvaluationReport, Plan, ReportTemplate
from indicators.reports import drafting, formats
from indicators.reports.docx_gbt9704 import PLACEHOLDERS, TEMPLATE_MAX_BYTES, default_template
from indicators.reports.services import (freeze, remove_template, report_year, save_paragraphs, store_template,
                                         unresolved)
from indicators.reports.tasks import STALE_AFTER, generate_report

# The paragraphs' labels on the page (indicators.reports.drafting.PARAGRAPHS keeps them in Chinese,
# as the report prints its headings); their text is the report's own, in Chinese.
gettext_noop("一、总体情况")
gettext_noop("三、重点工程进展")
gettext_noop("四、存在问题")
gettext_noop("五、下一步建议")
gettext_noop("发文机关署名")
gettext_noop("成文日期")
DOCX = formats.get("docx").content_type


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("评估类型"), choices=EvaluationReport.Kind.choices)


class TemplateForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("报告模板（.docx）"))


def _queue(request, report):
    report.task_token = uuid.uuid4()
    report.state, report.error, report.started_at, report.finished_at = EvaluationReport.State.PENDING, "", None, None
    report.save()
    token = str(report.task_token)
    transaction.on_commit(lambda: enqueue(generate_report, report.pk, token) or messages.info(
        request, _("后台服务暂时不可用，报告已排队，将在恢复后自动生成。")))


def _list_context(request, plan, form, **extra):
    return {"plan": plan, "reports": plan.reports.all(), "form": form,
            "can_freeze": Plan.objects.reviewable_by(request.user).filter(pk=plan.pk).exists(),
            "county_template": ReportTemplate.objects.filter(region=plan.region).first(),
            "template_form": TemplateForm(), "placeholders": [(name, translated(text)) for name, text in PLACEHOLDERS.items()], **extra}


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
                # A final report frozen with undecided items needs an explicit confirmation.
                pending = unresolved(plan, year) if kind == EvaluationReport.Kind.FINAL else []
                if pending and not request.POST.get("confirm"):
                    return render(request, "indicators/report_list.html", _list_context(
                        request, plan, form, confirm_kind=kind, confirm_year=year,
                        unresolved=[(indicator, translated(label)) for indicator, label in pending]))
                with transaction.atomic():
                    report, changed = freeze(plan, kind, request.user, refreeze=bool(request.POST.get("refreeze")))
                    if changed:
                        _queue(request, report)
                return redirect("report_detail", code=plan.code, pk=report.pk)
    return render(request, "indicators/report_list.html", _list_context(request, plan, form))


@login_required
def report_detail(request, code, pk):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    report = get_object_or_404(plan.reports, pk=pk)
    can_freeze = Plan.objects.reviewable_by(request.user).filter(pk=plan.pk).exists()
    stuck = report.state == EvaluationReport.State.RUNNING and report.started_at and report.started_at < timezone.now() - STALE_AFTER
    data = report.snapshot or {}
    narrative = report.narrative or {}
    paragraphs = [(key, translated(label), narrative.get(key, "")) for key, label in drafting.PARAGRAPHS.items()
                  if narrative.get(key) or data.get("summary")]
    summary = data.get("summary")
    return render(request, "indicators/report_detail.html", {
        "plan": plan, "report": report, "can_freeze": can_freeze, "stuck": stuck,
        "working": report.state in (EvaluationReport.State.PENDING, EvaluationReport.State.RUNNING) and not stuck,
        "totals": [(code, translated(STATUS_LABELS[code]), n) for code, n in data.get("totals", {}).items() if n],
        "summary": summary,
        "by_status": [(c, translated(STATUS_LABELS[c]), n) for c, n in (summary or {}).get("by_status", {}).items()],
        "paragraphs": paragraphs, "formats": formats.FORMATS.values(),
    })


@login_required
@require_POST
def report_regenerate(request, code, pk):
    """Retry a failed generation, or regenerate after editing the paragraphs. Same snapshot."""
    plan = get_object_or_404(Plan.objects.reviewable_by(request.user), code=code)
    with transaction.atomic():
        report = get_object_or_404(plan.reports.select_for_update(), pk=pk)
        edited = {key[len("narrative-"):]: value for key, value in request.POST.items() if key.startswith("narrative-")}
        if edited:
            save_paragraphs(report, edited)
        _queue(request, report)
    messages.success(request, _("已保存并重新生成评估报告。"))
    return redirect("report_detail", code=plan.code, pk=report.pk)


@login_required
def report_download(request, code, pk, fmt):
    plan = get_object_or_404(Plan.objects.visible_to(request.user), code=code)
    report = get_object_or_404(plan.reports, pk=pk, state=EvaluationReport.State.DONE)
    report_format = formats.get(fmt)
    field = getattr(report, report_format.field) if report_format else None
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=report_format.download_name(report),
                        content_type=report_format.content_type)


@login_required
def report_template(request, code):
    """GET: the .docx template this county's reports use (its own, or the default as a starting
    point). POST (reviewers): upload a template (checked for its placeholders) or remove it."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
    if request.method == "GET":
        template = ReportTemplate.objects.filter(region=plan.region).first()
        if template and template.file and request.GET.get("default") != "1":
            return FileResponse(template.file.open("rb"), as_attachment=True, content_type=DOCX,
                                filename=f"{plan.region.name}报告模板.docx")
        response = HttpResponse(default_template(), content_type=DOCX)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''report-template-gbt9704.docx"
        return response
    if not Plan.objects.reviewable_by(request.user).filter(pk=plan.pk).exists():
        raise Http404
    if request.POST.get("remove"):
        remove_template(plan.region)
        messages.success(request, _("已删除本地报告模板，今后按默认模板生成。"))
        return redirect("report_list", code=plan.code)
    form = TemplateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的 .docx 模板文件。"))
        return redirect("report_list", code=plan.code)
    upload = form.cleaned_data["file"]
    if upload.size > TEMPLATE_MAX_BYTES:
        messages.error(request, _("模板文件过大（不超过 5 MB）。"))
        return redirect("report_list", code=plan.code)
    problems = store_template(plan.region, upload.read(), request.user)
    if problems:
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("已上传报告模板：重新生成的报告将使用该模板。"))
    return redirect("report_list", code=plan.code)
