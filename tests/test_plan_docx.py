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

from tests.docx_builder import build_docx

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
