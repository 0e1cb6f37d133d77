"""Every distinct baseline and target cell of the five real plans, with what the parsers make of it.

If a plan file gains a cell not listed here, the first test fails: add the cell with its meaning."""
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from indicators.plans.targets import parse_target, parse_value

PLANS_DIR = Path(__file__).resolve().parent.parent / "indicators" / "data" / "plans"
D = Decimal

# raw → (kind, value, low, high, relation, assigned_by, water_class)
TARGETS = {
    "": ("none", None, None, None, None, None, None),
    "0": ("exact", D("0"), None, None, None, None, None),
    "1.28": ("exact", D("1.28"), None, None, None, None, None),
    "1.835": ("exact", D("1.835"), None, None, None, None, None),
    "10": ("exact", D("10"), None, None, None, None, None),
    "100": ("exact", D("100"), None, None, None, None, None),
    "12": ("exact", D("12"), None, None, None, None, None),
    "16": ("exact", D("16"), None, None, None, None, None),
    "2000": ("exact", D("2000"), None, None, None, None, None),
    "26": ("exact", D("26"), None, None, None, None, None),
    "30": ("exact", D("30"), None, None, None, None, None),
    "35": ("exact", D("35"), None, None, None, None, None),
    "35.00": ("exact", D("35"), None, None, None, None, None),
    "367.4": ("exact", D("367.4"), None, None, None, None, None),
    "37.07": ("exact", D("37.07"), None, None, None, None, None),
    "39.59": ("exact", D("39.59"), None, None, None, None, None),
    "40": ("exact", D("40"), None, None, None, None, None),
    "46.44": ("exact", D("46.44"), None, None, None, None, None),
    "65": ("exact", D("65"), None, None, None, None, None),
    "70": ("exact", D("70"), None, None, None, None, None),
    "72.43": ("exact", D("72.43"), None, None, None, None, None),
    "8-10": ("range", None, D("8"), D("10"), None, None, None),
    "85": ("exact", D("85"), None, None, None, None, None),
    "8600": ("exact", D("8600"), None, None, None, None, None),
    "96": ("exact", D("96"), None, None, None, None, None),
    "98": ("exact", D("98"), None, None, None, None, None),
    "Ⅱ": ("exact", None, None, None, None, None, 2),
    "≤0.5": ("at_most", D("0.5"), None, None, None, None, None),
    "≤25": ("at_most", D("25"), None, None, None, None, None),
    "≤3": ("at_most", D("3"), None, None, None, None, None),
    "≤3.5": ("at_most", D("3.5"), None, None, None, None, None),
    "≤35": ("at_most", D("35"), None, None, None, None, None),
    "≤40": ("at_most", D("40"), None, None, None, None, None),
    "≥0.58": ("at_least", D("0.58"), None, None, None, None, None),
    "≥15": ("at_least", D("15"), None, None, None, None, None),
    "≥25": ("at_least", D("25"), None, None, None, None, None),
    "≥37.8": ("at_least", D("37.8"), None, None, None, None, None),
    "≥65": ("at_least", D("65"), None, None, None, None, None),
    "≥75": ("at_least", D("75"), None, None, None, None, None),
    "≥85": ("at_least", D("85"), None, None, None, None, None),
    "≥90": ("at_least", D("90"), None, None, None, None, None),
    "≥95": ("at_least", D("95"), None, None, None, None, None),
    "不减少": ("relative", None, None, None, "not_decrease", None, None),
    "保持稳定": ("relative", None, None, None, "stable", None, None),
    "完成市下达指标": ("assigned", None, None, None, None, "市", None),
    "完成市下达目标": ("assigned", None, None, None, None, "市", None),
    "完成市级下达任务": ("assigned", None, None, None, None, "市", None),
    "完成省下达指标": ("assigned", None, None, None, None, "省", None),
    "实现“三基本”*": ("qualitative", None, None, None, None, None, None),
    "巩固提升": ("relative", None, None, None, "improve", None, None),
    "持续下降": ("relative", None, None, None, "decrease", None, None),
    "持续增长": ("relative", None, None, None, "increase", None, None),
    "持续改善": ("relative", None, None, None, "improve", None, None),
    "有效保障": ("qualitative", None, None, None, None, None, None),
}

# raw → (kind, number, water_class, cumulative, marks, unit)
BASELINES = {
    "": ("none", None, None, False, (), ""),
    "-": ("none", None, None, False, (), ""),
    "/": ("none", None, None, False, (), ""),
    "—": ("none", None, None, False, (), ""),
    "无": ("none", None, None, False, (), ""),
    "断流": ("text", None, None, False, (), ""),
    "Ⅱ": ("water_class", None, 2, False, (), ""),
    "-19.88": ("number", D("-19.88"), None, False, (), ""),
    "16.38*": ("number", D("16.38"), None, False, ("*",), ""),
    "21.03 ¹": ("number", D("21.03"), None, False, ("¹",), ""),
    "23.18*": ("number", D("23.18"), None, False, ("*",), ""),
    "61.7*": ("number", D("61.7"), None, False, ("*",), ""),
    "75.97*": ("number", D("75.97"), None, False, ("*",), ""),
    "32.05万吨*": ("number", D("32.05"), None, False, ("*",), "万吨"),
    "4.13万吨*": ("number", D("4.13"), None, False, ("*",), "万吨"),
    "76.41*万吨": ("number", D("76.41"), None, False, ("*",), "万吨"),
    "83.18*万吨": ("number", D("83.18"), None, False, ("*",), "万吨"),
    "[20.96]": ("number", D("20.96"), None, True, (), ""),
    "[35.60]": ("number", D("35.60"), None, True, (), ""),
    "[35.64]": ("number", D("35.64"), None, True, (), ""),
    "[40.47]": ("number", D("40.47"), None, True, (), ""),
}
PLAIN_NUMBERS = ["0", "0.3", "100", "18.65", "22.12", "28.1", "29.19", "3", "3.5", "30.22", "310", "33", "34", "34.77",
                 "36.07", "367.4", "38.48", "38.57", "42.01", "44", "45", "46.44", "5.29", "50", "54.54", "57", "61.4",
                 "6200", "66", "70.7", "71.9", "72.88", "79.8", "8.67", "8.93", "90"]
BASELINES.update({raw: ("number", D(raw), None, False, (), "") for raw in PLAIN_NUMBERS})


def _cells():
    targets, baselines = set(), set()
    for path in PLANS_DIR.glob("*.toml"):
        for row in tomllib.loads(path.read_text())["indicator"]:
            baselines.add(row["baseline"])
            targets.update(row["targets"].values())
    return targets, baselines


def test_every_distinct_cell_of_the_five_plans_is_listed_here():
    targets, baselines = _cells()
    assert targets == set(TARGETS)
    assert baselines == set(BASELINES)


@pytest.mark.parametrize("raw", sorted(TARGETS))
def test_each_target_cell_parses_to_its_meaning(raw):
    spec = parse_target(raw)
    assert spec.raw == raw
    assert (spec.kind, spec.value, spec.low, spec.high, spec.relation, spec.assigned_by, spec.water_class) == TARGETS[raw]


@pytest.mark.parametrize("raw", sorted(BASELINES))
def test_each_baseline_cell_parses_to_its_meaning(raw):
    value = parse_value(raw)
    assert value.raw == raw
    assert (value.kind, value.number, value.water_class, value.cumulative, value.marks, value.unit) == BASELINES[raw]
