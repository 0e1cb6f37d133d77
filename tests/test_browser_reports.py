"""End-to-end in Debian's Chromium: a county reviewer freezes the final evaluation, confirms the
undecided items, edits a drafted paragraph and downloads the .docx and .xlsx it files."""
import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from indicators.models import EvaluationReport
from tests.test_browser import JIANG, browser_page, county_people, login  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_freezes_a_final_report_edits_its_advice_and_downloads_both_files(browser_page, county_people):
    page, base = browser_page
    login(page, base, "b_reviewer")
    page.goto(f"{base}/plans/{JIANG}/reports/")
    page.select_option("select[name=kind]", "final")
    with page.expect_navigation():
        page.click("text=冻结并生成")
    assert "确认冻结终期评估" in page.content() and "无数据" in page.text_content("ul.unresolved")
    assert not EvaluationReport.objects.exists()
    with page.expect_navigation():
        page.click("text=仍然冻结并生成")
    page.wait_for_selector("text=下载 Word 报告（.docx）")
    assert "评估结论" in page.text_content(".verdict")

    page.fill("textarea[name=narrative-suggestions]", "一是补齐2025年监测数据。")
    with page.expect_navigation():
        page.click("text=保存文字并重新生成")
    page.wait_for_selector("text=下载 Word 报告（.docx）")
    with page.expect_download() as docx:
        page.click("text=下载 Word 报告（.docx）")
    assert docx.value.suggested_filename.endswith("2025年终期评估.docx")
    document = Document(io.BytesIO(Path(docx.value.path()).read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert "五、下一步建议" in texts and "一是补齐2025年监测数据。" in texts
    assert round(document.sections[0].page_width.mm) == 210 and document.tables[0].rows[0].cells[0].text == "序号"
    with page.expect_download() as xlsx:
        page.click("text=下载评估表（.xlsx）")
    assert xlsx.value.suggested_filename.endswith("2025年终期评估.xlsx")
    book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    assert book.sheetnames == ["评估结果", "汇总"] and book["汇总"]["A4"].value == "指标总数（项）"
    assert book["汇总"]["B4"].value == 25
