"""Indicator target cells (2025年目标 …) and observed values (现状, reported figures) as plain data.

`parse_target` turns a target cell as printed in a plan into a `TargetSpec`; `parse_value` turns a
baseline or reported value into a `ParsedValue`. Neither ever raises, and both keep the cell text
exactly as given in `raw`. No Django imports.

Conventions (the plans do not spell them out; these are ours):
- "以上"/"以下"/"以内" include the number itself (75以上 = ≥75), as in Chinese statistical usage;
  大于/高于/超过 and 小于/低于 are strict.
- Water-quality classes are ordered from best (Ⅰ = 1) to worst (劣Ⅴ = 6). A class target of kind
  "at_least" means "this class or better", i.e. class number ≤ `water_class` ("Ⅱ类及以上",
  "达到或优于Ⅲ类"; "优于Ⅲ类" is strict: < 3). "at_most" means "this class or worse" (number ≥
  `water_class`; "劣于Ⅳ类" is strict). Class targets leave `value` empty.
- "约 15" / "15左右" and "保持稳定" are read with a tolerance of ±2 % (`APPROX_TOLERANCE`).
- A cell in [ ], 〔 〕 or 【 】 is a five-year cumulative figure (运城市 table note 2).
- "assigned" names the highest level the cell mentions (完成省、市下达的任务目标 → "省"); a cell
  naming only 上级 leaves `assigned_by` None.
- 下降18% / 累计下降13.5% / 比2020年下降18% / 较2020年降低x% is a cumulative reduction since the
  base year (kind "cumulative", `reduction` set, `value` the percent), evaluated as a 降低率.
- "无" in a 现状 column is read as "no figure" (kind "none"), not as zero.
- An empty target cell is kind "none" even where the plan merges it with a parent row's target;
  resolving that is the caller's job (see `shares_parent_target` in the plan data files).
- Forms from other plans (issue 16): 零增长 is "not_increase"; a trailing （力争95） is an aspiration,
  the cell reads as its first part (90以上 → ≥90); a year in brackets names the year of the figure
  (86.3（2019年） → 86.3, `ParsedValue.year` 2019; ≥92.1（2027年） → ≥92.1); 下降至30以下 / 下降到30 is
  ≤30 and 提高到95% is ≥95; 按省下达指标执行 and 不低于省下达指标 are "assigned" by 省; ①–⑳ are
  footnote marks (75① → 75).
"""
import re
from dataclasses import dataclass

from core.phrases import LEVEL, label, phrase
from decimal import Decimal, InvalidOperation

TARGET_KINDS = ("exact", "at_least", "at_most", "range", "approx", "cumulative", "relative",
                "eliminate", "assigned", "qualitative", "none")
RELATIONS = ("not_decrease", "not_increase", "stable", "decrease", "increase", "improve")
VALUE_KINDS = ("number", "water_class", "text", "none")
APPROX_TOLERANCE = Decimal("0.02")
_TOLERANCE = f"±{(APPROX_TOLERANCE * 100).normalize():f}%"
WATER_CLASS_NAMES = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类", 4: "Ⅳ类", 5: "Ⅴ类", 6: "劣Ⅴ类"}
_RELATION_WORDS = {
    "not_decrease": "不低于基期值", "not_increase": "不高于基期值",
    "stable": f"保持稳定（{_TOLERANCE}）", "decrease": "持续下降",
    "increase": "持续增长", "improve": "持续改善",
}


@dataclass(frozen=True)
class TargetSpec:
    raw: str                        # the cell exactly as given (never altered)
    kind: str                       # one of TARGET_KINDS
    value: Decimal | None = None    # exact / at_least / at_most / approx / cumulative
    low: Decimal | None = None      # range low
    high: Decimal | None = None     # range high
    strict: bool = False            # > or < (not ≥ ≤)
    relation: str | None = None     # kind "relative": one of RELATIONS
    assigned_by: str | None = None  # kind "assigned": "国家" / "省" / "市" / "县" / "区"; None = 上级
    water_class: int | None = None  # a water-quality class target: 1..5, 6 for 劣Ⅴ
    reduction: bool = False         # 下降18% / 较2020年降低x%: kind "cumulative", a reduction rate in %

    def __post_init__(self):
        if self.kind not in TARGET_KINDS:
            raise ValueError(f"unknown target kind {self.kind!r}")
        if self.relation is not None and self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}")

    def describe(self) -> str:
        """The target in plain words, e.g. "不低于 75", "8 至 10", "完成市下达指标（待下达数值）": a
        `core.phrases.Phrase` (its Chinese text), rendered in the reader's language where it is shown."""
        if self.water_class is not None and self.kind in ("exact", "at_least", "at_most"):
            name = label(WATER_CLASS_NAMES.get(self.water_class, f"{self.water_class}类"))
            if self.kind == "exact":
                return name
            if self.kind == "at_least":
                return phrase("target_better_than_class" if self.strict else "target_class_or_better", name=name)
            return phrase("target_worse_than_class" if self.strict else "target_class_or_worse", name=name)
        number = _format_number(self.value)
        if self.kind == "exact":
            return number
        if self.kind == "at_least":
            return phrase("target_above" if self.strict else "target_at_least", number=number)
        if self.kind == "at_most":
            return phrase("target_below" if self.strict else "target_at_most", number=number)
        if self.kind == "range":
            return phrase("target_range", low=_format_number(self.low), high=_format_number(self.high))
        if self.kind == "approx":
            return phrase("target_approx", number=number, tolerance=_TOLERANCE)
        if self.kind == "cumulative" and self.reduction:
            return phrase("target_reduction", number=number)
        if self.kind == "cumulative":
            return phrase("target_cumulative", number=number)
        if self.kind == "relative":
            if self.relation == "stable":
                return phrase("target_stable", tolerance=_TOLERANCE)
            return label(_RELATION_WORDS.get(self.relation or "", "相对基期值"))
        if self.kind == "eliminate":
            return label("消除")
        if self.kind == "assigned":
            return phrase("target_assigned_pending", level=assigned_level(self.assigned_by))
        if self.kind == "qualitative":
            return phrase("target_qualitative", text=self.raw.strip())
        return label("无目标")


def assigned_level(assigned_by):
    """The level a target is assigned by (国家 / 省 / 市 / 县 / 区, 上级 when the cell names none) as a label."""
    return label(assigned_by or "上级", LEVEL)


@dataclass(frozen=True)
class ParsedValue:
    raw: str
    kind: str                       # one of VALUE_KINDS
    number: Decimal | None = None
    water_class: int | None = None  # 1..5, 6 = 劣Ⅴ
    cumulative: bool = False        # printed in [ ], 〔 〕 or 【 】 (a five-year cumulative figure)
    marks: tuple[str, ...] = ()     # footnote marks found in the cell, e.g. ("*",) or ("¹",)
    unit: str = ""                  # a unit found inside the cell and stripped (e.g. "万吨", "%")
    year: int | None = None         # a year the cell itself names: 86.3（2019年）


# --- text normalisation -------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "．": ".", "－": "-", "\u2212": "-", "\ufe63": "-", "＋": "+", "％": "%", "，": ",",
    "＊": "*", "＜": "<", "＞": ">", "＝": "=", "～": "~", "〜": "~", "／": "/",
})
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_IDEOGRAPHIC_POINT = re.compile(r"(?<=[0-9])。(?=[0-9])")


def normalise_number_text(text: str) -> str:
    """Full-width digits/signs → ASCII, 。→ . between digits, thousands commas and all spaces removed."""
    text = _INVISIBLE.sub("", (text or "").translate(_FULL_WIDTH))
    return _THOUSANDS.sub("", _IDEOGRAPHIC_POINT.sub(".", text))


_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_UNIT = r"[%‰‱℃]|(?:[A-Za-zµμ\u4e00-\u9fff/·]|(?<=[A-Za-zµμ])[23²³])+"
_NUMBER_WITH_UNIT = re.compile(rf"({_NUMBER})({_UNIT})?")
_NOT_A_UNIT = ("以上", "以下", "以内", "左右", "上下", "约", "累计", "至", "到", "不", "及", "或",
               "余", "多", "超", "低", "高", "少", "增", "减", "降", "升", "达", "保持")
_MARK = re.compile(r"\*+|[†‡※]|[①-⑳]|(?<![A-Za-zµμ])[¹²³⁴⁵⁶⁷⁸⁹⁰]+")  # ①–⑳: footnote marks (75①)
_NONE_CHARS = set("—-–―‐‑/\\_…")
_NONE_WORDS = {"无", "暂无", "N/A", "n/a", "无目标"}
_BRACKETS = {"[": "]", "〔": "〕", "【": "】", "［": "］"}


def _strip_marks(text):
    marks = tuple(m.group() for m in _MARK.finditer(text))
    return (_MARK.sub("", text), marks) if marks else (text, ())


def _is_none(text):
    return text == "" or text in _NONE_WORDS or set(text) <= _NONE_CHARS


def _unbracket(text):
    if len(text) >= 2 and _BRACKETS.get(text[0]) == text[-1]:
        return text[1:-1], True
    return text, False


def _number_and_unit(text):
    """(Decimal, unit) when the whole text is one finite number, optionally followed by a unit."""
    match = _NUMBER_WITH_UNIT.fullmatch(text)
    if not match:
        return None
    unit = match.group(2) or ""
    if any(word in unit for word in _NOT_A_UNIT):
        return None
    try:
        number = Decimal(match.group(1))
    except (InvalidOperation, ValueError):
        return None
    return (number, unit) if number.is_finite() else None

_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "ⅰ": 1, "ⅱ": 2, "ⅲ": 3, "ⅳ": 4, "ⅴ": 5,
          "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_CLASS = r"(劣)?(III|II|IV|I|V|[ⅠⅡⅢⅣⅤⅰⅱⅲⅳⅴ])(?:类)?(?:水质|水体|水|标准)?"
_ROMAN_FULL_WIDTH = str.maketrans({"Ｉ": "I", "Ｖ": "V"})


def _class_number(bad, numeral):
    number = _ROMAN[numeral]
    return 6 if bad and number == 5 else (None if bad else number)


def _water_class(text):
    match = re.fullmatch(_CLASS, text.translate(_ROMAN_FULL_WIDTH))
    return _class_number(*match.groups()) if match else None


# --- values -------------------------------------------------------------------------------------

def parse_value(raw: str | None) -> ParsedValue:
    """A baseline or reported value cell: a number (with unit, marks, [cumulative]), a water class,
    text such as 断流, or none (—, -, /, 无, empty). Never raises."""
    if raw is None:
        return ParsedValue(raw="", kind="none")
    raw = raw if isinstance(raw, str) else str(raw)
    text, marks = _strip_marks(normalise_number_text(raw))
    if _is_none(text):
        return ParsedValue(raw=raw, kind="none", marks=marks)
    inner, bracketed = _unbracket(text)
    found = _number_and_unit(inner)
    if found:
        return ParsedValue(raw=raw, kind="number", number=found[0], cumulative=bracketed,
                           marks=marks, unit=found[1])
    water_class = _water_class(inner)
    if water_class:
        return ParsedValue(raw=raw, kind="water_class", water_class=water_class, marks=marks)
    qualified = _year_qualified_value(raw, text, marks)
    if qualified:
        return qualified
    return ParsedValue(raw=raw, kind="text", marks=marks)


# --- targets ------------------------------------------------------------------------------------

_SIGNS = (("≧", "≥"), ("⩾", "≥"), (">=", "≥"), ("≦", "≤"), ("⩽", "≤"), ("<=", "≤"))
_LOWER_PREFIXES = (("大于或等于", False), ("大于等于", False), ("不低于", False), ("不少于", False),
                   ("不小于", False), ("至少", False), ("≥", False), ("稳定达到", False),
                   ("力争达到", False), ("达到", False), ("大于", True), ("高于", True),
                   ("超过", True), (">", True))
_UPPER_PREFIXES = (("小于或等于", False), ("小于等于", False), ("不高于", False), ("不超过", False),
                   ("不大于", False), ("不多于", False), ("至多", False), ("≤", False),
                   ("小于", True), ("低于", True), ("<", True))
_LOWER_SUFFIXES = ("及以上", "或以上", "以上")
_UPPER_SUFFIXES = ("及以下", "或以下", "以下", "以内")
_HOLD_PREFIXES = ("控制在", "保持在", "稳定在", "维持在", "保持", "维持")
_RANGE_SEPARATOR = re.compile(r"~|—|–|―|至|到|-")
_CUMULATIVE = re.compile(r"(?:五年|“十四五”|十四五|规划期|期间)*累计(?:达到|完成)?(.+)|(.+?)[（(]?累计[）)]?")
_BASE_PERIOD = re.compile(r"(?:基期|基准|基线|现状|现有|上年|上一年|20[0-9]{2}年)(?:值|水平|年)?")
_RELATION_PHRASES = {
    "not_decrease": ("不减少", "只增不减", "不降低", "不下降", "不减"),
    "not_increase": ("不增加", "不升高", "不上升", "只减不增", "不增"),
    "stable": ("保持稳定", "稳定", "基本稳定", "总体稳定", "保持基本稳定"),
    "decrease": ("持续下降", "持续减少", "逐年下降", "逐年减少", "持续降低", "稳中有降"),
    "increase": ("持续增长", "持续提高", "持续提升", "逐年提高", "逐年增长", "持续增加", "稳中有升",
                 "稳步提升", "逐步提高"),
    "improve": ("稳中向好", "持续改善", "巩固提升", "持续好转", "逐步改善", "不断改善", "明显改善"),
}
_RELATION_BY_PHRASE = {p: relation for relation, phrases in _RELATION_PHRASES.items() for p in phrases}
_ELIMINATE = re.compile(r"(?:基本|全面|全部|彻底|稳定)*消除.*")
_ASSIGNED = re.compile(r"(?:完成|达到|落实|满足)(.*?)下达.*")
_ASSIGNERS = re.compile(r"(?:国家|省|市|县|区|上级|级|、|和|及|人民政府|政府|的)*")
_LEVELS = ("国家", "省", "市", "县", "区")
_CLASS_TARGET = re.compile(
    rf"(达到或优于|达到或好于|不劣于|不低于|优于|好于|劣于|稳定达到|达到|保持)?{_CLASS}"
    r"(及以上|或以上|以上|及更优|或更优|及以下|或以下|以下)?")
_CLASS_PREFIX_KINDS = {"优于": ("at_least", True), "好于": ("at_least", True), "劣于": ("at_most", True),
                       **dict.fromkeys(("达到或优于", "达到或好于", "不劣于", "不低于"), ("at_least", False))}
_CLASS_SUFFIX_KINDS = {**dict.fromkeys(("及以上", "或以上", "以上", "及更优", "或更优"), ("at_least", False)),
                       **dict.fromkeys(("及以下", "或以下", "以下"), ("at_most", False))}


def _target_text(raw):
    text, _marks = _strip_marks(normalise_number_text(raw))
    for old, new in _SIGNS:
        text = text.replace(old, new)
    return text.rstrip("。；;，,")


def _bounded(raw, text, prefixes, suffixes, kind, relation):
    """≥75 / 不低于75 / 75以上 (kind at_least) or the at_most mirror; 不低于基期值 → relative."""
    strict = matched = False
    for prefix, prefix_strict in prefixes:
        if text.startswith(prefix):
            text, strict, matched = text[len(prefix):], prefix_strict, True
            break
    else:
        text = next((text[len(p):] for p in _HOLD_PREFIXES if text.startswith(p)), text)
    for suffix in suffixes:
        if text.endswith(suffix):
            text, matched = text[: -len(suffix)], True
            break
    if not matched:
        return None
    if _BASE_PERIOD.fullmatch(text):
        return TargetSpec(raw, "relative", relation=relation)
    found = _number_and_unit(text)
    return TargetSpec(raw, kind, value=found[0], strict=strict) if found else None


def _approx(text):
    """The number in 约15 / 15左右 / 约15左右, else None."""
    rest = next((text[len(p):] for p in ("大约", "约为", "约") if text.startswith(p)), text)
    rest = next((rest[: -len(s)] for s in ("左右", "上下") if rest.endswith(s)), rest)
    return _number_and_unit(rest) if rest != text else None


def _numeric_target(raw, text):
    inner, bracketed = _unbracket(text)
    if bracketed:
        found = _number_and_unit(inner)
        return TargetSpec(raw, "cumulative", value=found[0]) if found else None
    found = _number_and_unit(text)
    if found:
        return TargetSpec(raw, "exact", value=found[0])
    match = _CUMULATIVE.fullmatch(text)
    if match and (found := _number_and_unit(match.group(1) or match.group(2))):
        return TargetSpec(raw, "cumulative", value=found[0])
    spec = (_bounded(raw, text, _LOWER_PREFIXES, _LOWER_SUFFIXES, "at_least", "not_decrease")
            or _bounded(raw, text, _UPPER_PREFIXES, _UPPER_SUFFIXES, "at_most", "not_increase"))
    if spec:
        return spec
    if found := _approx(text):
        return TargetSpec(raw, "approx", value=found[0])
    for prefix in _HOLD_PREFIXES:
        if text.startswith(prefix) and (found := _number_and_unit(text[len(prefix):])):
            return TargetSpec(raw, "exact", value=found[0])
    for separator in _RANGE_SEPARATOR.finditer(text):
        low = _number_and_unit(text[: separator.start()])
        high = _number_and_unit(text[separator.end():])
        if low and high:
            return TargetSpec(raw, "range", low=min(low[0], high[0]), high=max(low[0], high[0]))
    return None


def _water_target(raw, text):
    match = _CLASS_TARGET.fullmatch(text.translate(_ROMAN_FULL_WIDTH))
    if not match:
        return None
    prefix, bad, numeral, suffix = match.groups()
    water_class = _class_number(bad, numeral)
    by_prefix, by_suffix = _CLASS_PREFIX_KINDS.get(prefix), _CLASS_SUFFIX_KINDS.get(suffix)
    if water_class is None or (by_prefix and by_suffix and by_prefix[0] != by_suffix[0]):
        return None
    kind, strict = by_prefix or by_suffix or ("exact", False)
    return TargetSpec(raw, kind, strict=strict, water_class=water_class)


def _phrase_target(raw, text):
    relation = _RELATION_BY_PHRASE.get(text)
    if relation:
        return TargetSpec(raw, "relative", relation=relation)
    if _ELIMINATE.fullmatch(text):
        return TargetSpec(raw, "eliminate")
    match = _ASSIGNED.fullmatch(text)
    if match and len(match.group(1)) <= 12 and _ASSIGNERS.fullmatch(match.group(1)):
        level = next((name for name in _LEVELS if name in match.group(1)), None)
        return TargetSpec(raw, "assigned", assigned_by=level)
    return None


# --- forms found in other plans' cells (issue 16) ------------------------------------------------
# Each reads the cell as a careful reader would and hands the rest back to parse_target; they run
# only when the forms above found nothing, so no cell the five plans print changes its reading.

_YEAR_QUALIFIER = re.compile(r"^(.+?)[（(]\s*((?:19|20)[0-9]{2})\s*年?\s*(?:数据|值)?[)）]$")
_ASPIRATION = re.compile(r"^(.+?)[（(]\s*(?:力争|争取|力争达到|争取达到)[^()（）]*[)）]$")
_MOVEMENT = re.compile(r"^(下降|降低|减少|压减|降|减|控制|提高|提升|增加|增长|增|升|上升|达)(?:至|到)(.+)$")
_MOVEMENT_KINDS = {**dict.fromkeys(("下降", "降低", "减少", "压减", "降", "减", "控制"), "at_most"),
                   **dict.fromkeys(("提高", "提升", "增加", "增长", "增", "升", "上升", "达"), "at_least")}
_ZERO_GROWTH = ("零增长", "实现零增长", "保持零增长", "0增长")
_ASSIGNED_PLAIN = re.compile(
    r"(?:按照|按|执行|不低于|不少于|不高于|不超过|达到或优于|优于)?(.{0,12}?)下达(?:的)?(?:指标|目标|任务|要求|数)(?:要求)?(?:执行|为准)?")


def _year_qualified_value(raw, text, marks):
    """86.3（2019年）: the number, with the year the cell names (the figure is for that year)."""
    match = _YEAR_QUALIFIER.fullmatch(text)
    if not match:
        return None
    inner = parse_value(match.group(1))
    if inner.kind != "number":
        return None
    return ParsedValue(raw=raw, kind="number", number=inner.number, cumulative=inner.cumulative,
                       marks=marks + inner.marks, unit=inner.unit, year=int(match.group(2)))


def _reader_forms_target(raw, text):
    """≥92.1（2027年）, 90以上（力争95）, 下降至30以下, 提高到95%, 零增长, 按省下达指标执行,
    不低于省下达指标. `raw` stays the cell as printed."""
    if text in _ZERO_GROWTH:
        return TargetSpec(raw, "relative", relation="not_increase")
    for pattern in (_YEAR_QUALIFIER, _ASPIRATION):
        match = pattern.fullmatch(text)
        if match:
            inner = parse_target(match.group(1))
            return None if inner.kind in ("qualitative", "none") else _with_raw(inner, raw)
    match = _MOVEMENT.fullmatch(text)
    if match:
        rest = match.group(2)
        found = _number_and_unit(rest)
        if found:
            return TargetSpec(raw, _MOVEMENT_KINDS[match.group(1)], value=found[0])
        inner = _numeric_target(rest, rest)
        if inner is not None and inner.kind in ("at_least", "at_most", "range", "approx"):
            return _with_raw(inner, raw)
        return None
    match = _ASSIGNED_PLAIN.fullmatch(text)
    if match and _ASSIGNERS.fullmatch(match.group(1)):
        level = next((name for name in _LEVELS if name in match.group(1)), None)
        return TargetSpec(raw, "assigned", assigned_by=level)
    return None


def _with_raw(spec, raw):
    from dataclasses import replace

    return replace(spec, raw=raw)


def parse_target(raw: str | None) -> TargetSpec:
    """A target cell as printed (≤3.5, 8-10, 不减少, 完成市下达指标, Ⅲ类 …). Never raises: text it
    does not recognise is kind "qualitative" with the cell kept in `raw`."""
    if raw is None:
        return TargetSpec(raw="", kind="none")
    raw = raw if isinstance(raw, str) else str(raw)
    text = _target_text(raw)
    if _is_none(text):
        return TargetSpec(raw, "none")
    return (_reduction_target(raw, text) or _numeric_target(raw, text) or _water_target(raw, text) or _phrase_target(raw, text)
            or _reader_forms_target(raw, text)
            or TargetSpec(raw, "qualitative"))


# 下降18% · 累计下降13.5% · 比2020年下降18% · 较2020年降低3.2% · 较基期累计降低10%
_REDUCTION = re.compile(
    rf"(?:(?:比|较)(?:20[0-9]{{2}}年|基期年?|基准年)?)?(?:累计)?(?:下降|降低|减少)了?({_NUMBER})%")


def _reduction_target(raw, text):
    """A reduction written in words, read as a cumulative 降低率 target in percent; else None."""
    match = _REDUCTION.fullmatch(text)
    if not match:
        return None
    found = _number_and_unit(match.group(1))
    return TargetSpec(raw, "cumulative", value=found[0], reduction=True) if found else None


def _format_number(number):
    if number is None:
        return ""
    # Positional notation for any figure a plan prints; 7.06E+115689115691 written out would need
    # gigabytes, so such a number (which no check lets into the database) keeps its exponent.
    return format(number, "f") if abs(number.adjusted()) <= 30 else format(number, "E")
