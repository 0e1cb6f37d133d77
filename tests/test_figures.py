"""Numbers and labels: every figure written as people write it, one badge per situation, the
entry form's error box and buttons."""
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from core.figures import format_figure
from indicators.models import EvaluationResult, IndicatorValue
from reporting import workflow
from tests.test_entry_form import YEAR, approved, forestry, jiang, period, post_data, rows, staff, staff_client, url  # noqa: F401


@pytest.mark.parametrize("value, places, shown", [
    (Decimal("3.500000"), None, "3.5"), (Decimal("7.970000"), None, "7.97"), (Decimal("100.000000"), None, "100"),
    (Decimal("-0.001"), 2, "0"), (-0.0, None, "0"), (Decimal("1E+3"), None, "1000"), (0.30000000000000004, 2, "0.3"),
    (22.5, 2, "22.5"), (1234567.0, None, "1234567"), ("Ⅲ", None, "Ⅲ"), (None, None, ""),
])
def test_a_figure_has_no_trailing_zeros_no_exponent_and_no_negative_zero(value, places, shown):
    assert format_figure(value, places) == shown


def test_the_figure_filter_rounds_to_the_places_asked_for():
    template = Template("{% load display %}{{ rate|figure:2 }}% {{ value|figure }}")
    assert template.render(Context({"rate": 7.970000, "value": Decimal("3.500000")})) == "7.97% 3.5"


def test_a_failed_binding_indicator_gets_one_status_badge_with_the_status_label_and_one_binding_tag():
    """未完成 is labelled 未完成 whether the row is binding or not (the same label at mid-term and
    final); the binding failure is one tag beside it, never a second status badge."""
    result = SimpleNamespace(status="not_met", status_label="未完成", binding_failed=True, stale=False)
    html = render_to_string("indicators/includes/status.html", {"result": result})
    assert html.count('class="status') == 1 and ">未完成<" in html
    assert html.count('class="tag binding"') == 1 and 'title="约束性指标未完成"' in html


def test_a_met_indicator_is_never_forecast_as_unlikely():
    met = EvaluationResult(status="met", forecast_status="unlikely")
    behind = EvaluationResult(status="behind", forecast_status="unlikely")
    assert met.forecast_label == "" and behind.forecast_label == "预计难以完成"


@pytest.mark.django_db
def test_the_refused_form_lists_every_problem_in_its_box(staff_client, rows):  # noqa: F811
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": "abc"}), (rows["3"], {"raw": "2000"})]))
    assert response.status_code == 400
    box = response.content.decode().split('<div class="error" role="alert">')[1].split("</div>")[0]
    assert "「森林覆盖率」" in box and "「林草火灾受害率」" in box and f'href="#row-{rows["2"].pk}"' in box


@pytest.mark.django_db
def test_save_and_submit_are_disabled_when_nothing_is_editable(staff_client, rows):  # noqa: F811
    html = staff_client.get(url()).content.decode()
    assert 'value="save">' in html and 'value="submit" class="primary">' in html
    for number in ("2", "3", "4"):
        approved(rows[number], YEAR, "1")
    html = staff_client.get(url()).content.decode()
    assert 'value="save" disabled>' in html and 'value="submit" class="primary" disabled>' in html


@pytest.mark.django_db
def test_the_last_approved_value_column_says_which_year(staff_client, rows):  # noqa: F811
    assert f"上年审核值（{YEAR - 1} 年及以前）" in staff_client.get(url()).content.decode()
