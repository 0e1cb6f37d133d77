"""评估报告: freezing a mid-term or final evaluation and writing it as .xlsx and .docx.

`freeze` copies the stored results into the report's snapshot, so later changes to values do
not alter a filed report; `write_xlsx` / `write_docx` only read that snapshot, so regenerating
the files is idempotent.
"""
import io
from collections import Counter

from django.utils import timezone

from indicators.assignments.selectors import target_text
from indicators.evaluation import STATUS_LABELS, STATUSES
from indicators.reports.xlsx_tables import write_evaluation
from indicators.models import EvaluationResult, IndicatorValue

KIND_LABELS = {"midterm": "中期评估", "final": "终期评估"}


def report_year(plan, kind):
    return plan.midterm_year if kind == "midterm" else plan.final_year


def snapshot(plan, year):
    """The evaluation of every indicator of `plan` at `year`, as plain JSON-ready data."""
    results = {r.indicator_id: r for r in EvaluationResult.objects.filter(plan=plan, year=year)}
    values = {}
    for value in IndicatorValue.objects.filter(indicator__plan=plan, year__lte=year, state="approved").order_by("year"):
        values.setdefault(value.indicator_id, {})[str(value.year)] = value.display_value()
    rows = []
    for indicator in plan.indicators.prefetch_related("targets__assignments").order_by("order"):
        result = results.get(indicator.pk)
        rows.append({
            "key": indicator.key, "number": indicator.number, "category": indicator.category, "name": indicator.name,
            "unit": indicator.unit, "attribute": indicator.get_attribute_display() if indicator.attribute else "",
            "binding": indicator.effective_attribute == "binding", "responsible": indicator.responsible_raw,
            "baseline": indicator.baseline_raw,
            "target": "；".join(f"{t.year}年 " + (target_text(t, indicator) if t.kind == "assigned" else t.raw)
                               for t in indicator.targets.all() if t.raw),
            "values": values.get(indicator.pk, {}),
            "value": result.value if result else "", "value_year": result.value_year if result else None,
            "completion": result.completion if result else None, "time_progress": result.time_progress if result else None,
            "status": result.status if result else "no_data", "binding_failed": bool(result and result.binding_failed),
            "forecast": result.forecast_label if result else "", "explanation": result.explanation if result else "",
        })
    totals = Counter(r["status"] for r in rows)
    binding = Counter(r["status"] for r in rows if r["binding"])
    return {
        "plan": {"code": plan.code, "title": plan.title, "region": plan.region.name, "base_year": plan.base_year,
                 "milestone_years": plan.milestone_years},
        "year": year, "frozen_at": timezone.now().isoformat(), "rows": rows,
        "totals": {code: totals.get(code, 0) for code in STATUSES},
        "binding_totals": {code: binding.get(code, 0) for code in STATUSES},
        "synthetic_values": IndicatorValue.objects.filter(indicator__plan=plan, year__lte=year, synthetic=True).exists(),
    }


def default_narrative(data):
    """A factual first draft per category and overall, which the reviewer edits."""
    by_category = {}
    for row in data["rows"]:
        by_category.setdefault(row["category"] or "其他", []).append(row)
    text = {}
    for category, rows in by_category.items():
        counts = Counter(r["status"] for r in rows)
        parts = "，".join(f"{STATUS_LABELS[c]} {counts[c]} 项" for c in STATUSES if counts.get(c))
        text[category] = f"{category}类共 {len(rows)} 项指标：{parts}。"
    totals, binding = data["totals"], data["binding_totals"]
    failed = [r["name"] for r in data["rows"] if r["binding_failed"]]
    overall = (f"截至 {data['year']} 年，规划共 {len(data['rows'])} 项指标，已完成 {totals['met']} 项，符合序时进度 {totals['on_track']} 项，"
               f"滞后 {totals['behind']} 项，逆向 {totals['regressing']} 项，未完成 {totals['not_met']} 项，无数据 {totals['no_data']} 项；"
               f"约束性指标已完成 {binding['met']} 项。")
    if failed:
        overall += "约束性指标未完成：" + "、".join(failed) + "。"
    text["总体"] = overall
    return text


def _xlsx_rows(data):
    region = data["plan"]["region"]
    for r in data["rows"]:
        yield [region, r["category"], r["number"], r["name"], r["unit"], r["attribute"], r["baseline"], r["target"],
               r["value"], r["value_year"] or "", round(r["completion"], 4) if r["completion"] is not None else "",
               round(r["time_progress"], 4) if r["time_progress"] is not None else "", STATUS_LABELS[r["status"]],
               "是" if r["binding_failed"] else "", r["forecast"], r["explanation"]]


def write_xlsx(report):
    from indicators.entry.xlsx import neutralise

    data = report.snapshot
    rows = ([neutralise(c) if isinstance(c, str) else c for c in row] for row in _xlsx_rows(data))
    title = f"{data['plan']['title']} {KIND_LABELS[report.kind]}"
    return write_evaluation(title, data["year"], rows)


def write_docx(report):
    """The Word report a bureau files: heading, overview, narrative, table per category."""
    from docx import Document
    from docx.shared import Pt

    data = report.snapshot
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    document.add_heading(f"{data['plan']['title']}{KIND_LABELS[report.kind]}报告", level=0)
    document.add_paragraph(f"评估年份：{data['year']} 年　基期：{data['plan']['base_year']} 年　"
                           f"目标年：{'、'.join(str(y) for y in data['plan']['milestone_years'])} 年")
    if data.get("synthetic_values"):
        document.add_paragraph("注意：本报告包含示例数据（系统生成的演示数值），不是真实填报数据。")
    narrative = report.narrative or {}
    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(narrative.get("总体", ""))
    document.add_heading("二、分类别评估", level=1)
    by_category = {}
    for row in data["rows"]:
        by_category.setdefault(row["category"] or "其他", []).append(row)
    for category, rows in by_category.items():
        document.add_heading(category, level=2)
        if narrative.get(category):
            document.add_paragraph(narrative[category])
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, ["序号", "指标", "基期值", "目标", "评估值", "状态"]):
            cell.text = header
        for r in rows:
            cells = table.add_row().cells
            status = STATUS_LABELS[r["status"]] + ("（约束性指标未完成）" if r["binding_failed"] else "")
            for cell, text in zip(cells, [r["number"], r["name"], r["baseline"], r["target"], str(r["value"] or "—"), status]):
                cell.text = text
    document.add_heading("三、判定依据", level=1)
    for r in data["rows"]:
        if r["explanation"]:
            document.add_paragraph(f"{r['number']} {r['name']}：" + "；".join(r["explanation"].splitlines()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

