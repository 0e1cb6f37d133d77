"""The Word report after GB/T 9704-2012 (党政机关公文格式), through a .docx template.

Page: A4 210 × 297 mm; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225
mm); title 方正小标宋简体 二号 (22 pt), body 仿宋_GB2312 三号 (16 pt) at a fixed 28.95 pt line
(22 lines a page), first-level headings 黑体, second-level 楷体_GB2312, page numbers "— 1 —" in
the footer (宋体 四号). Chinese font names are written as East-Asian fonts (w:eastAsia of
w:rFonts), which is what Chinese Word uses for CJK text; the Latin font stays Times New Roman.

The page set-up, letterhead, header and signature block come from a template rendered with
docxtpl (Jinja placeholders, see docs/report_templates.md); the body — sections, the indicator
table and the attachment — is written by python-docx at the paragraph holding `{{ body }}`, with
every run formatted directly, so a county's template only has to supply its page and letterhead.
`default_template()` builds the template that ships, the same bytes every time.
"""
import io

from django.utils.translation import gettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core import uploads

TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, PAGE_NUMBER_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体")
LATIN_FONT = "Times New Roman"
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = 22, 16, 10.5, 14  # 二号, 三号, 五号, 四号
LINE = Pt(28.95)  # 22 lines in the 225 mm 版心
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
BODY_PLACEHOLDER = "{{ body }}"
TEMPLATE_MAX_BYTES, TEMPLATE_MAX_UNPACKED = 5 * 1024 * 1024, 50 * 1024 * 1024  # a county's uploaded template
# What {{ body }} / {{ attachment }} render to, then replaced by the report's own paragraphs.
SENTINELS = {"body": "\u2063REPORT-BODY\u2063", "attachment": "\u2063REPORT-ATTACHMENT\u2063"}
PLACEHOLDERS = {
    "title": "报告标题，如“绛县“十四五”生态环境保护规划终期评估报告”",
    "issuer": "发文机关署名（可在报告页面修改）",
    "date": "成文日期，如“2026年12月4日”（可在报告页面修改）",
    "region": "行政区划名称",
    "plan_title": "规划名称",
    "kind": "中期评估 / 终期评估",
    "year": "评估年份",
    "synthetic": "是否含示例数据（真/假，可用于 {% if synthetic %}）",
    "synthetic_note": "含示例数据时为“示例数据”提示，否则为空",
    "body": "报告正文（必须单独占一段）：一至五部分、指标表和附件说明",
    "attachment": "附件：判定依据（单独占一段，放在署名和日期之后、版记之前；缺省时附在文末）",
}
TABLE_COLUMNS = [("序号", 8), ("指标", 28), ("单位", 11), ("属性", 13), ("基期值", 13), ("目标值", 22),
                 ("实际值（年份）", 20), ("完成进度", 12), ("状态", 16), ("责任部门", 13)]  # widths in mm, sum 156


def set_font(run, east_asian, size, *, bold=False, color=None):
    """Latin and East-Asian font of one run: Chinese Word picks w:eastAsia for CJK characters."""
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _format(paragraph, *, align=None, indent=True, line=LINE, right_indent=None):
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(BODY_SIZE * 2) if indent else Pt(0)
    if right_indent is not None:
        fmt.right_indent = right_indent
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _add(container, text, font=BODY_FONT, size=BODY_SIZE, *, bold=False, color=None, **fmt):
    paragraph = _format(container.add_paragraph(), **fmt)
    set_font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _page_number_field(paragraph):
    """— PAGE — : the number is a field, so Word fills in each page's own."""
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = set_font(paragraph.add_run(), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def default_template():
    """The template that ships: GB/T 9704 page, title, body, signature and date; no letterhead."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.header_distance, section.footer_distance = Mm(15), Mm(28)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(header.add_run("{{ synthetic_note }}"), HEADING1_FONT, 12, color="C00000")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)
    _add(document, "{{ title }}", TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(35))
    _add(document, "", indent=False)
    _add(document, BODY_PLACEHOLDER, indent=False)
    _add(document, "", indent=False)
    _add(document, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, right_indent=Pt(BODY_SIZE * 4))
    _add(document, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, right_indent=Pt(BODY_SIZE * 4))
    _add(document, "{{ attachment }}", indent=False)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "规划指标评估系统"
    properties.title = "评估报告模板（GB/T 9704）"
    # Fixed timestamps and revision: the same template bytes every build (reproducible).
    from datetime import datetime

    properties.created = properties.modified = datetime(2026, 1, 1)
    properties.revision = 1
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_times(out.getvalue())


def _fixed_zip_times(content):
    """The same package with every member dated 2026-01-01: zip entries otherwise carry the time
    they were written, and the template would differ byte for byte on every build."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def template_problems(content):
    """Why `content` cannot serve as a report template (Chinese, for the upload form), or []."""
    from docxtpl import DocxTemplate

    try:  # a zip bomb is refused before python-docx unpacks every part into memory
        uploads.check_zip_package(content, uploads.DOCX, max_bytes=TEMPLATE_MAX_BYTES, max_unpacked=TEMPLATE_MAX_UNPACKED)
    except uploads.PackageRejected as exc:
        return [gettext("无法读取模板：%(problem)s") % {"problem": exc}]
    try:
        template = DocxTemplate(io.BytesIO(content))
        variables = template.get_undeclared_template_variables()
    except Exception as exc:  # a broken zip, XML or Jinja syntax: say so, do not crash the page
        return [f"无法读取模板（{exc.__class__.__name__}）：请上传 Word 2007 及以上的 .docx 文件。"]
    problems = []
    if "body" not in variables:
        problems.append("模板中缺少正文占位符 {{ body }}（须单独占一段）。")
    unknown = sorted(set(variables) - set(PLACEHOLDERS))
    if unknown:
        problems.append("模板中有未定义的占位符：" + "、".join(unknown) + "。可用的占位符见说明。")
    return problems


def render(context, writers, template=None):
    """Render `template` (bytes; the default when None) with `context`, then let each of
    `writers` ({"body": fn, "attachment": fn}; fn(document) appends paragraphs and tables) write
    its part at the paragraph of its placeholder. `{{ body }}` is required; a template without
    `{{ attachment }}` gets the attachment at its end. Returns .docx bytes."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template or default_template()))
    tpl.render({**context, **{name: SENTINELS[name] for name in writers}})
    document = tpl.docx
    body = document.element.body
    for name, write in writers.items():
        sentinel = next((p._element for p in document.paragraphs if SENTINELS[name] in p.text), None)
        if sentinel is None and name == "body":
            raise ValueError("报告模板缺少正文占位符 {{ body }}（须单独占一段，不能放在表格中）")
        before = set(body.iterchildren())
        write(document)
        if sentinel is not None:
            for node in [n for n in body.iterchildren() if n not in before and n.tag != qn("w:sectPr")]:
                sentinel.addprevious(node)
            body.remove(sentinel)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# ----- body pieces ---------------------------------------------------------------------------
def heading1(document, text):
    return _add(document, text, HEADING1_FONT)


def heading2(document, text):
    return _add(document, text, HEADING2_FONT)


def body_text(document, text):
    """One paragraph per line of `text` (a reviewer's edit keeps its line breaks)."""
    for line in [line.strip() for line in (text or "").splitlines() if line.strip()] or ["—"]:
        _add(document, line)


def blank_line(document):
    _add(document, "", indent=False)


def synthetic_note(document, text):
    _add(document, text, HEADING1_FONT, bold=False, color="C00000", indent=False)


def page_break(document):
    paragraph = _format(document.add_paragraph(), indent=False)
    paragraph.add_run().add_break(WD_BREAK.PAGE)


def attachment_title(document, text):
    _add(document, "附件", HEADING1_FONT, indent=False)
    _add(document, text, TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(35))


def _cell_borders(table):
    """Single borders on every cell, without relying on a "Table Grid" style a template may lack."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), "4")
        border.set(qn("w:space"), "0")
        border.set(qn("w:color"), "000000")
        borders.append(border)
    tbl_pr.append(borders)


def _cell_text(cell, text, *, bold=False, font=BODY_FONT, color=None, align=None):
    paragraph = cell.paragraphs[0]
    _format(paragraph, indent=False, line=Pt(15), align=align)
    set_font(paragraph.add_run(text), font, TABLE_SIZE, bold=bold, color=color)


def indicator_table(document, rows):
    """`rows`: (cells, {"sub": bool, "synthetic": bool}) — cells in TABLE_COLUMNS order."""
    table = document.add_table(rows=1, cols=len(TABLE_COLUMNS))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_borders(table)
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    header_pr.append(repeat)
    for column, (_, width) in zip(table.columns, TABLE_COLUMNS):
        column.width = Mm(width)  # w:gridCol, which LibreOffice and WPS lay the table out by
    for cell, (label, width) in zip(header.cells, TABLE_COLUMNS):
        cell.width = Mm(width)
        _cell_text(cell, label, font=HEADING1_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    for cells, flags in rows:
        row = table.add_row()
        for n, (cell, text, (_, width)) in enumerate(zip(row.cells, cells, TABLE_COLUMNS)):
            cell.width = Mm(width)
            _cell_text(cell, text, color="C00000" if flags.get("synthetic") and n == 6 else None)
    return table
