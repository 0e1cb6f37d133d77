"""Property-based tests (hypothesis) of the parsers and small guards that every request and
import goes through: they never raise on any text, keep what was typed, and stay in range."""
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.security import has_nul, int_or
from indicators.entry.rules import MAX_MAGNITUDE, parse_entry
from indicators.entry.xlsx import FORMULA_PREFIXES, neutralise, unneutralise
from indicators.plans.targets import TARGET_KINDS, normalise_number_text, parse_target, parse_value
from projects.export import safe_text
from reporting.evidence import clean_name

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what people type into these cells: digits (ASCII and full-width), signs,
# units, brackets, Chinese phrases, water classes, marks — mixed with anything at all.
PIECES = st.sampled_from([
    "≥", "≤", ">", "<", "不低于", "不超过", "以上", "以下", "左右", "约", "累计", "[", "]", "〔", "〕", "%", "‰", "％",
    "万吨", "万亩", "mg/L", "m³", "-", "—", "~", "至", ".", "。", ",", "，", "e", "E", "+", "*", "¹", "Ⅲ", "劣Ⅴ", "类",
    "完成市下达指标", "不减少", "稳中向好", "基期值", "０", "１", "９", "0", "1", "5", "9", " ", "\u200b", "\x00", "\u202e",
])
TYPED = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(PIECES, st.text(alphabet=string.digits, min_size=1, max_size=25)), max_size=12).map("".join),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
)


@FAST
@given(TYPED)
@example("9" * 5000)
@example("-1e999")
@example("1e-999999")
@example("NaN")
@example("[12.5]*")
@example("≥75%以上")
def test_parse_value_never_raises_and_keeps_raw(raw):
    parsed = parse_value(raw)
    assert parsed.raw == raw
    assert parsed.kind in ("none", "number", "water_class", "text")
    if parsed.kind == "number":
        assert parsed.number.is_finite()
    if parsed.kind == "water_class":
        assert 1 <= parsed.water_class <= 6


@FAST
@given(TYPED)
@example("9" * 5000)
@example("8-10")
@example("完成省、市下达指标")
@example("(累计)15")
def test_parse_target_never_raises_and_keeps_raw(raw):
    spec = parse_target(raw)
    assert spec.raw == raw
    assert spec.kind in TARGET_KINDS
    for number in (spec.value, spec.low, spec.high):
        assert number is None or number.is_finite()
    if spec.kind == "range":
        assert spec.low <= spec.high
    assert isinstance(spec.describe(), str)


def test_none_is_parsed_as_none():
    assert parse_value(None).kind == "none" and parse_target(None).kind == "none"


@FAST
@given(raw=st.one_of(st.none(), TYPED), value_type=st.sampled_from(["number", "text", "water_class", "other"]),
       unit=st.one_of(st.sampled_from(["%", "‰", "万吨", "", "％"]), st.text(max_size=10)),
       judgement=st.one_of(st.sampled_from(["", "done", "mostly_done", "not_done"]), st.text(max_size=10)))
@example(raw="²", value_type="number", unit="%", judgement="")
@example(raw="9" * 5000, value_type="number", unit="", judgement="")
def test_parse_entry_never_raises_and_errors_or_gives_a_sane_value(raw, value_type, unit, judgement):
    entry = parse_entry(raw, indicator_name="森林覆盖率", value_type=value_type, unit=unit, judgement=judgement)
    assert entry.ok != bool(entry.error)
    assert len(entry.raw) <= 50  # fits the column, whatever came in
    if entry.number is not None:
        assert entry.number.is_finite() and abs(entry.number) < MAX_MAGNITUDE
        assert len(entry.number.as_tuple().digits) <= 60
    if not entry.ok:
        assert "森林覆盖率" in entry.error


@FAST
@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_reads_back(text):
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_PREFIXES)
    assert unneutralise(safe) == text
    assert not safe_text(text).startswith(FORMULA_PREFIXES)


@FAST
@given(st.one_of(st.none(), st.text(), st.integers().map(str)))
@example("²")
@example("٣")
@example("9" * 5000)
def test_int_or_never_raises_and_accepts_only_plain_digits(text):
    value = int_or(text, default=-1)
    if value != -1:
        plain = text.strip()
        assert plain.isascii() and plain.isdigit() and len(plain) <= 18 and int(plain) == value
    else:
        assert text is None or not (text.strip().isascii() and text.strip().isdigit() and len(text.strip()) <= 18)


@FAST
@given(st.recursive(st.one_of(st.text(), st.integers(), st.none()),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                    max_leaves=20))
def test_has_nul_finds_a_nul_anywhere(value):
    def walk(v):
        if isinstance(v, str):
            return "\x00" in v
        if isinstance(v, dict):
            return any(walk(k) or walk(x) for k, x in v.items())
        if isinstance(v, list):
            return any(walk(x) for x in v)
        return False

    assert has_nul(value) == walk(value)


@FAST
@given(st.text())
@example("../../etc/passwd")
@example("\u202egnp.exe")
@example("C:\\Windows\\evil.pdf")
def test_clean_name_never_keeps_a_path_or_a_control_character(name):
    cleaned = clean_name(name)
    assert cleaned and len(cleaned) <= 200
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(ord(ch) < 32 or ch in "\x7f\u202e\u202d\u2066\u2067\u2068\u2069\u200f\u200e" for ch in cleaned)


@FAST
@given(st.text())
def test_normalising_number_text_never_raises(text):
    assert isinstance(normalise_number_text(text), str)
