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
