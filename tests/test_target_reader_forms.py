"""Target and value cells from other plans than the five (issue 16): each gets the kind and number
a careful reader gives it; what stays unreadable stays qualitative with the cell kept raw."""
from decimal import Decimal

import pytest

from indicators.plans.targets import parse_target, parse_value

D = Decimal


@pytest.mark.parametrize("cell, kind, fields", [
    ("零增长", "relative", {"relation": "not_increase"}),
    ("实现零增长", "relative", {"relation": "not_increase"}),
    ("75①", "exact", {"value": D("75")}),
    ("≥92.1（2027年）", "at_least", {"value": D("92.1")}),
    ("86.3（2019年）", "exact", {"value": D("86.3")}),
    ("90以上（力争95）", "at_least", {"value": D("90")}),
    ("≥90（争取95）", "at_least", {"value": D("90")}),
    ("下降至30以下", "at_most", {"value": D("30")}),
    ("下降到30", "at_most", {"value": D("30")}),
    ("提高到95%", "at_least", {"value": D("95")}),
    ("提高至95以上", "at_least", {"value": D("95")}),
    ("按省下达指标执行", "assigned", {"assigned_by": "省"}),
    ("不低于省下达指标", "assigned", {"assigned_by": "省"}),
    ("按照市下达目标执行", "assigned", {"assigned_by": "市"}),
])
def test_a_form_from_another_plan_gets_the_kind_and_number_a_careful_reader_gives_it(cell, kind, fields):
    spec = parse_target(cell)
    assert spec.raw == cell
    assert spec.kind == kind
    for name, value in fields.items():
        assert getattr(spec, name) == value, name


@pytest.mark.parametrize("cell, words", [
    ("零增长", "不高于基期值"),
    ("90以上（力争95）", "不低于 90"),
    ("下降至30以下", "不高于 30"),
    ("按省下达指标执行", "完成省下达指标（待下达数值）"),
])
def test_the_new_forms_are_described_in_plain_words(cell, words):
    assert parse_target(cell).describe() == words


@pytest.mark.parametrize("cell", ["力争95", "下降至较低水平", "按规划执行", "（2027年）", "90（力争）以上"])
def test_what_cannot_be_read_stays_qualitative_with_the_cell_raw(cell):
    spec = parse_target(cell)
    assert spec.kind == "qualitative" and spec.raw == cell


def test_a_year_qualified_value_keeps_its_number_and_names_its_year():
    value = parse_value("86.3（2019年）")
    assert (value.kind, value.number, value.year) == ("number", D("86.3"), 2019)
    assert parse_value("38.48").year is None


def test_a_circled_footnote_mark_is_a_mark_not_part_of_the_number():
    value = parse_value("75①")
    assert (value.kind, value.number, value.marks) == ("number", D("75"), ("①",))
