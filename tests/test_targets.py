"""indicators.plans.targets: every baseline and target cell printed in the five real plans' indicator
tables (indicators/data/sources/*.txt), the parsing rules for targets and values, describe(), and properties.

Plans: 000 绛县 (表2-1), 001 盐湖区 (表2-1, * = 2019 data), 002 文水县 (2023 / 2027 / 2035 columns),
003 运城市 (表 2-1, [ ] = 十三五 five-year cumulative, ¹ and * footnotes), 004 屯留区.
Cells are as printed, with a line break inside a cell joined (完成市下\\n\\n达指标 → 完成市下达指标).
"""
import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.plans import targets
from indicators.plans.targets import (
    RELATIONS,
    TARGET_KINDS,
    ParsedValue,
    TargetSpec,
    normalise_number_text,
    parse_target,
    parse_value,
)

D = Decimal

# (cell, kind, other fields of the expected TargetSpec) — every distinct target cell of the five plans.
PLAN_TARGET_CELLS = [
    # 绛县 1; 盐湖区 1; 运城市 1; 屯留区 1 (生态保护红线占国土面积比例)
    ("不减少", "relative", {"relation": "not_decrease"}),
    # 绛县 2 森林覆盖率
    ("37.07", "exact", {"value": D("37.07")}),
    # 绛县 3, 5–10, 15, 20 (printed 完成市下 / 达指标), 21, 22; 屯留区 21, 23 (printed 完成市 / 下达指标)
    ("完成市下达指标", "assigned", {"assigned_by": "市"}),
    # 绛县 4 林草有害生物成灾率; 运城市 4 森林草原有害生物成灾控制率
    ("≤3.5", "at_most", {"value": D("3.5")}),
    # 绛县 11, 12; 盐湖区 12, 13; 运城市 11, 12; 屯留区 7, 8, 12 (劣Ⅴ类 / 黑臭水体 / Ⅴ类水 比例)
    ("0", "exact", {"value": D("0")}),
    # 绛县 13, 17, 18, 19, 25; 盐湖区 18, 19; 文水县 15, 16, 18, 21, 24, 26 (both years), 20 (2035);
    # 屯留区 6, 19, 20
    ("100", "exact", {"value": D("100")}),
    # 绛县 14 重点建设用地安全利用率; 屯留区 11 重点建设用地安全利用
    ("有效保障", "qualitative", {}),
    # 绛县 15 sub-rows (氨氮/氮氧化物/VOCs/二氧化硫, merged with row 15's target); 盐湖区 8, 16 sub-rows,
    # 20–23, 25; 运城市 18–21 (merged with row 17's target)
    ("", "none", {}),
    # 绛县 16 地下水质量V类水比例; 盐湖区 17
    ("≤25", "at_most", {"value": D("25")}),
    # 绛县 23 万元GDP用水量下降
    ("10", "exact", {"value": D("10")}),
    # 绛县 24 用水总量 (亿立方米)
    ("8600", "exact", {"value": D("8600")}),
    # 盐湖区 2 森林覆盖率
    ("26", "exact", {"value": D("26")}),
    # 盐湖区 3 营造林面积 (万亩)
    ("2000", "exact", {"value": D("2000")}),
    # 盐湖区 4 林草火灾受害率; 运城市 3 森林草原火灾受害控制率
    ("≤0.5", "at_most", {"value": D("0.5")}),
    # 盐湖区 5 林草有害生物成灾率
    ("≤3", "at_most", {"value": D("3")}),
    # 盐湖区 6 全省水土保持率; 运城市 5 全市水土保持率
    ("65", "exact", {"value": D("65")}),
    # 盐湖区 7 全省新增水土流失治理面积 (万平方公里)
    ("1.835", "exact", {"value": D("1.835")}),
    # 盐湖区 7 其中黄河流域
    ("1.28", "exact", {"value": D("1.28")}),
    # 盐湖区 9 设区城市空气质量优良天数比例
    ("≥75", "at_least", {"value": D("75")}),
    # 盐湖区 10 设区城市细颗粒物（PM2.5）浓度
    ("≤40", "at_most", {"value": D("40")}),
    # 盐湖区 11 地表水达到或好于Ⅲ类水体比例
    ("≥65", "at_least", {"value": D("65")}),
    # 盐湖区 14 受污染耕地安全利用率, 15 污染地块安全利用率
    ("≥95", "at_least", {"value": D("95")}),
    # 盐湖区 16 化学需氧量排放总量减少 (one target shared by the four sub-rows)
    ("8-10", "range", {"low": D("8"), "high": D("10")}),
    # 盐湖区 24 全省用水总量
    ("96", "exact", {"value": D("96")}),
    # 文水县 1 生态保护红线面积 (2027 and 2035)
    ("367.4", "exact", {"value": D("367.4")}),
    # 文水县 2 永久基本农田保护面积 (2027 and 2035)
    ("46.44", "exact", {"value": D("46.44")}),
    # 文水县 3 (2027), 6 (both), 13 (2027), 17 (2027)
    ("完成市级下达任务", "assigned", {"assigned_by": "市"}),
    # 文水县 3 (2035), 5 (both) 火电平均供电标准煤耗
    ("持续下降", "relative", {"relation": "decrease"}),
    # 文水县 4 非化石能源占一次能源消费比重 (2027)
    ("12", "exact", {"value": D("12")}),
    # 文水县 4 (2035), 7 (2035), 8 (both), 11 (2027), 23 (both)
    ("持续增长", "relative", {"relation": "increase"}),
    # 文水县 7 再生水利用率 (2027)
    ("40", "exact", {"value": D("40")}),
    # 文水县 9 畜禽粪污综合利用率 (2027)
    ("≥85", "at_least", {"value": D("85")}),
    # 文水县 9 (2035); 屯留区 10 受污染耕地安全利用率
    ("98", "exact", {"value": D("98")}),
    # 文水县 10 森林覆盖率 (2027)
    ("≥37.8", "at_least", {"value": D("37.8")}),
    # 文水县 10 森林覆盖率 (2035)
    ("39.59", "exact", {"value": D("39.59")}),
    # 文水县 11 水土保持率 (2035)
    ("72.43", "exact", {"value": D("72.43")}),
    # 文水县 12 (both), 20 (2027)
    ("85", "exact", {"value": D("85")}),
    # 文水县 13 空气质量优良天数比例 (2035)
    ("持续改善", "relative", {"relation": "improve"}),
    # 文水县 14 PM2.5年平均浓度 (2027)
    ("35", "exact", {"value": D("35")}),
    # 文水县 14 PM2.5年平均浓度 (2035)
    ("≤35", "at_most", {"value": D("35")}),
    # 文水县 17 受污染耕地安全利用率 (2035)
    ("巩固提升", "relative", {"relation": "improve"}),
    # 文水县 19 城镇生活污水集中收集率 (2027)
    ("70", "exact", {"value": D("70")}),
    # 文水县 19 (2035) — printed with a trailing space, kept in raw
    ("≥75 ", "at_least", {"value": D("75")}),
    # 文水县 22 农村生活污水治理（管控）率 (both; * explained in the note below the table)
    ("实现“三基本”*", "qualitative", {}),
    # 文水县 25 公众对生态环境质量满意度 (both)
    ("≥90", "at_least", {"value": D("90")}),
    # 运城市 2 森林覆盖率
    ("35.00", "exact", {"value": D("35.00")}),
    # 运城市 6–10, 13–17, 22–26 (printed 完成省下 达指标; row 22 split across a page: 完成省下 / 达指标)
    ("完成省下达指标", "assigned", {"assigned_by": "省"}),
    ("完成省下 达指标", "assigned", {"assigned_by": "省"}),
    # 屯留区 2 森林覆盖率
    ("30", "exact", {"value": D("30")}),
    # 屯留区 3 生态质量指数
    ("保持稳定", "relative", {"relation": "stable"}),
    # 屯留区 4, 5, 14–18 (mostly printed 完成市 / 下达目标)
    ("完成市下达目标", "assigned", {"assigned_by": "市"}),
    # 屯留区 9 地下水监测点位水质
    ("Ⅱ", "exact", {"water_class": 2}),
    # 屯留区 13 农村生活污水治理率
    ("≥25", "at_least", {"value": D("25")}),
    # 屯留区 22 单位地区生产总值能源消耗降低
    ("16", "exact", {"value": D("16")}),
    # 屯留区 24 万元地区生产总值用水量下降率
    ("≥15", "at_least", {"value": D("15")}),
    # 屯留区 25 灌溉水有效利用系数
    ("≥0.58", "at_least", {"value": D("0.58")}),
]

# (cell, kind, other fields of the expected ParsedValue) — every distinct baseline (现状) cell.
PLAN_BASELINE_CELLS = [
    ("38.48", "number", {"number": D("38.48")}),  # 绛县 1
    ("36.07", "number", {"number": D("36.07")}),  # 绛县 2
    ("0.3", "number", {"number": D("0.3")}),  # 绛县 3 (‰)
    ("3.5", "number", {"number": D("3.5")}),  # 绛县 4 (‰)
    # 绛县 5, 7, 14, 15 (+ sub-rows), 16, 20–22; 运城市 3–6, 15, 21–25
    ("—", "none", {}),
    ("8.67", "number", {"number": D("8.67")}),  # 绛县 6
    ("72.88", "number", {"number": D("72.88")}),  # 绛县 8
    ("44", "number", {"number": D("44")}),  # 绛县 9; 盐湖区 10
    ("断流", "text", {}),  # 绛县 10 地表水质量好于Ⅲ类水体比例: the river ran dry, an observation
    ("0", "number", {"number": D("0")}),  # 绛县 11, 12; 盐湖区 12; 运城市 11, 12; 屯留区 7
    ("100", "number", {"number": D("100")}),  # 绛县 13, 17–19, 25; 文水县 18, 21, 26; 运城市 9, 13, 14; 屯留区 6, 19
    ("5.29", "number", {"number": D("5.29")}),  # 绛县 23
    ("6200", "number", {"number": D("6200")}),  # 绛县 24
    ("", "none", {}),  # 盐湖区 3–5, 7 (+ 其中黄河流域), 13, 16 VOCs sub-row, 17–23, 25
    ("22.12", "number", {"number": D("22.12")}),  # 盐湖区 1
    ("23.18*", "number", {"number": D("23.18"), "marks": ("*",)}),  # 盐湖区 2 (* = 2019 data)
    ("61.7*", "number", {"number": D("61.7"), "marks": ("*",)}),  # 盐湖区 6
    ("-", "none", {}),  # 盐湖区 8, 14, 15; 文水县 4, 7, 9, 12, 19, 20, 23, 25
    ("71.9", "number", {"number": D("71.9")}),  # 盐湖区 9
    ("70.7", "number", {"number": D("70.7")}),  # 盐湖区 11
    # 盐湖区 16 化学需氧量 (printed 32.05 / 万吨*), 氨氮, 氮氧化物, 二氧化硫 sub-rows
    ("32.05万吨*", "number", {"number": D("32.05"), "marks": ("*",), "unit": "万吨"}),
    ("4.13万吨*", "number", {"number": D("4.13"), "marks": ("*",), "unit": "万吨"}),
    ("76.41*万吨", "number", {"number": D("76.41"), "marks": ("*",), "unit": "万吨"}),
    ("83.18*万吨", "number", {"number": D("83.18"), "marks": ("*",), "unit": "万吨"}),
    ("75.97*", "number", {"number": D("75.97"), "marks": ("*",)}),  # 盐湖区 24
    ("367.4", "number", {"number": D("367.4")}),  # 文水县 1
    ("46.44", "number", {"number": D("46.44")}),  # 文水县 2
    ("-19.88", "number", {"number": D("-19.88")}),  # 文水县 3 单位地区生产总值能源消耗降低
    ("310", "number", {"number": D("310")}),  # 文水县 5
    ("8.93", "number", {"number": D("8.93")}),  # 文水县 6
    ("30.22", "number", {"number": D("30.22")}),  # 文水县 8
    ("34.77", "number", {"number": D("34.77")}),  # 文水县 10
    ("42.01", "number", {"number": D("42.01")}),  # 文水县 11
    ("61.4", "number", {"number": D("61.4")}),  # 文水县 13
    ("45", "number", {"number": D("45")}),  # 文水县 14
    ("33", "number", {"number": D("33")}),  # 文水县 15
    ("90", "number", {"number": D("90")}),  # 文水县 16
    ("无", "none", {}),  # 文水县 17 受污染耕地安全利用率: "none" (no figure), not zero
    ("50", "number", {"number": D("50")}),  # 文水县 22
    ("38.57", "number", {"number": D("38.57")}),  # 文水县 24
    ("21.03 ¹", "number", {"number": D("21.03"), "marks": ("¹",)}),  # 运城市 1 (note 1: 三线一单 adjusts)
    ("29.19", "number", {"number": D("29.19")}),  # 运城市 2
    ("66", "number", {"number": D("66")}),  # 运城市 7
    ("57", "number", {"number": D("57")}),  # 运城市 8
    ("54.54", "number", {"number": D("54.54")}),  # 运城市 10
    ("28.1", "number", {"number": D("28.1")}),  # 运城市 16
    ("[35.60]", "number", {"number": D("35.60"), "cumulative": True}),  # 运城市 17 (十三五 cumulative)
    ("[20.96]", "number", {"number": D("20.96"), "cumulative": True}),  # 运城市 18
    ("[40.47]", "number", {"number": D("40.47"), "cumulative": True}),  # 运城市 19
    ("[35.64]", "number", {"number": D("35.64"), "cumulative": True}),  # 运城市 20
    ("16.38*", "number", {"number": D("16.38"), "marks": ("*",)}),  # 运城市 26 (* = 2019 data)
    ("/", "none", {}),  # 屯留区 1, 3, 8, 10–18, 20, 21, 23–25
    ("18.65", "number", {"number": D("18.65")}),  # 屯留区 2
    ("79.8", "number", {"number": D("79.8")}),  # 屯留区 4
    ("34", "number", {"number": D("34")}),  # 屯留区 5
    ("Ⅱ", "water_class", {"water_class": 2}),  # 屯留区 9 地下水监测点位水质
    ("3", "number", {"number": D("3")}),  # 屯留区 22
]


# --- the five plans -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "kind", "fields"), PLAN_TARGET_CELLS)
def test_every_target_cell_in_the_five_plans_parses_as_expected(raw, kind, fields):
    assert parse_target(raw) == TargetSpec(raw=raw, kind=kind, **fields)


@pytest.mark.parametrize(("raw", "kind", "fields"), PLAN_BASELINE_CELLS)
def test_every_baseline_cell_in_the_five_plans_parses_as_expected(raw, kind, fields):
    assert parse_value(raw) == ParsedValue(raw=raw, kind=kind, **fields)


@pytest.mark.parametrize("raw", [cell for cell, _kind, _fields in PLAN_TARGET_CELLS])
def test_every_plan_target_cell_has_a_plain_description(raw):
    assert parse_target(raw).describe().strip()


def test_the_plan_cell_tables_list_each_cell_once():
    for table in (PLAN_TARGET_CELLS, PLAN_BASELINE_CELLS):
        cells = [cell for cell, _kind, _fields in table]
        assert len(cells) == len(set(cells))


# --- target rules -------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value"), [
    ("37.07", "37.07"), ("100", "100"), ("0", "0"), ("75%", "75"), ("７５", "75"), ("-5", "-5"),
    ("1,234.5", "1234.5"), ("3。5", "3.5"), ("8600亿立方米", "8600"), ("保持100", "100"),
])
def test_a_bare_number_parses_as_an_exact_target(raw, value):
    assert parse_target(raw) == TargetSpec(raw, "exact", value=D(value))


@pytest.mark.parametrize(("raw", "value", "strict"), [
    ("≥75", "75", False), ("≧75", "75", False), (">=75", "75", False), ("＞80", "80", True),
    (">80", "80", True), ("75以上", "75", False), ("75%及以上", "75", False), ("不低于75", "75", False),
    ("大于等于75", "75", False), ("大于或等于75", "75", False), ("不少于75", "75", False),
    ("大于80", "80", True), ("高于80", "80", True), ("超过80", "80", True), ("达到75以上", "75", False),
    ("≥７５％", "75", False), ("≥ 75 %", "75", False), ("≥75*", "75", False),
])
def test_at_least_with_signs_or_chinese_words_parses_as_lower_bound(raw, value, strict):
    assert parse_target(raw) == TargetSpec(raw, "at_least", value=D(value), strict=strict)


@pytest.mark.parametrize(("raw", "value", "strict"), [
    ("≤3.5", "3.5", False), ("≦3.5", "3.5", False), ("<=3.5", "3.5", False), ("<5", "5", True),
    ("＜5", "5", True), ("5以下", "5", False), ("5及以下", "5", False), ("不高于5", "5", False),
    ("不超过5", "5", False), ("小于等于5", "5", False), ("不大于5", "5", False), ("小于5", "5", True),
    ("低于5", "5", True), ("控制在5以内", "5", False), ("≤０．５‰", "0.5", False),
])
def test_at_most_with_signs_or_chinese_words_parses_as_upper_bound(raw, value, strict):
    assert parse_target(raw) == TargetSpec(raw, "at_most", value=D(value), strict=strict)


@pytest.mark.parametrize("raw", ["8-10", "8~10", "8～10", "8—10", "8–10", "8至10", "8到10", "8%-10%",
                                 "８－１０", "10-8"])
def test_two_numbers_joined_by_a_dash_or_zhi_parse_as_a_range(raw):
    assert parse_target(raw) == TargetSpec(raw, "range", low=D(8), high=D(10))


def test_a_range_of_negative_numbers_keeps_both_signs():
    assert parse_target("-5--3") == TargetSpec("-5--3", "range", low=D(-5), high=D(-3))


@pytest.mark.parametrize("raw", ["15左右", "约15", "约为15", "大约15", "约15%左右"])
def test_about_a_number_parses_as_approximate(raw):
    assert parse_target(raw) == TargetSpec(raw, "approx", value=D(15))


@pytest.mark.parametrize(("raw", "value"), [
    ("〔10〕", "10"), ("[35.60]", "35.60"), ("【10】", "10"), ("［10］", "10"), ("累计10", "10"),
    ("五年累计10", "10"), ("10（累计）", "10"),
])
def test_a_bracketed_or_leiji_number_parses_as_a_cumulative_target(raw, value):
    assert parse_target(raw) == TargetSpec(raw, "cumulative", value=D(value))


@pytest.mark.parametrize(("raw", "relation"), [
    ("不减少", "not_decrease"), ("只增不减", "not_decrease"), ("不降低", "not_decrease"),
    ("不增加", "not_increase"), ("不升高", "not_increase"), ("保持稳定", "stable"), ("稳定", "stable"),
    ("持续下降", "decrease"), ("持续减少", "decrease"), ("逐年下降", "decrease"),
    ("持续增长", "increase"), ("持续提高", "increase"), ("持续提升", "increase"), ("逐年提高", "increase"),
    ("稳中向好", "improve"), ("持续改善", "improve"), ("巩固提升", "improve"), ("持续好转", "improve"),
    ("持续下降。", "decrease"), ("不低于基期值", "not_decrease"), ("不低于2020年水平", "not_decrease"),
    ("不高于现状", "not_increase"),
])
def test_a_direction_relative_to_the_baseline_parses_as_relative(raw, relation):
    assert parse_target(raw) == TargetSpec(raw, "relative", relation=relation)


@pytest.mark.parametrize("raw", ["消除", "基本消除", "全面消除"])
def test_elimination_wording_parses_as_eliminate(raw):
    assert parse_target(raw) == TargetSpec(raw, "eliminate")


@pytest.mark.parametrize(("raw", "level"), [
    ("完成市下达指标", "市"), ("完成省下达指标", "省"), ("完成市下达目标", "市"), ("完成市级下达任务", "市"),
    ("完成省下 达指标", "省"), ("完成国家下达指标", "国家"), ("完成县下达任务", "县"),
    ("完成省、市下达的任务目标", "省"), ("完成上级下达指标", None),
])
def test_a_target_handed_down_from_above_parses_as_assigned_with_its_level(raw, level):
    assert parse_target(raw) == TargetSpec(raw, "assigned", assigned_by=level)


@pytest.mark.parametrize(("raw", "kind", "water_class", "strict"), [
    ("Ⅲ类", "exact", 3, False), ("达到Ⅲ类", "exact", 3, False), ("III类", "exact", 3, False),
    ("劣Ⅴ", "exact", 6, False), ("劣V类", "exact", 6, False), ("Ⅱ", "exact", 2, False),
    ("Ⅱ类及以上", "at_least", 2, False), ("达到或优于Ⅲ类", "at_least", 3, False),
    ("优于Ⅲ类", "at_least", 3, True), ("好于Ⅲ类", "at_least", 3, True),
    ("Ⅳ类及以下", "at_most", 4, False), ("劣于Ⅳ类", "at_most", 4, True),
])
def test_a_water_class_target_sets_the_class_and_better_means_a_lower_number(raw, kind, water_class, strict):
    assert parse_target(raw) == TargetSpec(raw, kind, strict=strict, water_class=water_class)


def test_a_water_class_with_contradicting_words_is_kept_as_qualitative():
    assert parse_target("优于Ⅲ类以下").kind == "qualitative"


@pytest.mark.parametrize("raw", ["—", "-", "－", "/", "／", "无", "", "   ", "——", "\u3000"])
def test_a_dash_slash_or_blank_target_parses_as_none(raw):
    assert parse_target(raw) == TargetSpec(raw, "none")


def test_a_missing_target_cell_parses_as_none_with_empty_raw():
    assert parse_target(None) == TargetSpec("", "none")


@pytest.mark.parametrize("raw", ["有效保障", "实现“三基本”*", "NaN", "Infinity", "≥", "约", "以上",
                                 "完成市下", "稳步推进生态文明建设"])
def test_unknown_target_text_is_qualitative_and_keeps_the_raw_cell(raw):
    assert parse_target(raw) == TargetSpec(raw, "qualitative")


def test_a_target_spec_rejects_an_unknown_kind_or_relation():
    with pytest.raises(ValueError):
        TargetSpec("x", "sometimes")
    with pytest.raises(ValueError):
        TargetSpec("x", "relative", relation="sideways")


# --- describe() ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "words"), [
    ("≥75", "不低于 75"), (">80", "高于 80"), ("≤3.5", "不高于 3.5"), ("<5", "低于 5"), ("8-10", "8 至 10"),
    ("15左右", "约 15（±2%）"), ("〔10〕", "五年累计 10"), ("不减少", "不低于基期值"),
    ("不增加", "不高于基期值"), ("保持稳定", "保持稳定（±2%）"), ("持续下降", "持续下降"),
    ("持续增长", "持续增长"), ("巩固提升", "持续改善"), ("基本消除", "消除"),
    ("完成市下达指标", "完成市下达指标（待下达数值）"), ("完成市级下达任务", "完成市下达指标（待下达数值）"),
    ("完成省下 达指标", "完成省下达指标（待下达数值）"), ("完成上级下达指标", "完成上级下达指标（待下达数值）"),
    ("有效保障", "定性目标：有效保障"), ("", "无目标"), ("—", "无目标"), ("37.07", "37.07"),
    ("35.00", "35.00"), ("1E+3", "1000"), ("Ⅱ", "Ⅱ类"), ("劣Ⅴ", "劣Ⅴ类"), ("达到或优于Ⅲ类", "达到或优于Ⅲ类"),
    ("优于Ⅲ类", "优于Ⅲ类"), ("Ⅳ类以下", "Ⅳ类或更差"), ("劣于Ⅳ类", "劣于Ⅳ类"),
])
def test_describe_says_the_target_in_plain_chinese(raw, words):
    assert parse_target(raw).describe() == words


# --- value rules --------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "number"), [
    ("１２３．５", "123.5"), ("－19.88", "-19.88"), ("−19.88", "-19.88"), ("＋5", "5"), ("3。5", "3.5"),
    ("1,234.5", "1234.5"), ("1，234", "1234"), ("12,345,678", "12345678"), (" 1 234 ", "1234"),
    ("1E+3", "1000"),
])
def test_full_width_signs_ideographic_points_and_thousands_separators_are_read(raw, number):
    assert parse_value(raw) == ParsedValue(raw, "number", number=D(number))


@pytest.mark.parametrize(("raw", "number", "marks", "unit"), [
    ("32.05万吨*", "32.05", ("*",), "万吨"), ("21.03 ¹", "21.03", ("¹",), ""),
    ("16.38*", "16.38", ("*",), ""), ("36.7%", "36.7", (), "%"), ("36.7％", "36.7", (), "%"),
    ("0.3‰", "0.3", (), "‰"), ("44µg/m3", "44", (), "µg/m3"), ("57μg/m ³", "57", (), "μg/m³"),
    ("32.05\n万吨*", "32.05", ("*",), "万吨"), ("12＊", "12", ("*",), ""), ("5**", "5", ("**",), ""),
])
def test_units_and_footnote_marks_inside_a_value_are_stripped_and_reported(raw, number, marks, unit):
    assert parse_value(raw) == ParsedValue(raw, "number", number=D(number), marks=marks, unit=unit)


@pytest.mark.parametrize("raw", ["[35.60]", "〔35.60〕", "【35.60】"])
def test_a_bracketed_value_is_a_cumulative_number(raw):
    assert parse_value(raw) == ParsedValue(raw, "number", number=D("35.60"), cumulative=True)


@pytest.mark.parametrize(("raw", "water_class"), [
    ("Ⅰ", 1), ("Ⅱ", 2), ("Ⅱ类", 2), ("II类", 2), ("III", 3), ("Ⅳ类", 4), ("IV", 4), ("V", 5), ("Ⅴ类", 5),
    ("劣Ⅴ", 6), ("劣V类", 6), ("劣Ⅴ类", 6),
])
def test_a_roman_numeral_value_is_a_water_class(raw, water_class):
    assert parse_value(raw) == ParsedValue(raw, "water_class", water_class=water_class)


@pytest.mark.parametrize("raw", ["断流", "NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN", "1,2345",
                                 "约15", "Ⅱ~Ⅲ类", "劣Ⅳ", "1e999999999999999999999999"])
def test_non_numeric_observations_and_nan_or_infinity_are_text(raw):
    assert parse_value(raw) == ParsedValue(raw, "text")


@pytest.mark.parametrize("raw", ["—", "-", "－", "/", "／", "", "  ", "无", "——"])
def test_a_dash_slash_or_blank_value_is_none(raw):
    assert parse_value(raw) == ParsedValue(raw, "none")


def test_a_missing_value_cell_is_none_with_empty_raw():
    assert parse_value(None) == ParsedValue("", "none")


@pytest.mark.parametrize(("text", "normalised"), [
    ("１２３．５", "123.5"), ("－１", "-1"), ("＋１", "+1"), ("５０％", "50%"), ("\u22121", "-1"),
    ("3。5", "3.5"), ("句号。", "句号。"), ("1,234.5", "1234.5"), ("1，234", "1234"), ("1,23", "1,23"),
    (" 1 2\u30003\t", "123"),
])
def test_normalise_number_text_makes_number_text_plain_ascii(text, normalised):
    assert normalise_number_text(text) == normalised


# --- module hygiene -----------------------------------------------------------------------------

def test_the_module_imports_only_the_standard_library():
    tree = ast.parse(Path(targets.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    # core.phrases (the target reading as a message id with values) is itself plain Python.
    assert imported <= {"re", "dataclasses", "decimal", "core.phrases"}
    phrases = ast.parse((Path(targets.__file__).parents[2] / "core" / "phrases.py").read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(phrases) if isinstance(node, (ast.Import, ast.ImportFrom))]


def test_the_kind_and_relation_vocabularies_are_as_documented():
    assert TARGET_KINDS == ("exact", "at_least", "at_most", "range", "approx", "cumulative", "relative",
                            "eliminate", "assigned", "qualitative", "none")
    assert RELATIONS == ("not_decrease", "not_increase", "stable", "decrease", "increase", "improve")


# --- properties ---------------------------------------------------------------------------------

_CELL_ALPHABET = st.sampled_from(list("0123456789０１２３４５６７８９.．。,，-－−+＋%％‰*＊¹²³ []〔〕【】")
                                 + list("≥≤><＞＜~～—至以上下约左右累计不减少持续稳定消除完成市省下达指标类劣")
                                 + list("ⅠⅡⅢⅣⅤIVEe/／无断流"))
_CELL_TEXT = st.text() | st.text(_CELL_ALPHABET, max_size=20)


@given(_CELL_TEXT)
def test_parse_target_never_raises_and_keeps_the_raw_cell(raw):
    spec = parse_target(raw)
    assert spec.raw == raw
    assert spec.kind in TARGET_KINDS
    assert isinstance(spec.describe(), str)


@given(_CELL_TEXT)
def test_parse_value_never_raises_and_keeps_the_raw_cell(raw):
    value = parse_value(raw)
    assert value.raw == raw
    assert value.kind in ("number", "water_class", "text", "none")
    assert (value.number is not None) == (value.kind == "number")
    assert value.number is None or value.number.is_finite()


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_parse_value_round_trips_any_finite_decimal(number):
    parsed = parse_value(str(number))
    assert parsed.kind == "number"
    assert parsed.number == number


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_parse_target_reads_any_finite_decimal_as_exact_and_with_a_sign_as_a_bound(number):
    assert parse_target(str(number)) == TargetSpec(str(number), "exact", value=number)
    assert parse_target(f"≥{number}") == TargetSpec(f"≥{number}", "at_least", value=number)
    assert parse_target(f"≤{number}") == TargetSpec(f"≤{number}", "at_most", value=number)


@given(_CELL_TEXT)
def test_normalise_number_text_is_idempotent(text):
    once = normalise_number_text(text)
    assert normalise_number_text(once) == once
