"""评估参数: the tunable numbers of the evaluation method, with documented defaults. No Django.

A plan stores its own values as JSON (`Plan.evaluation_settings`); `EvaluationSettings.from_dict`
reads them, keeping the defaults for anything missing and ignoring keys it does not know, so an
old or hand-edited JSON never breaks an evaluation page.
"""
import math
from dataclasses import dataclass, fields


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

    def __post_init__(self):
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
        known = {field.name for field in fields(cls)}
        values = {}
        for name, raw in (data or {}).items():
            if name not in known:
                continue
            values[name] = _to_bool(raw) if name == "binding_veto" else _to_float(name, raw)
        return cls(**values)

    def describe(self) -> tuple[str, ...]:
        """The settings as Chinese lines for the evaluation page."""
        return (
            f"约数目标容差：±{_percent(self.approx_tolerance)}（在目标值该范围内，或超过目标，视为完成）",
            f"保持稳定容差：±{_percent(self.stable_tolerance)}（相对基期值）",
            f"趋势类目标：年均变化（期望方向）≥ {_percent(self.trend_good)} 为符合要求，"
            f"{_percent(self.trend_slow)} 至 {_percent(self.trend_good)} 为进展缓慢，"
            f"低于 {_percent(self.trend_slow)} 为逆向",
            f"约束性指标一票否决：{'是' if self.binding_veto else '否'}",
            f"合格线：已完成或符合序时进度的指标占已评价指标 ≥ {_percent(self.pass_share)}",
        )


_NAMES = {
    "approx_tolerance": "约数目标容差", "stable_tolerance": "保持稳定容差", "trend_good": "趋势符合要求下限",
    "trend_slow": "趋势进展缓慢下限", "binding_veto": "约束性指标一票否决", "pass_share": "合格线",
}
_RANGES = (("approx_tolerance", 0.0, 0.5), ("stable_tolerance", 0.0, 0.5), ("trend_good", -0.5, 0.5),
           ("trend_slow", -0.5, 0.5), ("pass_share", 0.0, 1.0))
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
