"""Write a plan's Word document (.docx) from its data file, the way Word stores such a table.

Test helper for the .docx importer: the title and the counts sentence as paragraphs, the table
title, then the indicator table with its structure as Word writes it — 类别 cells merged down
(`vMerge`), a parent 序号 and its shared target merged over its sub-rows, a two-level header
(目标值 → 2027年 / 2035年) where the plan has two target years, header rows marked to repeat
(`tblHeader`), the table split at a page break into a second table that repeats the header, cells
in content controls (`w:sdt`), long cells written as two paragraphs or with a line break — and the
notes below. Options add the variants: tracked changes, `gridBefore`, a 专栏 box before the table.
Everything the helper writes is 示例数据 built from the published data files.
"""
import io
from xml.sax.saxutils import escape

import docx
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'


def _run(text, *, superscript=False):
    props = '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>' if superscript else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text="", *, page_break=False, inner=None):
    body = inner if inner is not None else (_run(text) if text else "")
    if page_break:
        body += '<w:r><w:br w:type="page"/></w:r>'
    return f"<w:p>{body}</w:p>"


def _split_point(text):
    """Where a long cell may be broken as Word wraps Chinese text: between two non-ASCII characters."""
    if len(text) < 8:
        return None
    middle = len(text) // 2
    for point in range(middle, len(text) - 1):
        if ord(text[point - 1]) > 127 and ord(text[point]) > 127:
            return point
    return None


class Builder:
    def __init__(self, data, *, tracked_changes=False, grid_before=False, box_before=False,
                 split_at=None, repeated_header_inside=False, footnote_superscripts=False, title_row=False):
        self.plan = data["plan"]
        self.rows = data.get("indicator", [])
        self.tracked_changes = tracked_changes
        self.grid_before = grid_before
        self.box_before = box_before
        self.split_at = min(len(self.rows), split_at if split_at is not None else max(1, len(self.rows) * 2 // 3))
        while self.split_at < len(self.rows) and self.rows[self.split_at].get("parent"):
            self.split_at += 1  # Word splits a table between rows; a merge never crosses the split
        # A header row typed again inside the table (as people do before a page break) stands
        # before a top-level row; merges restart after it.
        self.header_before = self.split_at // 2
        while self.header_before < self.split_at and self.rows[self.header_before].get("parent"):
            self.header_before += 1
        self.repeated_header_inside = repeated_header_inside
        self.footnote_superscripts = footnote_superscripts
        self.title_row = title_row  # the table title as the table's first row, one cell across it
        self.years = [str(y) for y in self.plan["milestone_years"]]
        self.has_responsible = any(r.get("responsible") for r in self.rows)
        self.has_attribute = any(r.get("attribute") for r in self.rows)
        self.columns = ["category", "number", "name", "unit", "baseline", *[f"t{y}" for y in self.years]]
        if self.has_attribute:
            self.columns.append("attribute")
        if self.has_responsible:
            self.columns.append("responsible")
        self._cell_counter = 0

    # --- cells ---
    def _content(self, text, column):
        """A cell's paragraphs: long text broken in two (alternately a second paragraph or a line
        break), some cells' text in a run-level content control, tracked changes when asked."""
        self._cell_counter += 1
        n = self._cell_counter
        if self.footnote_superscripts and text.endswith(("¹", "²", "³")) and len(text) > 1:
            mark = "0123456789"["⁰¹²³⁴⁵⁶⁷⁸⁹".index(text[-1])]
            return _paragraph(inner=_run(text[:-1]) + _run(mark, superscript=True))
        point = _split_point(text) if column == "name" else None
        if self.tracked_changes and column == "name" and text and n % 3 == 0:
            # Typed later (kept) and a deleted word (dropped).
            head, tail = text[:-1], text[-1]
            return _paragraph(inner=(_run(head) + f'<w:ins w:id="{n}" w:author="审校" w:date="2021-11-01T00:00:00Z">{_run(tail)}</w:ins>'
                                     f'<w:del w:id="{n + 10000}" w:author="审校" w:date="2021-11-01T00:00:00Z"><w:r><w:delText>删去的字</w:delText></w:r></w:del>'))
        if point and n % 2 == 0:
            return _paragraph(text[:point]) + _paragraph(text[point:])
        if point:
            return _paragraph(inner=_run(text[:point]) + "<w:r><w:br/></w:r>" + _run(text[point:]))
        if text and n % 5 == 0:
            return _paragraph(inner=f'<w:sdt><w:sdtPr><w:alias w:val="填写"/></w:sdtPr><w:sdtContent>{_run(text)}</w:sdtContent></w:sdt>')
        return _paragraph(text)

    def _cell(self, text, column="", *, merge=None, span=1, sdt=False):
        props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        if merge == "restart":
            props += '<w:vMerge w:val="restart"/>'
        elif merge == "continue":
            props += "<w:vMerge/>"
        content = _paragraph() if merge == "continue" else self._content(text, column)
        cell = f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"
        if sdt:
            cell = f'<w:sdt><w:sdtPr><w:tag w:val="cell"/></w:sdtPr><w:sdtContent>{cell}</w:sdtContent></w:sdt>'
        return cell

    def _tr(self, cells, *, header=False):
        props = ""
        if self.grid_before:
            props += '<w:gridBefore w:val="1"/>'
        if header:
            props += "<w:tblHeader/>"
        return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"

    # --- the table ---
    def header_rows(self):
        base = f"{self.plan['base_year']}年现状"
        tail = (["指标属性"] if self.has_attribute else []) + (["责任部门"] if self.has_responsible else [])
        if len(self.years) == 1:
            labels = ["类别", "序号", "指标", "计量单位", base, f"{self.years[0]}年目标", *tail]
            return [self._tr([self._cell(label) for label in labels], header=True)]
        first = [self._cell(label, merge="restart") for label in ["类别", "序号", "指标", "计量单位", base]]
        first.append(self._cell("目标值", span=len(self.years)))
        first += [self._cell(label, merge="restart") for label in tail]
        second = [self._cell("", merge="continue") for _ in range(5)]
        second += [self._cell(f"{year}年") for year in self.years]
        second += [self._cell("", merge="continue") for _ in tail]
        return [self._tr(first, header=True), self._tr(second, header=True)]

    def data_row(self, index):
        row = self.rows[index]
        previous = self.rows[index - 1] if index else None
        following = self.rows[index + 1] if index + 1 < len(self.rows) else None
        cells = []
        # 类别: merged down over its group (restart at the group's first row and after a split).
        first_of_piece = index in (0, self.split_at) or (self.repeated_header_inside and index == self.header_before)
        same_as_previous = previous is not None and previous.get("category") == row.get("category") and not first_of_piece
        same_as_next = (following is not None and following.get("category") == row.get("category") and index + 1 != self.split_at
                        and not (self.repeated_header_inside and index + 1 == self.header_before))
        merge = "continue" if same_as_previous else ("restart" if same_as_next else None)
        cells.append(self._cell(row.get("category", ""), "category", merge=merge))
        # 序号: an unnumbered sub-row continues its parent's number cell.
        is_sub = bool(row.get("parent")) and row.get("number", "") == ""
        has_subs = following is not None and following.get("parent") == row.get("key") and following.get("number", "") == ""
        merge = "continue" if is_sub else ("restart" if has_subs else None)
        cells.append(self._cell(row.get("number", ""), "number", merge=merge, sdt=index % 7 == 3))
        cells.append(self._cell(row.get("name", ""), "name"))
        cells.append(self._cell(row.get("unit", ""), "unit"))
        cells.append(self._cell(row.get("baseline", ""), "baseline", sdt=index % 4 == 1))
        shares = row.get("shares_parent_target", False)
        shared_below = following is not None and following.get("shares_parent_target") and following.get("parent") == row.get("key")
        merge = "continue" if shares else ("restart" if shared_below else None)
        for year in self.years:
            cells.append(self._cell(row.get("targets", {}).get(year, ""), "target", merge=merge))
        if self.has_attribute:
            cells.append(self._cell(row.get("attribute", ""), "attribute", merge=merge))
        if self.has_responsible:
            cells.append(self._cell(row.get("responsible", ""), "responsible"))
        tr = self._tr(cells)
        if index % 9 == 5:  # a row-level content control, as a form template makes them
            tr = f"<w:sdt><w:sdtPr/><w:sdtContent>{tr}</w:sdtContent></w:sdt>"
        if self.tracked_changes and index == 2:
            deleted = self._tr([self._cell("删去的行") for _ in self.columns]).replace("<w:trPr>", '<w:trPr><w:del w:id="99" w:author="审校" w:date="2021-11-01T00:00:00Z"/>', 1)
            tr = deleted + tr
        return tr

    def table(self, rows_xml):
        width = len(self.columns) + (1 if self.grid_before else 0)
        grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(width))
        return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows_xml)}</w:tbl>'

    def box(self):
        rows = ['<w:tr><w:tc><w:tcPr><w:gridSpan w:val="4"/></w:tcPr>' + _paragraph("专栏1  重点工程（示例数据）") + "</w:tc></w:tr>",
                "<w:tr>" + "".join(f"<w:tc>{_paragraph(t)}</w:tc>" for t in ("序号", "项目名称", "建设内容", "责任单位")) + "</w:tr>",
                "<w:tr>" + "".join(f"<w:tc>{_paragraph(t)}</w:tc>" for t in ("1", "示例湿地保护工程", "修复湿地 100 公顷", "林业局")) + "</w:tr>"]
        grid = "".join('<w:gridCol w:w="2000"/>' for _ in range(4))
        return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"

    def body(self):
        parts = [_paragraph(self.plan["title"])]
        parts.append(_paragraph("第一章　总体要求"))
        if self.plan.get("stated_counts_text"):
            parts.append(_paragraph(self.plan["stated_counts_text"]))
        if self.box_before:
            parts.append(self.box())
            parts.append(_paragraph(""))
        if self.plan.get("table_title") and not self.title_row:
            parts.append(_paragraph(self.plan["table_title"]))
        headers = self.header_rows()
        first = list(headers)
        if self.title_row and self.plan.get("table_title"):
            first.insert(0, self._tr([self._cell(self.plan["table_title"], span=len(self.columns))]))
        for index in range(self.split_at):
            if self.repeated_header_inside and index == self.header_before:
                first.extend(self.header_rows())
            first.append(self.data_row(index))
        parts.append(self.table(first))
        if self.split_at < len(self.rows):
            parts.append(_paragraph(page_break=True))
            parts.append(_paragraph("续表"))
            second = list(self.header_rows()) + [self.data_row(i) for i in range(self.split_at, len(self.rows))]
            parts.append(self.table(second))
        for note in self.plan.get("notes", []):
            parts.append(_paragraph(note))
        parts.append(_paragraph(""))
        parts.append(_paragraph("第二章　重点任务"))
        return "".join(parts)


def build_docx(data, **options):
    """Bytes of a .docx for the plan data file `data` (parsed TOML)."""
    document = docx.Document()
    body = document.element.body
    fragment = etree.fromstring(f"<w:body {NS}>{Builder(data, **options).body()}</w:body>")
    section = body.find(f"{{{W}}}sectPr")
    for element in list(fragment):
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
