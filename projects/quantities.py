"""Physical quantities (工程量) in a project's printed text. Pure Python: no Django imports.

    >>> [(q.measure, q.amount, q.unit) for q in extract_quantities("人工造林1万亩")]
    [('人工造林', Decimal('1'), '万亩')]

A quantity is a number followed by a unit of physical work — area, length, volume, mass, flow,
power or a count (座、处、个 …). A magnitude prefix (万、亿 …) stays part of the unit as printed
(1 万亩, not 10000 亩). Ranges (12-15 万吨) keep both ends. What is not a quantity of work is
skipped: years (2025年), percentages, money, thresholds that describe a class of things (大于1000吨,
超过45米, 30万千瓦以下), and numbers glued to letters (DN1000, GB18466).

The measure is what the number counts: the words in front of it in its clause without framing
verbs (完成通道绿化200公里 → 通道绿化), or, where the quantity stands before a noun, that noun
(新建2处林业苗木检查站 → 新建林业苗木检查站).
"""
import re
from dataclasses import dataclass
from decimal import Decimal

# Units, as printed. Longer spellings first so 平方千米 wins over 平方 and 千米 over 米.
_CHINESE_UNITS = [
    "平方千米", "平方公里", "平方米", "平方", "公顷", "亩",
    "公里", "千米", "延米", "米",
    "立方米", "立方",
    "千瓦时", "千瓦", "兆瓦", "千伏",
    "蒸吨", "吨", "千克", "公斤",
    "人次", "座", "处", "个", "名", "条", "株", "棵", "道", "台", "套", "辆", "户", "所", "家", "眼", "口", "间",
    "块", "项", "人", "根", "盏", "艘", "宗", "方",
]
_ASCII_UNITS = ["km²", "km2", "km^2", "km", "m³", "m3", "m^3", "m²", "m2", "m^2", "kWh", "kW", "MW", "GW", "kV"]
_PER = r"(?:/\s*(?:日|天|年|小时|时|秒|h|d|a|s))"

# What may not follow a unit for it to count: 个月 is time, 个百分点 a rate, 方案 no unit at all.
_UNIT_GUARDS = {
    "个": "(?!百分点|月|季度|工作日|小时|星期)",
    "方": "(?![面案式向法针位])",
    "口": "(?![径岸])",
    "家": "(?![庭园])",
    "人": "(?![口均工员民])",
    "道": "(?![路])",
    "处": "(?![理置])",
    "名": "(?![录称单])",
    "条": "(?![件例款])",
    "项": "(?![目])",
    "台": "(?![账])",
    "米": "(?![粮])",
}


def _unit_pattern():
    chinese = sorted(_CHINESE_UNITS, key=len, reverse=True)
    parts = []
    for unit in chinese:
        parts.append(re.escape(unit) + _UNIT_GUARDS.get(unit, ""))
    ascii_units = sorted(_ASCII_UNITS, key=len, reverse=True)
    ascii_part = "(?:" + "|".join(re.escape(u) for u in ascii_units) + ")"
    # An ASCII unit is a whole word (1GW光伏 yes, 5 kmh no); a bare t only with a rate (3.0 t/h).
    return (
        rf"(?:(?:{ascii_part}){_PER}?(?![A-Za-z0-9])|t{_PER}(?![A-Za-z])"
        rf"|(?:{'|'.join(parts)}){_PER}?)"
    )


_NUMBER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?"
_PREFIX = r"(?:[十百千]?[万亿]|[千百])"
_APPROX = r"(?:余|多)"
_RANGE_SEP = r"[-~～—–至]"

_QUANTITY = re.compile(
    rf"(?<![\dA-Za-z.\-/^_#])(?P<number>{_NUMBER})"
    rf"(?:\s*(?P<prefix1>{_PREFIX})?\s*{_RANGE_SEP}\s*(?P<high>{_NUMBER}))?"
    rf"\s*(?P<approx1>{_APPROX})?\s*(?P<prefix>{_PREFIX})?\s*(?P<approx2>{_APPROX})?\s*"
    rf"(?P<unit>{_unit_pattern()})"
)

# Words right before the number that make it a threshold, not an amount of work.
_THRESHOLD_BEFORE = ("大于", "小于", "超过", "高于", "低于", "不足", "不低于", "不高于", "不超过", "每", "每秒", "每年",
                     "每天", "每日", "年均", "平均", "单个", "单台", "第")
# …and right after the unit.
_THRESHOLD_AFTER = ("及以上", "及以下", "以下", "以内", "以下的")
_AFTER_QUALIFIERS = ("以上", "左右")

_CLAUSE_BREAK = re.compile(r"[，。；：、,;:！？!?\n]")
# Framing words in front of a measure: they say that work is done, not which work.
_LEADING_FRAMES = (
    "积极推进", "加快推进", "有序推进", "持续推进", "全面推进", "重点推进", "工程计划", "初步拟定", "力争", "确保", "预计",
    "完成", "实现", "实施", "开展", "计划", "推进", "推动", "积极", "加快", "持续", "继续", "涉及", "包括", "其中",
    "拟定", "初步", "共计", "合计", "总计", "累计", "建设", "重点", "全面", "共", "总", "对", "约", "近", "再",
)
_TRAILING_FRAMES = ("共计", "合计", "总计", "累计", "达到", "建设", "实施", "完成", "开展", "各", "共", "约", "近",
                    "达", "为", "计", "的", "超")
_SUM_WORDS = ("共", "共计", "合计", "总计")
_BEFORE_QUALIFIERS = ("约", "近", "各")
_CONJUNCTIONS = "及和或与、"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－～", "0123456789.,-~")
_SUPERSCRIPTS = (("^3", "³"), ("^2", "²"))
MEASURE_MAX = 200


@dataclass(frozen=True)
class ExtractedQuantity:
    measure: str
    amount: Decimal
    unit: str
    amount_max: Decimal | None = None  # upper end of a range (12-15 万吨)
    qualifier: str = ""  # 约、余、以上 … as printed
    text: str = ""  # the number and unit as printed
    start: int = 0
    end: int = 0


def _decimal(text):
    return Decimal(text.replace(",", ""))


def normalize_unit(prefix, unit):
    """The unit without inner spaces, with m^3/m3 written m³ and km2 written km²."""
    unit = re.sub(r"\s+", "", unit)
    for ascii_form, superscript in _SUPERSCRIPTS:
        unit = unit.replace(ascii_form, superscript)
    unit = re.sub(r"(?<=m)3(?=$|/)", "³", unit)
    unit = re.sub(r"(?<=m)2(?=$|/)", "²", unit)
    return (prefix or "") + unit


_LEADING_YEAR = re.compile(r"^(?:到|至|在|于)?\d{4}\s*年(?:底前|底|前|内|末)?")


def _strip_leading(text):
    changed = True
    removed = []
    while changed and text:
        changed = False
        year = _LEADING_YEAR.match(text)
        if year:
            text = text[year.end():].lstrip()
            changed = True
            continue
        for word in _LEADING_FRAMES:
            if text.startswith(word) and len(text) >= len(word):
                text = text[len(word):].lstrip()
                removed.append(word)
                changed = True
                break
    return text, removed


def _strip_trailing(text):
    qualifier = ""
    changed = True
    while changed and text:
        changed = False
        for word in _TRAILING_FRAMES:
            if text.endswith(word):
                if word in _BEFORE_QUALIFIERS and not qualifier:
                    qualifier = word
                text = text[: -len(word)].rstrip()
                changed = True
                break
    return text, qualifier


def _clause_before(text, start, floor):
    """The clause in front of position `start`, not reaching back past `floor`."""
    head = text[floor:start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    if breaks:
        head = head[breaks[-1].end():]
    return head.strip()


def _phrase_after(text, end):
    """The words right after the unit, up to the clause's end (or to the next number)."""
    tail = text[end:]
    match = _CLAUSE_BREAK.search(tail)
    if match:
        tail = tail[: match.start()]
    tail = tail.strip()
    digit = re.search(r"\d", tail)
    if digit:
        head = tail[: digit.start()]
        cut = max(head.rfind(c) for c in _CONJUNCTIONS)
        tail = head[:cut] if cut > 0 else head
        tail = re.sub(r"(大于|小于|超过|高于|低于|不低于|不超过|每|共|约)$", "", tail.strip())
    return tail.strip()


def _clean_following(phrase):
    if phrase[:1] in "（(":
        return ""  # 5475 吨（15 吨/天）: a parenthesis restates, it names nothing
    phrase = re.sub(r"等+$", "", phrase)
    phrase = phrase.lstrip("的")
    for qualifier in _AFTER_QUALIFIERS:
        if phrase.startswith(qualifier):
            phrase = phrase[len(qualifier):].lstrip("的")
    phrase = phrase.replace("进行", "")
    return _tidy(phrase.strip())


def _tidy(measure):
    """Drop brackets and quotes left open at either end of a clipped phrase."""
    for opener, closer in (("（", "）"), ("(", ")"), ("“", "”"), ("《", "》")):
        if measure.startswith(opener) and closer not in measure:
            measure = measure[1:]
        if measure.endswith(closer) and opener not in measure:
            measure = measure[:-1]
    return measure.strip()


def extract_quantities(text):
    """Every physical quantity printed in `text`, in order of appearance."""
    if not text:
        return []
    text = text.translate(_FULL_WIDTH)
    found = []
    floor = 0
    for match in _QUANTITY.finditer(text):
        start, end = match.span()
        before = text[max(0, start - 4):start].rstrip()
        if before.endswith(_THRESHOLD_BEFORE):
            continue
        after = text[end:end + 4].lstrip()
        if after.startswith(_THRESHOLD_AFTER):
            continue
        if match.group("prefix1") and match.group("prefix1") != match.group("prefix"):
            continue  # 3万-5千亩: mixed magnitudes are not a range we can state in one unit
        qualifier = match.group("approx1") or match.group("approx2") or ""
        for word in _AFTER_QUALIFIERS:
            if after.startswith(word):
                qualifier = qualifier or word

        clause = _clause_before(text, start, floor)
        remainder, removed = _strip_leading(_tidy(clause))
        remainder, before_qualifier = _strip_trailing(remainder)
        remainder = _tidy(remainder)
        qualifier = before_qualifier or qualifier
        following = _clean_following(_phrase_after(text, end))
        if following:
            measure = f"{remainder}{following}" if 0 < len(remainder) <= 3 else following
        elif remainder:
            measure = remainder
        elif removed and removed[-1] in _SUM_WORDS:
            floor = end
            continue  # 共 70 平方公里: the sum of the items just listed, not a work of its own
        elif found and clause[:1] in "（(":
            measure = found[-1].measure  # 5475 吨（15 吨/天）: the same work, restated
        else:
            measure = "".join(removed) or "工程量"
        measure = _tidy(re.sub(r"\s+", "", measure))[:MEASURE_MAX] or "工程量"
        amount = _decimal(match.group("number"))
        high = _decimal(match.group("high")) if match.group("high") else None
        if high is not None and high < amount:
            amount, high = high, amount
        found.append(ExtractedQuantity(
            measure=measure, amount=amount, unit=normalize_unit(match.group("prefix"), match.group("unit")),
            amount_max=high, qualifier=qualifier, text=match.group(0), start=start, end=end,
        ))
        floor = end
    return found
