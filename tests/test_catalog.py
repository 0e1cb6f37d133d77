"""Plan indicators link to catalog measures across different wordings, so counties compare."""
import pytest

from indicators.plans.catalog import MeasureMatcher, normalise
from indicators.models import Indicator


@pytest.mark.parametrize("a, b", [
    ("空气质量优良天数比率", "空气质量优良天数比例"),
    ("设区城市细颗粒物（PM2.5）浓度", "细颗粒物（PM2.5）浓度"),
    ("单位地区生产总值能源消耗降低", "单位GDP能源消耗降低"),
    ("万元 GDP 能源消耗降低", "单位GDP能源消耗降低"),
    ("地下水质量V类水比例", "地下水质量Ⅴ类水比例"),
    ("ＶＯＣｓ排放总量减少", "VOCs排放总量减少"),
])
def test_different_wordings_of_one_measure_normalise_alike(a, b):
    assert normalise(a) == normalise(b)


def test_different_measures_stay_apart():
    assert normalise("生态保护红线面积") != normalise("生态保护红线占国土面积比例")
    assert normalise("氨氮排放总量减少") != normalise("化学需氧量排放总量减少")


def test_the_matcher_uses_aliases_and_leaves_unknown_names_unmatched():
    class M:
        def __init__(self, name, aliases=()):
            self.name, self.aliases = name, list(aliases)

    forest, eco = M("森林覆盖率"), M("生态质量指数", ["生态功能指数"])
    matcher = MeasureMatcher([forest, eco])
    assert matcher.match("森林覆盖率") is forest
    assert matcher.match("生态功能指数") is eco
    assert matcher.match("营造林面积") is None


@pytest.mark.parametrize("measure, plans", [
    ("森林覆盖率", 5),
    ("空气质量优良天数比例", 5),
    ("单位GDP能源消耗降低", 5),
    ("细颗粒物（PM2.5）浓度", 5),
    ("地表水达到或好于Ⅲ类水体比例", 5),
    ("化学需氧量排放总量减少", 4),
])
def test_the_real_plans_link_their_rows_to_shared_measures(real_plans, measure, plans):
    linked = Indicator.objects.filter(measure__name=measure).values_list("plan__code", flat=True)
    assert len(set(linked)) == plans


def test_the_unmatched_rows_are_listed_for_the_administrator(real_plans, admin_client):
    unmatched = Indicator.objects.filter(measure__isnull=True)
    assert unmatched.filter(name="营造林面积").exists()
    response = admin_client.get("/admin/indicators/indicator/", {"measure__isempty": "1"})
    assert response.status_code == 200
    assert "营造林面积" in response.content.decode()
    assert "森林覆盖率" not in response.content.decode()
