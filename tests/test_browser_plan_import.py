"""The plan import preview in a real browser (Debian's Chromium via Playwright): upload a Word
document, read the preview, correct a cell, recheck, confirm."""
import tomllib

import pytest

from accounts.models import Role
from indicators.models import Plan
from indicators.plans.seed import PLANS_DIR
from tests.conftest import _load_real_plans
from tests.docx_builder import build_docx
from tests.factories import user_with_role
from tests.test_browser import browser_page, login  # noqa: F401  (the fixture and the login helper)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_previews_a_word_document_corrects_a_cell_and_confirms(browser_page, tmp_path):  # noqa: F811
    page, base = browser_page
    _load_real_plans()
    user_with_role(Role.ADMIN, username="b_admin")
    with open(PLANS_DIR / "141121-2024-2035.toml", "rb") as handle:
        data = tomllib.load(handle)
    data["plan"]["title"] = data["plan"]["title"].replace("文水", "临猗") + "（示例数据）"  # a plan not yet in the database
    document = tmp_path / "临猗规划.docx"
    document.write_bytes(build_docx(data, box_before=True))

    login(page, base, "b_admin")
    page.goto(f"{base}/plans/import/")
    page.set_input_files("input[name=file]", str(document))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "导入预览" in page.content() and "尚未保存任何内容" in page.content()
    rows = page.locator("tr.preview-row")
    assert rows.count() == len(data["indicator"])
    assert page.input_value("input[name=code]") == "140821-2024-2035"
    assert page.input_value("input[name=milestone_years]") == "2027、2035"
    first = rows.nth(0)
    assert first.locator("input[name=row-0-name]").input_value() == data["indicator"][0]["name"]
    assert "专栏1" in page.content()  # the key-project box is offered, not read as indicators
    assert not Plan.objects.filter(code="140821-2024-2035").exists()

    page.fill("input[name=row-0-target-2027]", "≥40")
    with page.expect_navigation():
        page.click("button[value=recheck]")
    assert page.locator("tr.preview-row >> nth=0").locator(".target-words").first.text_content().strip() == "不低于 40"
    with page.expect_navigation():
        page.click("button[value=confirm]")
    assert "已导入规划 140821-2024-2035" in page.content()
    plan = Plan.objects.get(code="140821-2024-2035")
    assert plan.indicators.count() == len(data["indicator"])
    assert plan.indicators.order_by("order").first().targets.get(year=2027).raw == "≥40"
