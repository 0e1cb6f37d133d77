"""下达目标 for all counties at once as an .xlsx: the template a city reviewer downloads (one row
per county, target year and sub-row) and the same sheet filled in and uploaded.

Each row carries its key (t<target>[-i<sub-row>]) and version, so a reordered or trimmed sheet
still maps; errors name the sheet row. Numbers are written as numbers, user text as text.
"""
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.figures import put_figure
from core.security import int_or

from indicators.assignments.services import AssignmentInput
from indicators.entry.xlsx import neutralise, read_form_sheet, unneutralise
from indicators.plans.xlsx import _text_cell, cell_text

SHEET = "下达目标"
HEADERS = ["行键", "县（区）", "指标", "子项", "计量单位", "目标年", "原文", "下达数值", "下达文件（文号）", "下达日期", "版本"]
_FIRST_ROW = 4
_KEY = re.compile(r"^t(\d+)(?:-i(\d+))?$")


def write_assignments(region, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _text_cell(ws, 1, 1, f"{region.name} 下达目标录入表", font=Font(bold=True, size=13))
    _text_cell(ws, 2, 1, "请只填写「下达数值」「下达文件（文号）」「下达日期」（YYYY-MM-DD）列；不要修改行键和版本。",
               font=Font(italic=True))
    for col, header in enumerate(HEADERS, start=1):
        _text_cell(ws, 3, col, header, font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE6F0"))
    for offset, row in enumerate(rows):
        r = _FIRST_ROW + offset
        target, assignment = row.target, row.assignment
        cells = [row.key, target.indicator.plan.region.name, f"{target.indicator.number} {target.indicator.name}".strip(),
                 row.indicator.name if row.indicator is not None else "", row.row_indicator.unit, str(target.year),
                 target.raw]
        for col, text in enumerate(cells, start=1):
            _text_cell(ws, r, col, neutralise(text))
        if assignment is not None:
            put_figure(ws.cell(row=r, column=8), assignment.value)  # a number with its precision, not text
            _text_cell(ws, r, 9, neutralise(assignment.document))
            _text_cell(ws, r, 10, assignment.document_date.isoformat() if assignment.document_date else "")
        _text_cell(ws, r, 11, str(assignment.version if assignment else 0))
    for col, width in zip("ABCDEFGHIJK", (10, 10, 30, 18, 10, 8, 16, 10, 24, 12, 6)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_assignments(data, rows, max_bytes):
    """(items, errors): AssignmentInputs for the rows filled in, or errors naming sheet rows."""
    sheet = read_form_sheet(data, max_bytes, sheet=SHEET, headers=HEADERS, first_row=_FIRST_ROW, form_name="下达目标录入表")
    by_key = {row.key: row for row in rows}
    items, errors, seen = [], [], set()
    for number, cells in enumerate(sheet, start=_FIRST_ROW):
        raw_cells = list(cells) + [None] * len(HEADERS)
        texts = [unneutralise(cell_text(c)) for c in raw_cells[: len(HEADERS)]]
        if not any(texts):
            continue
        key, value, document, version = texts[0], texts[7], texts[8], texts[10]
        document_date = raw_cells[9].date().isoformat() if hasattr(raw_cells[9], "date") else texts[9]
        row = by_key.get(key)
        match = _KEY.match(key)
        if row is None or match is None:
            errors.append(f"第 {number} 行：行键「{key}」不是您可下达的目标。")
            continue
        if key in seen:
            errors.append(f"第 {number} 行：{row.label}重复出现。")
            continue
        seen.add(key)
        items.append(AssignmentInput(
            target_id=int(match.group(1)), indicator_id=int(match.group(2)) if match.group(2) else None,
            value=value, document=document, document_date=document_date, version=int_or(version, 0),
            label=f"第 {number} 行"))
    return items, errors
