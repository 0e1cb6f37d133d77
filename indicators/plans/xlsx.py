"""The plan table as an .xlsx file in the published layout, and back.

The same workbook is the download and the upload template: sheet 指标体系 has the published
columns (类别, 序号, 指标, 计量单位, 基期现状, one column per milestone year, 指标属性, 责任部门),
then the bookkeeping columns the round trip needs (行键, 上级行键, 共用上级目标, 基期值年份, 注释);
notes stand below the table; sheet 规划信息 holds the plan's own fields. Cells are written as typed
text, never as formulas, so a cell beginning with = cannot execute; a baseline or target that is a
plain figure (36.70) is a number shown with the decimals it was printed with, and reads back so.
"""
import io
import re
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from core import uploads
from core.figures import put_figure, shown_text
from core.security import int_or

from indicators.plans.table import ATTRIBUTE_LABELS, IndicatorRow, PlanTable, TableError, gettext_noop

TABLE_SHEET = "指标体系"
INFO_SHEET = "规划信息"
MAX_UNCOMPRESSED = 50 * 1024 * 1024
_YEAR_TARGET = re.compile(r"^(\d{4})年(目标)?$")
_YEAR_BASE = re.compile(r"^(\d{4})年(现状)?$")
BOOKKEEPING = ["行键", "上级行键", "共用上级目标", "基期值年份", "注释"]
INFO_FIELDS = [
    ("code", "规划编码"), ("region_code", "区划代码"), ("region_name", "行政区划"), ("title", "规划名称"), ("title_note", "规划名称说明"),
    ("issuer", "印发单位"), ("issue_date", "印发日期"), ("base_year", "基期年"), ("milestone_years", "目标年"),
    ("midterm_year", "中期评估年"), ("vision_years", "远景年"), ("source_document", "来源文件"),
    ("parent_plan", "上级规划"), ("table_title", "指标表标题"), ("stated_indicator_count", "原文所述指标数"),
    ("stated_binding_count", "原文所述约束性指标数"), ("stated_expected_count", "原文所述预期性指标数"),
]


class WorkbookRejected(Exception):
    """The upload is not a workbook we can read at all (size, format, zip bomb)."""


def _text_cell(ws, row, column, value, **style):
    cell = ws.cell(row=row, column=column)
    cell.value = "" if value is None else value
    if isinstance(cell.value, str):
        cell.data_type = "s"
    for name, val in style.items():
        setattr(cell, name, val)
    return cell


def write_plan_table(table):
    """Bytes of an .xlsx workbook holding `table`."""
    wb = Workbook()
    ws = wb.active
    ws.title = TABLE_SHEET
    years = sorted(table.milestone_years)
    headers = ["类别", "序号", "指标", "计量单位", f"{table.base_year}年现状", *[f"{y}年目标" for y in years],
               "指标属性", "责任部门", *BOOKKEEPING]
    bold, thin = Font(bold=True), Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    _text_cell(ws, 1, 1, table.title, font=Font(bold=True, size=13))
    _text_cell(ws, 2, 1, table.table_title, font=bold)
    for col, header in enumerate(headers, start=1):
        fill = PatternFill("solid", fgColor="DDE6F0" if header not in BOOKKEEPING else "F2F2F2")
        _text_cell(ws, 3, col, header, font=bold, fill=fill, border=border, alignment=Alignment(wrap_text=True, vertical="center"))
    figures = range(5, 6 + len(years))  # 基期现状 and the target years
    row_no = 4
    for row in table.rows:
        values = [row.category, row.number, row.name, row.unit, row.baseline, *[row.targets.get(y, "") for y in years],
                  row.attribute, row.responsible, row.key, row.parent, "是" if row.shares_parent_target else "",
                  row.baseline_year, row.note]
        for col, value in enumerate(values, start=1):
            cell = _text_cell(ws, row_no, col, "" if value is None else value, border=border)
            if col in figures:
                put_figure(cell, value)
            if col == 3 and row.parent:
                cell.alignment = Alignment(indent=2, wrap_text=True)
            elif col <= len(headers) - len(BOOKKEEPING):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        row_no += 1
    row_no += 1
    for note in table.notes:
        _text_cell(ws, row_no, 1, note, font=Font(italic=True))
        row_no += 1
    for col, width in zip("ABCDE", (10, 6, 36, 10, 12)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"

    info = wb.create_sheet(INFO_SHEET)
    for index, (attr, label) in enumerate(INFO_FIELDS, start=1):
        value = getattr(table, attr)
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        _text_cell(info, index, 1, label, font=bold)
        _text_cell(info, index, 2, "" if value is None else str(value))
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 80

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def check_upload(data, max_bytes):
    """Refuse what cannot be a safe workbook (core.uploads; then no DTD in any part) before openpyxl
    touches it: WorkbookRejected."""
    try:
        uploads.check_zip_package(data, uploads.XLSX, max_bytes=max_bytes, max_unpacked=MAX_UNCOMPRESSED)
    except uploads.PackageRejected as exc:
        raise WorkbookRejected(str(exc)) from None
    _refuse_dtds(data)


# Excel and WPS never write a DTD; one in a workbook part can only be there to declare entities
# (exponential expansion, external files), so it is refused outright — in UTF-8 and UTF-16 too.
_DTD_MARKERS = tuple(marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
                     for encoding in ("ascii", "utf-16-le", "utf-16-be"))


def _refuse_dtds(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    tail = b""
                    while chunk := member.read(1024 * 1024):
                        window = tail + chunk
                        if any(marker in window for marker in _DTD_MARKERS):
                            raise WorkbookRejected(
                                f"文件中的「{info.filename}」含有 DTD 声明（<!DOCTYPE>），这不是 Excel 或 WPS 保存的工作簿，已拒绝。")
                        tail = window[-32:]
    except WorkbookRejected:
        raise
    except Exception:  # a CRC mismatch, a broken deflate stream, an encrypted member …
        raise WorkbookRejected(DAMAGED) from None


MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 64
DAMAGED = gettext_noop("无法读取该 .xlsx 文件，请确认文件未损坏。")


def open_workbook(data, max_bytes):
    """A read-only workbook of an upload that passed check_upload, or WorkbookRejected."""
    check_upload(data, max_bytes)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything from KeyError to ParseError on a damaged file
        raise WorkbookRejected(DAMAGED) from None


def sheet_rows(workbook, name, max_col=MAX_SHEET_COLUMNS, **bounds):
    """All rows of sheet `name` as lists of values, read now. In read-only mode openpyxl parses a
    sheet's XML lazily while iter_rows runs, so a DTD, a cut-off file or broken XML raises there,
    not in load_workbook: reading here turns any of that into WorkbookRejected (a 400 with a
    message) instead of a 500. At most MAX_SHEET_ROWS rows and `max_col` columns: a tiny file can
    claim row 1048576 and column XFD, and openpyxl would fill in every empty row between."""
    rows = []
    try:
        for row in workbook[name].iter_rows(max_col=max_col, **bounds):
            if len(rows) >= MAX_SHEET_ROWS:
                raise WorkbookRejected(f"工作表「{name}」超过 {MAX_SHEET_ROWS} 行，请使用本系统下载的模板。")
            rows.append([_shown(cell) for cell in row])
    except WorkbookRejected:
        raise
    except Exception:
        raise WorkbookRejected(f"{DAMAGED}（工作表「{name}」内容已损坏或含不支持的内容）") from None
    return rows


def _shown(cell):
    """A cell's value; a number under a decimal format (0.00) as the text it shows (36.70)."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = shown_text(value, getattr(cell, "number_format", None))
        if shown is not None:
            return shown
    return value


def cell_text(value):
    """A cell as the text a person typed: 37.07 stays 37.07, 35 stays 35 (not 35.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_plan_table(data, max_bytes=5 * 1024 * 1024):
    """Parse an uploaded workbook into (PlanTable or None, [TableError]). Raises WorkbookRejected."""
    wb = open_workbook(data, max_bytes)
    try:
        if TABLE_SHEET not in wb.sheetnames or INFO_SHEET not in wb.sheetnames:
            raise WorkbookRejected(f"工作簿必须包含「{TABLE_SHEET}」和「{INFO_SHEET}」两个工作表（请使用下载的模板）。")
        info_rows, rows = sheet_rows(wb, INFO_SHEET), sheet_rows(wb, TABLE_SHEET)
    finally:
        wb.close()
    errors = []
    info = {cell_text(r[0]): cell_text(r[1]) if len(r) > 1 else "" for r in info_rows if r and r[0]}
    table = _plan_from_info(info, errors)
    header_index = next((i for i, r in enumerate(rows) if r and "序号" in [cell_text(c) for c in r]), None)
    if header_index is None:
        errors.append(TableError.of(None, gettext_noop("表头"), gettext_noop("找不到含「序号」的表头行。")))
        return None, errors
    headers = [cell_text(c) for c in rows[header_index]]
    columns = {h: i for i, h in enumerate(headers) if h}
    for required in ["类别", "序号", "指标", "计量单位", "指标属性", "责任部门", *BOOKKEEPING]:
        if required not in columns:
            errors.append(TableError.of(header_index + 1, gettext_noop("表头"), gettext_noop("缺少「%(column)s」列。"), column=required))
    target_columns = {int(m.group(1)): i for h, i in columns.items() if (m := _YEAR_TARGET.match(h)) and m.group(2)}
    base_column = next((i for h, i in columns.items() if (m := _YEAR_BASE.match(h)) and m.group(2)), None)
    if base_column is None:
        errors.append(TableError.of(header_index + 1, gettext_noop("表头"), gettext_noop("缺少「YYYY年现状」列。")))
    if table and sorted(target_columns) != sorted(table.milestone_years):
        errors.append(TableError.of(header_index + 1, gettext_noop("表头"), gettext_noop("目标年列与规划信息中的目标年不一致。")))
    if errors:
        return None, errors

    def get(raw, name):
        index = columns[name]
        return cell_text(raw[index]) if index < len(raw) else ""

    in_notes = False
    for offset, raw in enumerate(rows[header_index + 1:], start=header_index + 2):
        texts = [cell_text(c) for c in raw] if raw else []
        if not any(texts):
            in_notes = True
            continue
        if in_notes:
            table.notes.append(texts[0] or next(t for t in texts if t))
            continue
        year_text = get(raw, "基期值年份")
        baseline_year = None
        if year_text:
            if int_or(year_text) is not None:
                baseline_year = int_or(year_text)
            else:
                errors.append(TableError.of(offset, gettext_noop("基期值年份"), gettext_noop("「%(text)s」不是年份。"),
                                            text=year_text[:20]))
        shares = get(raw, "共用上级目标")
        if shares not in ("", "是", "否"):
            errors.append(TableError.of(offset, gettext_noop("共用上级目标"), gettext_noop("应填“是”或留空。")))
        table.rows.append(IndicatorRow(
            key=get(raw, "行键") or get(raw, "序号"), number=get(raw, "序号"), parent=get(raw, "上级行键"),
            shares_parent_target=shares == "是", category=get(raw, "类别"), name=get(raw, "指标"), unit=get(raw, "计量单位"),
            baseline=cell_text(raw[base_column]) if base_column < len(raw) else "", baseline_year=baseline_year,
            targets={y: (cell_text(raw[i]) if i < len(raw) else "") for y, i in target_columns.items()},
            attribute=get(raw, "指标属性"), responsible=get(raw, "责任部门"), note=get(raw, "注释"), source_row=offset,
        ))
    return table, errors


def _plan_from_info(info, errors):
    def number(label, required=False):
        text = info.get(label, "")
        if not text:
            if required:
                errors.append(TableError.of(None, label, gettext_noop("不能为空。")))
            return None
        if int_or(text) is None:
            errors.append(TableError.of(None, label, gettext_noop("「%(text)s」不是整数。"), text=text[:20]))
            return None
        return int_or(text)

    def years(label):
        parts = [p for p in re.split(r"[、,，\s]+", info.get(label, "")) if p]
        if not all(int_or(p) is not None for p in parts):
            errors.append(TableError.of(None, label, gettext_noop("应为以顿号分隔的年份，例如 2027、2035。")))
            return []
        return [int_or(p) for p in parts]

    return PlanTable(
        code=info.get("规划编码", ""), region_code=info.get("区划代码", ""), region_name=info.get("行政区划", ""),
        title=info.get("规划名称", ""), title_note=info.get("规划名称说明", ""), issuer=info.get("印发单位", ""), issue_date=info.get("印发日期", ""),
        base_year=number(gettext_noop("基期年"), required=True) or 0, milestone_years=years(gettext_noop("目标年")),
        midterm_year=number(gettext_noop("中期评估年")), vision_years=years(gettext_noop("远景年")), source_document=info.get("来源文件", ""),
        parent_plan=info.get("上级规划", ""), table_title=info.get("指标表标题", ""),
        stated_indicator_count=number(gettext_noop("原文所述指标数")),
        stated_binding_count=number(gettext_noop("原文所述约束性指标数")),
        stated_expected_count=number(gettext_noop("原文所述预期性指标数")),
    )


def attribute_label(code):
    return ATTRIBUTE_LABELS.get(code or "", "")
