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
from tests.test_plan_import_preview import next_plan_data

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


def test_an_administrator_confirms_the_previous_plans_counterparts_and_reads_the_chart_across_plans(browser_page, tmp_path):  # noqa: F811
    from indicators.models import Indicator

    page, base = browser_page
    _load_real_plans()
    user_with_role(Role.ADMIN, username="b_admin")
    data = next_plan_data()
    document = tmp_path / "绛县十五五.docx"
    document.write_bytes(build_docx(data))
    old = {i.key: i for i in Indicator.objects.filter(plan__code="140826-2021-2025")}

    login(page, base, "b_admin")
    page.goto(f"{base}/plans/import/")
    page.set_input_files("input[name=file]", str(document))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.input_value("select[name=row-1-predecessor]") == str(old["2"].pk)  # proposed through the catalog
    page.select_option("select[name=row-2-predecessor]", "none")
    page.select_option("select[name=row-3-predecessor]", str(old["5"].pk))
    assert not Plan.objects.filter(code="140826-2026-2030").exists()
    with page.expect_navigation():
        page.click("button[value=confirm]")
    assert "已导入规划 140826-2026-2030" in page.content()
    new = {i.key: i for i in Indicator.objects.filter(plan__code="140826-2026-2030")}
    assert new["2"].predecessor == old["2"] and new["3"].predecessor is None and new["4"].predecessor == old["5"]

    page.goto(f"{base}{new['2'].get_absolute_url()}")
    page.wait_for_selector("#indicator-chart-plot[data-drawn='1']")
    assert page.locator("#indicator-chart-plot .shapelayer path").count() >= 1  # the plan boundary is drawn
    assert "2026 起新规划" in page.text_content("#indicator-chart-plot")
    assert "十五五目标 2030" in page.text_content("#indicator-chart-plot") and "十四五目标 2025" in page.text_content("#indicator-chart-plot")
    with page.expect_navigation():
        page.click("#predecessor a")
    assert page.url.endswith(old["2"].get_absolute_url())
    assert page.locator("#successor a").get_attribute("href") == new["2"].get_absolute_url()
