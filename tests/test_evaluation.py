"""indicators.evaluation: 进展评估 of one indicator-year against its plan's target.

Worked examples use the real rows of the five plans in indicators/data/plans/*.toml — baseline and
target cells exactly as printed, the direction derived as the app derives it — with invented yearly
values; the few cell forms the five tables lack (〔13.5〕, 消除, 约15, 达到或优于Ⅲ类) are written
out as they appear in the provincial tables above them. Numbers in the comments are worked by hand.
"""
import tomllib
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.plans.directions import derive_direction
from indicators.evaluation import (DEFAULTS, STATUS_LABELS, STATUSES, Evaluation, EvaluationSettings,
                                   IndicatorFacts, Observation, combine_shared_target, evaluate, plan_grade,
                                   totals)
from indicators.plans.targets import TARGET_KINDS, parse_target, parse_value

PLANS = Path(__file__).resolve().parents[1] / "indicators" / "data" / "plans"
JIANGXIAN, YANHU, YUNCHENG, TUNLIU, WENSHUI = (
    "140826-2021-2025", "140802-2021-2025", "140800-2021-2025", "140405-2021-2025", "141121-2024-2035")
REASON = "经现场核查，已按要求落实"


@lru_cache
def _plan(code):
    with open(PLANS / f"{code}.toml", "rb") as handle:
        data = tomllib.load(handle)
    return data["plan"], {row["key"]: row for row in data["indicator"]}


def row(code, key):
    return _plan(code)[1][key]


def values(*pairs, mode=None):
    """Observations from (year, cell) pairs: "36.70" → a number, "Ⅲ" → a class, other text as text."""
    found = []
    for year, cell in pairs:
        parsed = parse_value(cell)
        found.append(Observation(year, number=parsed.number, water_class=parsed.water_class,
                                 text=cell if parsed.kind == "text" else "", rate_mode=mode))
    return tuple(found)


def real(code, key, observations=(), milestone=None, **overrides):
    """IndicatorFacts for a real plan row; a sub-row sharing its parent's target takes the parent's
    target cell and attribute, as the caller of `evaluate` must."""
    plan, rows = _plan(code)
    line = rows[key]
    milestone = milestone or plan["milestone_years"][0]
    source = rows[line["parent"]] if line["shares_parent_target"] else line
    baseline, target = parse_value(line["baseline"]), parse_target(source["targets"][str(milestone)])
    facts = IndicatorFacts(
        key=key, binding=source["attribute"] == "约束性",
        direction=derive_direction(line["name"], line["unit"], baseline, [target]),
        base_year=plan["base_year"], milestone_year=milestone, baseline=baseline, target=target,
        observations=tuple(observations))
    return replace(facts, **overrides)


def made(baseline, target, direction, observations=(), **overrides):
    """IndicatorFacts for a cell form the five tables do not print, in a 2020 → 2025 plan."""
    facts = IndicatorFacts(key="x", binding=False, direction=direction, base_year=2020, milestone_year=2025,
                           baseline=parse_value(baseline), target=parse_target(target),
                           observations=tuple(observations))
    return replace(facts, **overrides)


# --- the worked example of the issue ------------------------------------------------------------

def test_jiangxian_forest_cover_36_70_in_2023_is_on_track_with_completion_0_63_against_0_60():
    facts = real(JIANGXIAN, "2", values((2023, "36.70")))
    assert (row(JIANGXIAN, "2")["baseline"], row(JIANGXIAN, "2")["targets"]["2025"]) == ("36.07", "37.07")
    result = evaluate(facts, 2023)
    assert result.status == "on_track"
    assert result.time_progress == pytest.approx(0.6)
    assert result.completion == pytest.approx(0.63)  # (36.70 − 36.07) / (37.07 − 36.07)
    assert result.value == Decimal("36.70") and result.value_year == 2023 and not result.stale
    # line through (2020, 36.07) and (2023, 36.70): slope 0.21 → 37.12 in 2025 ≥ 37.07
    assert result.forecast == pytest.approx(37.12)
    assert result.forecast_status == "likely"
    assert result.steps == (
        "基期值：36.07（2020年）",
        "目标（2025年）：37.07（原文“37.07”），越大越好",
        "序时进度：（2023−2020）÷（2025−2020）= 0.60",
        "当前值：36.7（2023年审定值）",
        "完成进度：（36.7−36.07）÷（37.07−36.07）= 0.63",
        "37.07：36.7 < 37.07；完成进度 0.63 ≥ 序时进度 0.60 → 符合序时进度",
        "预计：最小二乘直线过 (2020, 36.07)、(2023, 36.7)，外推至 2025 年为 37.12 → 预计可完成",
    )
    assert result.explanation == "\n".join(result.steps)


def test_the_rate_worked_example_1_5_1_7_1_7_percent_against_17_percent_is_behind():
    # 绛县 21 单位GDP能源消耗降低 完成市下达指标, the city having assigned 17 (%).
    facts = real(JIANGXIAN, "21", values((2021, "1.5"), (2022, "1.7"), (2023, "1.7"), mode="yearly"),
                 is_rate=True, assigned_value=Decimal("17"))
    result = evaluate(facts, 2023)
    assert result.status == "behind"
    assert result.cumulative_rate == pytest.approx(4.8205, abs=1e-4)     # 1 − 0.985 × 0.983²
    assert result.completion == pytest.approx(0.2652, abs=1e-4)         # ln(0.95179) / ln(0.83)
    assert result.needed_yearly_rate == pytest.approx(6.6171, abs=1e-4)  # 1 − (0.83 / 0.95179)^(1/2)
    assert "完成市下达指标（17）：4.82% < 17%；完成进度 0.265 < 序时进度 0.60 → 滞后" in result.steps
    assert any("环比连乘 1−(1−1.5%)(1−1.7%)(1−1.7%)" in step for step in result.steps)


# --- the real cells, status by status ------------------------------------------------------------

# (id, facts, data year, status, other expected fields)
CASES = [
    # 绛县 2 森林覆盖率 36.07 → 37.07 (exact, higher is better, 约束性)
    ("exact behind", real(JIANGXIAN, "2", values((2023, "36.40"))), 2023, "behind", {"completion": 0.33}),
    ("exact regressing", real(JIANGXIAN, "2", values((2023, "35.90"))), 2023, "regressing",
     {"completion": -0.17}),
    ("exact met early", real(JIANGXIAN, "2", values((2024, "37.10"))), 2024, "met", {}),
    ("exact missed at the milestone", real(JIANGXIAN, "2", values((2025, "37.00"))), 2025, "not_met",
     {"binding_failed": True, "forecast": None}),
    ("exact stale value", real(JIANGXIAN, "2", values((2023, "36.70"))), 2024, "behind",
     {"stale": True, "value_year": 2023, "time_progress": 0.8}),
    ("no value yet", real(JIANGXIAN, "2", values((2023, "36.70"))), 2022, "no_data",
     {"value": None, "stale": False}),
    # 盐湖区 9 设区城市空气质量优良天数比例 71.9 → ≥75
    ("at least behind", real(YANHU, "9", values((2023, "72.4"))), 2023, "behind", {"completion": 0.5 / 3.1}),
    ("at least met", real(YANHU, "9", values((2023, "75"))), 2023, "met", {}),
    # 盐湖区 11 地表水达到或好于Ⅲ类水体比例 70.7 → ≥65: the baseline already meets the target
    ("baseline already met, still met", real(YANHU, "11", values((2023, "68"))), 2023, "met", {}),
    ("baseline already met, fallen below", real(YANHU, "11", values((2023, "60"))), 2023, "regressing",
     {"completion": None}),
    # 盐湖区 10 设区城市细颗粒物（PM2.5）浓度 44 → ≤40
    ("at most behind", real(YANHU, "10", values((2023, "42"))), 2023, "behind", {"completion": 0.5}),
    ("at most on track", real(YANHU, "10", values((2023, "41"))), 2023, "on_track", {"completion": 0.75}),
    ("at most regressing", real(YANHU, "10", values((2023, "45"))), 2023, "regressing",
     {"completion": -0.25}),
    # 绛县 24 用水总量 6200 → 8600: a cap (用水总量: lower is better) the baseline is under
    ("cap kept", real(JIANGXIAN, "24", values((2023, "7000"))), 2023, "met", {}),
    ("cap exceeded", real(JIANGXIAN, "24", values((2023, "9000"))), 2023, "regressing", {}),
    # 绛县 11 地表水劣Ⅴ类水体比例 0 → 0; 绛县 13 受污染耕地安全利用率 100 → 100
    ("zero kept", real(JIANGXIAN, "11", values((2023, "0"))), 2023, "met", {}),
    ("zero lost", real(JIANGXIAN, "11", values((2023, "5"))), 2023, "regressing", {}),
    ("zero lost at the milestone", real(JIANGXIAN, "11", values((2025, "5"))), 2025, "not_met",
     {"binding_failed": True}),
    ("hundred lost", real(JIANGXIAN, "13", values((2022, "98"))), 2022, "regressing", {}),
    # 文水县 1 生态保护红线面积 367.4 → 367.4 (2023 → 2027)
    ("area kept, four-year plan", real(WENSHUI, "1", values((2026, "367.4"))), 2026, "met",
     {"time_progress": 0.75}),
    # 屯留区 25 灌溉水有效利用系数 "/" → ≥0.58: the first approved value stands in for the baseline
    ("no baseline, measured from the first value", real(TUNLIU, "25", values((2021, "0.55"), (2023, "0.57"))),
     2023, "on_track", {"completion": 0.02 / 0.03, "forecast": 0.59, "forecast_status": "likely"}),
    ("no baseline, a single value", real(TUNLIU, "25", values((2023, "0.57"))), 2023, "behind",
     {"completion": 0.0}),
    # 绛县 1 生态保护红线占国土面积比例 38.48, 不减少
    ("not decrease kept", real(JIANGXIAN, "1", values((2023, "38.48"))), 2023, "met", {"completion": None}),
    ("not decrease broken", real(JIANGXIAN, "1", values((2023, "38.40"))), 2023, "regressing", {}),
    ("not decrease broken at the milestone", real(JIANGXIAN, "1", values((2025, "38.40"))), 2025, "not_met",
     {"binding_failed": True}),
    # 屯留区 1 (baseline "/"): the first approved value is the reference
    ("not decrease against the first value", real(TUNLIU, "1", values((2021, "25.0"), (2023, "25.0"))), 2023,
     "met", {}),
    ("not decrease with nothing to compare", real(TUNLIU, "1", values((2023, "25.0"))), 2023,
     "needs_judgement", {}),
    # 屯留区 3 生态质量指数 保持稳定 (baseline "/", better is higher)
    ("stable within 2 percent", real(TUNLIU, "3", values((2021, "60.0"), (2023, "59.0"))), 2023, "met", {}),
    ("stable improved", real(TUNLIU, "3", values((2021, "60.0"), (2023, "61.5"))), 2023, "met", {}),
    ("stable lost", real(TUNLIU, "3", values((2021, "60.0"), (2023, "58.0"))), 2023, "regressing", {}),
    # 绛县 3 林草火灾受害率 0.3, 完成市下达指标
    ("awaiting the city's number", real(JIANGXIAN, "3", values((2023, "0.2"))), 2023, "awaiting_target",
     {"value": Decimal("0.2")}),
    ("awaiting without any value", real(JIANGXIAN, "3"), 2023, "awaiting_target", {"value": None}),
    ("still awaiting at the milestone", real(JIANGXIAN, "3", values((2025, "0.2"))), 2025,
     "needs_judgement", {}),
    ("assigned number as a cap, met",
     real(JIANGXIAN, "3", values((2023, "0.2")), assigned_value=Decimal("0.5")), 2023, "met", {}),
    ("assigned number as a cap, exceeded",
     real(JIANGXIAN, "3", values((2023, "0.6")), assigned_value=Decimal("0.5")), 2023, "regressing", {}),
    # 绛县 8 空气质量优良天数比例 72.88, 完成市下达指标 assigned 75: (74 − 72.88)/(75 − 72.88) = 0.528
    ("assigned number as a floor", real(JIANGXIAN, "8", values((2023, "74")), assigned_value=Decimal("75")),
     2023, "behind", {"completion": 1.12 / 2.12}),
    # 绛县 14 重点建设用地安全利用率 有效保障 (qualitative, 约束性); 文水县 22 实现“三基本”*
    ("qualitative awaits judgement", real(JIANGXIAN, "14", values((2023, "已有效保障"))), 2023,
     "needs_judgement", {"value": None}),
    ("qualitative without a value", real(JIANGXIAN, "14"), 2023, "no_data", {}),
    ("qualitative with a number", real(WENSHUI, "22", values((2025, "80"))), 2025, "needs_judgement",
     {"value": Decimal("80")}),
    # 绛县 10 地表水质量好于Ⅲ类水体比例: baseline 断流, and the river dry again
    ("a dry river is not a number", real(JIANGXIAN, "10", values((2023, "断流")), assigned_value=Decimal("80")),
     2023, "needs_judgement", {}),
    # 盐湖区 20 单位GDP二氧化碳排放降低: no target printed
    ("no target", real(YANHU, "20", values((2023, "3.5"))), 2023, "needs_judgement", {}),
    # 屯留区 9 地下水监测点位水质 Ⅱ → Ⅱ (class numbers, smaller is better; no 完成进度)
    ("class kept", real(TUNLIU, "9", values((2023, "Ⅱ"))), 2023, "met", {"value": 2, "completion": None}),
    ("class better", real(TUNLIU, "9", values((2023, "Ⅰ"))), 2023, "met", {}),
    ("class worse", real(TUNLIU, "9", values((2023, "Ⅲ"))), 2023, "regressing", {"completion": None}),
    ("class worse at the milestone", real(TUNLIU, "9", values((2025, "Ⅲ"))), 2025, "not_met",
     {"binding_failed": False}),
    ("class given as a number", real(TUNLIU, "9", values((2023, "85"))), 2023, "needs_judgement", {}),
    # 盐湖区 16 化学需氧量排放总量减少 8-10 (%, five-year reduction; the lower end is enough)
    ("range of a reduction on track", real(YANHU, "16", values(*[(y, "2.0") for y in (2021, 2022, 2023)],
                                                               mode="yearly"), is_rate=True),
     2023, "on_track", {"cumulative_rate": 5.8808, "completion": 0.72685}),
    ("range of a reduction met", real(YANHU, "16", values((2024, "8.1"), mode="cumulative"), is_rate=True),
     2024, "met", {"needed_yearly_rate": 0.0}),
    # 屯留区 22 单位地区生产总值能源消耗降低 16: cumulative reports; ln(0.94)/ln(0.84) = 0.3549 < 0.4
    ("cumulative reports behind", real(TUNLIU, "22", values((2021, "3.0"), (2022, "6.0"), mode="cumulative"),
                                       is_rate=True), 2022, "behind", {"completion": 0.35489}),
    # 绛县 23 万元GDP用水量下降 5.29 → 10: 1 − 0.98 × 0.975 = 4.45 %; ln(0.9555)/ln(0.9) = 0.432 ≥ 0.4
    ("yearly reports on track", real(JIANGXIAN, "23", values((2021, "2.0"), (2022, "2.5")), is_rate=True),
     2022, "on_track", {"cumulative_rate": 4.45, "completion": 0.43205}),
    # 屯留区 24 万元地区生产总值用水量下降率 ≥15
    ("at least a reduction met", real(TUNLIU, "24", values((2025, "15.2"), mode="cumulative"), is_rate=True),
     2025, "met", {}),
    ("at least a reduction missed",
     real(TUNLIU, "24", values((2025, "14.0"), mode="cumulative"), is_rate=True), 2025, "not_met",
     {"binding_failed": True}),
    ("a reduction chain broken", real(TUNLIU, "24", values((2022, "3.0"), mode="yearly"), is_rate=True),
     2022, "no_data", {}),
    # 文水县 5 火电平均供电标准煤耗 310, 持续下降 (2023 → 2027): 1 − (300/310)^(1/2) = 1.63 % a year
    ("decrease at a good pace", real(WENSHUI, "5", values((2024, "305"), (2025, "300"))), 2025, "met",
     {"trend": "good", "time_progress": 0.5}),
    ("decrease at a good pace but up on last year", real(WENSHUI, "5", values((2024, "295"), (2025, "300"))),
     2025, "on_track", {"trend": "good"}),
    ("decrease too slow", real(WENSHUI, "5", values((2025, "306"))), 2025, "behind", {"trend": "slow"}),
    ("decrease too slow at the milestone", real(WENSHUI, "5", values((2027, "306"))), 2027, "not_met",
     {"trend": "slow", "binding_failed": False}),
    ("decrease reversed", real(WENSHUI, "5", values((2025, "315"))), 2025, "regressing",
     {"trend": "reverse"}),
    # 文水县 8 一般工业固体废物综合利用率 30.22, 持续增长: (32/30.22)^(1/2) − 1 = 2.9 % a year
    ("increase at a good pace", real(WENSHUI, "8", values((2025, "32"))), 2025, "met", {"trend": "good"}),
    # 文水县 23 农村生活垃圾回收利用率 "-", 持续增长: measured from the first approved value
    ("increase from the first value", real(WENSHUI, "23", values((2024, "40"), (2025, "42"))), 2025, "met",
     {"trend": "good"}),
    ("increase with a single value", real(WENSHUI, "23", values((2025, "42"))), 2025, "needs_judgement",
     {"trend": None}),
    # 文水县 13 空气质量优良天数比例 61.4, 持续改善 (2035): (62/61.4)^(1/2) − 1 = 0.49 % a year
    ("improve too slow", real(WENSHUI, "13", values((2025, "62")), milestone=2035), 2025, "behind",
     {"trend": "slow"}),
    # 文水县 17 受污染耕地安全利用率 "无", 巩固提升 (2035)
    ("consolidate from the first value",
     real(WENSHUI, "17", values((2024, "90"), (2025, "93")), milestone=2035), 2025, "met", {"trend": "good"}),
    # 文水县 3 单位地区生产总值能源消耗降低 -19.88, 持续下降 (2035): a reduction rate kept positive
    ("rate keeps falling", real(WENSHUI, "3", values((2024, "3.0"), (2025, "2.0"), mode="yearly"),
                                milestone=2035, is_rate=True), 2025, "met",
     {"trend": "good", "cumulative_rate": 4.94}),
    ("rate falls too slowly", real(WENSHUI, "3", values((2024, "3.0"), (2025, "-1.0"), mode="yearly"),
                                   milestone=2035, is_rate=True), 2025, "behind", {"trend": "slow"}),
    ("rate reversed", real(WENSHUI, "3", values((2024, "-2.0"), (2025, "-1.0"), mode="yearly"),
                           milestone=2035, is_rate=True), 2025, "regressing", {"trend": "reverse"}),
    # Forms the five tables lack. 〔13.5〕: the national 十四五 单位GDP能耗降低 target.
    # 1 − 0.97³ = 8.73 %; ln(0.91267)/ln(0.865) = 0.630 ≥ 0.6
    ("bracketed cumulative reduction on track",
     made("—", "〔13.5〕", "up", values(*[(y, "3.0") for y in (2021, 2022, 2023)], mode="yearly"),
          is_rate=True), 2023, "on_track", {"completion": 0.63006}),
    # 新增水土流失治理面积 〔30〕 with yearly amounts 6 + 7 + 8 = 21: κ = 0.7
    ("bracketed cumulative amount on track",
     made("—", "〔30〕", "up", values((2021, "6"), (2022, "7"), (2023, "8"), mode="yearly")),
     2023, "on_track", {"completion": 0.7, "cumulative_rate": 21.0}),
    ("bracketed cumulative amount as reported",
     made("—", "〔30〕", "up", values((2023, "31"))), 2023, "met", {"cumulative_rate": 31.0}),
    # 城市黑臭水体 消除 with 3 left at the base year: (1 − 3)/(0 − 3) = 0.667
    ("eliminate on track", made("3", "消除", "down", values((2023, "1"))), 2023, "on_track",
     {"completion": 2 / 3}),
    ("eliminate met", made("3", "基本消除", "down", values((2023, "0"))), 2023, "met", {}),
    # 约15 from 12: within 2 % of 15 (≥ 14.7) is met
    ("approximately met", made("12", "15左右", "up", values((2023, "14.8"))), 2023, "met", {}),
    ("approximately on track", made("12", "约15", "up", values((2023, "14.0"))), 2023, "on_track",
     {"completion": 2 / 3}),
    # 达到或优于Ⅲ类 from Ⅳ
    ("class target reached", made("Ⅳ", "达到或优于Ⅲ类", "down", values((2023, "Ⅲ"))), 2023, "met", {}),
    ("class target not yet reached", made("Ⅳ", "达到或优于Ⅲ类", "down", values((2023, "Ⅳ"))), 2023, "behind", {}),
    ("class target strict", made("Ⅳ", "优于Ⅲ类", "down", values((2023, "Ⅲ"))), 2023, "behind", {}),
    ("class worse than the baseline", made("Ⅳ", "达到或优于Ⅲ类", "down", values((2023, "劣Ⅴ"))), 2023,
     "regressing", {}),
    # a range from below and from above: the end nearer the baseline
    ("range from below", made("5", "8-10", "up", values((2023, "8"))), 2023, "met", {}),
    ("range from above", made("12", "8-10", "up", values((2023, "10"))), 2023, "met", {}),
    ("range from above, halfway", made("12", "8-10", "up", values((2023, "11"))), 2023, "behind",
     {"completion": 0.5}),
    # a decrease that reached zero needs no pace (持续下降 of 黑臭水体数量)
    ("decrease reached zero", made("4", "持续下降", "down", values((2021, "0"))), 2021, "met",
     {"trend": "reached"}),
    ("increase reached the ceiling", made("100", "持续增长", "up", values((2023, "100")), ceiling=Decimal(100)),
     2023, "met", {"trend": "reached"}),
]


@pytest.mark.parametrize("facts, year, status, expected", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_each_real_cell_form_gives_its_status(facts, year, status, expected):
    result = evaluate(facts, year)
    assert result.status == status, result.explanation
    for name, value in expected.items():
        actual = getattr(result, name)
        if isinstance(value, float):
            assert actual == pytest.approx(value, abs=1e-4), (name, result.explanation)
        else:
            assert actual == value, (name, result.explanation)
    assert result.explanation == "\n".join(result.steps)
    assert result.steps[-1] and STATUS_LABELS[result.status] in result.explanation


def test_the_cases_cover_every_status_and_every_target_kind():
    # 数据不全 (incomplete) is a shared-target group's status only, covered by the combine tests below.
    assert {case[3] for case in CASES} == set(STATUSES) - {"incomplete"}
    assert {case[1].target.kind for case in CASES} == set(TARGET_KINDS)


# --- explanations -------------------------------------------------------------------------------

def test_the_explanation_names_the_rule_with_its_numbers():
    result = evaluate(real(YANHU, "9", values((2023, "72.4"))), 2023)
    assert "≥75：72.4 < 75；完成进度 0.16 < 序时进度 0.60 → 滞后" in result.steps
    assert result.steps[:3] == ("基期值：71.9（2020年）", "目标（2025年）：不低于 75（原文“≥75”），越大越好",
                                "序时进度：（2023−2020）÷（2025−2020）= 0.60")


def test_the_explanation_says_where_a_missing_baseline_was_replaced():
    result = evaluate(real(TUNLIU, "25", values((2021, "0.55"), (2023, "0.57"))), 2023)
    assert "基期值：无（2020年未列数值）" in result.steps
    assert "基期值缺失，以 2021 年审定值 0.55 为起点" in result.steps


def test_the_explanation_of_a_non_numeric_baseline_quotes_it():
    result = evaluate(real(JIANGXIAN, "10", values((2023, "断流"))), 2023)
    assert result.steps[0] == "基期值：“断流”（2020年，非数值）"
    assert "目标由上级下达，尚未录入下达数值 → 待下达" in result.steps


def test_the_explanation_of_a_binding_miss_says_so():
    result = evaluate(real(JIANGXIAN, "2", values((2025, "37.00"))), 2025)
    # issue 14: one verdict per row — the rule's line no longer ends "→ 滞后" before "→ 未完成"
    assert result.steps[-3:] == ("37.07：37 < 37.07；完成进度 0.93 < 序时进度 1.00",
                                 "已到目标年（2025年），只论完成与否 → 未完成", "约束性指标未完成")


def test_a_cumulative_report_is_also_shown_as_the_years_own_rate():
    result = evaluate(real(TUNLIU, "22", values((2021, "3.0"), (2022, "6.0"), mode="cumulative"),
                           is_rate=True), 2022)
    assert any("2022年累计 6.0%（折合当年 3.09%）" in step for step in result.steps)  # 1 − 0.94/0.97


def test_a_trend_explanation_gives_the_yearly_pace():
    result = evaluate(real(WENSHUI, "5", values((2024, "305"), (2025, "300"))), 2025)
    assert any("年均下降 1.63%，趋势符合要求" in step for step in result.steps)


def test_decimal_field_zeros_are_not_shown():
    result = evaluate(real(JIANGXIAN, "2", (Observation(2023, Decimal("36.700000")),)), 2023)
    assert "当前值：36.7（2023年审定值）" in result.steps


# --- forecasts ----------------------------------------------------------------------------------

def test_a_forecast_below_the_target_is_unlikely():
    # (2020, 36.07), (2023, 36.40): slope 0.11 → 36.62 in 2025 < 37.07
    result = evaluate(real(JIANGXIAN, "2", values((2023, "36.40"))), 2023)
    assert result.forecast == pytest.approx(36.62)
    assert result.forecast_status == "unlikely"
    assert result.steps[-1].endswith("→ 预计难以完成")


def test_a_forecast_uses_every_approved_value_up_to_the_data_year_only():
    facts = real(JIANGXIAN, "2", values((2021, "36.30"), (2022, "36.50"), (2024, "36.60")))
    # points (2020, 36.07), (2021, 36.30), (2022, 36.50): mean (2021, 36.29), slope 0.215 → 36.29 + 4 × 0.215
    assert evaluate(facts, 2022).forecast == pytest.approx(37.15)
    assert evaluate(facts, 2023).forecast == evaluate(facts, 2022).forecast  # 2023: no new value


def test_a_trend_forecast_is_judged_by_its_pace():
    # (2023, 310), (2024, 305), (2025, 300) → 290 in 2027: 1 − (290/310)^(1/4) = 1.65 % a year
    result = evaluate(real(WENSHUI, "5", values((2024, "305"), (2025, "300"))), 2025)
    assert result.forecast == pytest.approx(290)
    assert result.forecast_status == "likely"


def test_a_rate_forecast_extends_the_cumulative_line():
    yearly = values((2021, "1.5"), (2022, "1.7"), (2023, "1.7"), mode="yearly")
    result = evaluate(real(JIANGXIAN, "21", yearly, is_rate=True, assigned_value=Decimal("17")), 2023)
    assert result.forecast == pytest.approx(8.0215, abs=1e-3)
    assert result.forecast_status == "unlikely"


def test_no_forecast_from_a_single_point_or_at_the_milestone():
    assert evaluate(real(TUNLIU, "25", values((2023, "0.57"))), 2023).forecast is None
    assert evaluate(real(JIANGXIAN, "2", values((2024, "36.9"))), 2025).forecast_status is None


# --- reviewers' judgements ----------------------------------------------------------------------

def judged(judgement, reason=REASON, year=2023):
    return real(JIANGXIAN, "14", (Observation(year, text="已有效保障", judgement=judgement,
                                              judgement_reason=reason),))


@pytest.mark.parametrize("judgement, year, status, binding_failed", [
    ("done", 2023, "met", False),
    ("mostly", 2023, "on_track", False),
    ("not_done", 2023, "behind", False),
    ("done", 2025, "met", False),
    ("mostly", 2025, "not_met", True),     # 基本完成 is not a completed binding target at the milestone
    ("not_done", 2025, "not_met", True),
])
def test_a_reviewers_judgement_counts_for_a_qualitative_target(judgement, year, status, binding_failed):
    result = evaluate(judged(judgement, year=year), year)
    assert (result.status, result.binding_failed) == (status, binding_failed)
    assert any(step.startswith("审核评价：") and REASON in step for step in result.steps)


def test_a_judgement_without_a_written_reason_does_not_count():
    result = evaluate(judged("done", reason="  "), 2023)
    assert result.status == "needs_judgement"
    assert any("未附书面理由" in step for step in result.steps)


def test_a_judgement_on_an_older_value_does_not_carry_over_to_a_newer_one():
    facts = replace(judged("done", year=2022), observations=(
        Observation(2022, text="已保障", judgement="done", judgement_reason=REASON),
        Observation(2023, text="待核")))
    assert evaluate(facts, 2023).status == "needs_judgement"
    assert evaluate(facts, 2022).status == "met"


def test_a_judgement_settles_a_target_the_higher_level_never_gave_a_number_for():
    facts = real(JIANGXIAN, "3", (Observation(2025, Decimal("0.2"), judgement="done",
                                              judgement_reason=REASON),))
    assert evaluate(facts, 2025).status == "met"


def test_a_judgement_does_not_override_a_rule_that_can_decide():
    facts = real(JIANGXIAN, "2", (Observation(2023, Decimal("35.0"), judgement="done",
                                              judgement_reason=REASON),))
    assert evaluate(facts, 2023).status == "regressing"


def test_the_stored_code_mostly_done_is_the_evaluations_own_and_the_old_spelling_is_read_as_it():
    assert Observation(2023, judgement="mostly_done").judgement == "mostly_done"
    assert Observation(2023, judgement="mostly").judgement == "mostly_done"
    assert Observation(2023, judgement="", rate_mode="").judgement is None


@pytest.mark.parametrize("field, value", [("judgement", "完成"), ("rate_mode", "monthly")])
def test_an_unknown_judgement_or_rate_mode_is_refused(field, value):
    with pytest.raises(ValueError):
        Observation(2023, **{field: value})


# --- years --------------------------------------------------------------------------------------

def test_values_from_before_the_base_year_are_ignored():
    result = evaluate(real(JIANGXIAN, "2", values((2019, "36.9"))), 2023)
    assert result.status == "no_data"


def test_observations_may_come_in_any_order():
    facts = real(JIANGXIAN, "2", values((2023, "36.70"), (2021, "36.20"), (2022, "36.40")))
    assert evaluate(facts, 2022).value == Decimal("36.40")
    assert evaluate(facts, 2023).value == Decimal("36.70")


@pytest.mark.parametrize("year, tau", [(2019, 0.0), (2020, 0.0), (2021, 0.2), (2025, 1.0), (2030, 1.0)])
def test_time_progress_is_clamped_to_the_plan_period(year, tau):
    assert evaluate(real(JIANGXIAN, "2"), year).time_progress == pytest.approx(tau)


def test_the_2035_target_of_a_two_milestone_plan_counts_time_from_the_base_year():
    result = evaluate(real(WENSHUI, "10", values((2027, "38")), milestone=2035), 2027)
    assert result.time_progress == pytest.approx(4 / 12)
    assert result.completion == pytest.approx((38 - 34.77) / (39.59 - 34.77))


def test_a_baseline_year_before_the_base_year_is_used_for_the_forecast():
    # 盐湖区 2 森林覆盖率 23.18* (* = 2019 data) → 26
    facts = real(YANHU, "2", values((2023, "24.78")), baseline_year=2019)
    result = evaluate(facts, 2023)
    assert result.steps[0] == "基期值：23.18（2019年）"
    assert result.forecast == pytest.approx(24.78 + 0.4 * 2)  # slope (24.78 − 23.18)/4


# --- a parent row sharing one target with its sub-rows -----------------------------------------

def _cod_rows(sub_rate):
    """盐湖区 16 化学需氧量排放总量减少 8-10 and its four sub-rows sharing that target."""
    parent = evaluate(real(YANHU, "16", values((2025, "9.0"), mode="cumulative"), is_rate=True), 2025)
    children = [evaluate(real(YANHU, key, values((2025, rate), mode="cumulative"), is_rate=True), 2025)
                for key, rate in zip(("16.1", "16.2", "16.3", "16.4"), sub_rate)]
    return parent, children


def test_a_shared_target_is_met_only_when_every_sub_row_is():
    parent, children = _cod_rows(["8.5", "9.2", "10.1", "8.0"])
    combined = combine_shared_target(parent, children)
    assert combined.status == "met" and not combined.binding_failed
    assert combined.steps[-1] == "共用目标：本项已完成，4 个子项均已完成 → 已完成"


def test_a_shared_target_with_one_sub_row_short_is_not_met_and_fails_the_binding_parent():
    parent, children = _cod_rows(["8.5", "7.2", "10.1", "8.0"])
    combined = combine_shared_target(parent, children)
    assert combined.status == "not_met" and combined.binding_failed
    assert "子项 16.2：未完成" in combined.steps


@pytest.mark.parametrize("statuses, expected", [
    (("met", "met", "no_data"), "incomplete"),  # issue 14: was "no_data"; some rows reported
    (("no_data", "no_data", "no_data"), "no_data"),
    (("on_track", "behind", "met"), "behind"),
    (("on_track", "regressing", "needs_judgement"), "regressing"),
    (("on_track", "met", "on_track"), "on_track"),
    (("met", "awaiting_target", "no_data"), "awaiting_target"),
])
def test_a_shared_target_takes_the_worst_status_of_its_rows(statuses, expected):
    parent, *children = [_evaluation(status, key=str(i)) for i, status in enumerate(statuses)]
    assert combine_shared_target(parent, children).status == expected


def test_a_parent_without_sub_rows_is_unchanged():
    parent = _evaluation("behind")
    assert combine_shared_target(parent, []) is parent


def _evaluation(status, key="x", binding=False, completion=None):
    failed = binding and status == "not_met"
    return Evaluation(key=key, year=2023, status=status, completion=completion, time_progress=0.6,
                      value=None, value_year=None, stale=False, binding_failed=failed, forecast=None,
                      forecast_status=None, trend=None, needed_yearly_rate=None, cumulative_rate=None,
                      explanation="", steps=(), binding=binding)


# --- totals and the plan's grade -----------------------------------------------------------------

def test_totals_count_each_status_for_all_and_for_binding_indicators():
    evaluations = [_evaluation("met", "1", True), _evaluation("not_met", "2", True), _evaluation("met", "3"),
                   _evaluation("no_data", "4")]
    counts = totals(evaluations, {"1", "2"})
    assert counts["all"] == {**dict.fromkeys(STATUSES, 0), "met": 2, "not_met": 1, "no_data": 1}
    assert counts["binding"] == {**dict.fromkeys(STATUSES, 0), "met": 1, "not_met": 1}
    assert (counts["count"], counts["binding_count"], counts["binding_met_share"]) == (4, 2, 0.5)
    assert counts["binding_failed"] == 1


def test_totals_without_binding_indicators_have_no_share():
    assert totals([_evaluation("met")], set())["binding_met_share"] is None


def test_one_missed_binding_indicator_fails_the_plan_under_the_veto():
    evaluations = [_evaluation("met", str(i)) for i in range(9)] + [_evaluation("not_met", "b", True)]
    assert plan_grade(evaluations, {"b"}, DEFAULTS) == "fail"
    assert plan_grade(evaluations, {"b"}, EvaluationSettings(binding_veto=False)) == "pass"  # 9 of 10


@pytest.mark.parametrize("statuses, grade", [
    (("met", "on_track", "behind", "no_data"), "pass"),              # 2 of 3 decided ≥ 60 %
    (("met", "behind", "regressing", "awaiting_target"), "fail"),     # 1 of 3
    (("no_data", "needs_judgement", "awaiting_target"), "pending"),
])
def test_the_grade_without_a_veto_is_the_share_met_or_on_track(statuses, grade):
    assert plan_grade([_evaluation(s, str(i)) for i, s in enumerate(statuses)], set()) == grade


# --- settings -----------------------------------------------------------------------------------

def test_the_default_settings_are_documented_values():
    assert (DEFAULTS.approx_tolerance, DEFAULTS.stable_tolerance, DEFAULTS.trend_good, DEFAULTS.trend_slow,
            DEFAULTS.binding_veto) == (0.02, 0.02, 0.015, 0.0, True)


def test_settings_from_a_plans_json_ignore_unknown_keys_and_read_text():
    settings = EvaluationSettings.from_dict({"trend_good": "0.02", "binding_veto": "否", "colour": "green"})
    assert settings == EvaluationSettings(trend_good=0.02, binding_veto=False)
    assert EvaluationSettings.from_dict({}) == DEFAULTS == EvaluationSettings.from_dict(None)


@pytest.mark.parametrize("data, message", [
    ({"approx_tolerance": 0.7}, "约数目标容差"),
    ({"stable_tolerance": -0.01}, "保持稳定容差"),
    ({"trend_good": "fast"}, "须为数值"),
    ({"trend_good": 0.01, "trend_slow": 0.02}, "不能大于"),
    ({"binding_veto": "maybe"}, "须为是或否"),
    ({"pass_share": 1.5}, "合格线"),
    ({"trend_slow": True}, "须为数值"),
    (["trend_good", 0.02], "须为键值对"),
])
def test_settings_out_of_range_are_refused_in_chinese(data, message):
    with pytest.raises(ValueError, match=message):
        EvaluationSettings.from_dict(data)


def test_settings_describe_themselves_in_chinese():
    lines = DEFAULTS.describe()
    assert lines[0].startswith("约数目标容差：±2%")
    assert "年均变化（期望方向）≥ 1.5% 为符合要求" in lines[2]
    assert lines[3] == "约束性指标一票否决：是"


def test_a_wider_approx_tolerance_counts_a_nearer_miss_as_met():
    facts = made("12", "约15", "up", values((2023, "14.4")))
    assert evaluate(facts, 2023).status == "on_track"
    assert evaluate(facts, 2023, EvaluationSettings(approx_tolerance=0.05)).status == "met"


def test_a_stricter_trend_threshold_reclassifies_a_pace():
    facts = real(WENSHUI, "5", values((2024, "305"), (2025, "300")))  # 1.63 % a year
    result = evaluate(facts, 2025, EvaluationSettings(trend_good=0.02))
    assert (result.status, result.trend) == ("behind", "slow")


def test_a_narrower_stable_tolerance_breaks_stability_sooner():
    facts = real(TUNLIU, "3", values((2021, "60.0"), (2023, "59.0")))
    assert evaluate(facts, 2023, EvaluationSettings(stable_tolerance=0.01)).status == "regressing"


# --- properties ---------------------------------------------------------------------------------

numbers = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False)
RANK = {"regressing": 0, "behind": 1, "on_track": 2, "met": 3, "not_met": 0}


@given(baseline=numbers, target=numbers, value=numbers, better=numbers, year=st.integers(2018, 2027),
       cell=st.sampled_from(["{t}", "≥{t}", "≤{t}", "约{t}", "{t}-{u}", "不减少", "持续增长", "持续下降", "保持稳定"]),
       direction=st.sampled_from(["up", "down"]), binding=st.booleans())
def test_any_numeric_indicator_year_gets_a_consistent_evaluation(baseline, target, value, better, year, cell,
                                                                 direction, binding):
    spec = parse_target(cell.format(t=target, u=target + 5))
    facts = IndicatorFacts("p", binding, direction, 2020, 2025, parse_value(str(baseline)), spec,
                           (Observation(2022, value), Observation(2024, better)))
    result = evaluate(facts, year)
    assert result.status in STATUSES
    if year >= 2025:
        assert result.status in ("met", "not_met", "needs_judgement", "no_data")
    else:
        assert result.status != "not_met"
    assert result.binding_failed == (binding and result.status == "not_met")
    assert result.stale == (result.value_year is not None and result.value_year < year)
    assert result.explanation == "\n".join(result.steps) and len(result.steps) >= 4


@given(baseline=numbers, target=numbers, low=numbers, high=numbers, year=st.integers(2021, 2025),
       cell=st.sampled_from(["{t}", "≥{t}", "约{t}"]))
def test_a_better_value_never_gets_a_worse_status(baseline, target, low, high, year, cell):
    low, high = min(low, high), max(low, high)
    facts = IndicatorFacts("p", False, "up", 2020, 2025, parse_value(str(baseline)),
                           parse_target(cell.format(t=target)), ())
    worse = evaluate(replace(facts, observations=(Observation(2021, low),)), year)
    better = evaluate(replace(facts, observations=(Observation(2021, high),)), year)
    assert RANK[better.status] >= RANK[worse.status]


@given(target=st.decimals(min_value=1, max_value=30, places=1),
       yearly=st.lists(st.decimals(min_value=-3, max_value=8, places=1), min_size=1, max_size=5))
def test_a_reduction_target_is_met_exactly_when_the_chained_rate_reaches_it(target, yearly):
    observations = tuple(Observation(2021 + i, rate, rate_mode="yearly") for i, rate in enumerate(yearly))
    facts = made("—", f"〔{target}〕", "up", observations, is_rate=True)
    year = 2020 + len(yearly)
    result = evaluate(facts, year)
    remaining = 1.0
    for rate in yearly:
        remaining *= 1 - float(rate) / 100
    assert result.cumulative_rate == pytest.approx((1 - remaining) * 100)
    assert (result.status == "met") == ((1 - remaining) * 100 >= float(target) - 1e-9)


def test_evaluating_does_not_change_the_facts():
    facts = real(JIANGXIAN, "2", values((2023, "36.70")))
    before = replace(facts)
    evaluate(facts, 2023)
    assert facts == before
