"""评估报告: freezing a mid-term or final evaluation and writing it as .docx and .xlsx.

`freeze` copies the stored results into the report's snapshot, so later changes to values do
not alter a filed report, and drafts its paragraphs (drafting.py), which a reviewer edits with
`save_paragraphs`; `write_docx` / `write_xlsx` only read the snapshot and the paragraphs, so
regenerating the files is idempotent. The formats and their writers are listed in formats.py.

Reports are Chinese documents whatever language the person freezing or downloading them reads:
the snapshot and the files are made under `CHINESE` (translation.override("zh-hans")).
"""
import functools
from collections import Counter

from django.db import transaction
from django.utils import timezone, translation

from indicators.assignments.selectors import target_text
from indicators.evaluation import STATUS_LABELS, STATUSES
from indicators.models import EvaluationReport, EvaluationResult, IndicatorValue, targets_prefetch
from indicators.reports import drafting, docx_gbt9704 as gbt
from indicators.reports.xlsx_tables import write_report_workbook

CHINESE = "zh-hans"


def _in_chinese(function):
    """Run `function` with Chinese active (a fresh override per call: one shared instance would
    keep the previous language of whichever thread entered it last)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(CHINESE):
            return function(*args, **kwargs)
    return wrapper


KIND_LABELS = {"midterm": "中期评估", "final": "终期评估"}
SYNTHETIC_NOTE = "示例数据：本报告含系统生成的演示数值，不是真实填报数据，不得作为正式评估依据。"


def report_year(plan, kind):
    return plan.midterm_year if kind == "midterm" else plan.final_year


def plan_summary(plan, year):
    """一、总体情况: the plan's counts and verdict, exactly as the evaluation page and the API give them."""
    from indicators.results.selectors import plan_summary as summary_of_plan

    return summary_of_plan(plan, year)


def project_progress(plan, year):
    """三、重点工程进展: the key projects' summary as plain data."""
    from projects.models import Project
    from projects.summary import summary_for_plan

    summary = summary_for_plan(plan, as_of_year=year)
    names = dict(Project.objects.filter(pk__in=summary.stalled_ids).values_list("pk", "name"))
    return {"total": summary.total, "reported": summary.reported, "started": summary.started,
            "completed": summary.completed, "stalled": summary.stalled, "started_percent": summary.started_percent,
            "completed_percent": summary.completed_percent, "quantity_percent": summary.quantity_percent,
            "stalled_names": [names[pk] for pk in summary.stalled_ids if pk in names]}


@_in_chinese
def snapshot(plan, year):
    """The evaluation of every indicator of `plan` at `year`, as plain JSON-ready data."""
    results = {r.indicator_id: r for r in EvaluationResult.objects.filter(plan=plan, year=year)}
    values, synthetic = {}, set()
    for value in IndicatorValue.objects.filter(indicator__plan=plan, year__lte=year, state="approved").order_by("year"):
        values.setdefault(value.indicator_id, {})[str(value.year)] = value.display_value()
        if value.synthetic:
            synthetic.add(value.indicator_id)
    rows = []
    for indicator in plan.indicators.select_related("parent").prefetch_related(targets_prefetch("targets", "assignments")).order_by("order"):
        result = results.get(indicator.pk)
        rows.append({
            "key": indicator.key, "number": indicator.number, "category": indicator.category, "name": indicator.name,
            "parent_key": indicator.parent.key if indicator.parent_id else None,
            "unit": indicator.unit, "attribute": indicator.get_attribute_display() if indicator.attribute else "",
            "binding": indicator.effective_attribute == "binding", "responsible": indicator.responsible_raw,
            "baseline": indicator.baseline_raw, "is_rate": indicator.is_rate,
            "target": "；".join(f"{t.year}年 " + (target_text(t, indicator) if t.kind == "assigned" else t.raw)
                               for t in indicator.targets.all() if t.raw),
            "values": values.get(indicator.pk, {}), "synthetic": indicator.pk in synthetic,
            "value": result.value if result else "", "value_year": result.value_year if result else None,
            "completion": result.completion if result else None, "time_progress": result.time_progress if result else None,
            "cumulative_rate": result.cumulative_rate if result else None, "stale": bool(result and result.stale),
            "status": result.status if result else "no_data", "binding_failed": bool(result and result.binding_failed),
            "forecast": result.forecast_label if result else "", "explanation": result.explanation if result else "",
        })
    totals = Counter(r["status"] for r in rows)
    binding = Counter(r["status"] for r in rows if r["binding"])
    return {
        "plan": {"code": plan.code, "title": plan.title, "region": plan.region.name, "base_year": plan.base_year,
                 "milestone_years": plan.milestone_years, "final_year": plan.final_year},
        "year": year, "frozen_at": timezone.now().isoformat(), "rows": rows,
        "totals": {code: totals.get(code, 0) for code in STATUSES},
        "binding_totals": {code: binding.get(code, 0) for code in STATUSES},
        "summary": plan_summary(plan, year), "projects": project_progress(plan, year),
        "synthetic_values": bool(synthetic) or IndicatorValue.objects.filter(
            indicator__plan=plan, year__lte=year, synthetic=True).exists(),
    }


def default_narrative(data):
    """The drafted paragraphs (drafting.PARAGRAPHS), which the reviewer edits before filing."""
    return drafting.draft(data)


def unresolved(plan, year):
    """What a final report would freeze undecided: indicators 待评价 / 无数据 / 待下达 at `year`."""
    results = {r.indicator_id: r.status for r in EvaluationResult.objects.filter(plan=plan, year=year)}
    return [(i, STATUS_LABELS[results.get(i.pk, "no_data")]) for i in plan.indicators.order_by("order")
            if results.get(i.pk, "no_data") in drafting.UNRESOLVED]


def freeze(plan, kind, user, *, refreeze=False):
    """Create (or, with `refreeze`, retake) the report of `kind` with a fresh snapshot and drafted
    paragraphs. Returns (report, changed); the caller queues the file generation when changed."""
    year = report_year(plan, kind)
    with transaction.atomic():
        report, created = EvaluationReport.objects.select_for_update().get_or_create(
            plan=plan, kind=kind, year=year, defaults={"created_by": user})
        if not (created or refreeze):
            return report, False
        report.snapshot = snapshot(plan, year)
        report.narrative = default_narrative(report.snapshot)
        report.synthetic = report.snapshot["synthetic_values"]
        report.save()
    return report, True


def save_paragraphs(report, edited):
    """Store a reviewer's edits of the drafted paragraphs (only the known keys; at most 5000
    characters each; an emptied paragraph goes back to its draft)."""
    narrative = dict(report.narrative or {})
    drafts = drafting.draft(report.snapshot) if report.snapshot.get("summary") else {}
    for key in drafting.PARAGRAPHS:
        if key in edited:
            text = str(edited[key]).replace("\r\n", "\n").strip()[:5000]
            narrative[key] = text or drafts.get(key, "")
    report.narrative = narrative
    report.save(update_fields=["narrative"])
    return report


def _ensure_summary(data):
    """Reports frozen before the summary was kept: recount it from their rows (top-level ones)."""
    if data.get("summary"):
        return data
    top = [r for r in data["rows"] if not r.get("parent_key")]
    by_status = Counter(r["status"] for r in top)
    binding = [r for r in top if r["binding"]]
    return {**data, "projects": data.get("projects") or {},
            "summary": {"indicators": len(top), "binding": len(binding),
                        "binding_met": sum(r["status"] == "met" for r in binding), "by_status": dict(by_status),
                        "grade": "pending", "grade_provisional": True, "grade_reason": "冻结时未记录评估结论。"}}


# ----- .docx ---------------------------------------------------------------------------------
def actual_value(row):
    """实际值（年份） as Chinese reports print it: rates as the cumulative reduction R_k."""
    if row.get("is_rate") and row.get("cumulative_rate") is not None:
        text = f"累计下降{drafting.number(row['cumulative_rate'])}%"
    elif row.get("value") not in (None, ""):
        text = str(row["value"])
    else:
        return "—"
    return text + (f"（{row['value_year']}年）" if row.get("value_year") else "")


def status_text(row):
    return STATUS_LABELS[row["status"]] + ("（约束性未完成）" if row["binding_failed"] else "")


def table_cells(row):
    """One row of 二、指标完成情况 in gbt.TABLE_COLUMNS order."""
    name = ("　其中：" if row.get("parent_key") else "") + row["name"]
    value = actual_value(row) + ("（示例数据）" if row.get("synthetic") else "")
    return [row["number"], name, row["unit"], row["attribute"], row["baseline"] or "—", row["target"] or "—", value,
            drafting.percent(row["completion"]) if row["completion"] is not None else "—", status_text(row),
            row["responsible"]]


def docx_context(report, data):
    paragraphs = {key: drafting.paragraph(report.narrative, data, key) for key in drafting.PARAGRAPHS}
    synthetic = bool(data.get("synthetic_values"))
    return {
        "title": f"{data['plan']['title']}{KIND_LABELS[report.kind]}报告", "issuer": paragraphs["issuer"],
        "date": paragraphs["date"], "region": data["plan"]["region"], "plan_title": data["plan"]["title"],
        "kind": KIND_LABELS[report.kind], "year": data["year"], "synthetic": synthetic,
        "synthetic_note": "示例数据" if synthetic else "",
    }, paragraphs


@_in_chinese
def write_docx(report, template=None):
    """The Word report a county files (GB/T 9704), in `template` (bytes), the county's uploaded
    template, or the default one."""
    data = _ensure_summary(report.snapshot)
    context, paragraphs = docx_context(report, data)
    if template is None:
        template = county_template(report.plan.region)

    def body(document):
        if context["synthetic"]:
            gbt.synthetic_note(document, SYNTHETIC_NOTE)
        gbt.heading1(document, "一、总体情况")
        gbt.body_text(document, paragraphs["overall"])
        gbt.heading1(document, "二、指标完成情况")
        gbt.body_text(document, f"截至{data['year']}年各项指标完成情况见下表（降低率类指标按累计降低幅度列示）。")
        gbt.indicator_table(document, [(table_cells(r), {"synthetic": r.get("synthetic")}) for r in data["rows"]])
        gbt.heading1(document, "三、重点工程进展")
        gbt.body_text(document, paragraphs["projects"])
        gbt.heading1(document, "四、存在问题")
        gbt.body_text(document, paragraphs["problems"])
        gbt.heading1(document, "五、下一步建议")
        gbt.body_text(document, paragraphs["suggestions"])
        gbt.blank_line(document)
        gbt.body_text(document, "附件：判定依据")  # 附件说明, after the body and before the signature

    def attachment(document):
        gbt.page_break(document)
        gbt.attachment_title(document, "判定依据")
        categories = list(dict.fromkeys(r["category"] or "其他" for r in data["rows"]))
        for n, category in enumerate(categories):
            gbt.heading2(document, f"（{CHINESE_NUMERALS[n] if n < len(CHINESE_NUMERALS) else n + 1}）{category}")
            for r in (r for r in data["rows"] if (r["category"] or "其他") == category):
                lines = [line for line in (r["explanation"] or "").splitlines() if line.strip()]
                gbt.body_text(document, f"{r['number'] or r['key']} {r['name']}（{status_text(r)}）："
                                        + ("；".join(lines).rstrip("。") if lines else "无判定记录") + "。")

    return gbt.render(context, {"body": body, "attachment": attachment}, template)


CHINESE_NUMERALS = "一二三四五六七八九十"


def county_template(region):
    """The .docx template uploaded for `region`, or None for the default."""
    from indicators.models import ReportTemplate

    template = ReportTemplate.objects.filter(region=region).first()
    if template is None or not template.file:
        return None
    with template.file.open("rb") as handle:
        return handle.read()


def store_template(region, content, user):
    """Keep a county's uploaded template after checking its placeholders; returns the problems
    found (nothing stored then)."""
    from django.core.files.base import ContentFile

    from indicators.models import ReportTemplate

    problems = gbt.template_problems(content)
    if problems:
        return problems
    with transaction.atomic():
        template, _ = ReportTemplate.objects.select_for_update().get_or_create(region=region, defaults={"uploaded_by": user})
        if template.file:
            template.file.delete(save=False)
        template.uploaded_by = user
        template.file.save(f"{region.code}-report-template.docx", ContentFile(content), save=False)
        template.save()
    return []


def remove_template(region):
    from indicators.models import ReportTemplate

    for template in ReportTemplate.objects.filter(region=region):
        if template.file:
            template.file.delete(save=False)
        template.delete()


# ----- .xlsx ---------------------------------------------------------------------------------
@_in_chinese
def write_xlsx(report):
    data = _ensure_summary(report.snapshot)
    title = f"{data['plan']['title']}{KIND_LABELS[report.kind]}"
    return write_report_workbook(title, data, verdict=drafting.verdict(data["summary"]),
                                 synthetic_note=SYNTHETIC_NOTE if data.get("synthetic_values") else "")
