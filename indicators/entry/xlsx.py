"""A bureau's yearly form as an .xlsx file, and the same file filled in and uploaded.

The workbook carries each row's indicator key so a reordered or trimmed sheet still maps
correctly; errors name the sheet row. Everything user-typed is written as text, never a formula;
a figure (基期值, 上年审核值, 本年数值) is a number shown with the decimals it was typed with, and
reads back as typed.
"""
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.figures import put_figure
from core.security import int_or

from indicators.entry.rules import JUDGEMENT_LABELS, JUDGEMENTS
from indicators.entry.services import EntryInput
from indicators.plans.xlsx import WorkbookRejected, _text_cell, cell_text, open_workbook, sheet_rows

SHEET = "年度填报"
HEADERS = ["行键", "序号", "指标", "计量单位", "基期值", "目标", "上年审核值", "本年数值", "完成情况（定性指标）",
           "数据来源", "备注", "变化说明", "版本"]
_FIRST_ROW = 4
FIGURE_COLUMNS = {HEADERS.index(h) + 1 for h in ("基期值", "上年审核值", "本年数值")}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """Text that a spreadsheet will not run as a formula (CSV/xlsx formula injection)."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unneutralise(text):
    """A cell of a downloaded form read back as it was before `neutralise`."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def write_entry_form(plan, year, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _text_cell(ws, 1, 1, f"{plan.region.name} {year} 年指标数据填报表（{plan.code}）", font=Font(bold=True, size=13))
    _text_cell(ws, 2, 1, "请只填写「本年数值」「完成情况」「数据来源」「备注」「变化说明」列；不要修改行键和版本。", font=Font(italic=True))
    for col, header in enumerate(HEADERS, start=1):
        _text_cell(ws, 3, col, header, font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE6F0"))
    judgement = DataValidation(type="list", formula1='"' + ",".join(JUDGEMENTS) + '"', allow_blank=True)
    ws.add_data_validation(judgement)
    for offset, row in enumerate(rows):
        r = _FIRST_ROW + offset
        indicator = row.indicator
        target = "；".join(f"{t.year}年 {t.raw}" for t in indicator.targets.all() if t.raw)
        value = row.value
        cells = [indicator.key, indicator.number, indicator.name, indicator.unit, indicator.baseline_raw, target,
                 row.previous.display_value() if row.previous else "",
                 value.raw if value else "", JUDGEMENT_LABELS.get(value.judgement, "") if value else "",
                 value.source if value else "", value.note if value else "", value.explanation if value else "",
                 str(value.version if value else 0)]
        for col, text in enumerate(cells, start=1):
            cell = _text_cell(ws, r, col, neutralise(text))
            if col in FIGURE_COLUMNS:
                put_figure(cell, text, text=neutralise)
        if indicator.value_type == "text":
            judgement.add(f"I{r}")
    for col, width in zip("ABCDEFGHIJKL", (6, 6, 34, 10, 10, 20, 12, 12, 14, 20, 20, 20)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "D4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_form_sheet(data, max_bytes, *, sheet, headers, first_row, form_name):
    """The rows from `first_row` of sheet `sheet` of a form this system wrote (its header, the row
    above, starts with `headers`), read now and bounded (plans.xlsx open_workbook, sheet_rows);
    WorkbookRejected naming `form_name` otherwise. The 下达目标 upload reads its sheet the same way."""
    wb = open_workbook(data, max_bytes)
    try:
        if sheet not in wb.sheetnames:
            raise WorkbookRejected(f"工作簿中没有「{sheet}」工作表，请使用本系统下载的{form_name}。")
        header_rows = sheet_rows(wb, sheet, max_col=len(headers), min_row=first_row - 1, max_row=first_row - 1)
        rows = sheet_rows(wb, sheet, max_col=len(headers), min_row=first_row)
    finally:
        wb.close()
    header = [cell_text(c) for c in (header_rows[0] if header_rows else ())]
    if header[: len(headers)] != headers:
        raise WorkbookRejected(f"表头与下载的{form_name}不一致，请使用本系统下载的{form_name}，不要增删列。")
    return rows


def read_entry_form(data, rows, max_bytes):
    """(items, errors): EntryInputs for the rows the user filled, or errors naming sheet rows."""
    sheet = read_form_sheet(data, max_bytes, sheet=SHEET, headers=HEADERS, first_row=_FIRST_ROW, form_name="填报表")
    by_key = {row.indicator.key: row for row in rows}
    items, errors, seen = [], [], set()
    for number, cells in enumerate(sheet, start=_FIRST_ROW):
        cells = [unneutralise(cell_text(c)) for c in cells] + [""] * len(HEADERS)
        key, raw, judgement_label, source, note, explanation, version = (cells[0], cells[7], cells[8], cells[9],
                                                                           cells[10], cells[11], cells[12])
        if not any(cells[:len(HEADERS)]):
            continue
        row = by_key.get(key)
        if row is None:
            errors.append(f"第 {number} 行：行键「{key}」不是您部门本年需填报的指标。")
            continue
        if key in seen:
            errors.append(f"第 {number} 行：指标「{row.indicator.name}」重复出现。")
            continue
        seen.add(key)
        if judgement_label and judgement_label not in JUDGEMENTS:
            errors.append(f"第 {number} 行「完成情况」：应为 完成、基本完成 或 未完成。")
            continue
        if not raw and not judgement_label:
            continue
        if not row.editable:
            continue
        items.append(EntryInput(
            indicator_id=row.indicator.pk, raw=raw, judgement=JUDGEMENTS.get(judgement_label, ""), source=source,
            note=note, explanation=explanation, version=int_or(version),
            label=str(number),
        ))
    return items, errors
