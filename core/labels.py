"""The interface vocabulary that the pure layers (indicators.evaluation, reporting.workflow) keep
as plain Chinese strings, translated at the edge: those modules import no Django, so their label
tables hold msgids, marked here for makemessages and translated with `label()` when shown.

`label()` of a string the catalog does not hold returns it unchanged (Chinese), which the
English page test (tests/test_i18n.py) then reports."""
from django.utils.translation import gettext, gettext_noop, pgettext

from core import phrases

# 评估状态 (indicators.evaluation.rules.STATUS_LABELS)
gettext_noop("已完成")
gettext_noop("未完成")
gettext_noop("符合序时进度")
gettext_noop("滞后")
gettext_noop("逆向")
gettext_noop("待下达")
gettext_noop("待评价")
gettext_noop("无数据")
gettext_noop("数据不全")
# 趋势 (indicators.evaluation.rates.TREND_LABELS) and 审核评价 (JUDGEMENT_LABELS)
gettext_noop("符合要求")
gettext_noop("进展缓慢")
gettext_noop("已达极值")
gettext_noop("完成")
gettext_noop("基本完成")
# 填报状态 and actions are marked in reporting.workflow itself and translated by reporting.labels.
# 对比 notes (indicators.regional.selectors.compare_counties)
gettext_noop("无规划")
gettext_noop("规划无此指标")
# 报告模板占位符 (indicators.reports.docx_gbt9704.PLACEHOLDERS)
gettext_noop("报告标题，如“绛县“十四五”生态环境保护规划终期评估报告”")
gettext_noop("发文机关署名（可在报告页面修改）")
gettext_noop("成文日期，如“2026年12月4日”（可在报告页面修改）")
gettext_noop("行政区划名称")
gettext_noop("规划名称")
gettext_noop("中期评估 / 终期评估")
gettext_noop("是否含示例数据（真/假，可用于 {% if synthetic %}）")
gettext_noop("含示例数据时为“示例数据”提示，否则为空")
gettext_noop("报告正文（必须单独占一段）：一至五部分、指标表和附件说明")
gettext_noop("附件：判定依据（单独占一段，放在署名和日期之后、版记之前；缺省时附在文末）")
# 预计 (EvaluationResult.forecast_label)
gettext_noop("预计可完成")
gettext_noop("预计难以完成")


def _translate(msgid, context=None):
    return pgettext(context, msgid) if context else gettext(msgid)


def phrase(value):
    """A `core.phrases.Phrase` (or its stored JSON) in the active language; plain text unchanged."""
    if isinstance(value, (phrases.Phrase, dict)):
        return phrases.render(value, _translate)
    return "" if value is None else str(value)


def phrase_lines(steps, fallback=""):
    """Explanation steps (phrases or their stored JSON) as lines in the active language; the stored
    Chinese `fallback` text, one line per step, where there are no steps or one no longer renders."""
    if steps:
        try:
            return [phrase(step) for step in steps]
        except (KeyError, TypeError, ValueError):
            pass
    return [line for line in (fallback or "").splitlines() if line]


def label(text):
    """`text` (a label of a pure layer's table) in the active language."""
    return gettext(text) if text else text


def bracketed(text, inner):
    """"name（unit）" in Chinese, "name (unit)" in English; `text` alone without `inner`."""
    if not inner:
        return text
    return f"{text}{pgettext('punctuation', '（')}{inner}{pgettext('punctuation', '）')}"
