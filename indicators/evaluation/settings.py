"""评估参数: the tunable numbers of the evaluation method, with documented defaults. No Django.

A plan stores its own values as JSON (`Plan.evaluation_settings`); `EvaluationSettings.from_dict`
reads them, keeping the defaults for anything missing and ignoring keys it does not know, so an
old or hand-edited JSON never breaks an evaluation page.

Per indicator. Under the key "indicators" a plan (or its reviewer) may set the per-indicator
numbers — approx_tolerance, stable_tolerance, trend_good, trend_slow — for single rows, keyed by
the row's 行键 or 序号 (no migration: it lives in the same JSON):

    {"trend_good": 0.015, "indicators": {"3": {"trend_good": 0.002, "trend_slow": 0.0}}}

The default rule: every indicator takes the plan's figures, and the plan's default to the
values below (持续增长 / 持续下降 符合要求 at 1.5 % a year, 逆向 below 0). A fixed yearly pace
is wrong for a bounded share near its ceiling — 优良天数比例 at 90 % cannot rise 1.5 % a year for
long — so such rows should be given their own trend_good (a few tenths of a percent, or 0 to
accept any rise), and `for_indicator(key)` applies it. 一票否决 and 合格线 are the plan's only.
"""
import math
from dataclasses import dataclass, fields, replace

from core.phrases import Joined, label, phrase


@dataclass(frozen=True)
class EvaluationSettings:
    # 约 15 / 15左右: within this share of the target counts as met (also targets.APPROX_TOLERANCE).
    approx_tolerance: float = 0.02
    # 保持稳定: within this share of the baseline counts as met.
    stable_tolerance: float = 0.02
    # 持续下降 / 持续增长: a compound annual change of at least this, in the desired direction, is
    # 符合要求 (1.5 % a year ≈ 7.7 % over a five-year plan).
    trend_good: float = 0.015
    # … and below this it is 逆向; in between it is 进展缓慢.
    trend_slow: float = 0.0
    # 一票否决: a binding (约束性) indicator not met at the milestone fails the plan's overall grade.
    binding_veto: bool = True
    # 合格线: share of the decided indicators (met / on track / behind / regressing / not met) that
    # must be met or on track for a passing grade; 60 % as in the usual 百分制 合格 mark.
    pass_share: float = 0.6
    # Per-indicator overrides: ((row key or 序号, ((setting name, value), ...)), ...); see the docstring.
    indicators: tuple = ()

    def __post_init__(self):
        if isinstance(self.indicators, dict):
            object.__setattr__(self, "indicators", _overrides(self.indicators))
        for key, values in self.indicators:
            try:
                replace(self, indicators=(), **dict(values))
            except ValueError as error:
                raise ValueError(f"指标 {key} 的{error}") from None
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not low <= value <= high:
                raise ValueError(f"评估参数 {name}（{_NAMES[name]}）须为 {low} 至 {high} 之间的数，收到 {value!r}")
        if self.trend_slow > self.trend_good:
            raise ValueError(f"评估参数 trend_slow（{_NAMES['trend_slow']}）不能大于 "
                             f"trend_good（{_NAMES['trend_good']}）：{self.trend_slow} > {self.trend_good}")
        if not isinstance(self.binding_veto, bool):
            raise ValueError(f"评估参数 binding_veto（{_NAMES['binding_veto']}）须为是或否，收到 {self.binding_veto!r}")

    @classmethod
    def from_dict(cls, data) -> "EvaluationSettings":
        """Settings from a plan's JSON: unknown keys are ignored, missing ones keep their default.
        Numbers may come as text ("0.02"); binding_veto as true/false, 1/0, "是"/"否"."""
        if data is not None and not isinstance(data, dict):
            raise ValueError(f"评估参数须为键值对（JSON 对象），收到 {type(data).__name__}")
        known = {field.name for field in fields(cls)} - {"indicators"}
        values = {}
        for name, raw in (data or {}).items():
            if name == "indicators":
                values[name] = _overrides(raw)
            elif name in known:
                values[name] = _to_bool(raw) if name == "binding_veto" else _to_float(name, raw)
        return cls(**values)

    def for_indicator(self, *keys) -> "EvaluationSettings":
        """The settings one indicator is evaluated with: the plan's, with the first override found
        under any of `keys` (its 行键, then its 序号) applied."""
        if not self.indicators:
            return self
        overrides = dict(self.indicators)
        for key in keys:
            if key and key in overrides:
                return replace(self, indicators=(), **dict(overrides[key]))
        return self

    def describe(self) -> tuple[str, ...]:
        """The settings as lines for the evaluation page: `core.phrases.Phrase`s (their Chinese text),
        shown in the reader's language."""
        good, slow = _percent(self.trend_good), _percent(self.trend_slow)
        return (
            phrase("settings_approx", tolerance=_percent(self.approx_tolerance)),
            phrase("settings_stable", tolerance=_percent(self.stable_tolerance)),
            phrase("settings_trend", good=good, slow=slow),
            phrase("settings_veto_yes" if self.binding_veto else "settings_veto_no"),
            phrase("settings_pass", share=_percent(self.pass_share)),
            *(phrase("settings_indicator", key=key, values=Joined(
                (phrase("settings_value", name=label(_NAMES[name]), value=_percent(value)) for name, value in values),
                "，")) for key, values in self.indicators),
        )


_NAMES = {
    "approx_tolerance": "约数目标容差", "stable_tolerance": "保持稳定容差", "trend_good": "趋势符合要求下限",
    "trend_slow": "趋势进展缓慢下限", "binding_veto": "约束性指标一票否决", "pass_share": "合格线",
}
_RANGES = (("approx_tolerance", 0.0, 0.5), ("stable_tolerance", 0.0, 0.5), ("trend_good", -0.5, 0.5),
           ("trend_slow", -0.5, 0.5), ("pass_share", 0.0, 1.0))
PER_INDICATOR = ("approx_tolerance", "stable_tolerance", "trend_good", "trend_slow")


def _overrides(data):
    """The "indicators" JSON object as a sorted tuple; unknown setting names are ignored."""
    if not isinstance(data, dict):
        raise ValueError(f"评估参数 indicators（单项指标设定）须为键值对（JSON 对象），收到 {type(data).__name__}")
    result = []
    for key, values in data.items():
        if not isinstance(values, dict):
            raise ValueError(f"指标 {key} 的单独设定须为键值对（JSON 对象），收到 {type(values).__name__}")
        pairs = tuple((name, _to_float(name, raw)) for name, raw in sorted(values.items()) if name in PER_INDICATOR)
        if pairs:
            result.append((str(key), pairs))
    return tuple(sorted(result))


_TRUE, _FALSE = ("true", "1", "yes", "on", "是"), ("false", "0", "no", "off", "否", "")


def _to_float(name, raw):
    if isinstance(raw, bool):
        raise ValueError(f"评估参数 {name}（{_NAMES[name]}）须为数值，收到 {raw!r}")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"评估参数 {name}（{_NAMES[name]}）须为数值，收到 {raw!r}") from None


def _to_bool(raw):
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"评估参数 binding_veto（{_NAMES['binding_veto']}）须为是或否，收到 {raw!r}")


def _percent(share):
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


DEFAULTS = EvaluationSettings()
