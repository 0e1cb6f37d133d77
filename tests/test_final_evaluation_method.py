"""Issue 14's method corrections for the final evaluation (终期评估), each with the issue's figures.

Pure tests over the evaluation package (no database), on the real rows of the published plans."""
from decimal import Decimal

import pytest

from indicators.evaluation import evaluate
from indicators.plans.directions import derive_direction, is_rate_indicator
from indicators.plans.targets import parse_target, parse_value
from tests.test_evaluation import WENSHUI, JIANGXIAN, real, row, values


# --- 1. a numeric target decides the direction -----------------------------------------------------

def test_wenshui_24_black_odorous_water_remediation_rate_rises_to_its_target_of_100():
    line = row(WENSHUI, "24")
    assert (line["name"], line["baseline"], line["targets"]["2027"]) == ("较大面积农村黑臭水体整治率", "38.57", "100")
    assert derive_direction(line["name"], line["unit"], parse_value("38.57"), [parse_target("100")]) == "up"


def test_wenshui_24_at_60_in_2025_is_behind_with_completion_0_349_against_0_5():
    result = evaluate(real(WENSHUI, "24", values((2025, "60"))), 2025)
    assert result.time_progress == pytest.approx(0.5)      # (2025 − 2023) / (2027 − 2023)
    assert result.completion == pytest.approx(0.349, abs=1e-3)  # (60 − 38.57) / (100 − 38.57)
    assert result.status == "behind"


def test_wenshui_24_falling_to_20_is_regressing_not_met():
    result = evaluate(real(WENSHUI, "24", values((2025, "20"))), 2025)
    assert result.status == "regressing"
    assert result.completion < 0


def test_a_cap_on_a_total_stays_lower_is_better_although_its_number_is_above_the_baseline():
    # 绛县 24 用水总量 6200 → 8600 (总量控制: a ceiling)
    line = row(JIANGXIAN, "24")
    assert derive_direction(line["name"], line["unit"], parse_value(line["baseline"]),
                            [parse_target(line["targets"]["2025"])]) == "down"


def test_name_words_decide_where_the_target_equals_the_baseline_or_has_no_number():
    assert derive_direction("劣Ⅴ类水体比例", "%", parse_value("0"), [parse_target("0")]) == "down"
    assert derive_direction("细颗粒物浓度", "微克/立方米", parse_value("—"), [parse_target("35")]) == "down"


# --- 2. rates written in words are rates --------------------------------------------------------

def test_a_name_ending_in_jiang_fu_or_xia_jiang_lv_is_a_reduction_rate():
    assert is_rate_indicator("万元地区生产总值用水量降幅", "%")
    assert is_rate_indicator("单位地区生产总值能耗下降率", "%")
    assert is_rate_indicator("单位GDP二氧化碳排放降低", "%")
    assert not is_rate_indicator("万元地区生产总值用水量", "立方米")


@pytest.mark.parametrize("cell, percent", [
    ("下降18%", "18"), ("累计下降13.5%", "13.5"), ("比2020年下降18%", "18"), ("较2020年降低3.2%", "3.2"),
])
def test_a_reduction_written_in_words_is_a_cumulative_reduction_target(cell, percent):
    spec = parse_target(cell)
    assert (spec.kind, spec.value, spec.reduction, spec.raw) == ("cumulative", Decimal(percent), True, cell)
    assert spec.describe() == f"累计降低 {percent}%"


def test_wenshui_6_water_use_reduction_of_3_and_3_percent_against_10_is_on_track():
    line = row(WENSHUI, "6")
    assert (line["name"], line["unit"]) == ("万元地区生产总值用水量降幅", "%")
    facts = real(WENSHUI, "6", values((2024, "3"), (2025, "3"), mode="yearly"),
                 is_rate=is_rate_indicator(line["name"], line["unit"]), assigned_value=Decimal("10"))
    result = evaluate(facts, 2025)
    assert result.cumulative_rate == pytest.approx(5.91)             # 1 − 0.97²
    assert result.completion == pytest.approx(0.578, abs=1e-3)     # ln(0.9409) / ln(0.9)
    assert result.status == "on_track"                             # ≥ τ 0.5


def test_a_level_indicator_with_a_target_written_as_a_reduction_is_judged_as_a_rate():
    from tests.test_evaluation import made
    facts = made("—", "比2020年下降18%", "up", values((2021, "4"), (2022, "4"), mode="yearly"))
    result = evaluate(facts, 2022)
    assert result.cumulative_rate == pytest.approx(7.84)            # 1 − 0.96²
    assert result.completion == pytest.approx(0.4115, abs=1e-3)     # ln(0.9216) / ln(0.82)
    assert result.status == "on_track"                              # 0.41 ≥ τ 0.40 (2022 of 2020 → 2025)
