"""The five real plans as loaded: counts, structure and every cell checked against the seed text."""
import re
import tomllib
from pathlib import Path

import pytest

from indicators.plans import seed
from indicators.models import Indicator, Plan

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "indicators" / "data" / "sources"  # the published texts, copied into the repository
PLANS_DIR = ROOT / "indicators" / "data" / "plans"

# code → (rows, numbered rows, binding, expected, unattributed)
EXPECTED = {
    "140826-2021-2025": (29, 25, 15, 10, 4),
    "140802-2021-2025": (30, 25, 16, 10, 4),
    "140800-2021-2025": (26, 26, 14, 8, 4),
    "140405-2021-2025": (25, 25, 19, 6, 0),
    "141121-2024-2035": (26, 26, 13, 13, 0),
}
# Cells the page break of 运城市's table splits in the seed text; the data file joins them.
JOINED_ACROSS_PAGES = {("140800-2021-2025", "22", "name")}


def _data(code):
    return tomllib.loads((PLANS_DIR / f"{code}.toml").read_text())


def _flat(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("code", EXPECTED)
def test_each_plan_loads_with_its_row_and_attribute_counts(real_plans, code):
    rows, numbered, binding, expected, none = EXPECTED[code]
    indicators = Indicator.objects.filter(plan__code=code)
    assert indicators.count() == rows
    assert indicators.exclude(number="").count() == numbered
    assert indicators.filter(attribute="binding").count() == binding
    assert indicators.filter(attribute="expected").count() == expected
    assert indicators.filter(attribute="").count() == none


def test_jiang_counts_match_the_sentence_the_plan_prints(real_plans):
    plan = Plan.objects.get(code="140826-2021-2025")
    numbered = plan.indicators.filter(parent__isnull=True)
    assert (plan.stated_indicator_count, plan.stated_binding_count, plan.stated_expected_count) == (25, 15, 10)
    assert numbered.count() == 25
    assert numbered.filter(attribute="binding").count() == 15
    assert numbered.filter(attribute="expected").count() == 10


@pytest.mark.parametrize("code", EXPECTED)
def test_every_cell_of_the_data_file_is_printed_in_the_seed_text(code):
    data = _data(code)
    seed_text = _flat((SOURCES / data["plan"]["source_document"]).read_text())
    missing = []
    for row in data["indicator"]:
        cells = {f: row[f] for f in ("category", "name", "unit", "baseline", "responsible")}
        cells.update({f"target {y}": t for y, t in row["targets"].items()})
        for field, text in cells.items():
            if text and _flat(text) not in seed_text and (code, row["key"], field) not in JOINED_ACROSS_PAGES:
                missing.append((row["key"], field, text))
    assert missing == []


@pytest.mark.parametrize("code", EXPECTED)
def test_rows_keep_the_printed_order_of_the_seed_text(code):
    data = _data(code)
    seed_text = _flat((SOURCES / data["plan"]["source_document"]).read_text())
    table_start = seed_text.find(_flat(data["indicator"][0]["name"]))
    positions = [seed_text.find(_flat(r["name"]), table_start) for r in data["indicator"] if (code, r["key"], "name") not in JOINED_ACROSS_PAGES]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "code, key, name, baseline, target, attribute, responsible",
    [
        ("140826-2021-2025", "2", "森林覆盖率", "36.07", "37.07", "binding", "林业局"),
        ("140826-2021-2025", "10", None, "断流", None, None, None),
        ("140826-2021-2025", "20", None, None, "完成市下达指标", None, None),
        ("140826-2021-2025", "22", "非化石能源占一次能源消费比重", None, None, None, "统计局、能源局"),
        ("140802-2021-2025", "16", None, "32.05万吨*", "8-10", "binding", None),
        ("140800-2021-2025", "1", None, "21.03 ¹", None, None, ""),
        ("140800-2021-2025", "17", None, "[35.60]", None, None, ""),
        ("140800-2021-2025", "26", None, "16.38*", None, None, ""),
        ("141121-2024-2035", "19", None, None, None, None, ""),
    ],
)
def test_sample_rows_are_stored_as_printed(real_plans, code, key, name, baseline, target, attribute, responsible):
    indicator = Indicator.objects.get(plan__code=code, key=key)
    plan_year = indicator.plan.milestone_years[0]
    if name is not None:
        assert indicator.name == name
    if baseline is not None:
        assert indicator.baseline_raw == baseline
    if target is not None:
        assert indicator.targets.get(year=plan_year).raw == target
    if attribute is not None:
        assert indicator.attribute == attribute
    if responsible is not None:
        assert indicator.responsible_raw == responsible


def test_starred_baselines_of_yanhu_are_2019_data(real_plans):
    starred = Indicator.objects.filter(plan__code="140802-2021-2025", baseline_raw__contains="*")
    assert starred.count() == 7
    assert set(starred.values_list("baseline_year", flat=True)) == {2019}


def test_sub_rows_hang_under_their_parent_and_share_its_target(real_plans):
    parent = Indicator.objects.get(plan__code="140826-2021-2025", key="15")
    children = list(parent.children.order_by("order"))
    assert [c.name for c in children] == ["氨氮排放总量减少", "氮氧化物排放总量减少", "VOCs排放总量减少", "二氧化硫排放总量减少"]
    assert all(c.shares_parent_target and c.effective_attribute == "binding" for c in children)
    yuncheng = Indicator.objects.get(plan__code="140800-2021-2025", key="17")
    assert list(yuncheng.children.values_list("number", flat=True).order_by("order")) == ["18", "19", "20", "21"]


def test_wenshui_has_two_milestones_and_a_derived_midterm(real_plans):
    plan = Plan.objects.get(code="141121-2024-2035")
    assert (plan.base_year, plan.milestone_years, plan.midterm_year) == (2023, [2027, 2035], 2025)
    assert all(i.targets.count() == 2 for i in plan.indicators.all())


def test_county_plans_hang_under_the_city_plan_and_the_city_has_all_13_counties(real_plans):
    city = Plan.objects.get(code="140800-2021-2025")
    assert set(city.children.values_list("code", flat=True)) == {"140826-2021-2025", "140802-2021-2025"}
    assert city.region.children.count() == 13


def test_titles_the_documents_do_not_print_say_so(real_plans):
    composed = Plan.objects.exclude(title_note="").values_list("code", flat=True)
    assert set(composed) == {"140802-2021-2025", "140405-2021-2025", "141121-2024-2035"}


@pytest.mark.django_db
def test_loading_twice_duplicates_nothing(real_plans):
    before = (Plan.objects.count(), Indicator.objects.count(), Plan.history.count(), Indicator.history.count())
    seed.load_regions()
    seed.load_catalog()
    seed.load_plans()
    after = (Plan.objects.count(), Indicator.objects.count(), Plan.history.count(), Indicator.history.count())
    assert after == before
