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


# --- 3. counting as the plan counts --------------------------------------------------------------

from indicators.evaluation import PlanRow, combine_shared_target, plan_counts, plan_verdict, summarise  # noqa: E402
from indicators.evaluation.settings import EvaluationSettings  # noqa: E402
from tests.test_evaluation import _plan, _evaluation  # noqa: E402


def _jiangxian_rows(status_of=lambda key: "met"):
    """绛县's 29 table rows as PlanRows: 15.1–15.4 are sub-rows sharing row 15's target."""
    plan, rows = _plan(JIANGXIAN)
    result = []
    for key, line in rows.items():
        source = rows[line["parent"]] if line["shares_parent_target"] else line
        result.append(PlanRow(key=key, name=line["name"], number=line["number"], status=status_of(key),
                              binding=source["attribute"] == "约束性", counted=not line["parent"]))
    return plan, result


def test_jiangxian_counts_25_indicators_and_15_binding_as_its_plan_prints_them():
    plan, rows = _jiangxian_rows()
    assert len(rows) == 29 and sum(row.binding for row in rows) == 19      # what the pages said
    counts = plan_counts(rows)
    assert (counts["indicators"], counts["binding"]) == (25, 15)
    assert (plan["stated_indicator_count"], plan["stated_binding_count"]) == (25, 15)
    assert counts["sub_rows"] == 4 and counts["by_status"]["met"] == 25


def test_the_binding_completion_rate_is_over_the_plans_own_numbering():
    # row 15 (the shared group) 未完成 and its four sub-rows 已完成 count once: 14 of 15 binding met
    _, rows = _jiangxian_rows(lambda key: "not_met" if key == "15" else "met")
    counts = plan_counts(rows)
    assert (counts["binding_met"], counts["binding"]) == (14, 15)
    assert counts["binding_met_share"] == pytest.approx(14 / 15)
    assert counts["binding_failed"] == 1


# --- 4. shared targets ---------------------------------------------------------------------------

def test_a_group_with_a_sub_row_missing_at_the_final_year_is_incomplete_not_no_data():
    parent = _evaluation("met", "15", binding=True, completion=1.2)
    children = [_evaluation("met", "15.1"), _evaluation("no_data", "15.2"), _evaluation("met", "15.3")]
    combined = combine_shared_target(parent, children)
    assert (combined.status, combined.label) == ("incomplete", "数据不全")
    assert combined.steps[-1] == "共用目标：15.2 无数据，其余已报送 → 数据不全"
    assert not combined.binding_failed


def test_a_group_keeps_its_own_figures_not_the_worst_sub_rows():
    parent = _evaluation("on_track", "17", completion=0.9)
    children = [_evaluation("behind", "18", completion=0.2)]
    combined = combine_shared_target(parent, children)
    assert combined.status == "behind" and combined.completion == 0.9
    assert "子项 18：滞后" in combined.steps


def test_a_group_with_no_row_reported_is_no_data():
    rows = [_evaluation("no_data", "17"), _evaluation("no_data", "18")]
    assert combine_shared_target(rows[0], rows[1:]).status == "no_data"


def test_a_binding_group_not_met_says_so_once():
    parent = _evaluation("not_met", "15", binding=True)
    parent = type(parent)(**{**parent.__dict__, "steps": ("x", "约束性指标未完成")})
    combined = combine_shared_target(parent, [_evaluation("not_met", "15.1")])
    assert combined.steps.count("约束性指标未完成") == 1 and combined.binding_failed


# --- 5. the plan verdict -------------------------------------------------------------------------

def test_a_binding_indicator_not_met_fails_the_plan_by_veto_with_its_name_in_the_reason():
    _, rows = _jiangxian_rows(lambda key: "not_met" if key == "15" else "met")
    grade, reason = plan_verdict(rows)
    assert grade == "fail"
    assert "约束性指标未完成 1 项（15 化学需氧量排放总量减少），一票否决 → 不合格" in reason


def test_without_the_veto_the_pass_line_decides():
    _, rows = _jiangxian_rows(lambda key: "not_met" if key == "15" else "met")
    grade, reason = plan_verdict(rows, EvaluationSettings(binding_veto=False))
    assert grade == "pass"
    assert reason == "已完成或符合序时进度 24 项，占已判定指标 25 项的 96%，不低于合格线 60% → 合格"


def test_below_the_pass_line_the_plan_fails_and_undecided_rows_are_named():
    rows = [PlanRow("1", "a", "met", False), PlanRow("2", "b", "behind", False),
            PlanRow("3", "c", "regressing", False), PlanRow("4", "d", "no_data", False)]
    grade, reason = plan_verdict(rows)
    assert grade == "fail"
    assert reason == "已完成或符合序时进度 1 项，占已判定指标 3 项的 33.3%，低于合格线 60% → 不合格；另有无数据 1 项未计入"


def test_a_provisional_verdict_is_labelled_as_such():
    summary = summarise([PlanRow("1", "a", "on_track", True)], provisional=True)
    assert summary == {"indicators": 1, "binding": 1, "binding_met": 0,
                       "by_status": {**summary["by_status"], "on_track": 1}, "grade": "pass",
                       "grade_provisional": True,
                       "grade_reason": "预评（终期评估前，仅供参考）：已完成或符合序时进度 1 项，占已判定指标 1 项的 100%，"
                                       "不低于合格线 60% → 合格"}
    assert sum(summary["by_status"].values()) == 1


def test_nothing_decided_does_not_pass():
    grade, reason = plan_verdict([PlanRow("1", "a", "no_data", True)])
    assert grade == "fail" and "尚无可判定的指标" in reason


# --- 7. wording at the milestone and numbers to their precision -----------------------------------

from indicators.evaluation import Observation  # noqa: E402
from indicators.evaluation.formatting import format_number, format_percent, format_reported  # noqa: E402


def _wenshui_6(*pairs, year):
    facts = real(WENSHUI, "6", tuple(Observation(y, number=Decimal(n), rate_mode="yearly") for y, n in pairs),
                 is_rate=True, assigned_value=Decimal("10"))
    return evaluate(facts, year)


def test_a_row_at_the_milestone_has_one_verdict():
    result = evaluate(real(JIANGXIAN, "2", values((2025, "36.50"))), 2025)
    arrows = [step for step in result.steps if "→ " in step and not step.startswith("预计")]
    assert arrows == ["已到目标年（2025年），只论完成与否 → 未完成"]
    assert not any(step.endswith("→ 滞后") for step in result.steps)


def test_rate_indicators_print_the_cumulative_reduction_and_its_share_of_the_target():
    result = _wenshui_6((2024, "3.000000"), (2025, "3.000000"), year=2025)
    assert "累计降低 5.91%，为目标 10% 的 59.1%（R_k÷R）" in result.steps
    assert "完成进度 = ln(1−5.91%)÷ln(1−10%) = 0.578" in result.steps


def test_stored_figures_show_without_the_columns_padding_zeros():
    result = _wenshui_6((2024, "3.000000"), (2025, "3.000000"), year=2025)
    assert "3.000000" not in result.explanation and "-0.00" not in result.explanation
    assert any("2024年当年 3%、2025年当年 3%" in step for step in result.steps)


def test_a_final_evaluation_says_nothing_about_years_left():
    # 文水县's first milestone is 2027: a 2025 evaluation is not final, a 2027 one is.
    early = _wenshui_6((2024, "1.5"), year=2025)
    assert any(step.startswith("剩余 3 年需年均降低") for step in early.steps)
    assert early.needed_yearly_rate is not None
    final = _wenshui_6((2024, "1.5"), (2025, "1.5"), year=2027)
    assert not any("剩余" in step for step in final.steps)
    assert final.needed_yearly_rate is None and final.status == "not_met"


@pytest.mark.parametrize("value, precision, unit, text", [
    (Decimal("3.000000"), None, "%", "3%"),
    (Decimal("7.970000"), None, "%", "7.97%"),
    (Decimal("36.700000"), None, "", "36.7"),
    (-0.001, 2, "", "0.00"),
    (-0.0004, None, "", "0"),
    (0.5783, None, "", "0.578"),
    (5.9100, 2, "%", "5.91%"),
    (0.6, 2, "", "0.60"),
    (float("inf"), None, "", "∞"),
    (None, None, "%", "—"),
    (Decimal("-0.000000"), None, "", "0"),
])
def test_format_number_formats_to_the_precision(value, precision, unit, text):
    assert format_number(value, precision, unit) == text


def test_format_reported_keeps_the_bureaus_own_zeros_but_not_the_columns():
    assert (format_reported(Decimal("6.0")), format_reported(Decimal("6.000000")), format_reported(None)) == \
        ("6.0", "6", "—")
    assert format_percent(0.591, 1) == "59.1%"


# --- 8. trend thresholds per indicator ------------------------------------------------------------

def test_an_indicator_override_changes_the_trend_and_the_status():
    # 文水县 5 持续下降: 305 → 300 over two years is 1.63 % a year, 符合要求 at the plan's 1.5 %
    facts = real(WENSHUI, "5", values((2024, "305"), (2025, "300")))
    plan = EvaluationSettings()
    assert evaluate(facts, 2025, plan.for_indicator("5")).trend == "good"
    stricter = EvaluationSettings.from_dict({"indicators": {"5": {"trend_good": "0.02"}}})
    result = evaluate(facts, 2025, stricter.for_indicator("5"))
    assert (result.trend, result.status) == ("slow", "behind")
    assert evaluate(facts, 2025, stricter.for_indicator("6")).trend == "good"   # another row keeps the plan's


def test_a_bounded_share_near_its_ceiling_can_be_given_a_gentler_pace():
    from tests.test_evaluation import made
    # 优良天数比例 88 → 89 in three years: 0.38 % a year, 进展缓慢 at 1.5 %, 符合要求 at 0.3 %
    facts = made("88", "持续提高", "up", values((2023, "89")), ceiling=Decimal(100))
    assert evaluate(facts, 2023).trend == "slow"
    gentle = EvaluationSettings.from_dict({"indicators": {"x": {"trend_good": 0.003}}})
    assert evaluate(facts, 2023, gentle.for_indicator("x")).trend == "good"


def test_indicator_overrides_are_checked_and_described_in_chinese():
    with pytest.raises(ValueError, match="指标 5 的评估参数 trend_slow"):
        EvaluationSettings.from_dict({"indicators": {"5": {"trend_good": 0.001, "trend_slow": 0.01}}})
    with pytest.raises(ValueError, match="单项指标设定"):
        EvaluationSettings.from_dict({"indicators": ["5"]})
    settings = EvaluationSettings.from_dict({"indicators": {"5": {"trend_good": 0.005, "binding_veto": False}}})
    assert settings.describe()[-1] == "指标 5 单独设定：趋势符合要求下限 0.5%"
    assert settings.for_indicator("5").binding_veto is True     # the veto is the plan's only


def test_a_figure_no_plan_prints_keeps_its_exponent_instead_of_being_written_out():
    huge = Decimal("7.06E+115689115691")
    assert format_number(huge) == format_reported(huge) == format_number(huge, 2) == "7.06E+115689115691"
    assert format_number(Decimal("1E+2")) == "100"
