"""One indicator across plans (十四五 → 十五五): a 2026–2030 test plan for 绛县 (示例数据), built
from the 2021–2025 table, continues the real plan's indicators."""
from decimal import Decimal

import pytest

from accounts.models import Role
from indicators.models import Indicator, IndicatorValue, Plan
from indicators.plans import succession
from indicators.plans.services import plan_table_from_db, save_plan_table

from tests.factories import user_with_role

JIANG = "140826-2021-2025"


@pytest.fixture
def next_plan(real_plans):
    table = plan_table_from_db(Plan.objects.get(code=JIANG))
    table.code, table.title = "140826-2026-2030", "绛县“十五五”生态规划（示例数据）"
    table.base_year, table.milestone_years, table.midterm_year, table.parent_plan = 2025, [2030], 2028, ""
    for row in table.rows:
        row.targets = {2030: text for text in row.targets.values()}
        row.baseline_year = None
    table.rows[1].baseline, table.rows[1].targets = "37.2", {2030: "38"}  # 森林覆盖率
    return save_plan_table(table, synthetic=True)


def test_each_indicator_of_the_new_plan_has_its_predecessor_in_the_previous_plan(next_plan):
    forest = next_plan.indicators.get(key="2")
    previous = succession.predecessor(forest, Indicator.objects.all())
    assert previous.plan.code == JIANG and previous.key == "2"


def test_the_indicator_page_shows_one_series_across_both_plans_with_the_boundary_marked(client, next_plan):
    old_forest = Indicator.objects.get(plan__code=JIANG, key="2")
    IndicatorValue.objects.create(indicator=old_forest, year=2024, raw="36.9", number=Decimal("36.9"), state="approved",
                                  synthetic=True)
    client.force_login(user_with_role(Role.ADMIN))
    response = client.get(next_plan.indicators.get(key="2").get_absolute_url())
    assert response.status_code == 200
    points = [(p.year, p.plan.code, p.kind, p.text, p.boundary) for p in response.context["series"]]
    assert points == [
        (2020, JIANG, "baseline", "36.07", False), (2024, JIANG, "value", "36.9", False),
        (2025, JIANG, "target", "37.07", False),
        (2025, "140826-2026-2030", "baseline", "37.2", True), (2030, "140826-2026-2030", "target", "38", False),
    ]
    assert "规划衔接：以下为 140826-2026-2030（基期 2025 年）" in response.content.decode()


def test_an_indicator_of_a_first_plan_has_no_series_across_plans(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    response = client.get(Indicator.objects.get(plan__code=JIANG, key="2").get_absolute_url())
    assert response.status_code == 200 and "series" not in response.context
