"""Write a plan's Word document (.docx) from its data file, the way Word stores such a table.

Test helper for the .docx importer: the title and the counts sentence as paragraphs, the table
title, then the indicator table with its structure as Word writes it — 类别 cells merged down
(`vMerge`), a parent 序号 and its shared target merged over its sub-rows, a two-level header
(目标值 → 2027年 / 2035年) where the plan has two target years, header rows marked to repeat
(`tblHeader`), the table split at a page break into a second table that repeats the header, cells
in content controls (`w:sdt`), long cells written as two paragraphs or with a line break — and the
notes below. Options add the variants: tracked changes, `gridBefore`, a 专栏 box before the table
(as a table, as paragraphs, in a text box, in bordered paragraphs, or a heading above a table), a
row split across the page break (its second half the first row of the next table or part), a
sub-row at the top of the second table, rows Word may not split (`cantSplit`).
Everything the helper writes is 示例数据 built from the published data files.
"""
import io
from xml.sax.saxutils import escape

import docx
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {
    "w": W,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}
NS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
BOX_TITLE = "专栏1  重点工程（示例数据）"
BOX_PROJECT = ("1", "示例湿地保护工程", "修复湿地 100 公顷", "林业局")
BOX_FORMS = ("table", "paragraphs", "text box", "bordered paragraphs", "heading above a table")


def _run(text, *, superscript=False):
    props = '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>' if superscript else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text="", *, page_break=False, inner=None):
    body = inner if inner is not None else (_run(text) if text else "")
    if page_break:
        body += '<w:r><w:br w:type="page"/></w:r>'
    return f"<w:p>{body}</w:p>"


def text_box(paragraphs_xml):
    """A paragraph anchoring a text box with the given paragraphs, as Word writes a shape: the
    DrawingML text box, and the same text again as VML for older readers (`mc:Fallback`)."""
    choice = ('<mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:extent cx="5000000" cy="1000000"/><a:graphic>'
              '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
              f'<wps:txbx><w:txbxContent>{paragraphs_xml}</w:txbxContent></wps:txbx>'
              '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>')
    fallback = f'<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{paragraphs_xml}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
    return f"<w:p><w:r><mc:AlternateContent>{choice}{fallback}</mc:AlternateContent></w:r></w:p>"


def bordered(text):
    """A paragraph with a box border; Word draws consecutive such paragraphs as one box."""
    sides = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="4" w:color="auto"/>' for side in ("top", "left", "bottom", "right"))
    return f"<w:p><w:pPr><w:pBdr>{sides}</w:pBdr></w:pPr>{_run(text)}</w:p>"


def _half(text):
    """Where a cell's text may be broken across a page: between two non-ASCII characters near the middle."""
    if len(text) < 4:
        return None
    for point in sorted(range(1, len(text)), key=lambda p: abs(p - len(text) // 2)):
        if ord(text[point - 1]) > 127 and ord(text[point]) > 127:
            return point
    return None


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
    def __init__(self, data, *, tracked_changes=False, grid_before=False, box_before=False, box_form="table",
                 split_at=None, repeated_header_inside=False, footnote_superscripts=False, title_row=False,
                 split_row=False, sub_row_at_split=None, cant_split=False):
        self.plan = data["plan"]
        self.rows = data.get("indicator", [])
        self.tracked_changes = tracked_changes
        self.grid_before = grid_before
        self.box_before = box_before
        assert box_form in BOX_FORMS, box_form
        self.box_form = box_form
        self.cant_split = cant_split  # every data row marked w:cantSplit
        # sub_row_at_split: the second table starts with a sub-row, its 序号 (and shared target)
        # cells continuing the parent's merge ("merged") or written as plain empty cells ("unmerged").
        assert sub_row_at_split in (None, "merged", "unmerged")
        self.sub_row_at_split = sub_row_at_split
        self.split_at = min(len(self.rows), split_at if split_at is not None else max(1, len(self.rows) * 2 // 3))
        while not sub_row_at_split and self.split_at < len(self.rows) and self.rows[self.split_at].get("parent"):
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
        # split_row: the row before each break (the table split; the header typed again inside) is
        # split in two, its cells' text divided where a page would break it; the second half is the
        # first row after the break with an empty 序号, and the short cells (unit, values) left empty.
        self.split_rows = {}   # index of a split row → {column: its text after the break}
        if split_row:
            breaks = ([self.split_at] if self.split_at < len(self.rows) else []) + ([self.header_before] if repeated_header_inside else [])
            for at in breaks:
                if at >= 1:
                    self.split_rows[at - 1] = self._tails(self.rows[at - 1])

    def _tails(self, row):
        tails = {}
        for column, text in [("name", row.get("name", "")), ("responsible", row.get("responsible", "")),
                             *((f"t{year}", row.get("targets", {}).get(year, "")) for year in self.years)]:
            point = _half(text) if column in ("name", "responsible") or len(text) >= 8 else None
            if point:
                tails[column] = text[point:]
        assert "name" in tails or "responsible" in tails, row
        return tails

    def _head(self, index):
        """The row's data with each split cell's text cut to what stands before the page break."""
        row = self.rows[index]
        tails = self.split_rows.get(index)
        if not tails:
            return row
        def cut(column, text):
            return text[:len(text) - len(tails[column])] if column in tails else text
        return {**row, "name": cut("name", row.get("name", "")), "responsible": cut("responsible", row.get("responsible", "")),
                "targets": {year: cut(f"t{year}", text) for year, text in row.get("targets", {}).items()}}

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
        if self.cant_split and not header:
            props += "<w:cantSplit/>"
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
        row = self._head(index)
        previous = self.rows[index - 1] if index else None
        following = self.rows[index + 1] if index + 1 < len(self.rows) else None
        cells = []
        # 类别: merged down over its group (restart at the group's first row and after a split;
        # after a split row's second half, the merge that half restarts goes on).
        first_of_piece = index in (0, self.split_at) or (self.repeated_header_inside and index == self.header_before)
        after_continuation = first_of_piece and index - 1 in self.split_rows
        same_as_previous = (previous is not None and previous.get("category") == row.get("category")
                            and (not first_of_piece or after_continuation))
        same_as_next = (following is not None and following.get("category") == row.get("category") and index + 1 != self.split_at
                        and not (self.repeated_header_inside and index + 1 == self.header_before))
        merge = "continue" if same_as_previous else ("restart" if same_as_next else None)
        cells.append(self._cell(row.get("category", ""), "category", merge=merge))
        # 序号: an unnumbered sub-row continues its parent's number cell.
        is_sub = bool(row.get("parent")) and row.get("number", "") == ""
        has_subs = following is not None and following.get("parent") == row.get("key") and following.get("number", "") == ""
        merge = "continue" if is_sub else ("restart" if has_subs else None)
        unmerged = self.sub_row_at_split == "unmerged" and index == self.split_at
        if unmerged:
            merge = None
        cells.append(self._cell(row.get("number", ""), "number", merge=merge, sdt=index % 7 == 3))
        cells.append(self._cell(row.get("name", ""), "name"))
        cells.append(self._cell(row.get("unit", ""), "unit"))
        cells.append(self._cell(row.get("baseline", ""), "baseline", sdt=index % 4 == 1))
        shares = row.get("shares_parent_target", False)
        shared_below = following is not None and following.get("shares_parent_target") and following.get("parent") == row.get("key")
        merge = "continue" if shares else ("restart" if shared_below else None)
        if unmerged and shares:
            merge = None
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

    def continuation_row(self, index, *, retyped):
        """The second half of split row `index`, the first row after the break: an empty 序号, the
        split cells' rest, the other cells empty. The 类别 cell restarts the merge when the group goes
        on below — empty, as Word leaves it when it splits a table, or the label typed again."""
        row, tails = self.rows[index], self.split_rows[index]
        following = self.rows[index + 1] if index + 1 < len(self.rows) else None
        goes_on = following is not None and following.get("category") == row.get("category")
        cells = [self._cell(row.get("category", "") if retyped else "", "category", merge="restart" if goes_on else None),
                 self._cell("", "number"), self._cell(tails.get("name", ""), "name"), self._cell("", "unit"), self._cell("", "baseline")]
        cells += [self._cell(tails.get(f"t{year}", ""), "target") for year in self.years]
        if self.has_attribute:
            cells.append(self._cell("", "attribute"))
        if self.has_responsible:
            cells.append(self._cell(tails.get("responsible", ""), "responsible"))
        return self._tr(cells)

    def table(self, rows_xml):
        width = len(self.columns) + (1 if self.grid_before else 0)
        grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(width))
        return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows_xml)}</w:tbl>'

    def box(self):
        """The one 专栏 box (示例数据), in the form asked for; every form holds the same project."""
        number, name, content, responsible = BOX_PROJECT
        item = f"{number}. {name}：{content}（责任单位：{responsible}）"
        if self.box_form == "paragraphs":
            return _paragraph(BOX_TITLE) + _paragraph(item)
        if self.box_form == "text box":  # full-width digit and space, as WPS often types them
            return text_box(_paragraph(BOX_TITLE.replace("1  ", "１　")) + _paragraph("") + _paragraph(item))
        if self.box_form == "bordered paragraphs":
            return bordered(BOX_TITLE) + bordered(item)
        rows = ["<w:tr>" + "".join(f"<w:tc>{_paragraph(t)}</w:tc>" for t in ("序号", "项目名称", "建设内容", "责任单位")) + "</w:tr>",
                "<w:tr>" + "".join(f"<w:tc>{_paragraph(t)}</w:tc>" for t in BOX_PROJECT) + "</w:tr>"]
        grid = "".join('<w:gridCol w:w="2000"/>' for _ in range(4))
        if self.box_form == "heading above a table":
            return _paragraph(BOX_TITLE) + f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        rows.insert(0, '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="4"/></w:tcPr>' + _paragraph(BOX_TITLE) + "</w:tc></w:tr>")
        return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"

    def body(self):
        parts = [_paragraph(self.plan["title"])]
        parts.append(_paragraph("第一章　总体要求"))
        if self.plan.get("stated_counts_text"):
            parts.append(_paragraph(self.plan["stated_counts_text"]))
        if self.box_before:
            parts.append(_paragraph("实施一批重点工程，详见专栏1。"))  # running text naming the box is no box
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
                if index - 1 in self.split_rows:  # typed by hand: the 类别 label written again
                    first.append(self.continuation_row(index - 1, retyped=True))
            first.append(self.data_row(index))
        parts.append(self.table(first))
        if self.split_at < len(self.rows):
            parts.append(_paragraph(page_break=True))
            parts.append(_paragraph("续表"))
            second = list(self.header_rows())
            if self.split_at - 1 in self.split_rows:  # Word's split: the 类别 cell left empty
                second.append(self.continuation_row(self.split_at - 1, retyped=False))
            second += [self.data_row(i) for i in range(self.split_at, len(self.rows))]
            parts.append(self.table(second))
        for note in self.plan.get("notes", []):
            parts.append(_paragraph(note))
        parts.append(_paragraph(""))
        parts.append(_paragraph("第二章　重点任务"))
        return "".join(parts)


def build_docx(data, builder=Builder, **options):
    """Bytes of a .docx for the plan data file `data` (parsed TOML); `builder` a Builder subclass
    for a document the options do not describe."""
    document = docx.Document()
    body = document.element.body
    fragment = etree.fromstring(f"<w:body {NS}>{builder(data, **options).body()}</w:body>")
    section = body.find(f"{{{W}}}sectPr")
    for element in list(fragment):
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
