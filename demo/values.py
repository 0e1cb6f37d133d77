"""示例数据: plausible yearly values for demonstrating the pages where no real ones exist.

Pure and deterministic (seeded by the indicator's key), so every `make run` shows the same demo.
Values move from the baseline towards the target with some noise; a few fall behind or regress,
so every status appears. Never used for real plans' published cells, only for yearly values.
"""
import random
from decimal import Decimal


def demo_series(key, baseline, threshold, base_year, milestone, years):
    """year → Decimal for `years`, or {} where there is no number to start from."""
    if baseline is None and threshold is None:
        return {}
    rng = random.Random(f"demo:{key}")
    start = float(baseline if baseline is not None else threshold * Decimal("0.9"))
    end = float(threshold if threshold is not None else baseline)
    pace = rng.choice([1.15, 1.0, 0.9, 0.6, 0.3, -0.2])
    span = max(milestone - base_year, 1)
    digits = max(-Decimal(str(start)).as_tuple().exponent, 1) if start else 1
    series = {}
    for year in years:
        share = (year - base_year) / span * pace + rng.uniform(-0.05, 0.05)
        value = start + (end - start) * share
        if start >= 0 and value < 0:
            value = 0.0
        series[year] = Decimal(str(round(value, min(digits, 3))))
    return series
