"""Rate chaining, rate progress and trend maths for indicator evaluation. Pure stdlib, no Django.

Rates here are fractions (0.015 = 1.5 %); callers convert from the percent figures the bureaus
report. Three families of functions:

- 降低率 chaining. A bureau reports either the year's own reduction (当年降低率, "yearly") or the
  reduction since the base year (累计降低率, "cumulative"). Yearly rates compound, so they are
  chained, never added: R_k = 1 − Π(1 − r_i), and r_k = 1 − (1 − R_k)/(1 − R_{k−1}).
- Progress against a five-year reduction target R, after the national energy-saving assessment
  method (节能目标责任评价考核): progress = ln(1 − R_k)/ln(1 − R), which compares with 序时进度
  like 完成进度 does; and the average yearly rate still needed, 1 − ((1 − R)/(1 − R_k))^(1/n).
- Trends for targets without a number (持续下降 / 持续增长 / 持续改善): the compound annual rate of
  change in the desired direction, its class, and a least-squares forecast line.
"""
import math

YEARLY, CUMULATIVE = "yearly", "cumulative"
RATE_MODES = (YEARLY, CUMULATIVE)

TREND_GOOD, TREND_SLOW, TREND_REVERSE, TREND_REACHED = "good", "slow", "reverse", "reached"
TREND_LABELS = {
    TREND_GOOD: "符合要求",
    TREND_SLOW: "进展缓慢",
    TREND_REVERSE: "逆向",
    TREND_REACHED: "已达极值",  # a decrease that reached 0 (or a rise that reached its ceiling)
}


# --- chaining ------------------------------------------------------------------------------------

def chain_yearly(yearly_rates) -> float:
    """Cumulative reduction from consecutive yearly reductions: R = 1 − Π(1 − r_i)."""
    remaining = 1.0
    for rate in yearly_rates:
        remaining *= 1.0 - rate
    return 1.0 - remaining


def yearly_from_cumulative(previous_cumulative: float, cumulative: float) -> float:
    """The year's own reduction between two consecutive cumulative ones: 1 − (1 − R_k)/(1 − R_{k−1})."""
    if previous_cumulative >= 1.0:
        raise ValueError("累计降低率达到或超过 100%，无法推算当年降低率")
    return 1.0 - (1.0 - cumulative) / (1.0 - previous_cumulative)


def cumulative_series(reports, base_year: int, chained: bool = True, default_mode: str = YEARLY):
    """[(year, cumulative change since base_year)] from (year, figure, rate_mode) reports, oldest first.

    A "cumulative" report sets the running figure outright; a "yearly" one extends it only when it
    is for the year right after the last known one — with a year missing the chain cannot go on
    until the next cumulative report. `chained` compounds yearly figures (rates); otherwise they are
    added (amounts such as 新增治理面积). Reports for the base year or earlier describe the previous
    period and are skipped. A rate_mode of None is read as `default_mode`.
    """
    running, through = 0.0, base_year
    series = []
    for year, figure, mode in sorted(reports, key=lambda report: report[0]):
        if year <= base_year or figure is None:
            continue
        if (mode or default_mode) == CUMULATIVE:
            running, through = figure, year
        elif year == through + 1:
            running = 1.0 - (1.0 - running) * (1.0 - figure) if chained else running + figure
            through = year
        else:
            continue  # a gap (or a repeat) in the yearly chain
        series.append((year, running))
    return series


def yearly_series(cumulative_points, base_year: int):
    """[(year, that year's own rate)] for the years whose predecessor is also known (base year = 0)."""
    known = {base_year: 0.0, **dict(cumulative_points)}
    return [(year, yearly_from_cumulative(known[year - 1], value))
            for year, value in cumulative_points if year - 1 in known and known[year - 1] < 1.0]


# --- progress against a cumulative target ---------------------------------------------------------

def rate_progress(achieved: float, target: float) -> float | None:
    """ln(1 − R_k)/ln(1 − R): the share of a target reduction R achieved by a cumulative R_k.

    Measured on the log scale so that equal yearly rates make equal progress each year. None when
    the target is not a reduction in (0, 1); +inf when R_k reaches 100 %."""
    if not 0.0 < target < 1.0:
        return None
    if achieved >= 1.0:
        return math.inf
    return math.log(1.0 - achieved) / math.log(1.0 - target)


def average_yearly_rate(cumulative: float, years: float) -> float | None:
    """The constant yearly reduction that compounds to `cumulative` over `years`: 1 − (1 − R)^(1/n)."""
    if years <= 0 or cumulative >= 1.0:
        return None
    return 1.0 - (1.0 - cumulative) ** (1.0 / years)


def needed_yearly_rate(achieved: float, target: float, years_left: float) -> float | None:
    """Average yearly reduction still needed to reach `target` from `achieved` in `years_left` years:
    1 − ((1 − R)/(1 − R_k))^(1/n). Zero or negative when the target is already reached."""
    if years_left <= 0 or achieved >= 1.0 or target >= 1.0:
        return None
    return 1.0 - ((1.0 - target) / (1.0 - achieved)) ** (1.0 / years_left)


# --- trends -------------------------------------------------------------------------------------

def compound_annual_change(start: float, end: float, years: float, better: str) -> float | None:
    """Compound annual rate of change from `start` to `end`, positive in the `better` direction.

    "up": (end/start)^(1/n) − 1 (增长率); "down": 1 − (end/start)^(1/n) (下降率). Where a ratio means
    nothing (a start or end of zero or below) only the sign is known: ±inf, or 0.0 when unchanged.
    None when no time has passed."""
    if years <= 0:
        return None
    if start > 0.0 and end > 0.0:
        ratio = (end / start) ** (1.0 / years)
        return ratio - 1.0 if better == "up" else 1.0 - ratio
    if end == start:
        return 0.0
    improved = end > start if better == "up" else end < start
    return math.inf if improved else -math.inf


def trend_class(rate: float, good: float, slow: float) -> str:
    """符合要求 at or above `good` a year, 进展缓慢 from `slow` up to `good`, 逆向 below `slow`."""
    if rate >= good:
        return TREND_GOOD
    if rate >= slow:
        return TREND_SLOW
    return TREND_REVERSE


# --- forecast -----------------------------------------------------------------------------------

def least_squares(points) -> tuple[float, float] | None:
    """(slope, intercept) of the least-squares line through (year, value) points; None with fewer
    than two distinct years."""
    count = len(points)
    if count < 2:
        return None
    # One pass over the sums; years are shifted to the first one to keep the squares small.
    origin = points[0][0]
    sum_x = sum_y = sum_xx = sum_xy = 0.0
    for x, y in points:
        x -= origin
        sum_x += x
        sum_y += y
        sum_xx += x * x
        sum_xy += x * y
    spread = count * sum_xx - sum_x * sum_x
    if spread == 0:
        return None
    slope = (count * sum_xy - sum_x * sum_y) / spread
    return slope, (sum_y - slope * sum_x) / count - slope * origin


def extrapolate(points, year: int) -> float | None:
    """The least-squares line through `points` read at `year` (预计值)."""
    line = least_squares(points)
    return None if line is None else line[0] * year + line[1]


def prefix_extrapolations(points, year: int) -> list[float | None]:
    """`extrapolate(points[:k + 1], year)` for every k, in one pass over running sums — the forecast
    an evaluation makes each year as one more value comes in."""
    results = []
    if not points:
        return results
    origin = points[0][0]
    count = 0
    sum_x = sum_y = sum_xx = sum_xy = 0.0
    for x, y in points:
        x -= origin
        count += 1
        sum_x += x
        sum_y += y
        sum_xx += x * x
        sum_xy += x * y
        spread = count * sum_xx - sum_x * sum_x
        if spread == 0:
            results.append(None)
            continue
        slope = (count * sum_xy - sum_x * sum_y) / spread
        results.append(slope * (year - origin) + (sum_y - slope * sum_x) / count)
    return results
