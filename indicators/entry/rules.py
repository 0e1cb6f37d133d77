"""Checking a value a bureau types in, and the follow-up rule. Pure functions, no Django.

Tolerated: full-width digits, thousands commas, spaces, a trailing % or the indicator's unit.
Everything else is refused with a Chinese message that names the indicator.
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from indicators.evaluation import JUDGEMENT_LABELS
from indicators.plans.targets import normalise_number_text, parse_value

MAX_MAGNITUDE = Decimal("1e12")
CHANGE_THRESHOLD = Decimal("0.30")
# The evaluation's one label table of the stored codes; the form and its .xlsx read it by label.
JUDGEMENTS = {label: code for code, label in JUDGEMENT_LABELS.items()}
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Entry:
    raw: str
    number: Decimal | None = None
    water_class: int | None = None
    judgement: str = ""
    error: str = ""

    @property
    def ok(self):
        return not self.error


def parse_entry(raw, *, indicator_name, value_type, unit="", judgement=""):
    """Validate one typed value for one indicator. Returns an Entry with `error` set on refusal."""
    text = (raw or "").strip()
    name = indicator_name
    if len(text) > 50:
        return Entry(text[:50], error=f"「{name}」：内容过长，请只填写数值。")
    if value_type == "text":
        if judgement and judgement not in JUDGEMENT_LABELS:
            return Entry(text, error=f"「{name}」：完成情况应为 完成、基本完成 或 未完成。")
        if not judgement:
            return Entry(text, error=f"「{name}」：请选择完成情况（完成 / 基本完成 / 未完成）。")
        return Entry(text, judgement=judgement)
    if not text:
        return Entry(text, error=f"「{name}」：请填写数值。")
    if value_type == "water_class":
        parsed = parse_value(text)
        if parsed.kind != "water_class":
            return Entry(text, error=f"「{name}」：「{text}」不是水质类别，请填写 Ⅰ、Ⅱ、Ⅲ、Ⅳ、Ⅴ 或 劣Ⅴ。")
        return Entry(text, water_class=parsed.water_class)
    number_text = normalise_number_text(text)
    for suffix in sorted({"%", "％", (unit or "").strip(), normalise_number_text(unit or "")}, key=len, reverse=True):
        if suffix and number_text.endswith(suffix):
            number_text = number_text[: -len(suffix)]
            break
    if not _NUMBER.match(number_text):
        return Entry(text, error=f"「{name}」：「{text}」不是有效的数字。")
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        return Entry(text, error=f"「{name}」：「{text}」不是有效的数字。")
    if not number.is_finite() or abs(number) >= MAX_MAGNITUDE:
        return Entry(text, error=f"「{name}」：数值 {text} 超出合理范围。")
    if (unit or "").strip() in ("%", "％") and number > 100:
        return Entry(text, error=f"「{name}」：计量单位为 %，数值不能超过 100。")
    if (unit or "").strip() == "‰" and number > 1000:
        return Entry(text, error=f"「{name}」：计量单位为 ‰，数值不能超过 1000。")
    return Entry(text, number=number)


@dataclass(frozen=True)
class FollowUp:
    reasons: list[str] = field(default_factory=list)

    @property
    def required(self):
        return bool(self.reasons)


def follow_up(new, previous, *, target=None, baseline=None, direction="up", binding=False):
    """DHIS2-style follow-up: a big jump against last year's approved value, or a binding
    indicator moving away from its target, needs an explanation before submission."""
    reasons = []
    if new is None:
        return FollowUp(reasons)
    if previous is not None and previous != 0 and abs(new - previous) / abs(previous) > CHANGE_THRESHOLD:
        change = (new - previous) / abs(previous) * 100
        reasons.append(f"与上年审核通过值 {previous} 相比变化 {change:+.1f}%（超过 30%）")
    reference = previous if previous is not None else baseline
    if binding and reference is not None and direction in ("up", "down"):
        worse = new < reference if direction == "up" else new > reference
        if worse and (target is None or abs(new - target) > abs(reference - target)):
            reasons.append("约束性指标较上一期偏离目标方向")
    return FollowUp(reasons)
