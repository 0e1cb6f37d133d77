"""End-to-end in a real browser: Debian's Chromium driven by Playwright (never a downloaded one).

Skipped where /usr/bin/chromium is missing, except in CI (REQUIRE_BROWSER=1), where that fails.
"""
import os
from pathlib import Path

import pytest

from accounts.models import Role
from indicators.models import Bureau, Indicator, IndicatorValue, Region
from reporting import workflow
from reporting.submission import open_period
from tests.conftest import _load_real_plans, skip_unless_available
from tests.factories import TEST_PASSWORD, user_with_role

CHROMIUM = "/usr/bin/chromium"
JIANG = "140826-2021-2025"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(live_server, settings, tmp_path):
    skip_unless_available(Path(CHROMIUM).exists(), "Debian chromium is not installed", "REQUIRE_BROWSER")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.MEDIA_ROOT = tmp_path
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page, live_server.url
        context.close()
        browser.close()


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url, page.text_content("main")


@pytest.fixture
def county_people(db):
    _load_real_plans()
    from projects.seed import load_projects

    load_projects()
    jiang = Region.objects.get(code="140826")
    forestry = Bureau.objects.get(region=jiang, name="林业局")
    ecology = Bureau.objects.get_or_create(region=jiang, name="生态环境分局")[0]
    staff = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="b_forestry")
    reviewer = user_with_role(Role.REVIEWER, region=jiang, bureau=ecology, username="b_reviewer")
    from indicators.models import Plan

    for year in (2023, 2024):
        open_period(Plan.objects.get(code=JIANG), year, None, kept_open=True)
    return staff, reviewer, forestry


def test_a_years_values_go_round_the_whole_review_cycle(browser_page, county_people):
    page, base = browser_page
    staff, reviewer, _ = county_people
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    fire = Indicator.objects.get(plan__code=JIANG, name="林草火灾受害率")
    pest = Indicator.objects.get(plan__code=JIANG, name="林草有害生物成灾率")

    login(page, base, "b_forestry")
    assert "我的填报任务" in page.content()
    page.goto(f"{base}/entry/{JIANG}/2024/")
    page.fill(f"#i{forest.pk}-raw", "３６．８０")  # full-width digits are accepted
    page.fill(f"input[name=i{forest.pk}-source]", "县林业局森林资源年报")
    page.fill(f"#i{fire.pk}-raw", "0.2")
    page.fill(f"#i{pest.pk}-raw", "不知道")  # refused, naming the indicator; the rest is kept
    page.click("button[value=submit]")
    assert "不是有效的数字" in page.content() and "林草有害生物成灾率" in page.content()
    assert page.input_value(f"#i{forest.pk}-raw") == "３６．８０"
    assert not IndicatorValue.objects.filter(indicator__plan__code=JIANG, year=2024).exists()
    page.fill(f"#i{pest.pk}-raw", "1.5")
    page.click("button[value=submit]")
    assert "已提交 3 项" in page.content()

    login(page, base, "b_reviewer")
    page.goto(f"{base}/review/")
    page.click("text=森林覆盖率")
    page.fill("input[name=reason]", "请附林业局年报盖章页")
    page.click("button[value=return]")
    assert "已退回" in page.content()

    login(page, base, "b_forestry")
    page.goto(f"{base}/entry/{JIANG}/2024/")
    assert "请附林业局年报盖章页" in page.content()
    page.fill(f"#i{forest.pk}-raw", "36.85")
    page.set_input_files(f"input[name=i{forest.pk}-evidence]",
                         files=[{"name": "年报.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%demo\n"}])
    page.click("button[value=submit]")
    assert "已提交" in page.content()

    login(page, base, "b_reviewer")
    page.goto(f"{base}/review/")
    page.check("input[name=select] >> nth=0")
    page.check("input[name=select] >> nth=1")
    page.check("input[name=select] >> nth=2")
    page.click("text=批量审核通过所选")
    assert "已审核通过 3 项" in page.content()
    value = IndicatorValue.objects.get(indicator=forest, year=2024)
    assert (value.state, value.raw) == (workflow.APPROVED, "36.85")
    assert [c.action for c in value.state_changes.all()] == ["submit", "return", "submit", "approve"]

    page.goto(f"{base}/plans/{JIANG}/indicators/2/?year=2024")
    assert "36.85" in page.content()
    page.wait_for_selector("[data-figure][data-drawn='1']")


def test_leaders_read_the_comparison_dashboard_chart_and_download_a_midterm_report(browser_page, county_people):
    page, base = browser_page
    staff, reviewer, _ = county_people
    city = Region.objects.get(code="140800")
    user_with_role(Role.REVIEWER, region=city, username="b_city")
    from django.core.management import call_command

    call_command("generate_demo_values", stdout=open(os.devnull, "w"))
    login(page, base, "b_city")
    page.goto(f"{base}/regions/140800/compare/?year=2023&measure=forest-coverage")
    page.wait_for_selector("#county-bars-plot[data-drawn='1']")
    assert "永济市" in page.content() and "示例数据" not in page.text_content("h1")
    page.goto(f"{base}/plans/{JIANG}/dashboard/?year=2023")
    page.wait_for_selector("#status-chart-plot[data-drawn='1']")
    page.goto(f"{base}/plans/{JIANG}/indicators/2/?year=2023")
    page.wait_for_selector("#indicator-chart-plot[data-drawn='1']")
    assert "为什么是这个状态" in page.content()
    page.goto(f"{base}/plans/{JIANG}/reports/")
    page.select_option("select[name=kind]", "midterm")
    page.click("text=冻结并生成")
    page.wait_for_selector("text=下载 Word 报告（.docx）")
    with page.expect_download() as download:
        page.click("text=下载 Word 报告（.docx）")
    assert download.value.suggested_filename.endswith("中期评估.docx")
    assert Path(download.value.path()).stat().st_size > 10000


def test_a_bureau_records_project_progress_the_reviewer_approves_it_and_the_dashboard_counts_it(browser_page, county_people):
    page, base = browser_page
    staff, reviewer, forestry = county_people
    from projects.models import Project

    project = Project.objects.filter(plan__code=JIANG, name__contains="人工造林").first()
    Project.objects.filter(pk=project.pk).update(bureau=forestry)
    login(page, base, "b_forestry")
    page.goto(f"{base}/projects/{project.pk}/progress/2024/")
    page.select_option("select[name=status]", "in_progress")
    page.fill("textarea[name=narrative]", "完成人工造林0.4万亩")
    quantity = project.quantities.first()
    if quantity is not None:
        page.fill(f"input[name=q_{quantity.pk}]", "0.4")
    with page.expect_navigation():
        page.click("button[value=submit]")
    page.wait_for_load_state()
    assert "已提交 2024 年进展" in page.content()

    login(page, base, "b_reviewer")
    page.goto(f"{base}/projects/{project.pk}/")
    with page.expect_navigation():
        page.click("text=审核通过")
    assert project.progress.get(year=2024).state == workflow.APPROVED
    page.goto(f"{base}/plans/{JIANG}/dashboard/?year=2024")
    summary = page.text_content(".project-summary")
    assert "已审核通过进展的工程 1 项" in summary.replace("\n", "")
