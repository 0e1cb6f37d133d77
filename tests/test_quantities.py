"""Physical quantities (工程量) read out of the printed box texts by projects/quantities.py."""
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from projects.quantities import extract_quantities

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "projects" / "data"


def triples(text):
    return [(q.measure, q.amount, q.unit) for q in extract_quantities(text)]


def box_text(code, number):
    data = tomllib.loads((DATA / f"{code}.toml").read_text())
    return next(b["text"] for b in data["box"] if b["number"] == number)


def all_contents():
    for path in sorted(DATA.glob("*.toml")):
        for box in tomllib.loads(path.read_text()).get("box", []):
            yield box["text"]
            for project in box.get("project", []):
                yield project["content"]


def test_afforestation_of_one_wan_mu_is_measure_amount_and_prefixed_unit():
    assert triples("人工造林1万亩") == [("人工造林", Decimal("1"), "万亩")]


def test_the_framing_verb_is_not_part_of_the_measure():
    assert triples("通道绿化工程，完成通道绿化200公里") == [("通道绿化", Decimal("200"), "公里")]


def test_soil_and_water_conservation_in_tunliu_box_one_is_thirty_square_kilometres():
    found = triples(box_text("140405-2021-2025", "1"))
    assert ("水土保持综合治理", Decimal("30"), "平方千米") in found
    assert ("西部荒山荒坡绿化", Decimal("10"), "万亩") in found


def test_daily_treatment_of_thirty_tonnes_is_a_quantity():
    assert triples("日处理30吨") == [("日处理", Decimal("30"), "吨")]
    [(measure, amount, unit)] = triples("建设绛县餐厨垃圾处理建设项目，日处理30吨餐厨垃圾。")
    assert measure.startswith("日处理") and (amount, unit) == (Decimal("30"), "吨")


def test_jiang_box_two_yields_the_printed_quantities():
    found = triples(box_text("140826-2021-2025", "2"))
    for expected in [
        ("人工造林", Decimal("1"), "万亩"), ("封育", Decimal("1"), "万亩"), ("退耕造林", Decimal("0.1"), "万亩"),
        ("通道绿化", Decimal("200"), "公里"), ("黄河流域生态修复", Decimal("1.5"), "万亩"),
        ("恢复面积", Decimal("46.68"), "万平方米"), ("管护林地", Decimal("46.9"), "万亩"),
        ("新建林业苗木检查站", Decimal("2"), "处"), ("松材线虫监测点", Decimal("7"), "处"),
        ("草原草地修复", Decimal("10"), "万亩"), ("保护湿地", Decimal("5000"), "亩"),
    ]:
        assert expected in found
    assert not any(unit == "%" for _, _, unit in found)  # 古树名木保护率达100% is a rate, not work


@pytest.mark.parametrize("text, amount, unit", [
    ("全流域“十四五”新增污水处理能力10万吨/日。", "10", "万吨/日"),
    ("两县年总发电量 3.47 亿千瓦时", "3.47", "亿千瓦时"),
    ("园区建设处理能力 3 万 m^3/d ，其中", "3", "万m³/d"),
    ("年产 2 万台清洁供热设备", "2", "万台"),
])
def test_wan_and_yi_prefixes_stay_in_the_unit(text, amount, unit):
    quantity = extract_quantities(text)[0]
    assert (quantity.amount, quantity.unit) == (Decimal(amount), unit)


def test_a_range_keeps_both_ends_in_one_unit():
    [quantity] = extract_quantities("建设年处理 12-15 万吨的建筑垃圾资源化利用场")
    assert (quantity.amount, quantity.amount_max, quantity.unit) == (Decimal("12"), Decimal("15"), "万吨")
    [quantity] = extract_quantities("新建污水处理站3～5座")
    assert (quantity.amount, quantity.amount_max, quantity.unit) == (Decimal("3"), Decimal("5"), "座")


@pytest.mark.parametrize("text", [
    "到2025年，森林覆盖率达到37.07%",
    "2021-2025年",
    "《污水综合排放标准》（GB18466-2005）",
    "临猗县 2021 年非畜牧大县",
    "古树名木保护率达100%",
    "排气口高度超过45米的高架源",
    "日供水量大于1000吨或服务人口大于10000人的农村水源地",
    "全面加强30万千瓦以下煤电机组淘汰",
    "在用65蒸吨及以上燃煤锅炉",
    "确保张留庄断面流量不低于每秒5个立方",
    "两个月内完成，提高3个百分点",
    "计划投资 1200 万元",
])
def test_years_rates_money_codes_and_thresholds_are_not_quantities(text):
    assert extract_quantities(text) == []


def test_a_pipe_diameter_code_is_not_read_as_an_amount():
    assert [q.amount for q in extract_quantities("新建 DN1000 钢筋混凝土管 3 道")] == [Decimal("3")]


def test_approximate_and_at_least_amounts_keep_their_qualifier():
    assert extract_quantities("复垦复绿 18000 余亩。")[0].qualifier == "余"
    assert extract_quantities("总恢复面积约46.68万平方米")[0].qualifier == "约"
    assert extract_quantities("完成4万亩以上轻中度污染耕地的安全利用")[0].qualifier == "以上"


def test_a_printed_total_of_the_items_listed_before_it_is_not_counted_again():
    text = "水土保持综合治理各 10 平方公里，平陆县综合治理 50 平方公里，共 70 平方公里；"
    assert [q.amount for q in extract_quantities(text)] == [Decimal("10"), Decimal("50")]


def test_a_parenthesised_restatement_names_the_same_work():
    first, second = extract_quantities("年处理餐厨垃圾 5475 吨（15 吨/天）。")
    assert (first.measure, first.unit, second.unit) == ("年处理餐厨垃圾", "吨", "吨/天")
    assert second.measure == first.measure


def test_full_width_digits_and_thousands_separators_are_read():
    assert triples("人工造林１万亩") == [("人工造林", Decimal("1"), "万亩")]
    assert extract_quantities("绿化面积1,398,675平方米")[0].amount == Decimal("1398675")


def test_the_quantity_before_a_noun_is_measured_by_that_noun():
    assert triples("开展10万亩草原草地修复") == [("草原草地修复", Decimal("10"), "万亩")]
    assert triples("对15.13万亩国家级公益林进行生态效益补偿") == [("国家级公益林生态效益补偿", Decimal("15.13"), "万亩")]


def test_every_quantity_in_the_real_data_points_at_its_printed_text():
    seen = 0
    for text in all_contents():
        for quantity in extract_quantities(text):
            assert text[quantity.start:quantity.end] == quantity.text
            assert quantity.measure and quantity.unit and quantity.amount >= 0
            assert quantity.unit not in ("年", "%", "元")
            seen += 1
    assert seen > 100


def test_the_module_imports_no_django():
    code = "import sys; import projects.quantities; sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
