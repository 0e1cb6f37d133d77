"""The evaluation report as filed: the .docx after GB/T 9704 (page, margins, East-Asian fonts,
sections, the indicator table, page numbers), a county's own template, the drafted paragraphs a
reviewer edits, the confirmation before freezing a final report with undecided items, and the
.xlsx (numbers as numbers, print set-up, totals sheet). The files are opened with python-docx
and openpyxl and compared with what the evaluation page shows."""
import io

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from accounts.models import Role
from indicators.models import EvaluationReport, Indicator, IndicatorValue, Region, ReportTemplate
from indicators.reports import docx_gbt9704 as gbt
from indicators.reports import drafting, formats
from indicators.reports import services as reports
from indicators.results.selectors import plan_rows
from indicators.review.services import review_value
from reporting import workflow
from tests.report_support import download_report, freeze_final_report
from tests.factories import user_with_role

JIANG = "140826-2021-2025"
BODY_SECTIONS = ["一、总体情况", "二、指标完成情况", "三、重点工程进展", "四、存在问题", "五、下一步建议", "附件：判定依据"]


def _approved(indicator, year, raw, user, **extra):
    """A value the bureau submitted and `user` approved (the review service re-evaluates)."""
    bureau = user_with_role(Role.BUREAU_STAFF, region=indicator.plan.region)
    value = IndicatorValue.objects.create(indicator=indicator, year=year, raw=raw, number=raw, state=workflow.SUBMITTED,
                                          created_by=bureau, updated_by=bureau, **extra)
    return review_value(value, workflow.APPROVE, user)


@pytest.fixture
def city_reviewer(real_plans):
    return user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))


@pytest.fixture
def frozen(client, city_reviewer, settings, tmp_path, django_capture_on_commit_callbacks):
    """绛县's final report frozen at 2025 with 森林覆盖率 reported (confirmed despite undecided items)."""
    settings.MEDIA_ROOT = tmp_path
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2025, "37.20", city_reviewer)
    client.force_login(city_reviewer)
    return freeze_final_report(client, JIANG, django_capture_on_commit_callbacks)


_download = download_report


def _east_asian(run):
    fonts = run._element.rPr.find(qn("w:rFonts")) if run._element.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _paragraph(document, text):
    return next(p for p in document.paragraphs if p.text.strip() == text)


# ----- pure parts ----------------------------------------------------------------------------
def test_figures_are_printed_to_their_precision_without_trailing_zeros_or_negative_zero():
    assert drafting.number(3.0) == "3" and drafting.number(7.97) == "7.97" and drafting.number(-0.001) == "0"
    assert drafting.number(60, 0) == "60" and drafting.number(100.0) == "100" and drafting.percent(0.6, 0) == "60%"
    assert drafting.number(5.9137, 2) == "5.91" and drafting.percent(0.349) == "34.9%" and drafting.percent(None) == "—"


def test_a_rate_indicator_prints_its_cumulative_reduction_and_other_rows_their_value_with_its_year():
    rate = {"is_rate": True, "cumulative_rate": 5.9100001, "value": "3", "value_year": 2022}
    level = {"is_rate": False, "cumulative_rate": None, "value": "36.7", "value_year": 2023}
    assert reports.actual_value(rate) == "累计下降5.91%（2022年）"
    assert reports.actual_value(level) == "36.7（2023年）"
    assert reports.actual_value({"value": "", "value_year": None}) == "—"


def test_problems_are_drafted_from_lagging_binding_rows_stale_data_and_undecided_items():
    row = {"number": "", "key": "", "name": "", "binding": False, "status": "met", "stale": False, "target": "",
           "value": "", "value_year": None}
    data = {"rows": [
        {**row, "number": "24", "name": "农村黑臭水体整治率", "binding": True, "status": "behind", "target": "2025年 100",
         "value": "60", "value_year": 2025},
        {**row, "number": "3", "name": "森林蓄积量", "stale": True, "status": "on_track", "value_year": 2023},
        {**row, "number": "9", "name": "生态保护红线", "status": "needs_judgement"},
        {**row, "number": "1", "name": "空气质量优良天数比例", "binding": True, "status": "met"},
    ]}
    text = drafting.problems(data)
    assert "约束性指标“24 农村黑臭水体整治率”滞后：目标2025年 100，实际60（2025年）" in text
    assert "“3 森林蓄积量”（最新为2023年）" in text and "待评价指标1项：“9 生态保护红线”" in text
    assert "空气质量" not in text
    group = {**data, "rows": [{**row, "key": "15", "number": "15", "name": "化学需氧量", "status": "needs_judgement"},
                              {**row, "key": "15.1", "parent_key": "15", "name": "氨氮", "status": "needs_judgement"}]}
    assert "待评价指标1项：“15 化学需氧量”。" in drafting.problems(group), "a shared-target group counts once"
    advice = drafting.suggestions(data)
    assert "“农村黑臭水体整治率”" in advice and "专家" in advice and "按时报送" in advice
    assert drafting.problems({"rows": [{**row, "name": "x"}]}) == "经评估，未发现突出问题。"


def test_the_default_template_is_built_the_same_every_time_and_names_only_documented_placeholders():
    first, second = gbt.default_template(), gbt.default_template()
    assert first == second
    assert gbt.template_problems(first) == []
    from docxtpl import DocxTemplate

    assert DocxTemplate(io.BytesIO(first)).get_undeclared_template_variables() <= set(gbt.PLACEHOLDERS)


def test_every_registered_format_has_its_writer_content_type_and_file_field():
    assert set(formats.FORMATS) == {"docx", "xlsx"}
    for fmt in formats.FORMATS.values():
        assert callable(getattr(reports, fmt.writer)), fmt.code
        assert fmt.content_type.startswith("application/vnd.openxmlformats-officedocument")
        assert EvaluationReport._meta.get_field(fmt.field).get_internal_type() == "FileField"
    assert formats.get("pdf") is None


# ----- the .docx -------------------------------------------------------------------------------
def test_the_docx_is_a4_with_gbt9704_margins_east_asian_fonts_and_page_numbers(client, frozen):
    response, content = _download(client, frozen, "docx")
    assert response["Content-Type"] == formats.get("docx").content_type
    from urllib.parse import unquote

    assert unquote(response["Content-Disposition"]).endswith("2025年终期评估.docx")
    document = Document(io.BytesIO(content))
    section = document.sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                section.left_margin, section.right_margin]  # stored in twips: equal to 0.01 mm
    assert [round(length.mm, 1) for length in measured] == [210, 297, 37, 35, 28, 26]
    title = _paragraph(document, f"{frozen.plan.title}终期评估报告")
    assert _east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    heading = _paragraph(document, "一、总体情况")
    assert _east_asian(heading.runs[0]) == "黑体" and heading.runs[0].font.size == Pt(16)
    paragraphs = document.paragraphs
    body_text = paragraphs[[p.text for p in paragraphs].index("二、指标完成情况") + 1]
    assert _east_asian(body_text.runs[0]) == "仿宋_GB2312" and body_text.runs[0].font.size == Pt(16)
    assert any(_east_asian(p.runs[0]) == "楷体_GB2312" for p in document.paragraphs if p.text.startswith("（一）"))
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._element.xml and 'w:fldCharType="begin"' in footer._element.xml
    texts = [p.text for p in document.paragraphs]
    positions = [next(n for n, t in enumerate(texts) if t.strip() == s) for s in BODY_SECTIONS]
    assert positions == sorted(positions), "sections in order 一 … 五, then the 附件说明"
    signature = texts.index("绛县人民政府")
    assert texts[signature + 1] == drafting.chinese_date(frozen.created_at.date())
    assert positions[-1] < signature < texts.index("附件") < texts.index("判定依据"), \
        "署名 and 成文日期 follow the body; the attachment follows them on its own page"


def test_the_docx_table_lists_every_row_with_the_status_and_value_the_evaluation_page_shows(client, frozen, city_reviewer):
    _, content = _download(client, frozen, "docx")
    table = Document(io.BytesIO(content)).tables[0]
    assert [c.text for c in table.rows[0].cells] == [label for label, _ in gbt.TABLE_COLUMNS]
    assert [round(column.width.mm) for column in table.columns] == [width for _, width in gbt.TABLE_COLUMNS]
    assert [c.text for c in table.rows[0].cells] == ["序号", "指标", "单位", "属性", "基期值", "目标值", "实际值（年份）",
                                                      "完成进度", "状态", "责任部门"]
    rows, _, _, _ = plan_rows(frozen.plan, city_reviewer, 2025)
    body = table.rows[1:]
    assert len(body) == len(rows)
    for page_row, docx_row in zip(rows, body):
        cells = [c.text for c in docx_row.cells]
        indicator = page_row.indicator
        assert cells[1].endswith(indicator.name) and cells[1].startswith("　其中：") == bool(indicator.parent_id)
        assert cells[8].startswith(page_row.status_label), indicator.key
        if page_row.result and page_row.result.completion is not None and not indicator.is_rate:
            assert cells[7] == drafting.percent(page_row.result.completion)
    forest = next(r for r in body if r.cells[1].text == "森林覆盖率")
    assert forest.cells[6].text == "37.2（2025年）"


def test_the_overview_counts_indicators_as_the_plan_numbers_them_and_states_the_verdict(client, frozen):
    summary = frozen.snapshot["summary"]
    top = Indicator.objects.filter(plan__code=JIANG, parent__isnull=True)
    assert summary["indicators"] == top.count() == 25
    assert summary["binding"] == 15
    assert summary["grade"] in ("pass", "fail") and summary["grade_provisional"] is False
    _, content = _download(client, frozen, "docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "共设置指标25项，其中约束性指标15项" in text
    assert "评估结论：" in text and summary["grade_reason"] in text
    assert "预评结论" not in text


def test_an_edited_paragraph_is_what_the_regenerated_docx_prints(client, frozen, django_capture_on_commit_callbacks):
    page = client.get(reverse("report_detail", args=[JIANG, frozen.pk])).content.decode()
    assert 'name="narrative-problems"' in page and 'name="narrative-suggestions"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report_regenerate", args=[JIANG, frozen.pk]), {
            "narrative-suggestions": "一是加快农村黑臭水体整治。\n二是补齐监测数据。", "narrative-issuer": "绛县生态环境保护委员会",
            "narrative-unknown": "不应保存"})
    frozen.refresh_from_db()
    assert frozen.state == "done" and "unknown" not in frozen.narrative
    _, content = _download(client, frozen, "docx")
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert "一是加快农村黑臭水体整治。" in texts and "二是补齐监测数据。" in texts and "绛县生态环境保护委员会" in texts
    assert "绛县人民政府" not in texts


def test_demo_values_are_marked_in_the_header_body_table_and_workbook(client, city_reviewer, settings, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", city_reviewer, synthetic=True)
    client.force_login(city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report_list", args=[JIANG]), {"kind": "midterm"})
    report = EvaluationReport.objects.get(plan__code=JIANG, kind="midterm")
    assert report.synthetic
    _, content = _download(client, report, "docx")
    document = Document(io.BytesIO(content))
    assert document.sections[0].header.paragraphs[0].text == "示例数据"
    assert any(p.text.startswith("示例数据：") for p in document.paragraphs)
    forest_row = next(r for r in document.tables[0].rows if r.cells[1].text == "森林覆盖率")
    assert forest_row.cells[6].text == "36.7（2023年）（示例数据）"
    _, workbook = _download(client, report, "xlsx")
    book = load_workbook(io.BytesIO(workbook))
    assert "示例数据" in book["评估结果"]["A1"].value and "示例数据" in book["汇总"]["A2"].value


# ----- a county's template ---------------------------------------------------------------------
def _county_template(body="{{ body }}"):
    document = Document(io.BytesIO(gbt.default_template()))
    letterhead = document.paragraphs[0].insert_paragraph_before()
    gbt.set_font(letterhead.add_run("绛县人民政府文件"), gbt.TITLE_FONT, 36, color="FF0000")
    for paragraph in document.paragraphs:
        if paragraph.text == gbt.BODY_PLACEHOLDER:
            paragraph.runs[0].text = body
    document.add_paragraph("抄送：运城市生态环境局。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_county_uploads_its_template_with_a_red_letterhead_and_gets_its_report_in_it(
        client, frozen, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("模板.docx", _county_template(), content_type=formats.get("docx").content_type)
    response = client.post(reverse("report_template", args=[JIANG]), {"file": upload})
    assert response.status_code == 302 and ReportTemplate.objects.filter(region__code="140826").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report_regenerate", args=[JIANG, frozen.pk]))
    _, content = _download(client, frozen, "docx")
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "绛县人民政府文件"
    assert document.paragraphs[0].runs[0].font.color.rgb == gbt.RGBColor.from_string("FF0000")
    assert texts.index("一、总体情况") < texts.index("判定依据") < texts.index("抄送：运城市生态环境局。")
    assert len(document.tables) == 1
    downloaded = client.get(reverse("report_template", args=[JIANG]))
    assert "绛县人民政府文件" in "".join(p.text for p in Document(io.BytesIO(b"".join(downloaded.streaming_content))).paragraphs)


def test_a_template_without_the_body_placeholder_is_refused_with_a_reason(client, city_reviewer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(city_reviewer)
    for content, reason in ((_county_template(body="正文"), "{{ body }}"), (b"not a docx", "无法读取模板"),
                            (_county_template(body="{{ body }}{{ secret }}"), "secret")):
        response = client.post(reverse("report_template", args=[JIANG]), {"file": SimpleUploadedFile("t.docx", content)},
                               follow=True)
        assert reason in response.content.decode()
    assert not ReportTemplate.objects.exists()
    default = client.get(reverse("report_template", args=[JIANG]))
    assert default.content == gbt.default_template()


def test_a_template_that_unpacks_to_more_than_50_mb_is_refused_before_python_docx_reads_it(client, city_reviewer,
                                                                                          settings, tmp_path):
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(city_reviewer)
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_county_template())) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        out.writestr("word/media/huge.bin", b"\0" * (51 * 1024 * 1024))
    assert len(bomb.getvalue()) < gbt.TEMPLATE_MAX_BYTES
    assert gbt.template_problems(bomb.getvalue()) == ["无法读取模板：文件解压后过大，疑似压缩炸弹，已拒绝。"]
    response = client.post(reverse("report_template", args=[JIANG]),
                           {"file": SimpleUploadedFile("t.docx", bomb.getvalue())}, follow=True)
    assert "疑似压缩炸弹" in response.content.decode() and not ReportTemplate.objects.exists()


def test_staff_cannot_upload_a_template(client, real_plans, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from indicators.models import Bureau

    settings.MEDIA_ROOT = tmp_path
    jiang = Region.objects.get(code="140826")
    staff = user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region=jiang, name="林业局"))
    client.force_login(staff)
    response = client.post(reverse("report_template", args=[JIANG]), {"file": SimpleUploadedFile("t.docx", _county_template())})
    assert response.status_code == 404 and not ReportTemplate.objects.exists()


# ----- freezing a final report -----------------------------------------------------------------
def test_freezing_a_final_report_with_undecided_items_asks_for_confirmation_and_lists_them(
        client, city_reviewer, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(city_reviewer)
    response = client.post(reverse("report_list", args=[JIANG]), {"kind": "final"})
    page = response.content.decode()
    assert response.status_code == 200 and not EvaluationReport.objects.exists()
    assert "确认冻结终期评估" in page and "森林覆盖率 — <strong>无数据</strong>" in page
    pending = reports.unresolved(Indicator.objects.get(plan__code=JIANG, key="2").plan, 2025)
    assert page.count("<li>") >= len(pending) > 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_list", args=[JIANG]), {"kind": "final", "confirm": "1"})
    assert response.status_code == 302 and EvaluationReport.objects.filter(kind="final").count() == 1


def test_a_midterm_report_is_frozen_without_a_confirmation(client, city_reviewer, settings, tmp_path,
                                                           django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_list", args=[JIANG]), {"kind": "midterm"})
    assert response.status_code == 302
    report = EvaluationReport.objects.get(kind="midterm")
    assert report.snapshot["summary"]["grade_provisional"] is True
    _, content = _download(client, report, "docx")
    assert any(p.text.startswith("预评结论（终期前，仅供参考）") for p in Document(io.BytesIO(content)).paragraphs)


# ----- the .xlsx -------------------------------------------------------------------------------
def test_the_workbook_stores_numbers_as_numbers_and_is_set_up_for_a4_landscape_printing(client, frozen):
    response, content = _download(client, frozen, "xlsx")
    assert response["Content-Type"] == formats.get("xlsx").content_type
    book = load_workbook(io.BytesIO(content))
    sheet = book["评估结果"]
    assert sheet["A1"].value.startswith("绛县") and "终期评估" in sheet["A1"].value
    headers = [c.value for c in sheet[3]]
    assert headers == [h for h, _, _ in reports.write_report_workbook.__globals__["REPORT_COLUMNS"]]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[2].value == "森林覆盖率")
    column = {h: n for n, h in enumerate(headers)}
    value, completion = row[column["实际值"]], row[column["完成进度"]]
    assert value.value == pytest.approx(37.2) and isinstance(value.value, float) and value.number_format == "0.00"  # 36.07 → 37.07
    assert isinstance(completion.value, float) and completion.number_format == "0.0%"
    assert row[column["数值年份"]].value == 2025
    assert row[column["判定依据"]].alignment.wrap_text
    assert sheet.freeze_panes == "D4" and sheet.column_dimensions["C"].width == 34
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.max_row - 3 == Indicator.objects.filter(plan__code=JIANG).count()
    totals = book["汇总"]
    figures = {r[0].value: r[1].value for r in totals.iter_rows(min_row=4)}
    summary = frozen.snapshot["summary"]
    assert figures["指标总数（项）"] == 25 and figures["约束性指标（项）"] == 15
    assert figures["约束性指标已完成（项）"] == summary["binding_met"]
    assert figures["评估结论"].startswith("评估结论：")
    assert totals.page_setup.orientation == "landscape" and totals.print_title_rows == "$1:$3"


def test_a_minimal_template_without_an_attachment_placeholder_gets_the_attachment_at_its_end(frozen):
    document = Document()
    for text in ("绛县生态环境保护委员会文件", "{{ title }}", "{{ body }}", "（此页无正文）"):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    assert gbt.template_problems(out.getvalue()) == []
    texts = [p.text for p in Document(io.BytesIO(reports.write_docx(frozen, template=out.getvalue()))).paragraphs]
    assert texts[0] == "绛县生态环境保护委员会文件" and texts[1] == f"{frozen.plan.title}终期评估报告"
    assert texts.index("五、下一步建议") < texts.index("（此页无正文）") < texts.index("判定依据")
