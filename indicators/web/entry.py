"""Yearly entry by a bureau: the form grid, its .xlsx twin, and evidence files.

Thin views: they read the request into `EntryInput`s, call `save_entries`, and render. Scope
comes from `Indicator.objects.editable_by(user)` inside the domain calls.
"""
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import role_required
from core.security import int_or
from reporting.evidence import EvidenceRejected, attach, check_evidence, check_quotas
from reporting.submission import period_for

from indicators.entry.selectors import entry_grid
from indicators.entry.xlsx import read_entry_form, write_entry_form
from indicators.models import Indicator, Plan
from indicators.entry.services import EntryInput, SubmissionRejected, save_entries
from indicators.web.plans import xlsx_response
from indicators.plans.xlsx import WorkbookRejected

ENTRY_FIELDS = ("raw", "judgement", "source", "note", "explanation", "rate_mode")


def _plan_for_entry(user, code):
    """A plan the user has at least one indicator to report in; anything else is 404."""
    plan = get_object_or_404(Plan.objects.visible_to(user).select_related("region"), code=code)
    if not Indicator.objects.editable_by(user).filter(plan=plan).exists():
        raise Http404
    return plan


def _check_year(plan, year):
    if not (plan.first_year <= year <= plan.final_year):
        raise Http404


def _items_from_post(post, rows):
    items, typed = [], {}
    for row in rows:
        prefix = f"i{row.indicator.pk}-"
        if not any(k.startswith(prefix) for k in post):
            continue
        data = {name: post.get(prefix + name, "") for name in ENTRY_FIELDS}
        version = post.get(prefix + "version", "")
        typed[row.indicator.pk] = {**data, "version": int_or(version, 0)}
        if not row.editable:
            continue
        items.append(EntryInput(
            indicator_id=row.indicator.pk, version=typed[row.indicator.pk]["version"],
            label=f"{row.indicator.number or row.indicator.key} {row.indicator.name}", **data,
        ))
    return items, typed


def _evidence_from_files(files, rows):
    """indicator id → checked files; raises EvidenceRejected naming the indicator and file."""
    checked = {}
    for row in rows:
        for upload in files.getlist(f"i{row.indicator.pk}-evidence"):
            try:
                checked.setdefault(row.indicator.pk, []).append(check_evidence(upload))
            except EvidenceRejected as exc:
                raise EvidenceRejected(f"「{row.indicator.name}」：{exc}") from None
    return checked


@role_required("staff")
@require_http_methods(["GET", "POST"])
def entry_form(request, code, year):
    plan = _plan_for_entry(request.user, code)
    _check_year(plan, year)
    rows = entry_grid(request.user, plan, year)
    period = period_for(plan, year)
    status, form_errors = 200, []
    if request.method == "POST":
        items, typed = _items_from_post(request.POST, rows)
        submit = request.POST.get("action") == "submit"
        try:
            evidence = _evidence_from_files(request.FILES, rows)
            with transaction.atomic():
                saved = save_entries(request.user, plan, year, items, submit=submit)
                unattached = set(evidence) - {value.indicator_id for value in saved}
                if unattached:  # a file for a row left blank or locked would be lost without a word
                    row = next(r for r in rows if r.indicator.pk in unattached)
                    raise EvidenceRejected(f"「{row.indicator.name}」：佐证材料只能附在本次填写且可修改的数据上，请先填写数值。")
                check_quotas([(value, evidence.get(value.indicator_id, [])) for value in saved], request.user)
                for value in saved:
                    for checked in evidence.get(value.indicator_id, []):
                        attach(value, checked, request.user)
        except (SubmissionRejected, EvidenceRejected) as exc:
            errors = getattr(exc, "errors", None) or []
            by_indicator = {}
            for error in errors:
                if 0 <= error.index < len(items):
                    by_indicator.setdefault(items[error.index].indicator_id, []).append(error.message)
                else:
                    form_errors.append(error.message)
            if not errors:
                form_errors.append(str(exc))
            for row in rows:
                row.typed = typed.get(row.indicator.pk, {})
                row.errors = by_indicator.get(row.indicator.pk, [])
            status = 400
        else:
            if submit:
                messages.success(request, _("已提交 %(count)d 项，等待生态环境部门审核。") % {"count": len(saved)})
            else:
                messages.success(request, _("已保存草稿 %(count)d 项。") % {"count": len(saved)})
            return redirect("entry_form", code=plan.code, year=year)
    context = {"plan": plan, "year": year, "rows": rows, "period": period, "form_errors": form_errors,
               "rejected": status == 400, "max_mb": settings.EVIDENCE_MAX_BYTES // 1024 // 1024,
               "any_editable": any(row.editable for row in rows)}
    return render(request, "indicators/entry_form.html", context, status=status)


@role_required("staff")
def entry_download(request, code, year):
    plan = _plan_for_entry(request.user, code)
    _check_year(plan, year)
    rows = entry_grid(request.user, plan, year)
    return xlsx_response(write_entry_form(plan, year, rows), f"{plan.code}-{year}年填报表.xlsx")


@role_required("staff")
@require_http_methods(["POST"])
def entry_upload(request, code, year):
    plan = _plan_for_entry(request.user, code)
    _check_year(plan, year)
    rows = entry_grid(request.user, plan, year)
    upload = request.FILES.get("file")
    errors = []
    if upload is None:
        errors = [_("请选择要上传的 .xlsx 文件。")]
    else:
        try:
            items, errors = read_entry_form(upload.read(settings.PLAN_IMPORT_MAX_BYTES + 1), rows, settings.PLAN_IMPORT_MAX_BYTES)
            if not errors:
                saved = save_entries(request.user, plan, year, items, submit=request.POST.get("action") == "submit")
                messages.success(request, _("已从表格导入 %(count)d 项。") % {"count": len(saved)})
                return redirect("entry_form", code=plan.code, year=year)
        except WorkbookRejected as exc:
            errors = [str(exc)]
        except SubmissionRejected as exc:
            errors = [e.message if e.index < 0 else f"第 {items[e.index].label} 行：{e.message}" for e in exc.errors]
    period = period_for(plan, year)
    context = {"plan": plan, "year": year, "rows": rows, "period": period, "form_errors": errors,
               "max_mb": settings.EVIDENCE_MAX_BYTES // 1024 // 1024, "any_editable": any(row.editable for row in rows)}
    return render(request, "indicators/entry_form.html", context, status=400)

