"""Checking a typed value and the follow-up rule (indicators/entry.py): pure, no database."""
from decimal import Decimal

import pytest

from indicators.entry.rules import follow_up, parse_entry


def number(raw, unit="%", name="森林覆盖率"):
    return parse_entry(raw, indicator_name=name, value_type="number", unit=unit)


@pytest.mark.parametrize(
    "raw, unit, expected",
    [
        ("36.70", "%", "36.70"),
        ("３６．７０", "%", "36.70"),  # full-width digits and point
        ("36.70%", "%", "36.70"),
        ("36.70 ％", "%", "36.70"),  # full-width percent sign after a space
        ("  36.7  ", "%", "36.7"),
        ("1,234.5", "平方千米", "1234.5"),
        ("１，２３４", "万元", "1234"),  # full-width thousands comma
        ("1,234.5平方千米", "平方千米", "1234.5"),
        ("8 600 亿立方米", "亿立方米", "8600"),
        ("44µg/m3", "µg/m3", "44"),
        ("0.3‰", "‰", "0.3"),
        ("-2.5", "%", "-2.5"),
    ],
)
def test_tolerated_spellings_of_a_number_are_accepted(raw, unit, expected):
    entry = number(raw, unit)
    assert entry.ok, entry.error
    assert entry.number == Decimal(expected)


@pytest.mark.parametrize(
    "raw, unit, words",
    [
        ("三十六", "%", "不是有效的数字"),
        ("36.7abc", "%", "不是有效的数字"),
        ("NaN", "%", "不是有效的数字"),
        ("nan", "万元", "不是有效的数字"),
        ("Infinity", "万元", "不是有效的数字"),
        ("1e20", "万元", "不是有效的数字"),
        ("36,70", "%", "不是有效的数字"),  # a decimal comma is not a thousands separator
        ("100.01", "%", "不能超过 100"),
        ("150%", "%", "不能超过 100"),
        ("1200", "‰", "不能超过 1000"),
        ("99999999999999", "万元", "超出合理范围"),
        ("-1000000000000", "万元", "超出合理范围"),
        ("", "%", "请填写数值"),
        ("1" * 51, "万元", "内容过长"),
    ],
)
def test_bad_numbers_are_refused_with_a_chinese_message_naming_the_indicator(raw, unit, words):
    entry = number(raw, unit)
    assert not entry.ok and entry.number is None
    assert "「森林覆盖率」" in entry.error and words in entry.error


def test_a_percentage_of_exactly_100_is_accepted():
    assert number("100", "%").number == Decimal("100")


@pytest.mark.parametrize("raw, cls", [("Ⅰ", 1), ("Ⅲ类", 3), ("Ⅴ", 5), ("劣Ⅴ", 6), ("劣Ⅴ类", 6)])
def test_water_class_indicators_take_classes_one_to_five_and_worse_than_five(raw, cls):
    entry = parse_entry(raw, indicator_name="地下水监测点位水质", value_type="water_class")
    assert entry.ok and entry.water_class == cls and entry.number is None


@pytest.mark.parametrize("raw", ["Ⅵ", "3类", "好", "36.7"])
def test_anything_else_in_a_water_class_indicator_is_refused(raw):
    entry = parse_entry(raw, indicator_name="地下水监测点位水质", value_type="water_class")
    assert not entry.ok and "「地下水监测点位水质」" in entry.error and "劣Ⅴ" in entry.error


@pytest.mark.parametrize("code", ["done", "mostly_done", "not_done"])
def test_qualitative_indicators_take_done_mostly_done_or_not_done(code):
    entry = parse_entry("按期完成", indicator_name="生态功能指数", value_type="text", judgement=code)
    assert entry.ok and entry.judgement == code and entry.raw == "按期完成"


@pytest.mark.parametrize("code, words", [("", "请选择完成情况"), ("完成", "应为"), ("partly", "应为")])
def test_a_qualitative_indicator_without_a_valid_judgement_is_refused(code, words):
    entry = parse_entry("", indicator_name="生态功能指数", value_type="text", judgement=code)
    assert not entry.ok and "「生态功能指数」" in entry.error and words in entry.error


def test_the_note_of_a_qualitative_indicator_is_limited_like_any_value():
    entry = parse_entry("很" * 51, indicator_name="生态功能指数", value_type="text", judgement="done")
    assert not entry.ok and "内容过长" in entry.error


D = Decimal


def test_a_change_of_more_than_thirty_percent_needs_an_explanation():
    check = follow_up(D("40"), D("30"))
    assert check.required and "超过 30%" in check.reasons[0] and "+33.3%" in check.reasons[0]
    assert follow_up(D("20"), D("30")).required  # −33.3 %


def test_a_change_of_thirty_percent_or_less_needs_none():
    assert not follow_up(D("39"), D("30")).required
    assert not follow_up(D("21"), D("30")).required


def test_without_a_previous_value_the_change_rule_does_not_apply():
    assert not follow_up(D("1000"), None).required
    assert not follow_up(D("1000"), D("0")).required


def test_a_binding_indicator_moving_away_from_its_target_needs_an_explanation():
    check = follow_up(D("35.9"), None, target=D("37.07"), baseline=D("36.07"), direction="up", binding=True)
    assert check.required and "偏离目标" in check.reasons[0]
    lower = follow_up(D("45"), D("44"), target=D("40"), direction="down", binding=True)
    assert lower.required


def test_a_binding_indicator_moving_towards_its_target_needs_none():
    assert not follow_up(D("36.5"), D("36.07"), target=D("37.07"), direction="up", binding=True).required
    assert not follow_up(D("43"), D("44"), target=D("40"), direction="down", binding=True).required


def test_an_expected_indicator_may_move_away_from_its_target_within_thirty_percent():
    assert not follow_up(D("35.9"), D("36.07"), target=D("37.07"), direction="up", binding=False).required


def test_a_qualitative_value_never_needs_follow_up():
    assert not follow_up(None, D("30"), binding=True).required
