"""One indicator across plans (十四五 → 十五五): a 2026–2030 test plan for 绛县 (示例数据), built
from the 2021–2025 table, continues the real plan's indicators."""
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Role
from indicators.models import Indicator, IndicatorValue, Plan
from indicators.plans import succession
from indicators.plans.services import PlanTableInvalid, plan_table_from_db, save_plan_table
from indicators.web import charts

from tests.factories import user_with_role

JIANG = "140826-2021-2025"


@pytest.fixture(autouse=True)
def _chinese():
    """Each test starts in Chinese and leaves no English active for the next one."""
    with translation.override("zh-hans"):
        yield


def next_table():
    """绛县's 2021–2025 table as its 2026–2030 plan (示例数据): base year 2025, every target for 2030."""
    table = plan_table_from_db(Plan.objects.get(code=JIANG))
    table.code, table.title = "140826-2026-2030", "绛县“十五五”生态规划（示例数据）"
    table.base_year, table.milestone_years, table.midterm_year, table.parent_plan = 2025, [2030], 2028, ""
    for row in table.rows:
        row.targets = {2030: text for text in row.targets.values()}
        row.baseline_year = None
    return table


@pytest.fixture
def next_plan(real_plans):
    table = next_table()
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
    chart = response.context["chart"]  # the series is drawn, and its data table carries both plans' rows
    assert chart.headers == ["年份", "规划", "数值", "说明"]
    assert chart.rows == [
        ["2020", "十四五", "36.07", "基期值"], ["2024", "十四五", "36.9", "审定值"], ["2025", "十四五", "37.07", "目标"],
        ["2026", "十五五", "—", "2026 起新规划"], ["2025", "十五五", "37.2", "基期值"], ["2030", "十五五", "38", "目标"],
    ]
    assert "跨规划序列" not in response.content.decode()  # folded into the chart's data table


def test_an_indicator_of_a_first_plan_has_no_series_across_plans(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    response = client.get(Indicator.objects.get(plan__code=JIANG, key="2").get_absolute_url())
    assert response.status_code == 200 and "series" not in response.context


def _text_indicator(plan):
    """A row read as text has no chart (绛县's table has none: one made so for the test)."""
    Indicator.objects.filter(plan=plan, key="4").update(value_type=Indicator.ValueType.TEXT)
    return plan.indicators.get(key="4")


def test_an_indicator_without_a_chart_keeps_the_series_table(client, next_plan):
    water = _text_indicator(next_plan)
    client.force_login(user_with_role(Role.ADMIN))
    response = client.get(water.get_absolute_url())
    assert response.context["chart"] is None and response.context["series"]
    assert "规划衔接：以下为 140826-2026-2030（基期 2025 年）" in response.content.decode()


# --- the stored link ------------------------------------------------------------------------------

def test_the_stored_predecessor_is_followed_instead_of_the_catalog_match(client, next_plan):
    fire = Indicator.objects.get(plan__code=JIANG, key="3")
    table = plan_table_from_db(next_plan)
    save_plan_table(table, synthetic=True, predecessors={"2": fire.pk, "4": None})
    forest = next_plan.indicators.get(key="2")
    assert (forest.predecessor, forest.predecessor_confirmed) == (fire, True)
    assert succession.predecessor(forest, Indicator.objects.all()) == fire
    # Confirmed as 无对应指标: no catalog fallback.
    assert succession.predecessor(next_plan.indicators.get(key="4"), Indicator.objects.all()) is None
    # Undecided rows still follow the catalog.
    assert succession.predecessor(next_plan.indicators.get(key="5"), Indicator.objects.all()).key == "5"

    client.force_login(user_with_role(Role.ADMIN))
    html = client.get(forest.get_absolute_url()).content.decode()
    assert f'href="{fire.get_absolute_url()}"' in html and "（导入时确认）" in html
    response = client.get(fire.get_absolute_url())
    assert response.context["next_indicator"] == forest
    assert f'id="successor"><a href="{forest.get_absolute_url()}"' in response.content.decode()
    # The old forest row is no longer anyone's predecessor.
    assert client.get(Indicator.objects.get(plan__code=JIANG, key="2").get_absolute_url()).context["next_indicator"] is None


def test_an_undecided_row_is_the_successor_of_its_catalog_match(client, next_plan):
    client.force_login(user_with_role(Role.ADMIN))
    old = Indicator.objects.get(plan__code=JIANG, key="5")
    response = client.get(old.get_absolute_url())
    assert response.context["next_indicator"] == next_plan.indicators.get(key="5")


def test_changing_the_predecessor_leaves_a_history_row_with_its_reason(next_plan):
    fire = Indicator.objects.get(plan__code=JIANG, key="3")
    forest = next_plan.indicators.get(key="2")
    before = forest.history.count()
    save_plan_table(plan_table_from_db(next_plan), synthetic=True, predecessors={"2": fire.pk})
    last = forest.history.order_by("-history_id").first()
    assert forest.history.count() == before + 1
    assert (last.predecessor_id, last.predecessor_confirmed, last.history_change_reason) == (fire.pk, True, "确认上一规划对应指标")
    save_plan_table(plan_table_from_db(next_plan), synthetic=True, predecessors={"2": fire.pk})
    assert forest.history.count() == before + 1  # the same choice again records nothing


def test_a_predecessor_outside_the_previous_plan_is_refused_and_nothing_is_saved(next_plan):
    foreign = Indicator.objects.get(plan__code="140802-2021-2025", key="2")  # 盐湖区's row, not 绛县's
    table = plan_table_from_db(next_plan)
    table.title = "改过的标题（示例数据）"
    with pytest.raises(PlanTableInvalid) as raised:
        save_plan_table(table, synthetic=True, predecessors={"2": foreign.pk})
    assert "森林覆盖率" in str(raised.value) and f"不属于上一规划 {JIANG}" in str(raised.value)
    next_plan.refresh_from_db()
    assert next_plan.title != "改过的标题（示例数据）" and next_plan.indicators.get(key="2").predecessor is None


def test_the_import_command_stores_the_automatic_match_and_says_so(real_plans, tmp_path):
    import io

    from django.core.management import call_command

    from indicators.plans.xlsx import write_plan_table

    table = next_table()
    table.rows[2].name = "示例数据新增指标"
    path = tmp_path / "plan.xlsx"
    path.write_bytes(write_plan_table(table))
    out = io.StringIO()
    call_command("import_plan", str(path), stdout=out)
    plan = Plan.objects.get(code="140826-2026-2030")
    forest, new = plan.indicators.get(key="2"), plan.indicators.get(key="3")
    assert forest.predecessor == Indicator.objects.get(plan__code=JIANG, key="2") and forest.predecessor_confirmed
    assert (new.predecessor, new.predecessor_confirmed) == (None, False)  # nothing matched: left undecided
    rows = len(table.rows)
    assert f"关联上一规划 {JIANG} 的对应指标 {rows - 1} 行，1 行未找到对应" in out.getvalue()


# --- the chart across plans (pure) ----------------------------------------------------------------

def _two_plans():
    earlier = charts.PlanSeries(label="十四五", base_year=2020, first_year=2021, baseline=36.07,
                                values=[(2021, 36.3, True), (2022, 36.5, True), (2025, 37.1, True), (2024, 36.8, False)],
                                targets=[(2025, 37.07, 37.07, "37.07")])
    later = charts.PlanSeries(label="十五五", base_year=2025, first_year=2026, baseline=37.2,
                              values=[(2026, 37.4, True), (2027, 37.5, False)], targets=[(2030, 38.0, 38.0, "38")])
    return earlier, later


def test_the_chart_across_plans_draws_both_plans_values_as_one_line():
    figure = charts.indicator_across_plans("c", "森林覆盖率", "%", *_two_plans()).figure
    line = next(t for t in figure["data"] if t["name"] == "基期值及审定值（十四五至十五五）")
    assert line["x"] == [2020, 2021, 2022, 2025, 2026] and line["y"] == [36.07, 36.3, 36.5, 37.1, 37.4]
    assert line["text"] == ["十四五", "十四五", "十四五", "十四五", "十五五"]
    pending = next(t for t in figure["data"] if t["name"] == "待审核值")
    assert pending["x"] == [2024, 2027]


def test_the_chart_across_plans_marks_each_plans_target_and_the_boundary():
    chart = charts.indicator_across_plans("c", "森林覆盖率", "%", *_two_plans(), forecast=(2030, 38.4))
    targets = [t for t in chart.figure["data"] if "目标" in t["name"]]
    assert [(t["name"], t["x"], t["y"]) for t in targets] == [("十四五目标 2025", [2025], [37.07]), ("十五五目标 2030", [2030], [38.0])]
    [shape] = chart.figure["layout"]["shapes"]
    assert (shape["type"], shape["x0"], shape["x1"], shape["line"]["dash"]) == ("line", 2025.5, 2025.5, "dash")
    assert [a["text"] for a in chart.figure["layout"]["annotations"]] == ["2026 起新规划"]
    assert [row[1] for row in chart.rows] == ["十四五"] * 6 + ["十五五"] * 6
    assert chart.rows[6] == ["2026", "十五五", "—", "2026 起新规划"]
    assert chart.rows[-1] == ["2030", "十五五", "38.4", "预计值（线性趋势）"]


def test_a_range_target_is_a_marker_with_its_range():
    earlier, later = _two_plans()
    later.targets = [(2030, 38.0, 40.0, "38-40")]
    figure = charts.indicator_across_plans("c", "森林覆盖率", "%", earlier, later).figure
    target = next(t for t in figure["data"] if t["name"] == "十五五目标 2030")
    assert target["y"] == [38.0] and target["error_y"]["array"] == [2.0]


def test_a_plan_is_named_from_its_years():
    assert [charts.plan_label(2016, 2020), charts.plan_label(2021, 2025), charts.plan_label(2026, 2030)] == ["十三五", "十四五", "十五五"]
    assert charts.plan_label(2024, 2035) == "2024—2035年规划" and charts.plan_label(2022, 2026) == "2022—2026年规划"
    with translation.override("en"):
        assert charts.plan_label(2026, 2030) == "15th Five-Year Plan"
        assert charts.plan_label(2024, 2035) == "2024–2035 plan"
        chart = charts.indicator_across_plans("c", "森林覆盖率", "%", *_two_plans())
        assert [a["text"] for a in chart.figure["layout"]["annotations"]] == ["New plan from 2026"]


def test_the_indicator_pages_across_plans_in_english_show_no_chinese_outside_plan_data(client, next_plan):
    from tests.i18n_pages import leftover_chinese, plan_data_strings

    old_forest = Indicator.objects.get(plan__code=JIANG, key="2")
    IndicatorValue.objects.create(indicator=old_forest, year=2024, raw="36.9", number=Decimal("36.9"), state="approved",
                                  synthetic=True)
    save_plan_table(plan_table_from_db(next_plan), synthetic=True, predecessors={"2": old_forest.pk})
    client.force_login(user_with_role(Role.ADMIN))
    data = plan_data_strings()
    water = _text_indicator(next_plan)
    for indicator in (next_plan.indicators.get(key="2"), old_forest, water):
        response = client.get(indicator.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
        html = response.content.decode()
        assert response.status_code == 200 and '<html lang="en">' in html
        assert leftover_chinese(html, data) == [], indicator.get_absolute_url()
    html = client.get(next_plan.indicators.get(key="2").get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "15th Five-Year Plan target 2030" in html and "14th Five-Year Plan target 2025" in html
    assert "New plan from 2026" in html and "(confirmed at import)" in html


def test_the_indicator_admin_shows_the_predecessor_and_refuses_one_of_a_later_or_other_plan(client, next_plan):
    from django.core.exceptions import ValidationError

    forest = next_plan.indicators.get(key="2")
    client.force_login(user_with_role(Role.ADMIN))
    html = client.get(f"/admin/indicators/indicator/{forest.pk}/change/").content.decode()
    assert 'name="predecessor"' in html and 'name="predecessor_confirmed"' in html
    old_forest = Indicator.objects.get(plan__code=JIANG, key="2")
    old_forest.predecessor = forest  # a later plan's row
    with pytest.raises(ValidationError) as raised:
        old_forest.clean()
    assert "更早规划" in str(raised.value)
    forest.predecessor = Indicator.objects.get(plan__code="140802-2021-2025", key="2")  # 盐湖区's
    with pytest.raises(ValidationError):
        forest.clean()
    forest.predecessor = old_forest
    forest.clean()
