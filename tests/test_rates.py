"""indicators.evaluation.rates: chaining 降低率, progress against a cumulative target (national energy-saving
assessment method), trends for 持续下降 / 持续增长 targets and the least-squares forecast."""
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indicators.evaluation import rates

yearly_rate = st.floats(min_value=-0.2, max_value=0.3, allow_nan=False)


# --- chaining -----------------------------------------------------------------------------------

def test_yearly_rates_1_5_1_7_1_7_percent_chain_to_a_cumulative_4_82_percent():
    # Worked by hand: 1 − 0.985 × 0.983 × 0.983 = 1 − 0.9517947 = 0.0482053.
    assert rates.chain_yearly([0.015, 0.017, 0.017]) == pytest.approx(0.0482053, abs=1e-7)


def test_chaining_is_not_adding():
    assert rates.chain_yearly([0.1, 0.1]) == pytest.approx(0.19)  # not 0.20


def test_chaining_nothing_is_no_reduction():
    assert rates.chain_yearly([]) == 0.0


def test_a_yearly_rate_comes_back_from_two_cumulative_ones():
    # 2021 cumulative 3 %, 2022 cumulative 5 %: 1 − 0.95/0.97 = 2.0619 %.
    assert rates.yearly_from_cumulative(0.03, 0.05) == pytest.approx(0.0206186, abs=1e-7)


def test_a_yearly_rate_after_a_complete_reduction_is_refused():
    with pytest.raises(ValueError, match="100%"):
        rates.yearly_from_cumulative(1.0, 1.0)


@given(st.lists(yearly_rate, min_size=1, max_size=8))
def test_yearly_rates_chained_then_unchained_come_back_unchanged(yearly):
    cumulative = [rates.chain_yearly(yearly[: k + 1]) for k in range(len(yearly))]
    derived = [rates.yearly_from_cumulative(before, after)
               for before, after in zip([0.0, *cumulative], cumulative)]
    assert derived == pytest.approx(yearly, abs=1e-9)


@given(st.lists(yearly_rate, min_size=1, max_size=8))
def test_chaining_does_not_depend_on_the_order_of_the_years(yearly):
    assert rates.chain_yearly(yearly) == pytest.approx(rates.chain_yearly(list(reversed(yearly))), abs=1e-12)


# --- cumulative series from a bureau's reports --------------------------------------------------

def test_yearly_reports_are_chained_year_by_year():
    reports = [(2021, 0.015, "yearly"), (2022, 0.017, "yearly"), (2023, 0.017, "yearly")]
    series = rates.cumulative_series(reports, 2020)
    assert [year for year, _ in series] == [2021, 2022, 2023]
    assert series[-1][1] == pytest.approx(0.0482053, abs=1e-7)


def test_a_cumulative_report_replaces_the_chain_and_later_yearly_ones_continue_from_it():
    reports = [(2021, 0.02, "yearly"), (2022, 0.05, "cumulative"), (2023, 0.02, "yearly")]
    series = rates.cumulative_series(reports, 2020)
    assert dict(series) == pytest.approx({2021: 0.02, 2022: 0.05, 2023: 1 - 0.95 * 0.98})


def test_a_missing_year_stops_the_yearly_chain_until_a_cumulative_report():
    reports = [(2021, 0.02, "yearly"), (2023, 0.02, "yearly"), (2024, 0.08, "cumulative"), (2025, 0.02, None)]
    series = dict(rates.cumulative_series(reports, 2020))
    assert set(series) == {2021, 2024, 2025}  # 2023's own rate cannot be chained without 2022's
    assert series[2025] == pytest.approx(1 - 0.92 * 0.98)


def test_reports_for_the_base_year_or_before_and_empty_ones_are_skipped():
    reports = [(2019, 0.05, "yearly"), (2020, 0.03, "yearly"), (2021, None, "yearly"), (2021, 0.01, "yearly")]
    assert rates.cumulative_series(reports, 2020) == [(2021, pytest.approx(0.01))]


def test_amounts_such_as_new_treatment_areas_are_added_not_chained():
    series = rates.cumulative_series([(2021, 6.0, None), (2022, 7.0, None)], 2020, chained=False)
    assert series == [(2021, 6.0), (2022, 13.0)]


def test_reports_are_read_in_year_order_whatever_order_they_come_in():
    reports = [(2022, 0.017, "yearly"), (2021, 0.015, "yearly")]
    assert [year for year, _ in rates.cumulative_series(reports, 2020)] == [2021, 2022]


def test_yearly_rates_are_derived_from_the_cumulative_series():
    assert rates.yearly_series([(2021, 0.03), (2022, 0.05), (2024, 0.09)], 2020) == [
        (2021, pytest.approx(0.03)), (2022, pytest.approx(1 - 0.95 / 0.97))]


# --- progress against a five-year reduction target ----------------------------------------------

def test_the_worked_example_4_82_percent_of_a_17_percent_target_is_26_5_percent_progress():
    achieved = rates.chain_yearly([0.015, 0.017, 0.017])
    # ln(0.9517947) / ln(0.83) = −0.0494062 / −0.1863296 = 0.26516
    assert rates.rate_progress(achieved, 0.17) == pytest.approx(0.26516, abs=1e-5)
    assert rates.rate_progress(achieved, 0.17) < 0.6  # behind 序时进度 60 % in 2023


def test_progress_reaches_one_exactly_at_the_target():
    assert rates.rate_progress(0.135, 0.135) == pytest.approx(1.0)


def test_equal_yearly_rates_make_equal_progress_each_year():
    # The reason for the log scale: five equal years of r reach R = 1 − (1 − r)^5 at exactly 1/5 a year.
    yearly = 1 - (1 - 0.16) ** (1 / 5)
    for years in range(1, 6):
        assert rates.rate_progress(rates.chain_yearly([yearly] * years), 0.16) == pytest.approx(years / 5)


@pytest.mark.parametrize("achieved, target, expected", [
    (-0.02, 0.16, "negative"),   # intensity rose: 逆向
    (1.0, 0.16, math.inf),       # a complete reduction
    (0.05, 0.0, None),           # no reduction asked for: no progress scale
    (0.05, 1.0, None),
])
def test_progress_at_the_edges(achieved, target, expected):
    progress = rates.rate_progress(achieved, target)
    if expected == "negative":
        assert progress < 0
    else:
        assert progress == expected


def test_the_yearly_rate_still_needed_after_three_years_of_the_worked_example_is_6_62_percent():
    achieved = rates.chain_yearly([0.015, 0.017, 0.017])
    # 1 − (0.83 / 0.9517947)^(1/2) = 1 − 0.933829 = 0.066171
    assert rates.needed_yearly_rate(achieved, 0.17, 2) == pytest.approx(0.066171, abs=1e-6)


def test_the_needed_rate_is_not_positive_once_the_target_is_reached():
    assert rates.needed_yearly_rate(0.2, 0.17, 2) < 0


def test_no_needed_rate_without_years_left():
    assert rates.needed_yearly_rate(0.05, 0.17, 0) is None


@given(st.floats(min_value=-0.1, max_value=0.5), st.floats(min_value=0.01, max_value=0.6),
       st.integers(min_value=1, max_value=10))
def test_reducing_at_the_needed_rate_for_the_years_left_reaches_the_target(achieved, target, years_left):
    needed = rates.needed_yearly_rate(achieved, target, years_left)
    reached = 1 - (1 - achieved) * (1 - needed) ** years_left
    assert reached == pytest.approx(target, abs=1e-9)


@given(st.floats(min_value=-0.1, max_value=0.2), st.integers(min_value=1, max_value=10))
def test_the_average_yearly_rate_compounds_back_to_the_cumulative_one(rate, years):
    cumulative = rates.chain_yearly([rate] * years)
    assert rates.average_yearly_rate(cumulative, years) == pytest.approx(rate, abs=1e-9)


def test_no_average_rate_over_no_time():
    assert rates.average_yearly_rate(0.05, 0) is None


# --- trends ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, years, better, expected", [
    (30.22, 32.0, 2, "up", (32.0 / 30.22) ** 0.5 - 1),   # 文水县 一般工业固体废物综合利用率 持续增长
    (310, 300, 2, "down", 1 - (300 / 310) ** 0.5),       # 文水县 火电平均供电标准煤耗 持续下降
    (310, 320, 2, "down", 1 - (320 / 310) ** 0.5),       # rose: negative in the desired direction
    (100, 100, 3, "up", 0.0),
])
def test_compound_annual_change_is_positive_in_the_desired_direction(start, end, years, better, expected):
    assert rates.compound_annual_change(start, end, years, better) == pytest.approx(expected)


@pytest.mark.parametrize("start, end, better, expected", [
    (0, 5, "up", math.inf), (0, 0, "up", 0.0), (5, 0, "down", math.inf), (5, 0, "up", -math.inf),
    (-19.88, -10, "up", math.inf), (-19.88, -25, "up", -math.inf),
])
def test_without_a_meaningful_ratio_only_the_sign_of_the_change_counts(start, end, better, expected):
    assert rates.compound_annual_change(start, end, 3, better) == expected


def test_no_compound_change_over_no_time():
    assert rates.compound_annual_change(10, 12, 0, "up") is None


@pytest.mark.parametrize("rate, expected", [
    (0.03, "good"), (0.015, "good"), (0.0149, "slow"), (0.0, "slow"),
    (-0.001, "reverse"), (-math.inf, "reverse"),
])
def test_trend_classes_at_1_5_percent_and_0_percent_a_year(rate, expected):
    assert rates.trend_class(rate, good=0.015, slow=0.0) == expected


def test_every_trend_class_has_a_chinese_label():
    assert rates.TREND_LABELS == {"good": "符合要求", "slow": "进展缓慢", "reverse": "逆向", "reached": "已达极值"}


# --- forecast -----------------------------------------------------------------------------------

def test_two_points_give_the_line_through_them():
    slope, intercept = rates.least_squares([(2020, 36.07), (2023, 36.70)])
    assert slope == pytest.approx(0.21)
    assert rates.extrapolate([(2020, 36.07), (2023, 36.70)], 2025) == pytest.approx(37.12)


def test_the_least_squares_line_through_scattered_points():
    # x = 0, 1, 2; y = 1, 3, 2: slope 0.5, intercept 1.5.
    slope, intercept = rates.least_squares([(2020, 1.0), (2021, 3.0), (2022, 2.0)])
    assert slope == pytest.approx(0.5)
    assert intercept + slope * 2020 == pytest.approx(1.5)


@pytest.mark.parametrize("points", [[], [(2021, 5.0)], [(2021, 5.0), (2021, 6.0)]])
def test_no_line_without_two_distinct_years(points):
    assert rates.least_squares(points) is None
    assert rates.extrapolate(points, 2025) is None


@given(st.lists(st.tuples(st.integers(min_value=2015, max_value=2035),
                          st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)), min_size=1, max_size=8))
def test_the_running_forecast_matches_a_fresh_fit_at_every_step(points):
    running = rates.prefix_extrapolations(points, 2035)
    assert len(running) == len(points)
    for k, value in enumerate(running):
        fresh = rates.extrapolate(points[: k + 1], 2035)
        assert (value is None) == (fresh is None)
        if value is not None:
            assert value == pytest.approx(fresh, rel=1e-6, abs=1e-6)


@given(st.floats(min_value=-100, max_value=100), st.floats(min_value=-1000, max_value=1000),
       st.lists(st.integers(min_value=2010, max_value=2040), min_size=2, max_size=6, unique=True))
def test_points_on_a_line_forecast_that_line(slope, offset, years):
    assume(len(set(years)) >= 2)
    points = [(year, offset + slope * (year - 2020)) for year in years]
    assert rates.extrapolate(points, 2035) == pytest.approx(offset + slope * 15, rel=1e-6, abs=1e-6)
