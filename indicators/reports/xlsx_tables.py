"""Evaluation tables as .xlsx, written in openpyxl's write-only (streaming) mode so memory does
not grow with the number of rows. Every cell is text or a number, never a formula."""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicators.entry.xlsx import neutralise

HEADERS = ["行政区划", "类别", "序号", "指标", "计量单位", "指标属性", "基期值", "目标", "评价年份数值", "数值年份",
           "完成进度", "序时进度", "状态", "约束性指标未完成", "预计", "判定依据"]


def _row(sheet, values, bold=False):
    if bold:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
    else:
        sheet.append(values)


def evaluation_row(region_name, indicator, result):
    target = "；".join(f"{t.year}年 {t.raw}" for t in indicator.targets.all() if t.raw)
    return [
        neutralise(region_name), neutralise(indicator.category), neutralise(indicator.number), neutralise(indicator.name),
        neutralise(indicator.unit), indicator.get_attribute_display() if indicator.attribute else "",
        neutralise(indicator.baseline_raw), neutralise(target),
        neutralise(result.value) if result else "", result.value_year if result and result.value_year else "",
        round(result.completion, 4) if result and result.completion is not None else "",
        round(result.time_progress, 4) if result else "",
        result.status_label if result else "无数据", "是" if result and result.binding_failed else "",
        result.forecast_label if result else "", neutralise(result.explanation) if result else "",
    ]


def write_evaluation(title, year, rows, out=None):
    """`rows`: an iterable of lists in HEADERS order (a generator keeps memory flat). Returns bytes
    or writes to the file object `out`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("评估结果")
    _row(sheet, [f"{title}（{year}年）"], bold=True)
    _row(sheet, HEADERS, bold=True)
    for row in rows:
        sheet.append(row)
    target = out or io.BytesIO()
    workbook.save(target)
    return None if out is not None else target.getvalue()
