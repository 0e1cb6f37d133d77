"""Explanations, the plan verdict and target readings as phrases: a message id with plain values,
written in Chinese exactly as before, stored as JSON and shown in the reader's language."""
import json
import re
from decimal import Decimal

import pytest
from django.utils import translation

from core import phrases
from core.labels import phrase, phrase_lines
from indicators import evaluation
from indicators.plans.targets import parse_target, parse_value
from tests.test_i18n import PO_FILE, parse_po

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _facts(target="≥60", baseline="50", observations=(), **extra):
    return evaluation.IndicatorFacts(key="1", binding=extra.pop("binding", True), direction=extra.pop("direction", "up"),
                                     base_year=2020, milestone_year=2025, baseline=parse_value(baseline),
                                     target=parse_target(target), observations=tuple(observations), **extra)


def _english(value):
    with translation.override("en"):
        return phrase(value)


# --- the table ----------------------------------------------------------------------------------

def test_every_template_and_label_is_in_the_english_catalog_with_its_placeholders():
    catalog = {(e.get("msgctxt"), e["msgid"]): e["msgstr"][0] for e in parse_po(PO_FILE)}
    missing = [key for key, msgid in phrases.TEMPLATES.items() if (None, msgid) not in catalog]
    assert not missing
    for key, msgid in phrases.TEMPLATES.items():
        assert sorted(PLACEHOLDER.findall(catalog[None, msgid])) == sorted(PLACEHOLDER.findall(msgid)), key
    for text in phrases.LABELS[:-6]:
        assert (None, text) in catalog, text
    for level in ("国家", "省", "市", "县", "区", "上级"):
        assert (phrases.LEVEL, level) in catalog, level


def test_a_phrase_is_its_chinese_text_and_renders_again_from_its_json():
    line = phrases.then(phrases.phrase("completion", value="36.7", start="36.07", threshold="37.07", completion="0.63"),
                        "符合序时进度")
    assert line == "完成进度：（36.7−36.07）÷（37.07−36.07）= 0.63 → 符合序时进度"
    stored = json.loads(json.dumps(phrases.to_json(line)))
    assert phrases.render(stored) == line
    assert _english(stored) == "Completion: (36.7−36.07) ÷ (37.07−36.07) = 0.63 → On track"


def test_a_list_is_joined_the_languages_way():
    names = phrases.Joined(["2 森林覆盖率", "15 化学需氧量"])
    assert names == "2 森林覆盖率、15 化学需氧量"
    assert _english(names) == "2 森林覆盖率, 15 化学需氧量"


def test_a_stored_key_that_no_longer_exists_falls_back_to_the_stored_chinese_text():
    assert phrase_lines([{"k": "gone", "p": {}}], "基期值：1\n目标：2") == ["基期值：1", "目标：2"]
    assert phrase_lines([], "基期值：1") == ["基期值：1"]


# --- an evaluation in both languages --------------------------------------------------------------

def test_an_explanation_reads_in_chinese_as_before_and_in_english_with_the_same_figures():
    facts = _facts(observations=[evaluation.Observation(2022, Decimal("53.500000"), text="53.5")])
    result = evaluation.evaluate(facts, 2023)
    assert result.steps[0] == "基期值：50（2020年）"
    assert result.steps[-2] == "≥60：53.5 < 60；完成进度 0.35 < 序时进度 0.60 → 滞后"
    english = [_english(step) for step in result.steps]
    assert english[:3] == ["Baseline: 50 (2020)", "Target (2025): at least 60 (printed “≥60”), higher is better",
                           "Time progress: (2023−2020) ÷ (2025−2020) = 0.60"]
    assert english[-2] == "≥60: 53.5 < 60; completion 0.35 < time progress 0.60 → Behind"
    assert english[-1].startswith("Forecast: the least-squares line through (2020, 50), (2022, 53.5)")
    for line in english:
        assert not CJK.search(line.replace("“≥60”", "")), line


def test_numbers_in_explanations_never_show_padding_zeros_or_a_negative_zero():
    # 3.500000 as the DecimalField stores it; a value equal to the baseline gives a completion of −0.
    facts = _facts(target="≥4", baseline="3.5", direction="up",
                   observations=[evaluation.Observation(2021, Decimal("3.500000"), text="3.5"),
                                 evaluation.Observation(2022, Decimal("3.499999999"), text="3.499999999")])
    for year in (2021, 2022, 2025):
        result = evaluation.evaluate(facts, year)
        for text in (result.explanation, "\n".join(_english(step) for step in result.steps)):
            assert "3.500000" not in text and "-0.00" not in text and "-0 " not in text, text
            assert "3.5" in text


def test_the_milestone_drops_the_rules_verdict_in_both_languages():
    facts = _facts(observations=[evaluation.Observation(2025, Decimal("55"), text="55")])
    result = evaluation.evaluate(facts, 2025)
    assert result.status == "not_met" and result.binding_failed
    assert not any(step.endswith("→ 滞后") for step in result.steps)
    english = [_english(step) for step in result.steps]
    assert english[-2:] == ["Target year reached (2025): only met or not met counts → Not met", "Binding indicator not met"]
    assert not any(line.endswith("→ Behind") for line in english)


def test_a_water_class_and_a_reduction_rate_are_explained_in_english():
    water = evaluation.evaluate(_facts(target="达到或优于Ⅲ类", baseline="Ⅳ类", value_type="water_class",
                                       observations=[evaluation.Observation(2023, water_class=3, text="Ⅲ类")]), 2023)
    assert "达到或优于Ⅲ类：类别 Ⅲ类 ≤ Ⅲ类（完成进度不适用）→ 已完成" in water.steps
    assert "达到或优于Ⅲ类: class Class III ≤ Class III (completion does not apply) → Met" in map(_english, water.steps)
    rate = evaluation.evaluate(_facts(target="13.5", baseline="—", is_rate=True, observations=[
        evaluation.Observation(2021, Decimal("3.000000"), text="3", rate_mode="yearly"),
        evaluation.Observation(2022, Decimal("2.5"), text="2.5", rate_mode="yearly")]), 2022)
    english = "\n".join(map(_english, rate.steps))
    assert "Cumulative reduction (from 2020 to 2022): 2021 for the year 3%, 2022 for the year 2.5%, chained" in english
    assert "3.000000" not in english and "3.000000" not in rate.explanation
    assert not CJK.search(english.replace("“13.5”", "")), english


def test_a_reviewers_judgement_is_explained_with_the_one_label_table():
    facts = _facts(target="持续改善水环境", observations=[
        evaluation.Observation(2023, text="改善", judgement="mostly_done", judgement_reason="断面达标")])
    result = evaluation.evaluate(facts, 2023)
    assert result.status == "on_track"
    assert "审核评价：基本完成（理由：断面达标）→ 符合序时进度" in result.steps
    assert "Reviewer judgement: Largely met (reason: 断面达标) → On track" in map(_english, result.steps)
    assert evaluation.JUDGEMENT_LABELS == {"done": "完成", "mostly_done": "基本完成", "not_done": "未完成"}
    from indicators.entry.rules import JUDGEMENTS

    assert JUDGEMENTS == {label: code for code, label in evaluation.JUDGEMENT_LABELS.items()}


# --- the verdict and the target readings -----------------------------------------------------------

def test_the_plan_verdict_reads_in_both_languages():
    rows = [evaluation.PlanRow("1", "森林覆盖率", "met", True), evaluation.PlanRow("2", "耕地", "behind", False),
            evaluation.PlanRow("3", "水", "no_data", False)]
    grade, reason = evaluation.plan_verdict(rows, provisional=True)
    assert grade == "fail"
    assert reason == ("预评（终期评估前，仅供参考）：已完成或符合序时进度 1 项，占已判定指标 2 项的 50%，"
                      "低于合格线 60% → 不合格；另有无数据 1 项未计入")
    assert _english(reason) == ("Provisional (before the final evaluation, for reference only): Met or on track: "
                                "1 of 2 decided indicators, 50%, below the pass mark of 60% → Fail; not counted: No data 1")
    grade, reason = evaluation.plan_verdict([evaluation.PlanRow("2", "森林覆盖率", "not_met", True, number="2")])
    assert _english(reason) == "Binding indicators not met: 1 (2 森林覆盖率); one-vote veto → Fail"


@pytest.mark.parametrize("cell, chinese, english", [
    ("≥75", "不低于 75", "at least 75"), ("8-10", "8 至 10", "8 to 10"), ("约15", "约 15（±2%）", "about 15 (±2%)"),
    ("下降18%", "累计降低 18%", "cumulative reduction of 18%"), ("保持稳定", "保持稳定（±2%）", "stay stable (±2%)"),
    ("达到或优于Ⅲ类", "达到或优于Ⅲ类", "Class III or better"), ("完成市下达指标", "完成市下达指标（待下达数值）",
                                                       "the target assigned by the city (number not yet recorded)"),
    ("持续下降", "持续下降", "keep falling"), ("〔5〕", "五年累计 5", "five-year total of 5"),
])
def test_a_target_reads_in_plain_words_in_both_languages(cell, chinese, english):
    words = parse_target(cell).describe()
    assert words == chinese
    assert _english(words) == english


# --- stored by the one writer ---------------------------------------------------------------------

@pytest.mark.django_db
def test_recompute_stores_the_structured_explanation_beside_its_chinese_text(real_plans):
    from tests.test_evaluation_pages import JIANG, _approved
    from tests.factories import user_with_role
    from accounts.models import Role
    from indicators.models import EvaluationResult, Indicator, Region

    reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", reviewer)
    result = EvaluationResult.objects.get(indicator=forest, year=2023)
    steps = result.explanation_steps
    assert steps and all(isinstance(step, dict) and ("k" in step or "t" in step) for step in steps)
    assert [phrases.render(step) for step in steps] == result.explanation.splitlines()
    assert result.explanation_lines == result.explanation.splitlines()
    with translation.override("en"):
        english = result.explanation_lines
    assert english[2] == "Time progress: (2023−2020) ÷ (2025−2020) = 0.60"
    assert any("Completion: (36.7−36.07) ÷ (37.07−36.07) = 0.63" in line for line in english)
    # A row stored before the structured steps still shows its Chinese text.
    EvaluationResult.objects.filter(pk=result.pk).update(explanation_steps=[])
    result.refresh_from_db()
    with translation.override("en"):
        assert result.explanation_lines == result.explanation.splitlines()


# --- the same status, the same label, at mid-term and final ----------------------------------------

_STATUS = re.compile(r'<span class="status (\w+)">([^<]*)</span>')


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_status_has_one_label_at_the_mid_term_and_the_final_year(client, real_plans, language):
    from tests.test_evaluation_pages import JIANG, _approved
    from tests.factories import user_with_role
    from accounts.models import Role
    from indicators.models import Indicator, Plan, Region

    plan = Plan.objects.get(code=JIANG)
    reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))
    forest = Indicator.objects.get(plan=plan, key="2")   # 森林覆盖率 36.07 → 37.07, binding
    _approved(forest, 2022, "36.20", reviewer)            # behind in 2023, not met (binding) in 2025
    client.force_login(reviewer)
    labels, years = {}, (plan.midterm_year, plan.final_year)
    assert years[0] < years[1]
    for year in years:
        for page in (f"/plans/{JIANG}/evaluation/", f"/plans/{JIANG}/dashboard/"):
            html = client.get(page, {"year": year}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            for cell in re.findall(r"<td>(.*?)</td>", html, re.S):
                assert cell.count('class="status ') <= 1, cell[:300]
                assert cell.count('class="tag binding"') <= 1, cell[:300]
            for code, label in _STATUS.findall(html):
                labels.setdefault(code, set()).add(label)
    assert {"behind", "not_met"} <= set(labels)
    assert all(len(found) == 1 for found in labels.values()), labels
    with translation.override(language):
        for code, found in labels.items():
            assert found == {phrase(phrases.Label(evaluation.STATUS_LABELS[code]))}


@pytest.mark.django_db
def test_the_api_gives_explanations_in_chinese_by_default_and_in_english_when_asked(client, real_plans):
    from tests.test_evaluation_pages import JIANG, _approved
    from tests.factories import user_with_role
    from accounts.models import Role
    from indicators.models import EvaluationResult, Indicator, Region

    reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))
    forest = Indicator.objects.get(plan__code=JIANG, key="2")
    _approved(forest, 2023, "36.70", reviewer)
    client.force_login(reviewer)
    url = f"/api/v1/plans/{JIANG}/evaluation"
    chinese = client.get(url, {"year": 2023}).json()
    row = next(r for r in chinese["indicators"] if r["key"] == "2")
    assert row["explanation"] == EvaluationResult.objects.get(indicator=forest, year=2023).explanation
    assert chinese["summary"]["grade_reason"].startswith("预评")
    english = client.get(url, {"year": 2023}, HTTP_ACCEPT_LANGUAGE="en").json()
    row = next(r for r in english["indicators"] if r["key"] == "2")
    assert "Time progress: (2023−2020) ÷ (2025−2020) = 0.60" in row["explanation"]
    assert english["summary"]["grade_reason"].startswith("Provisional")


@pytest.mark.django_db
def test_a_report_frozen_and_written_by_an_english_reader_is_chinese(real_plans):
    from tests.test_evaluation_pages import JIANG
    from indicators.models import Plan
    from indicators.reports import drafting, services as reports
    from indicators.results import services as evaluation_store

    plan = Plan.objects.get(code=JIANG)
    evaluation_store.recompute(plans=[plan])
    with translation.override("en"):
        data = reports.snapshot(plan, plan.midterm_year)
    assert data["summary"]["grade_reason"].startswith("预评")
    assert all(not row["attribute"] or CJK.search(row["attribute"]) for row in data["rows"])
    assert "预评结论" in drafting.verdict(data["summary"])
    assert all(CJK.search(row["explanation"]) for row in data["rows"] if row["explanation"])


def test_a_phrase_survives_the_cache_pickling_it():
    import pickle

    rows = [evaluation.PlanRow("2", "森林覆盖率", "not_met", True, number="2")]
    _grade, reason = evaluation.plan_verdict(rows, provisional=True)
    again = pickle.loads(pickle.dumps(reason))
    assert again == reason and type(again) is type(reason)
    assert _english(again) == _english(reason) and _english(again).startswith("Provisional")


def test_every_template_is_written_exactly_as_percent_formatting_writes_it():
    for key, template in phrases.TEMPLATES.items():
        names = PLACEHOLDER.findall(template)
        for value in ("36.7", "{x}%（“引号”）\\'\"", 7, 1.5, None, Decimal("3.50"), phrases.label("滞后")):
            params = {name: value for name in names} | {"unused": "x"}
            assert phrases.phrase(key, **params) == template % params, key
    with pytest.raises(KeyError):
        phrases.phrase("completion", value="1")


def test_a_template_without_placeholders_is_one_phrase_for_every_use():
    assert phrases.phrase("reason_met") is phrases.phrase("reason_met")
    assert phrases.phrase("reason_met").key == "reason_met" and phrases.to_json(phrases.phrase("reason_met")) == {
        "k": "reason_met", "p": {}}
