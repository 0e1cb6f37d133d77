"""A plan's indicator table read from its Word document (.docx), at the XML level.

The published plans are Word files; their indicator table (规划指标体系) is found by its header
words (序号/指标/单位/现状/目标/属性/责任) and read as Word stores it:

- the grid first: `gridBefore` / `gridAfter` leave empty columns, `gridSpan` stretches one cell over
  several columns, `vMerge` continues the cell above into this row;
- header rows are the leading rows made of header words; a second header row (目标值 → 2027年 /
  2035年) names the years; header rows repeated further down (page breaks) are skipped, and a
  table continued after a page break as a new table (续表) is joined to the first;
- a row split at that page break (its second half the first row of the next table or part, with an
  empty 序号) is joined back into one row, conservatively and with a warning (`rejoin_split_rows`);
- cell text joins the cell's paragraphs and line breaks, goes into content controls (`w:sdt`) and
  tracked insertions (`w:ins`), leaves out tracked deletions (`w:del`) and deleted rows; characters
  are kept exactly as printed (full-width digits, ≤, *, ¹); a superscript digit becomes ¹²³ so a
  footnote mark stays a mark instead of joining the number;
- merges carry meaning: a 类别 cell merged down names the group of every row it spans; a 序号 cell
  merged down makes the rows below sub-rows ("16.1", "16.2") of the row where it starts; target and
  属性 cells merged down from a parent row are one shared target (`shares_parent_target`);
- 注 lines under the table become the plan's notes; a note that explains a mark (带*为2019年数据,
  *基本看不到…, 1.因…) is tied to the rows carrying that mark.

专栏 boxes (key projects) are tables too; they are never taken for the indicator table and are
returned separately as `boxes`. A box may also be written as paragraphs — a heading 专栏3  生态…
and numbered items below it, in the body, a text box or a frame (`find_boxes`); it comes back in
the same shape, its items as rows under a 序号/项目名称/建设内容/责任单位 header. The result is the
same `PlanTable` the .xlsx template produces.
No models or requests: the caller passes the known regions (the package check, core.uploads,
translates its messages with Django's gettext).
"""
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from core import uploads

from indicators.plans.table import IndicatorRow, PlanTable, TableError, gettext_noop

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_DOCUMENT_XML = 30 * 1024 * 1024
DOCUMENT_PART = "word/document.xml"
MAX_TABLE_ROWS = 2000
MAX_TABLE_COLUMNS = 200
MAX_CELL_TEXT = 2000
REGIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "regions.toml"

HEADER_WORDS = ("序号", "指标", "单位", "现状", "目标", "属性", "责任")
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag", f"{_W}ins", f"{_W}moveTo",
             f"{_W}hyperlink", f"{_W}fldSimple", f"{_W}dir", f"{_W}bdo"}
_DROPPED = {f"{_W}del", f"{_W}moveFrom", f"{_W}sdtPr", f"{_W}sdtEndPr", f"{_W}rPr", f"{_W}pPr",
            f"{_W}instrText", f"{_W}delText", f"{_W}delInstrText"}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_YEAR = re.compile(r"((?:19|20)\d{2})")
_NOTE_ENUMERATOR = re.compile(r"^\s*(?:\d+[.、．]|[（(]\d+[)）]|[①-⑩]|[*＊※])")
_CJK_OR_PUNCT = re.compile(r"[^\x00-\x7f]")


class DocumentRejected(Exception):
    """The upload is not a Word document we can read at all (size, format, zip bomb, broken XML)."""


@dataclass
class Cell:
    text: str
    merged_from_above: bool = False   # a vMerge continuation: Word shows the cell above
    span_start: bool = True           # first grid column of a gridSpan (False for the columns it covers)
    placeholder: bool = False         # a gridBefore/gridAfter column with no cell at all
    merge_start: bool = False         # a vMerge restart: the cells below may continue this one


class Row(list):
    """A table row's grid cells; `cant_split` when Word may not break the row across pages (`w:cantSplit`)."""
    cant_split = False


@dataclass
class Box:
    """A 专栏 box: its title line and the rows inside it, each row its distinct cell texts
    (offered as key projects, see `box_project_data`)."""
    title: str
    lines: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)


@dataclass
class DocxImport:
    table: PlanTable | None
    errors: list[TableError]
    warnings: list[TableError] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    raw_rows: list[list[str]] = field(default_factory=list)   # the data rows' cells as printed, per table row
    headers: list[str] = field(default_factory=list)


# --- the package ----------------------------------------------------------------------------------

def check_upload(data, max_bytes):
    """The body XML (word/document.xml) of what passes as a safe .docx (core.uploads), before the XML
    parser sees it; DocumentRejected otherwise."""
    try:
        parts = uploads.check_zip_package(data, uploads.DOCX, max_bytes=max_bytes, max_unpacked=MAX_UNCOMPRESSED)
        if parts[DOCUMENT_PART].file_size > MAX_DOCUMENT_XML:
            raise DocumentRejected("文档正文过大，已拒绝。")
        return uploads.read_zip_part(data, DOCUMENT_PART, uploads.DOCX)
    except uploads.PackageRejected as exc:
        raise DocumentRejected(str(exc)) from None


def parse_document_xml(xml):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise DocumentRejected(gettext_noop("文档正文无法解析（XML 已损坏），请用 Word 重新保存为 .docx。")) from None
    body = root.find(f"{_W}body")
    if body is None:
        raise DocumentRejected(gettext_noop("文档没有正文内容。"))
    return body


# --- text -----------------------------------------------------------------------------------------

def _children(element, wanted):
    """The `wanted` children of element, looking through content controls, custom XML and insertions."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == wanted:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, wanted)


def _run_text(run):
    superscript = run.find(f"{_W}rPr/{_W}vertAlign")
    raised = superscript is not None and superscript.get(f"{_W}val") == "superscript"
    parts = []
    for node in run:
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif node.tag == f"{_W}tab":
            parts.append(" ")
        elif node.tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif node.tag == f"{_W}sym":
            char = node.get(f"{_W}char")
            if char and re.fullmatch(r"[0-9A-Fa-f]{4}", char) and int(char, 16) >= 0x20 and not 0xF000 <= int(char, 16) <= 0xF0FF:
                parts.append(chr(int(char, 16)))
    text = "".join(parts)
    return text.translate(_SUPERSCRIPT) if raised else text


def _runs(element):
    """Runs in reading order, through wrappers; tracked deletions and field instructions left out."""
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _DROPPED:
            continue
        if child.tag == f"{_W}r":
            yield child
        elif child.tag in _WRAPPERS:
            yield from _runs(child)


def paragraph_text(paragraph):
    return "".join(_run_text(run) for run in _runs(paragraph))


def _join(pieces):
    """A cell's paragraphs and lines as one text: Chinese text broken across lines joins without a
    space (自然 / 资源局 → 自然资源局); two Latin words or numbers keep one space between them."""
    text = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if text and not (_CJK_OR_PUNCT.search(text[-1]) or _CJK_OR_PUNCT.search(piece[0])):
            text += " "
        text += piece
    return text


def cell_text(tc):
    pieces = []
    for paragraph in tc.iter(f"{_W}p"):
        if any(a.tag in _DROPPED and a.tag != f"{_W}rPr" for a in paragraph.iterancestors()):
            continue
        pieces.extend(paragraph_text(paragraph).split("\n"))
    return _join(pieces)[:MAX_CELL_TEXT]  # far above any cell's limit: the checks still name it too long


# --- the grid -------------------------------------------------------------------------------------

def _int_attr(element, path, default):
    node = element.find(path)
    if node is None:
        return default
    try:
        return max(0, min(int(node.get(f"{_W}val", default)), 100))
    except (TypeError, ValueError):
        return default


def _row_deleted(tr):
    return tr.find(f"{_W}trPr/{_W}del") is not None


def table_grid(tbl):
    """The table as rows of grid cells (gridBefore/After placeholders, gridSpan repeated)."""
    rows = []
    for tr in _children(tbl, f"{_W}tr"):
        if _row_deleted(tr):
            continue
        if len(rows) >= MAX_TABLE_ROWS:
            raise DocumentRejected(f"表格超过 {MAX_TABLE_ROWS} 行，已拒绝。")
        cells = Row(Cell("", placeholder=True) for _ in range(_int_attr(tr, f"{_W}trPr/{_W}gridBefore", 0)))
        cant_split = tr.find(f"{_W}trPr/{_W}cantSplit")
        cells.cant_split = cant_split is not None and cant_split.get(f"{_W}val", "true") not in ("0", "false", "off")
        for tc in _children(tr, f"{_W}tc"):
            if tc.find(f"{_W}tcPr/{_W}cellDel") is not None:
                continue
            span = max(1, _int_attr(tc, f"{_W}tcPr/{_W}gridSpan", 1))
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continued = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            text = cell_text(tc)
            for column in range(span):
                cells.append(Cell(text, merged_from_above=continued, span_start=column == 0,
                                  merge_start=merge is not None and not continued))
            if len(cells) > MAX_TABLE_COLUMNS:
                raise DocumentRejected(f"表格超过 {MAX_TABLE_COLUMNS} 列，已拒绝。")
        cells.extend(Cell("", placeholder=True) for _ in range(_int_attr(tr, f"{_W}trPr/{_W}gridAfter", 0)))
        rows.append(cells)
    width = max((len(r) for r in rows), default=0)
    if width > MAX_TABLE_COLUMNS:
        raise DocumentRejected(f"表格超过 {MAX_TABLE_COLUMNS} 列，已拒绝。")
    for row in rows:
        row.extend(Cell("", placeholder=True) for _ in range(width - len(row)))
    # A continued cell shows what the cell above shows.
    for above, row in zip(rows, rows[1:]):
        for column, cell in enumerate(row):
            if cell.merged_from_above:
                cell.text = above[column].text
    return rows


def is_header_row(row):
    texts = [c.text for c in row if c.text and not c.placeholder]
    if not texts:
        return False
    header_like = [t for t in texts if _is_header_text(t)]
    return len(header_like) == len(texts) and any(any(w in t for w in HEADER_WORDS) or _YEAR.search(t) for t in texts)


def _is_header_text(text):
    compact = re.sub(r"\s+", "", text)
    if any(word in compact for word in HEADER_WORDS + ("类别", "领域", "类型", "名称", "备注", "部门", "基期", "基准", "年份", "规划")):
        return len(compact) <= 20
    return bool(re.fullmatch(r"[（(]?(?:19|20)\d{2}年?[)）]?(?:目标值?|现状值?|值)?", compact))


def header_score(rows):
    if not rows:
        return 0
    text = "".join(c.text for c in rows[0])
    return sum(1 for word in HEADER_WORDS if word in text)


def _title_rows(rows):
    """How many title rows (one cell across the table: 表2-1 规划指标体系) stand above the header
    row, when the table is an indicator table; None when it is not one."""
    for skip in range(min(3, len(rows))):
        if header_score(rows[skip:]) >= 3 and is_header_row(rows[skip]):
            return skip
        if len({c.text for c in rows[skip] if c.text}) != 1:
            return None
    return None


def _is_box(rows):
    first = next((c.text for r in rows[:1] for c in r if c.text), "")
    return first.lstrip().startswith("专栏")


# --- columns --------------------------------------------------------------------------------------

@dataclass
class Columns:
    category: int | None = None
    number: int | None = None
    name: int | None = None
    unit: int | None = None
    baseline: int | None = None
    attribute: int | None = None
    responsible: int | None = None
    note: int | None = None
    targets: dict[int, int] = field(default_factory=dict)   # year → column
    base_year: int | None = None
    headers: list[str] = field(default_factory=list)


def read_columns(header_rows):
    """Each grid column's combined header (目标值/2027年) and what it holds."""
    width = len(header_rows[0])
    headers = []
    for column in range(width):
        parts = []
        for row in header_rows:
            text = re.sub(r"\s+", "", row[column].text)
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        headers.append("/".join(parts))
    columns = Columns(headers=headers)
    target_without_year = []
    for index, header in enumerate(headers):
        if not header:
            continue
        year = _YEAR.search(header)
        if "属性" in header:
            columns.attribute = _first(columns.attribute, index)
        elif "责任" in header or "部门" in header or "牵头" in header:
            columns.responsible = _first(columns.responsible, index)
        elif "序号" in header or header in ("编号", "序"):
            columns.number = _first(columns.number, index)
        elif "单位" in header:
            columns.unit = _first(columns.unit, index)
        elif any(w in header for w in ("类别", "领域", "类型", "分类")):
            columns.category = _first(columns.category, index)
        elif any(w in header for w in ("现状", "基期", "基准", "基数")):
            columns.baseline = _first(columns.baseline, index)
            if year and columns.base_year is None:
                columns.base_year = int(year.group(1))
        elif "目标" in header or "规划" in header or (year and "指标" not in header):
            if year:
                columns.targets.setdefault(int(year.group(1)), index)
            else:
                target_without_year.append(index)
        elif "备注" in header:
            columns.note = _first(columns.note, index)
        elif "指标" in header or "名称" in header:
            columns.name = _first(columns.name, index)
    if not columns.targets and len(target_without_year) == 1:
        columns.targets[0] = target_without_year[0]  # year unknown: proposed later, editable
    return columns


def _first(current, index):
    return index if current is None else current


# --- the document ---------------------------------------------------------------------------------

def _blocks(body):
    """Paragraphs and tables of the body in order, content controls opened."""
    for child in body:
        if not isinstance(child.tag, str):
            continue
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _blocks(child)


def load_regions(path=REGIONS_FILE):
    with open(path, "rb") as handle:
        return [(r["code"], r["name"]) for r in tomllib.load(handle)["region"]]


def _identity(message):
    return message


def _read_blocks(container):
    """("p", text, element) and ("tbl", grid, element) for the container's paragraphs and tables."""
    blocks = []
    for element in _blocks(container):
        if element.tag == f"{_W}p":
            blocks.append(("p", _join(paragraph_text(element).split("\n")), element))
        else:
            blocks.append(("tbl", table_grid(element), element))
    return blocks


def read_plan_docx(data, max_bytes=5 * 1024 * 1024, *, filename="", regions=None, gettext=None):
    """Parse an uploaded .docx into a DocxImport. Raises DocumentRejected for what is no document.

    `gettext` translates the reader's newer messages (the caller passes Django's; they stay in
    Chinese by default)."""
    gettext = gettext or _identity
    body = parse_document_xml(check_upload(data, max_bytes))
    blocks = _read_blocks(body)
    boxes = [box for _, box in find_boxes(blocks)]
    found = next((index for index, (kind, content, _) in enumerate(blocks)
                  if kind == "tbl" and not _is_box(content) and _title_rows(content) is not None), None)
    if found is None:
        return DocxImport(None, [TableError.of(None, gettext_noop("指标表"), gettext_noop(
            "文档中找不到指标表（表头应含 序号、指标、单位、现状、目标、属性、责任 等字样）。"))], boxes=boxes)
    paragraphs_before = [content for kind, content, _ in blocks[:found] if kind == "p" and content]

    rows = list(blocks[found][1])
    title_rows = _title_rows(rows)
    inner_title = next((c.text for c in rows[0] if c.text), "") if title_rows else ""
    rows = rows[title_rows:]
    header_count = 1
    while header_count < len(rows) and is_header_row(rows[header_count]):
        header_count += 1
    header_rows = rows[:header_count]
    pieces = [rows[header_count:]]   # the data rows of each table the indicator table is printed in
    # Tables continued after a page break: the next tables with only empty (or 续表) paragraphs between.
    after = found + 1
    while after < len(blocks):
        kind, content, _ = blocks[after]
        if kind == "p":
            if not content or re.fullmatch(r"[（(]?续表[^。]{0,30}[)）]?", content):
                after += 1
                continue
            break
        if _is_box(content) or not content or len(content[0]) != len(rows[0]):
            break
        skip = _title_rows(content) or 0
        while skip < len(content) and is_header_row(content[skip]):
            skip += 1
        pieces.append(content[skip:])
        after += 1
    paragraphs_after = []
    for kind, content, _ in blocks[after:]:
        if kind != "p":
            break
        paragraphs_after.append(content)

    columns = read_columns(header_rows)
    errors, warnings = [], []
    if columns.name is None:
        errors.append(TableError.of(None, gettext_noop("表头"), gettext_noop("指标表缺少「指标」列。")))
    if not columns.targets:
        errors.append(TableError.of(None, gettext_noop("表头"), gettext_noop("指标表缺少目标值列（如「2025年目标」）。")))
    if errors:
        return DocxImport(None, errors, boxes=boxes, headers=columns.headers)
    data_rows = rejoin_split_rows(pieces, header_rows, columns, warnings, gettext)
    table, raw_rows = _rows(data_rows, header_rows, columns, warnings)
    table.notes = _notes(paragraphs_after) + table.notes
    _tie_notes(table)
    _propose_plan(table, columns, paragraphs_before + ([inner_title] if inner_title else []),
                  [c for k, c, _ in blocks if k == "p"], filename, regions if regions is not None else load_regions(), warnings)
    return DocxImport(table, [], warnings, boxes, raw_rows, columns.headers)


# --- rows split across a page break ---------------------------------------------------------------

def _group_text(row):
    """The one text of a row written across the table (a group row 一、生态保护, or a 注 line), else None."""
    distinct = {c.text for c in row if c.text}
    if len(distinct) == 1 and sum(1 for c in row if c.text) >= max(2, len(row) - 1) and not row[0].merged_from_above:
        return distinct.pop()
    return None


def _is_repeated_header(row, header_texts):
    texts = [c.text for c in row]
    return any(texts == h for h in header_texts) or is_header_row(row)


def _continues(previous, row, columns):
    """Whether `row`, the first data row of a table (or part) continued after a page break, is the
    rest of `previous`, the last row before the break, rather than a row of its own. Conservative:

    - `previous` may break across pages (no `w:cantSplit`) and is numbered (in a table without
      numbers nothing tells a continued row from a new one);
    - the 序号 cell is empty and a cell of its own: a vMerge continuation there makes a sub-row of a
      merged parent, and no other cell continues a merge either;
    - every cell with text continues a cell of `previous` that has text, some cell that `previous`
      fills stays empty (the short cells — unit, values — fit before the break), and some text is
      not just `previous`'s retyped (the 类别 label written again on the new page);
    - when `previous` belongs to a merged 序号 (a parent with sub-rows, or a sub-row), a sub-row that
      lost its merge at the split looks much the same: it names its own unit, a continuation does not.
    """
    number = columns.number
    if number is None or previous.cant_split or _group_text(previous) is not None or _group_text(row) is not None:
        return False
    if row[number].text or row[number].merged_from_above or row[number].placeholder or not previous[number].text:
        return False
    if any(c.merged_from_above for c in row if not c.placeholder):
        return False
    used = [i for i, c in enumerate(row) if c.text and c.span_start and not c.placeholder]
    if not used or any(not previous[i].text for i in used):
        return False
    filled = [i for i, c in enumerate(previous) if c.text and c.span_start and not c.placeholder and i != number]
    if all(row[i].text for i in filled):
        return False
    if all(row[i].text == _span_text(previous, i) for i in used):
        return False
    chain = previous[number].merged_from_above or previous[number].merge_start
    if chain and columns.unit is not None and row[columns.unit].text:
        return False
    return True


def _span_start(row, column):
    while column > 0 and not row[column].span_start:
        column -= 1
    return column


def _span_text(row, column):
    return row[_span_start(row, column)].text


def _append_row(previous, row, columns):
    """The continuation's cell texts joined to the row above as a printed line break joins them (no
    space between Chinese characters); a cell repeating the whole text above is a retyped label."""
    appended = []
    for column, cell in enumerate(row):
        if not cell.text or not cell.span_start or cell.placeholder:
            continue
        start = _span_start(previous, column)
        if cell.text == previous[start].text:
            continue
        text = _join([previous[start].text, cell.text])[:MAX_CELL_TEXT]
        end = start + 1
        while end < len(previous) and not previous[end].span_start and not previous[end].placeholder:
            end += 1
        for covered in previous[start:end]:
            covered.text = text
        header = columns.headers[column] if column < len(columns.headers) else ""
        if header and header not in appended:
            appended.append(header)
    return appended


def rejoin_split_rows(pieces, header_rows, columns, warnings, gettext=_identity):
    """The data rows of the table's pieces (one per table, see read_plan_docx) as (position, row),
    with a row split across a page break joined back into one (see `_continues`).

    Word keeps a row that breaks across pages inside one table as one `w:tr`; but a table split in
    two at the page break (as WPS conversions and typists do), or a header typed again at the top of
    a page, leaves the row's second half as the first row of the next part. Its position is named in
    a warning on the joined row. A merge the continuation row starts with an empty cell (Word's own
    split restarts the 类别 merge below the break) carries the text of the row above down to the
    rows that continue it."""
    header_texts = [[c.text for c in r] for r in header_rows]
    numbered = []
    position = len(header_rows)
    last = None       # (position, row) of the last data row
    carried = {}      # column → text carried down a merge the continuation row restarted empty
    for index, piece in enumerate(pieces):
        boundary = index > 0
        for row in piece:
            position += 1
            for column, text in list(carried.items()):
                if row[column].merged_from_above and not row[column].text:
                    row[column].text = text
                else:
                    del carried[column]
            if _is_repeated_header(row, header_texts):
                boundary = True
                numbered.append((position, row))
                continue
            if not any(c.text for c in row):
                numbered.append((position, row))
                continue
            if boundary and last is not None and _continues(last[1], row, columns):
                previous = last[1]
                appended = _append_row(previous, row, columns)
                carried = {column: previous[column].text for column, cell in enumerate(row)
                           if cell.merge_start and not cell.text and not cell.placeholder and previous[column].text}
                warnings.append(TableError.of(last[0], gettext("跨页续行"), gettext(
                    "第 %(row)s 行（序号为空）是本行跨页拆开的后半部分，其文字已接在本行的%(columns)s之后，请核对。"),
                    row=position, columns=appended))
                boundary = False
                continue
            boundary = False
            numbered.append((position, row))
            last = (position, row) if _group_text(row) is None else None
    return numbered


def _box_cells(rows):
    cells = []
    for row in rows:
        seen = []
        for cell in row:
            if cell.text and cell.span_start and not cell.merged_from_above and cell.text not in seen:
                seen.append(cell.text)
        if seen:
            cells.append(seen)
    return cells


def _box(rows):
    cells = _box_cells(rows)
    lines = ["　".join(c) for c in cells]
    return Box(title=lines[0] if lines else "专栏", lines=lines[1:], cells=cells[1:])


# --- 专栏 boxes written as paragraphs --------------------------------------------------------------

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_BOX_HEADING = re.compile(r"^专栏\s*([0-9０-９]{1,3}(?:\s*[-－—.．]\s*[0-9０-９]{1,3})?|[一二三四五六七八九十]{1,3})"
                          r"(?![0-9０-９])\s*[:：、.．]?\s*(.*)$")
_ITEM = re.compile(r"^(?:([0-9０-９]{1,3})\s*[.、．](?![0-9０-９])|[（(]\s*([0-9０-９]{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]"
                   r"|([①-⑳]))\s*(\S.*)$", re.S)
_RESPONSIBLE_WORDS = r"(?:责任单位|责任部门|牵头单位|牵头部门|实施单位|实施主体|责任主体)"
_RESPONSIBLE_IN_PARENS = re.compile(rf"[（(]\s*{_RESPONSIBLE_WORDS}\s*[:：]\s*([^（）()]{{1,100}}?)\s*[)）]\s*[。；;]?\s*$")
_RESPONSIBLE_CLAUSE = re.compile(rf"[。；;，,]\s*{_RESPONSIBLE_WORDS}\s*[:：]\s*([^。；;（）()]{{1,100}}?)\s*[。；;]?\s*$")
_SECTION_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百零〇0-9０-９]+[章节篇部分编]|[一二三四五六七八九十]{1,3}、)")
_HEADING_STYLE = re.compile(r"(?i)^(?:heading|标题|title)\s*\d*$|^[1-9]$")
PARAGRAPH_BOX_HEADER = ["序号", "项目名称", "建设内容", "责任单位"]


def box_heading(text):
    """The (number, title) of a paragraph that heads a 专栏 box (专栏3  生态保护修复重点工程,
    专栏３　…), None for any other paragraph: one that merely mentions a box (详见专栏3) does not start
    with 专栏, and running text that does (专栏3所列工程由…负责。) is a sentence, not a short title."""
    text = text.strip()
    match = _BOX_HEADING.match(text)
    if not match or len(text) > 50 or re.search(r"[。，,；;！!？?]", text):
        return None
    return match.group(1), match.group(2).strip()


def _frame_kind(paragraph):
    """"frame" for a framed paragraph (w:framePr), "border" for a bordered one (w:pBdr): Word draws
    consecutive paragraphs framed or bordered alike as one box."""
    properties = paragraph.find(f"{_W}pPr")
    if properties is None:
        return None
    if properties.find(f"{_W}framePr") is not None:
        return "frame"
    if properties.find(f"{_W}pBdr") is not None:
        return "border"
    return None


def _is_section_heading(text, paragraph, *, by_text):
    """A heading of the document: by its style or outline level, or (in the body's flow) by its
    numbering (第三章, 第二节, 一、)."""
    properties = paragraph.find(f"{_W}pPr")
    if properties is not None:
        level = properties.find(f"{_W}outlineLvl")
        if level is not None and level.get(f"{_W}val", "9").isdigit() and int(level.get(f"{_W}val", "9")) < 9:
            return True
        style = properties.find(f"{_W}pStyle")
        if style is not None and _HEADING_STYLE.match(style.get(f"{_W}val", "")):
            return True
    return by_text and bool(_SECTION_HEADING.match(text))


def box_item(text):
    """[number, name, content, responsible] of a numbered item line (1. 名称：内容（责任单位：…）,
    （一）…, ①…), None for a line that is not numbered. The content is the item's text as printed
    after its name; a name without a colon after it runs to the first punctuation."""
    match = _ITEM.match(text.strip())
    if not match:
        return None
    number = next(group for group in match.groups()[:3] if group)
    rest = match.group(4).strip()
    responsible = ""
    found = _RESPONSIBLE_IN_PARENS.search(rest) or _RESPONSIBLE_CLAUSE.search(rest)
    if found and found.start() > 0:
        responsible = found.group(1).strip()
        rest = rest[:found.start()].strip()
    named = re.match(r"^([^：:。；;]{1,80}?)\s*[：:]\s*(\S.*)$", rest, re.S)
    if named:
        name, content = named.group(1).strip(), named.group(2).strip()
    else:
        name, content = re.split(r"[。；;，,]", rest, maxsplit=1)[0].strip()[:60], rest
    if not name:
        return None
    return [number, name, content, responsible]


def _text_boxes(paragraph):
    """The text boxes anchored in a paragraph, each once: a drawing's `mc:Fallback` repeats the
    text box of its `mc:Choice` as VML, and a text box inside a text box is read with its outer one
    (from the outer one's paragraphs)."""
    for content in paragraph.iter(f"{_W}txbxContent"):
        ancestor = content.getparent()
        while ancestor is not None and ancestor is not paragraph and ancestor.tag not in (f"{{{MC}}}Fallback", f"{_W}txbxContent"):
            ancestor = ancestor.getparent()
        if ancestor is paragraph:
            yield content


def _paragraph_box(blocks, start, contained):
    """The box headed by the paragraph blocks[start]: (Box or None, the index after it).

    In the body's flow the box runs over the numbered items below its heading (blank paragraphs
    among them, and short lines before them, allowed) and ends at the next heading, 专栏, table or
    at the first other paragraph;
    inside a text box or a frame (or a run of bordered paragraphs) it is all of the frame. A heading
    standing right above a table that is neither the indicator table nor a 专栏 table of its own
    makes that table the box. A heading with nothing under it is no box."""
    title = blocks[start][1]
    frame = _frame_kind(blocks[start][2])
    whole = contained or frame is not None
    lines, items = [], []
    index = start + 1
    while index < len(blocks):
        kind, content, element = blocks[index]
        if kind == "tbl":
            if not lines and content and not _is_box(content) and _title_rows(content) is None:
                cells = _box_cells(content)
                return Box(title, ["　".join(c) for c in cells], cells), index + 1
            break
        if frame is not None and _frame_kind(element) != frame:
            break
        if not content:
            index += 1
            continue
        if box_heading(content) or _is_section_heading(content, element, by_text=not whole):
            break
        item = box_item(content)
        if item:
            items.append(item)
        elif whole and items:
            items[-1][2] = f"{items[-1][2]}\n{content}"   # the item goes on in a paragraph of its own
        elif not whole and (items or len(content) > 40 or "。" in content):
            break   # running text resumes (a short line before the items is the box's own)
        lines.append(content)
        index += 1
    if not lines:
        return None, index
    return Box(title, lines, [list(PARAGRAPH_BOX_HEADER), *items]), index


def find_boxes(blocks, *, contained=False):
    """(block index, Box) of every 专栏 box among the blocks, in document order: tables whose first
    row is the 专栏 title, paragraphs headed 专栏N in the body, in text boxes and in frames."""
    found = []
    index = 0
    while index < len(blocks):
        kind, content, element = blocks[index]
        if kind == "tbl":
            if _is_box(content):
                found.append((index, _box(content)))
            index += 1
            continue
        for text_box in _text_boxes(element):
            found.extend((index, box) for _, box in find_boxes(_read_blocks(text_box), contained=True))
        if box_heading(content) is None:
            index += 1
            continue
        box, following = _paragraph_box(blocks, index, contained)
        if box is not None:
            found.append((index, box))
        index = max(following, index + 1)
    return found


_BOX_TITLE = re.compile(r"^专栏\s*([0-9０-９一二三四五六七八九十]+)[\s:：.、]*(.*)$")
_NAME_HEADERS = ("项目名称", "工程名称", "名称", "项目", "工程")
_CONTENT_HEADERS = ("建设内容", "主要内容", "内容", "建设规模", "规模")
_RESPONSIBLE_HEADERS = ("责任单位", "责任部门", "牵头单位", "实施单位", "责任")


def box_project_data(plan_code, boxes):
    """The boxes as the key-project data format (projects/data/FORMAT.md): one project per table
    row under a 名称 header, else one per line; every content is text of the box as printed."""
    data = {"plan": {"code": plan_code}, "box": []}
    used = set()
    for index, box in enumerate(boxes, start=1):
        match = _BOX_TITLE.match(box.title)
        number = (match.group(1) if match else str(index)).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if number in used:
            number = f"{number}-{index}"
        used.add(number)
        title = (match.group(2) if match else box.title).strip() or box.title
        rows = box.cells or [[line] for line in box.lines]
        header = rows[0] if rows and any(h in c for c in rows[0] for h in _NAME_HEADERS) and len(rows[0]) > 1 else None
        projects = []
        if header:
            def column(words):
                return next((i for i, c in enumerate(header) if any(w in c for w in words)), None)
            name_at, content_at, responsible_at = column(_NAME_HEADERS), column(_CONTENT_HEADERS), column(_RESPONSIBLE_HEADERS)
            for row in rows[1:]:
                if name_at is None or name_at >= len(row) or not row[name_at].strip():
                    continue
                projects.append({
                    "name": row[name_at][:300], "group": "",
                    "content": row[content_at] if content_at is not None and content_at < len(row) and row[content_at] else row[name_at],
                    "responsible": row[responsible_at][:300] if responsible_at is not None and responsible_at < len(row) else "",
                    "counties": [], "indicators": [],
                })
        else:
            for line in box.lines:
                name = re.split(r"[。：:；;，,]", line, maxsplit=1)[0].strip()[:60]
                if name:
                    projects.append({"name": name, "group": "", "content": line, "responsible": "", "counties": [], "indicators": []})
        text = "\n".join(box.lines) or title
        data["box"].append({"number": number[:10], "title": title[:200], "scope_only": not projects, "text": text,
                            "project": projects})
    return data


def _rows(data_rows, header_rows, columns, warnings):
    """The IndicatorRows of the (position, row) pairs `rejoin_split_rows` gives."""
    header_texts = [[c.text for c in r] for r in header_rows]
    table = PlanTable(code="", region_code="", title="", base_year=0, milestone_years=sorted(columns.targets))
    raw_rows = []
    category = ""
    sub_counts = {}
    last_top = None     # last row that is not a sub-row, for shared targets
    target_columns = list(columns.targets.values())
    shared_columns = target_columns + ([columns.attribute] if columns.attribute is not None else [])

    def text(row, column, repeat=True):
        if column is None:
            return ""
        cell = row[column]
        if not cell.span_start and column not in target_columns:
            return ""
        return cell.text if (repeat or not cell.merged_from_above) else ""

    for position, row in data_rows:
        texts = [c.text for c in row]
        if not any(texts) or any(texts == h for h in header_texts) or is_header_row(row):
            continue
        only = _group_text(row)
        if only is not None:
            if only.startswith("注"):
                table.notes.append(only)
            else:
                category = only  # a group row spanning the table (一、生态保护)
            continue
        raw_rows.append([c.text if c.span_start else "" for c in row])
        if columns.category is not None:
            category = text(row, columns.category)
        number_cell = row[columns.number] if columns.number is not None else None
        number = number_cell.text if number_cell is not None else ""
        parent = ""
        shares = False
        targets_merged = bool(shared_columns) and all(row[c].merged_from_above for c in target_columns)
        if number_cell is not None and number_cell.merged_from_above and last_top is not None:
            parent = last_top.key
            sub_counts[parent] = sub_counts.get(parent, 0) + 1
            key, number = f"{parent}.{sub_counts[parent]}", ""
            shares = targets_merged
        else:
            key = number
            if targets_merged and last_top is not None:
                parent, shares = last_top.key, True
        if not key:
            anchor = last_top.key if last_top is not None else "r"
            sub_counts[anchor] = sub_counts.get(anchor, 0) + 1
            key = f"{anchor}.{sub_counts[anchor]}"
            warnings.append(TableError.of(position, gettext_noop("序号"), gettext_noop("此行没有序号，行键暂定为「%(key)s」。"), key=key))
        targets = {year: ("" if shares else text(row, column)) for year, column in columns.targets.items()}
        indicator = IndicatorRow(
            key=key, number=number, parent=parent, shares_parent_target=shares, category=category,
            name=text(row, columns.name), unit=text(row, columns.unit), baseline=text(row, columns.baseline),
            targets=targets, attribute="" if shares else text(row, columns.attribute),
            responsible=text(row, columns.responsible), note=text(row, columns.note, repeat=False), source_row=position,
        )
        table.rows.append(indicator)
        if not parent:
            last_top = indicator
    return table, raw_rows


def _notes(paragraphs):
    notes = []
    for text in paragraphs:
        if not text:
            if notes:
                break
            continue
        if not notes and not re.match(r"^\s*(注|备注|说明)\s*[:：\d]", text + "："):
            break
        if notes and not _NOTE_ENUMERATOR.match(text) and not text.startswith("注"):
            break
        notes.append(text)
    return notes


_YEAR_NOTE = re.compile(r"带\s*([*＊※#△▲☆★¹²³⁴⁵⁶⁷⁸⁹]+)\s*(?:号|标记)?(?:的)?(?:为|是|系)\s*((?:19|20)\d{2})\s*年")
_CUMULATIVE_NOTE = re.compile(r"^[\[［〔【]\s*[\]］〕】]内")
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def _sentences(line):
    return [s for s in re.findall(r"[^。]+。?", line) if s.strip()]


def _tie_notes(table):
    """Tie each note that explains a mark to the rows carrying it (see the module docstring)."""
    def cells(row):
        return [row.name, row.baseline, *row.targets.values()]

    for line in table.notes:
        enumerated = re.match(r"^\s*(\d+)[.、．]", line)
        if enumerated and len(enumerated.group(1)) == 1:
            mark = _SUPERSCRIPT_DIGITS[int(enumerated.group(1))]
            marked = [r for r in table.rows if any(mark in c for c in cells(r))]
            if marked:
                for row in marked:
                    row.note = row.note or line.strip()
                continue
        definition = re.match(r"^\s*注\s*[:：]\s*([*＊※])", line)
        if definition:
            for row in table.rows:
                if any(definition.group(1) in c for c in [row.name, *row.targets.values()]):
                    row.note = row.note or line.split("：", 1)[-1].split(":", 1)[-1].strip()
            continue
        for sentence in _sentences(re.sub(r"^\s*\d+[.、．]", "", line)):
            sentence = sentence.strip()
            year_note = _YEAR_NOTE.search(sentence)
            if year_note:
                for row in table.rows:
                    if year_note.group(1) in row.baseline:
                        row.baseline_year = int(year_note.group(2))
                        row.note = row.note or sentence
            elif _CUMULATIVE_NOTE.match(sentence):
                for row in table.rows:
                    if re.match(r"^\s*[\[［〔【]", row.baseline):
                        row.note = row.note or sentence


def _level(code):
    """0 province, 1 city, 2 county: a county's plan title often names its city first (长治市屯留区)."""
    return 0 if code.endswith("0000") else (1 if code.endswith("00") else 2)


def _find_region(texts, regions):
    """(code, name) of the most specific region the title (else the opening text) names; a name
    without its 县/区/市 (美丽文水建设规划 → 文水县) is tried when no full name is found."""
    for shorten in (False, True):
        for text in texts:
            hits = []
            for code, name in regions:
                probe = name[:-1] if shorten and len(name) >= 3 and name[-1] in "县区市旗" else name
                if probe and (shorten is False or probe != name) and probe in text:
                    hits.append((-_level(code), text.find(probe), -len(probe), code, name))
            if hits:
                best = min(hits)
                return best[3], best[4]
    return None


_COUNTS = {
    "stated_indicator_count": re.compile(r"(?:共设置?|设置|共)(?:规划)?指标\s*(\d+)\s*项"),
    "stated_binding_count": re.compile(r"约束性指标\s*(\d+)\s*项"),
    "stated_expected_count": re.compile(r"预期性指标\s*(\d+)\s*项"),
}


def _propose_plan(table, columns, before, all_paragraphs, filename, regions, warnings):
    """Metadata proposed from the document, all editable in the preview before anything is saved."""
    title = next((p for p in before[:40] if "规划" in p and len(p) <= 120 and not p.startswith(("表", "注"))), "")
    table.title = title
    candidate = before[-1] if before else ""
    table.table_title = candidate if len(candidate) <= 60 and ("表" in candidate or "指标体系" in candidate) else ""
    region = _find_region([title, *(p for p in before[:40] if p != title)], regions)
    if region:
        table.region_code, table.region_name = region
    else:
        warnings.append(TableError.of(None, gettext_noop("行政区划"), gettext_noop("未能从文档中识别行政区划，请在预览中填写。")))
    years = sorted(y for y in columns.targets if y)
    if 0 in columns.targets:
        warnings.append(TableError.of(None, gettext_noop("目标年"), gettext_noop("目标值列没有写明年份，请在预览中填写目标年。")))
    table.milestone_years = years
    base_year = columns.base_year
    if base_year is None:
        match = re.search(r"以\s*((?:19|20)\d{2})\s*年为基(?:准|期)年", "".join(all_paragraphs[:200]))
        base_year = int(match.group(1)) if match else (years[0] - 5 if years else 0)
        warnings.append(TableError.of(None, gettext_noop("基期年"), gettext_noop("表头未写明基期年，暂定为 %(year)s 年，请核对。"),
                                      year=base_year))
    table.base_year = base_year
    if years and years[0] > base_year:
        table.midterm_year = base_year + (years[0] - base_year + 1) // 2  # 2020 → 2023 for a 2025 plan
    if table.region_code and years:
        table.code = f"{table.region_code}-{base_year + 1}-{years[-1]}"
    table.source_document = Path(filename).name[:200] if filename else ""
    issuer = next((p for p in all_paragraphs[:60] if re.fullmatch(r"\S{2,30}人民政府", p)), "")
    table.issuer = issuer
    text = "".join(all_paragraphs)
    for attr, pattern in _COUNTS.items():
        match = pattern.search(text)
        if match:
            setattr(table, attr, int(match.group(1)))
