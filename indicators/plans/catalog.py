"""Linking plan indicators to catalog measures (指标目录) by normalised name and aliases.

Plans word the same measure differently (比例 / 比率, 设区城市… / 全市…, 单位地区生产总值 /
单位GDP / 万元GDP); normalising both sides lets counties be compared on one measure. No Django
imports: the matcher takes any objects with `name` and `aliases`.
"""
import re
import unicodedata

_DROP = re.compile(r"[\s（）()【】\[\]“”\"'·、，,：:]")
_PREFIXES = ("设区城市", "全市", "全县", "全区", "全省", "县城", "城市", "全域")
_SYNONYMS = (
    ("单位地区生产总值", "单位GDP"),
    ("万元地区生产总值", "单位GDP"),
    ("万元GDP", "单位GDP"),
    ("比率", "比例"),
    ("μg/m3", ""),
    ("PM2.5", "PM25"),
    ("细颗粒物PM25浓度", "细颗粒物浓度"),
    ("PM25浓度", "细颗粒物浓度"),
    ("能源消耗", "能耗"),
    ("降低", "下降"),
    ("好于", "优于"),
    ("Ⅲ", "III"),
    ("Ⅴ", "V"),
)


def normalise(name):
    """A comparison key: NFKC (full-width → half-width), punctuation and spaces dropped,
    administrative prefixes dropped, and synonymous wordings mapped to one."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _DROP.sub("", text)
    text = text.replace("µ", "μ")
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 2:
            text = text[len(prefix):]
    for old, new in _SYNONYMS:
        text = text.replace(old, new)
    return text.upper()


class MeasureMatcher:
    def __init__(self, measures):
        self._index = {}
        for measure in measures:
            for label in [measure.name, *(measure.aliases or [])]:
                self._index.setdefault(normalise(label), measure)

    def match(self, name):
        """The measure whose name or alias normalises to the same key, or None."""
        return self._index.get(normalise(name))
