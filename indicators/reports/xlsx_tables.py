"""Evaluation tables as .xlsx. Every cell is text or a number, never a formula.

`write_evaluation` (the evaluation page's export, any number of rows) streams in openpyxl's
write-only mode so memory does not grow with the rows; `write_report_workbook` (a frozen report:
one plan, a few dozen rows) uses a normal workbook for what a filed table needs — merged title,
number formats, column widths, frozen header, A4 landscape print set-up, a totals sheet.

Figures are numbers in both, through `core.figures.put_figure`: a baseline or value shown with the
decimals it was printed or reported with (36.70 → 0.00), shares of completion as 0.0%, years as 0,
never -0. Units stay in their own column (计量单位): a value of 38.57 % is the number 38.57."""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.figures import figure_places, put_figure, xlsx_figure
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


SHARE = "0.0%"
YEAR = "0"
# HEADERS index → the number format of its figures (FIGURE: the figure's own precision)
FIGURE = object()
EVALUATION_FORMATS = {6: FIGURE, 8: FIGURE, 9: YEAR, 10: SHARE, 11: SHARE}


def _share(value):
    return "" if value is None else round(value, 4) + 0.0  # + 0.0: never -0


def evaluation_row(region_name, indicator, result):
    """One row in HEADERS order; the figure columns hold the figure as printed or reported (text),
    made a number with its format by `write_evaluation`."""
    target = "；".join(f"{t.year}年 {t.raw}" for t in indicator.targets.all() if t.raw)
    return [
        neutralise(region_name), neutralise(indicator.category), neutralise(indicator.number), neutralise(indicator.name),
        neutralise(indicator.unit), indicator.get_attribute_display() if indicator.attribute else "",
        indicator.baseline_raw or "", neutralise(target),
        (result.value or "") if result else "", result.value_year if result and result.value_year else "",
        _share(result.completion) if result else "",
        _share(result.time_progress) if result else "",
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
        places = figure_places(row[6], row[7], row[8])  # the indicator's precision, or more if reported so
        for index, fmt in EVALUATION_FORMATS.items():
            value = row[index]
            if value in ("", None):
                continue
            cell = WriteOnlyCell(sheet)
            if fmt is FIGURE:
                put_figure(cell, value, places, text=neutralise)
            else:
                cell.value, cell.number_format = value, fmt
            row[index] = cell
        sheet.append(row)
    target = out or io.BytesIO()
    workbook.save(target)
    return None if out is not None else target.getvalue()


# ----- the report's workbook: a filed table, so print set-up and number formats matter ---------
REPORT_COLUMNS = [  # (header, width in characters, number format; FIGURE: the figure's own; None: text)
    ("序号", 6, None), ("类别", 12, None), ("指标", 34, None), ("计量单位", 10, None), ("指标属性", 8, None),
    ("基期值", 12, FIGURE), ("目标值", 26, None), ("实际值", 12, FIGURE), ("数值年份", 9, YEAR),
    ("累计降低率", 11, "0.00\"%\""), ("完成进度", 10, SHARE), ("序时进度", 10, SHARE), ("状态", 12, None),
    ("约束性未完成", 8, None), ("数据未更新", 8, None), ("示例数据", 8, None), ("责任部门", 16, None),
    ("判定依据", 60, None),
]
HEADER_ROW = 3  # title, note, header


def as_figure(text):
    """A figure printed as text ("36.70", "1,200") without its thousands separators, for
    `put_figure`; anything else unchanged (it stays text)."""
    if text is None or isinstance(text, (int, float)):
        return text
    cleaned = str(text).strip().replace(",", "").replace("，", "")
    return cleaned if xlsx_figure(cleaned)[1] is not None else text


def _report_row(r):
    return [
        neutralise(r["number"]), neutralise(r["category"]), neutralise(("其中：" if r.get("parent_key") else "") + r["name"]),
        neutralise(r["unit"]), r["attribute"], as_figure(r["baseline"]) if r["baseline"] else None, neutralise(r["target"]),
        as_figure(r["value"]) if r["value"] not in (None, "") else None, r["value_year"],
        r.get("cumulative_rate") if r.get("is_rate") else None, r["completion"], r["time_progress"],
        _status_label(r["status"]) + ("（约束性未完成）" if r["binding_failed"] else ""), "是" if r["binding_failed"] else "",
        "是" if r.get("stale") else "", "是" if r.get("synthetic") else "", neutralise(r["responsible"]),
        neutralise("；".join(line for line in (r["explanation"] or "").splitlines() if line.strip())),
    ]


def _status_label(code):
    from indicators.evaluation import STATUS_LABELS

    return STATUS_LABELS[code]


def _print_setup(sheet, title_rows):
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_report_workbook(title, data, *, verdict, synthetic_note=""):
    """评估结果 (one row per indicator, sub-rows under their parent) and 汇总 (counts, the
    verdict). Numbers are numbers with number formats; A4 landscape with the title rows repeated."""
    from openpyxl.styles import Alignment, Border, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评估结果"
    mark = "（含示例数据）" if synthetic_note else ""
    sheet.append([neutralise(f"{title}（{data['year']}年）{mark}")])
    sheet.append([neutralise(synthetic_note or f"冻结时间：{data['frozen_at'][:16].replace('T', ' ')}")])
    sheet.append([h for h, _, _ in REPORT_COLUMNS])
    last = get_column_letter(len(REPORT_COLUMNS))
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    if synthetic_note:
        sheet["A2"].font = Font(bold=True, color="C00000")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = border
    for r in data["rows"]:
        sheet.append(_report_row(r))
        places = figure_places(as_figure(r["baseline"]), r["target"], as_figure(r["value"]))
        for cell, (_, _, fmt) in zip(sheet[sheet.max_row], REPORT_COLUMNS):
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if fmt is FIGURE:
                put_figure(cell, cell.value, places, text=neutralise)
            elif fmt and isinstance(cell.value, (int, float)):
                cell.value, cell.number_format = cell.value + 0, fmt  # + 0: never -0
    for n, (_, width, _) in enumerate(REPORT_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = f"D{HEADER_ROW + 1}"
    _print_setup(sheet, f"1:{HEADER_ROW}")

    totals = workbook.create_sheet("汇总")
    summary = data["summary"]
    totals.append([neutralise(f"{title}（{data['year']}年）汇总{mark}")])
    totals.append([neutralise(synthetic_note)] if synthetic_note else ["按规划序号计数；共用目标的子指标按一项计。"])
    totals.append(["项目", "数值"])
    rows = [("指标总数（项）", summary["indicators"], "0"), ("约束性指标（项）", summary["binding"], "0"),
            ("约束性指标已完成（项）", summary["binding_met"], "0"),
            ("约束性指标完成率", summary["binding_met"] / summary["binding"] if summary["binding"] else None, "0.0%")]
    rows += [(f"{_status_label(code)}（项）", n, "0") for code, n in summary["by_status"].items()]
    rows += [("评估结论", neutralise(verdict), None)]
    for label, value, fmt in rows:
        totals.append([label, value])
        cell = totals.cell(totals.max_row, 2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if fmt and isinstance(value, (int, float)):
            cell.number_format = fmt
    for cell in totals[HEADER_ROW]:
        cell.font = Font(bold=True)
    totals["A1"].font = Font(bold=True, size=14)
    totals.column_dimensions["A"].width, totals.column_dimensions["B"].width = 26, 70
    totals.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(totals, f"1:{HEADER_ROW}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
