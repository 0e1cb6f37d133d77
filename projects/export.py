"""The project list as an .xlsx workbook. Every cell is typed text or a number, and text that a
spreadsheet could take for a formula (= + - @, tab, CR) is prefixed with ' so it stays text.
Investments are numbers shown with their own decimals and years as years (`core.figures`)."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.figures import put_figure

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = [
    ("规划编码", 18), ("行政区划", 10), ("专栏", 8), ("专栏标题", 22), ("小标题", 16), ("工程名称", 30), ("建设内容（原文）", 60),
    ("所在县（市、区）", 16), ("责任单位（原文）", 16), ("责任部门", 16), ("工程量", 40), ("计划投资（万元）", 12),
    ("计划开工年份", 10), ("计划完工年份", 10), ("当前状态", 10), ("最近进展年份", 10), ("最近进展状态", 10),
    ("审核状态", 10), ("累计完成投资（万元）", 12), ("服务的指标", 20),
]


def safe_text(value):
    """Text that cannot run as a formula: a leading = + - @ tab or CR gets a ' in front."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


# column → decimals of its numbers: None for an investment's own, 0 for a year
FIGURES = {HEADERS.index((title, width)) + 1: places for title, width, places in (
    ("计划投资（万元）", 12, None), ("累计完成投资（万元）", 12, None),
    ("计划开工年份", 10, 0), ("计划完工年份", 10, 0), ("最近进展年份", 10, 0),
)}


def project_row(project):
    latest = max(project.all_progress, key=lambda r: r.year) if project.all_progress else None
    quantities = "；".join(f"{q.measure} {q.display_amount()}" for q in project.quantities.all())
    return [
        safe_text(project.plan.code), safe_text(project.plan.region.name), safe_text(f"专栏{project.box.number}"),
        safe_text(project.box.title), safe_text(project.group), safe_text(project.name), safe_text(project.content),
        safe_text("、".join(c.name for c in project.counties.all())), safe_text(project.responsible),
        safe_text(project.bureau.name if project.bureau_id else ""), safe_text(quantities), project.investment_wan,
        project.start_year, project.end_year, safe_text(project.get_status_display()),
        latest.year if latest else None, safe_text(latest.get_status_display() if latest else ""),
        safe_text(latest.state_label if latest else ""), latest.investment_done if latest else None,
        safe_text("、".join(f"{i.number or i.key} {i.name}" for i in project.indicators.all())),
    ]


def write_projects(projects):
    """Bytes of a workbook listing `projects` (prefetched: counties, quantities, indicators, all_progress)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "重点工程"
    header_fill = PatternFill("solid", fgColor="EEF2F7")
    for column, (title, width) in enumerate(HEADERS, 1):
        cell = ws.cell(row=1, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        ws.column_dimensions[get_column_letter(column)].width = width
    for row_index, project in enumerate(projects, 2):
        for column, value in enumerate(project_row(project), 1):
            if column in FIGURES:
                put_figure(ws.cell(row=row_index, column=column), value, FIGURES[column])
                continue
            cell = ws.cell(row=row_index, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
