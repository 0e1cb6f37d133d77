"""A plan's Word document (.docx) read back into its indicator table, row for row.

The documents are written by tests/docx_builder.py from the five published data files, with the
structures Word produces (merged cells, split tables, repeated headers, content controls)."""
import io
import tomllib
import zipfile

import pytest

from indicators.models import Plan
from indicators.plans.docx import DocumentRejected, read_plan_docx
from indicators.plans.seed import PLANS_DIR
from indicators.plans.services import plan_table_from_db, save_plan_table
from indicators.plans.table import from_toml, validate

from tests.docx_builder import BOX_FORMS, BOX_PROJECT, build_docx

CODES = ["140826-2021-2025", "140802-2021-2025", "140800-2021-2025", "140405-2021-2025", "141121-2024-2035"]
VARIANTS = {
    "as Word writes it": {},
    "with tracked changes": {"tracked_changes": True},
    "with gridBefore on every row": {"grid_before": True},
    "after a 专栏 box": {"box_before": True},
    "with the header typed again inside the table": {"repeated_header_inside": True},
    "with footnote marks as superscript runs": {"footnote_superscripts": True},
    "in one table": {"split_at": 10_000},
    "with the table title as the table's first row": {"title_row": True},
    "with a row split across the page break into two tables": {"split_row": True},
    "with a row split where the header is typed again inside the table": {"split_row": True, "repeated_header_inside": True,
                                                                           "split_at": 10_000},
    "after a 专栏 box written as paragraphs": {"box_before": True, "box_form": "paragraphs"},
    "after a 专栏 box in a text box": {"box_before": True, "box_form": "text box"},
}
PLAN_FIELDS = ["code", "region_code", "region_name", "title", "base_year", "milestone_years", "midterm_year",
               "table_title", "notes", "stated_indicator_count", "stated_binding_count", "stated_expected_count"]


def data_file(code):
    with open(PLANS_DIR / f"{code}.toml", "rb") as handle:
        return tomllib.load(handle)


def imported(code, **options):
    data = data_file(code)
    result = read_plan_docx(build_docx(data, **options), filename=data["plan"]["source_document"])
    assert result.errors == []
    return result, from_toml(data)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("code", CODES)
def test_importing_the_word_document_of_each_plan_gives_back_the_data_file_row_for_row(code, variant):
    result, expected = imported(code, **VARIANTS[variant])
    for name in PLAN_FIELDS:
        assert getattr(result.table, name) == getattr(expected, name), name
    assert len(result.table.rows) == len(expected.rows)
    for got, want in zip(result.table.rows, expected.rows):
        got.source_row = want.source_row = None
        assert got == want, want.key
    assert validate(result.table) == []


def test_sub_rows_under_a_merged_number_become_sub_rows_sharing_the_parent_target():
    result, _ = imported("140802-2021-2025")
    rows = {row.key: row for row in result.table.rows}
    assert [k for k in rows if k.startswith("16.")] == ["16.1", "16.2", "16.3", "16.4"]
    assert rows["16.2"].parent == "16" and rows["16.2"].number == "" and rows["16.2"].shares_parent_target
    assert rows["16.2"].targets == {2025: ""} and rows["16"].targets[2025] != ""
    # 运城市 numbers its sub-rows; the merged target cell alone makes them share row 17's target.
    result, _ = imported("140800-2021-2025")
    yuncheng = {row.key: row for row in result.table.rows}
    assert yuncheng["18"].parent == "17" and yuncheng["18"].number == "18" and yuncheng["18"].shares_parent_target


def test_a_two_level_header_names_both_target_years():
    result, _ = imported("141121-2024-2035")
    assert result.table.milestone_years == [2027, 2035]
    assert result.headers[5:7] == ["目标值/2027年", "目标值/2035年"]
    assert result.table.rows[0].targets.keys() == {2027, 2035}


def test_notes_under_the_table_are_plan_notes_and_a_year_note_sets_the_baseline_year_of_marked_rows():
    result, _ = imported("140802-2021-2025")
    assert result.table.notes == ["注：带*为2019年数据"]
    marked = [row for row in result.table.rows if "*" in row.baseline]
    assert marked and all(row.baseline_year == 2019 for row in marked)
    assert all(row.baseline_year is None for row in result.table.rows if "*" not in row.baseline)


def test_tracked_deletions_are_dropped_and_insertions_kept():
    result, expected = imported("140826-2021-2025", tracked_changes=True)
    names = [row.name for row in result.table.rows]
    assert "删去的行" not in names and not any("删去的字" in name for name in names)
    assert names == [row.name for row in expected.rows]


def test_a_key_project_box_is_not_taken_for_the_indicator_table_but_offered_separately():
    result, _ = imported("140405-2021-2025", box_before=True)
    assert [box.title for box in result.boxes] == ["专栏1  重点工程（示例数据）"]
    assert result.boxes[0].lines[1].startswith("1")
    assert result.table.rows[0].name != "示例湿地保护工程"


def test_the_region_is_the_most_specific_one_the_title_names():
    result, _ = imported("140405-2021-2025")  # 长治市屯留区…
    assert (result.table.region_code, result.table.region_name) == ("140405", "屯留区")
    result, _ = imported("141121-2024-2035")  # 美丽文水建设规划 names 文水 without 县
    assert result.table.region_code == "141121"


@pytest.mark.django_db
def test_an_imported_document_saves_through_the_plan_service_as_the_same_plan(real_plans):
    code = "140826-2021-2025"
    before = plan_table_from_db(Plan.objects.get(code=code))
    result, _ = imported(code)
    result.table.issuer, result.table.issue_date = before.issuer, before.issue_date
    result.table.parent_plan, result.table.vision_years = before.parent_plan, before.vision_years
    result.table.source_document = before.source_document
    save_plan_table(result.table)
    assert plan_table_from_db(Plan.objects.get(code=code)) == before


def _docx_with(document_xml, extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4 not a document", "不是有效的 .docx"),
    (b"PK\x03\x04broken zip", "已损坏"),
    (_docx_with("<w:document><w:body>"), "无法解析"),
    (_docx_with('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                "<w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"), "找不到指标表"),
    (_docx_with("<x/>", extra=[("word/media/huge.bin", b"\0" * (60 * 1024 * 1024))]), "压缩炸弹"),
    (b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 1), "不能超过 5 MB"),
])
def test_a_malformed_document_is_refused_with_a_chinese_message(data, message):
    try:
        result = read_plan_docx(data)
    except DocumentRejected as exc:
        assert message in str(exc)
    else:
        assert any(message in str(e) for e in result.errors), result.errors


def test_a_doc_file_is_converted_by_libreoffice_with_its_own_profile_and_a_time_limit(monkeypatch):
    from pathlib import Path

    from indicators.plans import importing

    document = build_docx(data_file("140405-2021-2025"))
    calls = []

    class FakePopen:
        pid = 0

        def __init__(self, command, **kwargs):
            calls.append((command, kwargs))
            outdir = Path(command[command.index("--outdir") + 1])
            (outdir / "plan.docx").write_bytes(document)

        def wait(self, timeout=None):
            calls[-1][1]["timeout"] = timeout
            return 0

    monkeypatch.setattr(importing.shutil, "which", lambda name: "/usr/bin/soffice" if name == "soffice" else None)
    monkeypatch.setattr(importing.subprocess, "Popen", FakePopen)
    result = importing.read_plan_file("屯留.wps", b"\xd0\xcf\x11\xe0 wps bytes", 5 * 1024 * 1024)
    assert result.errors == [] and len(result.table.rows) == 25
    (command, kwargs), = calls
    profile = next(part for part in command if part.startswith("-env:UserInstallation=file:///"))
    assert "/plan-convert-" in profile and kwargs["timeout"] == importing.CONVERSION_SECONDS and kwargs["start_new_session"]
    assert command[:1] == ["/usr/bin/soffice"] and "--headless" in command and command[command.index("--convert-to") + 1] == "docx"


def test_a_doc_file_without_libreoffice_is_refused_with_a_request_for_docx(monkeypatch):
    from indicators.plans import importing

    monkeypatch.setattr(importing.shutil, "which", lambda name: None)
    with pytest.raises(importing.UploadRejected, match="未安装 LibreOffice.*另存为” .docx"):
        importing.read_plan_file("规划.doc", b"\xd0\xcf\x11\xe0", 5 * 1024 * 1024)


def test_randomly_damaged_documents_are_read_or_refused_never_crash():
    """Elements dropped and attributes set to nonsense, as a broken editor or an attacker might."""
    import random

    from lxml import etree

    from indicators.plans.docx import W

    rng = random.Random(16)
    original = build_docx(data_file("140802-2021-2025"), box_before=True)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for _ in range(60):
        root = etree.fromstring(parts["word/document.xml"])
        elements = list(root.iter())
        for element in rng.sample(elements, 25):
            parent = element.getparent()
            choice = rng.random()
            if parent is not None and choice < 0.5:
                parent.remove(element)
            elif choice < 0.8:
                element.set(f"{{{W}}}val", rng.choice(["-1", "0", "99999", "x", "continue", "restart", ""]))
            elif parent is not None:
                parent.append(etree.fromstring(f'<w:vMerge xmlns:w="{W}"/>'))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in parts.items():
                archive.writestr(name, etree.tostring(root) if name == "word/document.xml" else content)
        try:
            result = read_plan_docx(buffer.getvalue())
        except DocumentRejected as exc:
            assert str(exc)
        else:
            assert result.table is not None or result.errors
            if result.table is not None:
                validate(result.table)


# --- a row split across a page break --------------------------------------------------------------

def _split_row_index(code, **options):
    from tests.docx_builder import Builder

    (index, tails), = Builder(data_file(code), **options).split_rows.items()
    return index, tails


def test_a_row_split_across_the_page_break_is_joined_back_and_the_warning_names_both_rows():
    code = "140802-2021-2025"
    index, tails = _split_row_index(code, split_row=True)
    assert set(tails) == {"name", "responsible"}  # the indicator's name and its bureaus both broken
    result, expected = imported(code, split_row=True)
    joined, want = result.table.rows[index], expected.rows[index]
    assert (joined.name, joined.responsible, joined.unit, joined.baseline) == (want.name, want.responsible, want.unit, want.baseline)
    assert result.table.rows[index + 1].name == expected.rows[index + 1].name
    warning, = [w for w in result.warnings if w.field == "跨页续行"]
    assert warning.row == joined.source_row
    assert f"第 {joined.source_row + 1} 行（序号为空）" in warning.message and "指标、责任部门" in warning.message


def test_the_group_of_the_rows_below_a_split_row_is_kept_when_word_left_the_new_merge_empty():
    code = "140826-2021-2025"
    index, _ = _split_row_index(code, split_row=True)
    result, expected = imported(code, split_row=True)
    following = expected.rows[index + 1]
    assert following.category == expected.rows[index].category  # the group goes on after the break
    assert result.table.rows[index + 1].category == following.category != ""


def test_a_row_word_may_not_split_is_never_joined_to_the_row_after_the_break():
    code = "140802-2021-2025"
    index, tails = _split_row_index(code, split_row=True)
    result, expected = imported(code, split_row=True, cant_split=True)
    assert len(result.table.rows) == len(expected.rows) + 1
    assert result.table.rows[index + 1].name == tails["name"]
    assert not any(w.field == "跨页续行" for w in result.warnings)


def _sub_row_split(code):
    rows = data_file(code)["indicator"]
    return next(i for i, row in enumerate(rows) if row["parent"] and i >= 1 and rows[i - 1]["parent"] == row["parent"])


def test_a_sub_row_at_the_top_of_the_second_table_stays_a_sub_row_of_its_parent():
    code = "140802-2021-2025"
    at = _sub_row_split(code)   # 16.2: its 序号 and target cells continue row 16's merge into the new table
    result, expected = imported(code, split_at=at, sub_row_at_split="merged")
    assert expected.rows[at].key == "16.2" and result.table.rows[at].key == "16.2"
    for got, want in zip(result.table.rows, expected.rows, strict=True):
        got.source_row = want.source_row = None
        assert got == want, want.key
    assert not any(w.field == "跨页续行" for w in result.warnings)


def test_a_sub_row_that_lost_its_merge_at_the_split_is_not_swallowed_by_the_row_above():
    code = "140802-2021-2025"
    at = _sub_row_split(code)   # 16.2 with a plain empty 序号 cell, as a split may leave it
    result, expected = imported(code, split_at=at, sub_row_at_split="unmerged")
    assert [row.name for row in result.table.rows] == [row.name for row in expected.rows]
    assert result.table.rows[at - 1].name == "氨氮排放总量减少" and result.table.rows[at].name == "氮氧化物排放总量减少"
    assert not any(w.field == "跨页续行" for w in result.warnings)


def _row(*texts, number_merge=None, cant_split=False):
    from indicators.plans.docx import Cell, Row

    row = Row(Cell(text) for text in texts)
    row[0].merged_from_above = number_merge == "continue"
    row[0].merge_start = number_merge == "restart"
    row.cant_split = cant_split
    return row


@pytest.mark.parametrize("previous, first, joined", [
    (_row("5", "森林覆", "%", "23", "林草"), _row("", "盖率", "", "", "局"), True),
    (_row("5", "森林覆盖率", "%", "23", "林草局", cant_split=True), _row("", "盖率", "", "", "局"), False),
    (_row("", "森林覆", "%", "23", "林草"), _row("", "盖率", "", "", "局"), False),          # a table without numbers
    (_row("5", "森林覆", "%", "23", "林草"), _row("", "盖率", "", "", "", number_merge="continue"), False),
    (_row("5", "森林覆", "%", "", "林草"), _row("", "盖率", "", "26", ""), False),           # text where the row above has none
    (_row("5", "森林覆", "%", "23", "林草"), _row("", "新指标", "%", "23", "林草局"), False),  # a whole row of its own
    (_row("16", "排放总量", "%", "4", "生态", number_merge="restart"), _row("", "氨氮", "%", "", ""), False),  # a sub-row
    (_row("16", "排放总", "%", "4", "生态", number_merge="restart"), _row("", "量减少", "", "", "环境局"), True),
])
def test_only_an_unnumbered_row_that_continues_the_cells_above_is_taken_for_the_rest_of_a_split_row(previous, first, joined):
    from indicators.plans.docx import read_columns, rejoin_split_rows

    header = _row("序号", "指标", "计量单位", "2020年现状", "责任部门")
    columns = read_columns([header])
    columns.targets = {2025: 3}
    warnings = []
    rows = rejoin_split_rows([[previous], [first]], [header], columns, warnings)
    assert (len(rows) == 1) == joined and bool(warnings) == joined
    if joined:
        assert rows[0][1][1].text == "森林覆盖率" or rows[0][1][1].text == "排放总量减少"


# --- 专栏 boxes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", BOX_FORMS)
def test_a_key_project_box_in_each_of_its_forms_is_offered_as_the_same_projects(form):
    from indicators.plans.docx import box_project_data

    code = "140405-2021-2025"
    result, _ = imported(code, box_before=True, box_form=form)
    assert len(result.boxes) == 1  # the running text 详见专栏1 is no box
    box, = box_project_data(code, result.boxes)["box"]
    assert (box["number"], box["title"], box["scope_only"]) == ("1", "重点工程（示例数据）", False)
    _, name, content, responsible = BOX_PROJECT
    assert [(p["name"], p["content"], p["responsible"]) for p in box["project"]] == [(name, content, responsible)]
    assert result.table.rows[0].name != name and result.table.table_title == data_file(code)["plan"]["table_title"]


def _document(*paragraphs):
    from tests.docx_builder import NS

    return _docx_with(f'<w:document {NS}><w:body>{"".join(paragraphs)}</w:body></w:document>')


def _p(text, properties=""):
    from xml.sax.saxutils import escape

    return f'<w:p><w:pPr>{properties}</w:pPr><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def test_paragraphs_that_merely_mention_a_box_are_not_taken_for_one():
    result = read_plan_docx(_document(
        _p("加快实施生态保护修复重点工程，详见专栏3。"),
        _p("专栏3所列工程由县林业局牵头负责实施。"),
        _p("1. 完善工作机制：建立联席会议制度。"),
        _p("（专栏3）"),
    ))
    assert result.boxes == []


def test_a_box_written_as_paragraphs_runs_over_its_items_and_ends_at_the_next_heading():
    from indicators.plans.docx import box_project_data

    result = read_plan_docx(_document(
        _p("第三章　重点任务"),
        _p("专栏３　生态保护修复重点工程"),
        _p("1. 汾河流域生态修复工程：建设内容为河道整治 20 公里。（责任单位：县水利局）"),
        _p(""),
        _p("2．太岳山森林保护工程：新建防火通道 30 公里；牵头单位：县林业局。"),
        _p("（三）湿地保护工程"),
        _p("第二节　加强环境治理", '<w:outlineLvl w:val="1"/>'),
        _p("4. 不在专栏中的工作：加强监管。"),
    ))
    box, = box_project_data("140405-2021-2025", result.boxes)["box"]
    assert (box["number"], box["title"]) == ("3", "生态保护修复重点工程")
    assert [(p["name"], p["content"], p["responsible"]) for p in box["project"]] == [
        ("汾河流域生态修复工程", "建设内容为河道整治 20 公里。", "县水利局"),
        ("太岳山森林保护工程", "新建防火通道 30 公里", "县林业局"),
        ("湿地保护工程", "湿地保护工程", ""),
    ]
    assert "不在专栏中" not in box["text"]


def test_a_box_in_paragraphs_ends_where_running_text_resumes():
    result = read_plan_docx(_document(
        _p("专栏2  水环境治理工程"),
        _p("① 污水处理厂提标改造：出水达到一级A标准"),
        _p("推进城镇污水管网全覆盖，加快补齐污水收集处理设施短板，全面提升污水收集效能。"),
        _p("② 这一行已在专栏之外：不属于专栏"),
    ))
    box, = result.boxes
    assert [row[1] for row in box.cells[1:]] == ["污水处理厂提标改造"]


def test_a_box_in_a_text_box_is_read_once_with_its_items_going_on_over_several_paragraphs():
    from indicators.plans.docx import box_project_data
    from tests.docx_builder import text_box

    result = read_plan_docx(_document(
        _p("正文段落。"),
        text_box(_p("专栏 4：土壤污染防治工程") + _p("1、受污染耕地安全利用：实施安全利用 2 万亩")
                 + _p("建设期限：2021—2025年") + _p("2、重点建设用地风险管控：完成调查评估")),
        _p("加强土壤污染源头防控，详见专栏4。"),
    ))
    box, = box_project_data("140405-2021-2025", result.boxes)["box"]
    assert box["title"] == "土壤污染防治工程"
    assert [(p["name"], p["content"]) for p in box["project"]] == [
        ("受污染耕地安全利用", "实施安全利用 2 万亩\n建设期限：2021—2025年"), ("重点建设用地风险管控", "完成调查评估")]


def test_a_box_in_a_text_box_inside_another_text_box_is_read_once():
    from tests.docx_builder import text_box

    inner = text_box(_p("专栏6  固废治理工程") + _p("1. 尾矿库治理：治理尾矿库 3 座"))
    result = read_plan_docx(_document(text_box(_p("说明文字") + inner)))
    assert [(box.title, [row[1] for row in box.cells[1:]]) for box in result.boxes] == [("专栏6  固废治理工程", ["尾矿库治理"])]


def test_a_framed_box_is_every_framed_paragraph_and_no_more():
    frame = '<w:framePr w:w="8000" w:hSpace="180" w:wrap="around" w:vAnchor="text" w:hAnchor="margin"/>'
    result = read_plan_docx(_document(
        _p("专栏5　大气污染防治重点工程", frame),
        _p("1. 散煤治理工程：完成清洁取暖改造 1 万户", frame),
        _p("涉及全县各乡镇。", frame),
        _p("2. 不在框内：正文", ""),
    ))
    box, = result.boxes
    assert box.lines == ["1. 散煤治理工程：完成清洁取暖改造 1 万户", "涉及全县各乡镇。"]
    assert [row[1] for row in box.cells[1:]] == ["散煤治理工程"]


def test_a_box_heading_with_nothing_under_it_but_the_indicator_table_is_no_box():
    from tests.docx_builder import Builder

    class HeadingOnly(Builder):
        def box(self):
            return "<w:p><w:r><w:t>专栏1  重点工程（示例数据）</w:t></w:r></w:p>"

    data = data_file("141121-2024-2035")   # no table title: the heading stands right above the indicator table
    result = read_plan_docx(build_docx(data, HeadingOnly, box_before=True))
    assert result.boxes == [] and len(result.table.rows) == len(data["indicator"])
