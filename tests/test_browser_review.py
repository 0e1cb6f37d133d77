"""In a real browser (Debian's Chromium through Playwright): a city reviewer assigns 40 to 绛县's
PM2.5 and the plan table, the chart and the city comparison show it; a county reviewer
bulk-approves a back-filled year, seeing what changed since the last approval."""
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from indicators.models import AssignedTarget, Indicator, IndicatorValue, Region
from reporting import workflow
from reporting.services import review
from tests.factories import user_with_role
from tests.test_browser import JIANG, browser_page, county_people, login  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_city_reviewer_assigns_40_to_jiang_pm25_and_the_table_chart_and_comparison_show_it(browser_page, county_people):
    page, base = browser_page
    user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"), username="b_city")
    pm25 = Indicator.objects.get(plan__code=JIANG, name="细颗粒物（PM2.5）浓度")
    key = f"t{pm25.targets.get().pk}"

    login(page, base, "b_city")
    page.goto(f"{base}/regions/140800/assigned-targets/")
    page.fill(f"input[name={key}-value]", "40")
    page.fill(f"input[name={key}-document]", "运环发〔2022〕8号")
    page.fill(f"input[name={key}-date]", "2022-03-01")
    page.click("form:not([enctype]) button.primary")
    assert "已保存下达目标 1 项" in page.content()
    assert AssignedTarget.objects.get(target__indicator=pm25).value == Decimal("40")

    shown = "完成市下达指标（下达 40，运环发〔2022〕8号）"
    page.goto(f"{base}/plans/{JIANG}/")
    assert shown in page.content()
    page.goto(f"{base}{pm25.get_absolute_url()}?year=2023")
    page.wait_for_selector("#indicator-chart-plot[data-drawn='1']")
    assert "下达 40" in page.text_content("#indicator-chart-plot")  # the legend names the marker
    assert "待下达数值" not in page.content()
    page.goto(f"{base}/regions/140800/compare/?year=2023&measure=pm25")
    page.wait_for_selector("#county-bars-plot[data-drawn='1']")
    assert shown in page.text_content("details.chart-table")


def test_a_county_reviewer_bulk_approves_a_back_filled_year_seeing_its_diff(browser_page, county_people):
    page, base = browser_page
    staff, reviewer, _ = county_people
    rows = list(Indicator.objects.filter(plan__code=JIANG, value_type="number").order_by("order")[:3])
    values = [IndicatorValue.objects.create(indicator=i, year=2024, raw=raw, number=Decimal(raw), source="统计年报",
                                            state=workflow.SUBMITTED, submitted_at=timezone.now())
              for i, raw in zip(rows, ("36.5", "0.3", "12"))]
    reopened = review(review(values[0], workflow.APPROVE, reviewer), workflow.REOPEN, reviewer, reason="补充来源")
    IndicatorValue.objects.filter(pk=reopened.pk).update(raw="36.9", number=Decimal("36.9"), state=workflow.SUBMITTED,
                                                         version=reopened.version + 1)

    login(page, base, "b_reviewer")
    page.goto(f"{base}/review/")
    page.click("summary:has-text('按规划年度批量审核')")
    page.click("text=绛县 2024 年")
    assert "批量审核" in page.text_content("h1")
    diff = page.text_content(f"tr[data-value='{values[0].pk}'] td.diff")
    assert "36.5" in diff and "36.9" in diff
    page.click("button[value=all]")
    assert "已审核通过 3 项" in page.content()
    assert set(IndicatorValue.objects.filter(year=2024, indicator__plan__code=JIANG).values_list("state", flat=True)) == {
        workflow.APPROVED}
