"""Sentences the pure layers write (an evaluation's "why this status", a plan's verdict, a
target in plain words) as a message id with plain values, rendered in a language when shown. No Django.

A `Phrase` is a `str` — its Chinese text, exactly what the pure layers wrote before — that also
remembers how it was made: a key of `TEMPLATES` (a gettext msgid with named placeholders,
`%(year)s`) and its parameters. A parameter is plain text (a figure already formatted by
`indicators.evaluation.formatting.format_number`, never 3.500000 or -0.00; a year; plan data as
printed), or itself a phrase: a `label()` (an interface word of a label table, translated as is),
a `joined()` list (、 in Chinese, ", " in English) or another template.

`to_json()` is what `EvaluationResult.explanation_steps` stores (keys and plain values, no text);
`render(data, translate)` turns a phrase or its JSON back into text with `translate(msgid,
context)` — Django's gettext / pgettext at display time (core.labels.phrase), or unchanged
for Chinese. A stored key that no longer exists raises KeyError, so callers fall back to the
stored Chinese text.
"""


def gettext_noop(text):
    """Marks a msgid for makemessages (the catalog holds its English) without translating it."""
    return text


def pgettext_noop(context, text):
    return text


PUNCTUATION = "punctuation"

# One table of the evaluation's explanation lines, the plan verdict and the target readings.
TEMPLATES = {
    # --- the lines every evaluation starts with (indicators.evaluation.prepare) ---
    "baseline_rate_none": gettext_noop("基期值：无（降低率自 %(base_year)s 年起累计）"),
    "baseline_rate_previous": gettext_noop(
        "基期值：%(raw)s（%(year)s年，上一时期数值，不作起点；降低率自 %(base_year)s 年起累计）"),
    "baseline": gettext_noop("基期值：%(value)s（%(year)s年）"),
    "baseline_text": gettext_noop("基期值：“%(raw)s”（%(year)s年，非数值）"),
    "baseline_none": gettext_noop("基期值：无（%(year)s年未列数值）"),
    "target_line": gettext_noop("目标（%(milestone)s年）：%(target)s（原文“%(raw)s”），%(better)s"),
    "target_assigned_number": gettext_noop("完成%(level)s下达指标：%(number)s"),
    "raw_with_number": gettext_noop("%(raw)s（%(number)s）"),
    "time_progress": gettext_noop("序时进度：（%(year)s−%(base_year)s）÷（%(milestone)s−%(base_year)s）= %(tau)s"),
    "current_value": gettext_noop("当前值：%(value)s（%(year)s年审定值）"),
    "current_value_stale": gettext_noop("当前值：%(value)s（%(year)s年审定值，数据未更新）"),
    "quoted": gettext_noop("“%(text)s”"),
    # cumulative series (降低率 chained, 〔x〕 added up)
    "series_cumulative": gettext_noop("%(year)s年累计 %(figure)s"),
    "series_cumulative_own": gettext_noop("%(year)s年累计 %(figure)s（折合当年 %(own)s%%）"),
    "series_yearly": gettext_noop("%(year)s年当年 %(figure)s"),
    "series_chained": gettext_noop("%(how)s，环比连乘 1−%(factors)s"),
    "series_added": gettext_noop("%(how)s，相加 %(terms)s"),
    "series_rate": gettext_noop("累计降低率（%(base_year)s年起至 %(year)s 年）：%(how)s → %(result)s%%"),
    "series_sum": gettext_noop("自 %(base_year)s 年累计：%(how)s → %(result)s"),
    "series_gap": gettext_noop("%(year)s年缺数，其后的逐年数值无法累计"),
    # --- the rules (indicators.evaluation.rules, rate_rules) ---
    "then": gettext_noop("%(line)s → %(outcome)s"),
    "no_values": gettext_noop("%(year)s年及以前无审定值"),
    "awaiting": gettext_noop("目标由上级下达，尚未录入下达数值"),
    "qualitative": gettext_noop("定性目标或非数值，须由审核员评价（完成 / 基本完成 / 未完成）→ 待评价"),
    "not_comparable": gettext_noop("当前值 %(value)s 不是可比较的数值"),
    "start_from_value": gettext_noop("基期值缺失，以 %(year)s 年审定值 %(value)s 为起点"),
    "nothing_to_add_up": gettext_noop("无可累计的审定值（逐年数据缺年）→ 无数据"),
    "completion": gettext_noop("完成进度：（%(value)s−%(start)s）÷（%(threshold)s−%(start)s）= %(completion)s"),
    "compare": gettext_noop("%(value)s %(op)s %(threshold)s"),
    "compare_approx_met": gettext_noop("%(value)s 在 %(threshold)s±%(tolerance)s%% 内或更优"),
    "compare_approx_not_met": gettext_noop("%(value)s 不在 %(threshold)s±%(tolerance)s%% 内且未更优"),
    "reason_met": gettext_noop("已达到目标"),
    "reason_no_start": gettext_noop("无基期值，无法计算完成进度，按滞后处理"),
    "reason_start_met": gettext_noop("起点 %(start)s 已达标，当前值退步"),
    "reason_no_completion": gettext_noop("完成进度无定义，与起点比较"),
    "reason_progress": gettext_noop("完成进度 %(completion)s %(op)s 序时进度 %(tau)s"),
    "rule_line": gettext_noop("%(target)s：%(comparison)s；%(reason)s"),
    "forecast": gettext_noop("预计：最小二乘直线过 %(points)s，外推至 %(year)s 年为 %(value)s"),
    "forecast_cumulative": gettext_noop("预计：累计值最小二乘直线过 %(points)s，外推至 %(year)s 年为 %(value)s"),
    "point": gettext_noop("(%(year)s, %(value)s)"),
    "single_value": gettext_noop("只有一个数值，无法判断趋势"),
    "trend_reached_zero": gettext_noop("%(target)s：%(value)s 已达零值，目标已实现"),
    "trend_reached_ceiling": gettext_noop("%(target)s：%(value)s 已达上限，目标已实现"),
    "trend_down": gettext_noop("%(target)s：自 %(start_year)s 年 %(start)s 至 %(year)s 年 %(value)s，"
                               "年均下降 %(rate)s%%，趋势%(trend)s；较上一审定值 %(previous)s %(change)s"),
    "trend_up": gettext_noop("%(target)s：自 %(start_year)s 年 %(start)s 至 %(year)s 年 %(value)s，"
                             "年均增长 %(rate)s%%，趋势%(trend)s；较上一审定值 %(previous)s %(change)s"),
    "no_start": gettext_noop("无基期值可比较"),
    "relation_met": gettext_noop("%(target)s：%(value)s 对比起点 %(start)s（%(year)s年）符合"),
    "relation_not_met": gettext_noop("%(target)s：%(value)s 对比起点 %(start)s（%(year)s年）不符合"),
    "class_compare": gettext_noop("类别 %(value)s %(op)s %(target)s"),
    "class_better": gettext_noop("类别 %(value)s 优于基期"),
    "class_not_better": gettext_noop("类别 %(value)s 未优于基期"),
    "class_not_worse": gettext_noop("类别 %(value)s 不劣于基期"),
    "class_worse": gettext_noop("类别 %(value)s 劣于基期"),
    "class_line_status": gettext_noop("%(target)s：%(rule)s（完成进度不适用）→ %(status)s"),
    "nothing_to_chain": gettext_noop("无可累计的降低率（逐年数据缺年或未报）→ 无数据"),
    "rate_progress": gettext_noop("完成进度 = ln(1−%(achieved)s%%)÷ln(1−%(target)s%%) = %(progress)s"),
    "rate_share": gettext_noop("累计降低 %(achieved)s%%，为目标 %(target)s%% 的 %(share)s（R_k÷R）"),
    "rate_needed": gettext_noop("剩余 %(years)s 年需年均降低 %(rate)s%%"),
    "rate_reason_met": gettext_noop("%(achieved)s%% ≥ %(target)s%%"),
    "rate_reason_invalid": gettext_noop("目标降低率无效，无法计算进度"),
    "rate_reason_progress": gettext_noop("%(achieved)s%% < %(target)s%%；完成进度 %(progress)s %(op)s 序时进度 %(tau)s"),
    "rate_line": gettext_noop("%(target)s：%(reason)s"),
    "rate_average": gettext_noop("年均降低率 = 1−(1−%(achieved)s%%)^(1/%(years)s) = %(rate)s%%"),
    "rate_trend_line": gettext_noop("%(target)s：趋势%(trend)s（较上一审定年份%(rebound)s）→ %(status)s"),
    # --- after the rule (indicators.evaluation.__init__) ---
    "milestone_reached": gettext_noop("已到目标年（%(year)s年），只论完成与否"),
    "binding_failed": gettext_noop("约束性指标未完成"),
    "stale": gettext_noop("数据未更新：评价依据为 %(year)s 年数值"),
    "judgement_without_reason": gettext_noop("审核评价“%(judgement)s”未附书面理由，不予采纳"),
    "judgement": gettext_noop("审核评价：%(judgement)s（理由：%(reason)s）→ %(status)s"),
    "sub_row": gettext_noop("子项 %(key)s：%(status)s"),
    "shared_missing": gettext_noop("共用目标：%(rows)s 无数据，其余已报送"),
    "shared_all_met": gettext_noop("共用目标：本项%(status)s，%(count)s 个子项均已完成"),
    "shared_not_all_met": gettext_noop("共用目标：本项%(status)s，%(count)s 个子项未全部完成"),
    # --- the plan's verdict (indicators.evaluation.summary) ---
    "verdict_provisional": gettext_noop("预评（终期评估前，仅供参考）：%(reason)s"),
    "verdict_veto": gettext_noop("约束性指标未完成 %(count)s 项（%(names)s），一票否决 → 不合格"),
    "verdict_nothing_decided": gettext_noop("尚无可判定的指标（均为待下达、待评价、无数据或数据不全）→ 不合格"),
    "verdict_binding_open": gettext_noop("约束性指标尚无终期判定 %(count)s 项（%(names)s），须补齐数据或审核评价后"
                                         "重新评估 → 不合格"),
    "verdict_pass": gettext_noop("已完成或符合序时进度 %(good)s 项，占已判定指标 %(decided)s 项的 %(share)s，"
                                 "不低于合格线 %(pass_share)s → 合格"),
    "verdict_fail": gettext_noop("已完成或符合序时进度 %(good)s 项，占已判定指标 %(decided)s 项的 %(share)s，"
                                 "低于合格线 %(pass_share)s → 不合格"),
    "verdict_undecided": gettext_noop("%(reason)s；另有%(counts)s未计入"),
    "status_count": gettext_noop("%(status)s %(count)s 项"),
    # --- the evaluation settings (indicators.evaluation.settings.EvaluationSettings.describe) ---
    "settings_approx": gettext_noop("约数目标容差：±%(tolerance)s（在目标值该范围内，或超过目标，视为完成）"),
    "settings_stable": gettext_noop("保持稳定容差：±%(tolerance)s（相对基期值）"),
    "settings_trend": gettext_noop("趋势类目标：年均变化（期望方向）≥ %(good)s 为符合要求，%(slow)s 至 %(good)s 为进展缓慢，"
                                   "低于 %(slow)s 为逆向"),
    "settings_veto_yes": gettext_noop("约束性指标一票否决：是"),
    "settings_veto_no": gettext_noop("约束性指标一票否决：否"),
    "settings_pass": gettext_noop("合格线：已完成或符合序时进度的指标占已评价指标 ≥ %(share)s"),
    "settings_indicator": gettext_noop("指标 %(key)s 单独设定：%(values)s"),
    "settings_value": gettext_noop("%(name)s %(value)s"),
    # --- a target in plain words (indicators.plans.targets.TargetSpec.describe) ---
    "target_better_than_class": gettext_noop("优于%(name)s"),
    "target_class_or_better": gettext_noop("达到或优于%(name)s"),
    "target_worse_than_class": gettext_noop("劣于%(name)s"),
    "target_class_or_worse": gettext_noop("%(name)s或更差"),
    "target_above": gettext_noop("高于 %(number)s"),
    "target_at_least": gettext_noop("不低于 %(number)s"),
    "target_below": gettext_noop("低于 %(number)s"),
    "target_at_most": gettext_noop("不高于 %(number)s"),
    "target_range": gettext_noop("%(low)s 至 %(high)s"),
    "target_approx": gettext_noop("约 %(number)s（%(tolerance)s）"),
    "target_reduction": gettext_noop("累计降低 %(number)s%%"),
    "target_cumulative": gettext_noop("五年累计 %(number)s"),
    "target_stable": gettext_noop("保持稳定（%(tolerance)s）"),
    "target_assigned_pending": gettext_noop("完成%(level)s下达指标（待下达数值）"),
    "target_assigned": gettext_noop("完成%(level)s下达指标（%(assigned)s）"),
    "assigned": gettext_noop("下达 %(number)s，%(document)s"),
    "target_qualitative": gettext_noop("定性目标：%(text)s"),
}

# Words of the label tables that phrases name (statuses, trends, judgements and water classes are
# marked in core.labels); the levels a target is assigned by are translated in this context.
LEVEL = "assigned by"
LABELS = [
    gettext_noop("越大越好"), gettext_noop("越小越好"), gettext_noop("方向未定"), gettext_noop("水质类别越小越好"),
    gettext_noop("降低率越大越好"), gettext_noop("未变差"), gettext_noop("变差"), gettext_noop("未反弹"),
    gettext_noop("反弹"), gettext_noop("无法判断"), gettext_noop("本项"), gettext_noop("不低于基期值"),
    gettext_noop("不高于基期值"), gettext_noop("持续下降"), gettext_noop("持续增长"), gettext_noop("持续改善"),
    gettext_noop("相对基期值"), gettext_noop("消除"), gettext_noop("无目标"),
    gettext_noop("约数目标容差"), gettext_noop("保持稳定容差"), gettext_noop("趋势符合要求下限"),
    gettext_noop("趋势进展缓慢下限"), gettext_noop("约束性指标一票否决"), gettext_noop("合格线"),
    gettext_noop("Ⅰ类"), gettext_noop("Ⅱ类"), gettext_noop("Ⅲ类"), gettext_noop("Ⅳ类"), gettext_noop("Ⅴ类"),
    gettext_noop("劣Ⅴ类"),
    pgettext_noop(LEVEL, "国家"), pgettext_noop(LEVEL, "省"), pgettext_noop(LEVEL, "市"), pgettext_noop(LEVEL, "县"),
    pgettext_noop(LEVEL, "区"), pgettext_noop(LEVEL, "上级"),
]


def _writer(template):
    """`template % params` as a compiled f-string — the same text (each `%(name)s` is
    `str(params[name])`, `%%` is %, a missing name raises KeyError), in half the time: the
    evaluation writes a dozen phrases per indicator-year."""
    pieces, names, rest = [], [], template
    while "%" in rest:
        literal, _, rest = rest.partition("%")
        pieces.append(literal.replace("{", "{{").replace("}", "}}"))
        if rest.startswith("%"):
            pieces.append("%")
            rest = rest[1:]
            continue
        name, closed, after = rest[1:].partition(")")
        if not (rest.startswith("(") and closed and after.startswith("s") and name.isidentifier()):
            return template.__mod__  # a directive other than %(name)s: let % write it
        names.append(name)
        pieces.append("{p[_%d]!s}" % (len(names) - 1))
        rest = after[1:]
    pieces.append(rest.replace("{", "{{").replace("}", "}}"))
    namespace = {f"_{number}": name for number, name in enumerate(names)}
    exec(f"def write(p):\n    return f{''.join(pieces)!r}\n", namespace)
    return namespace["write"]


_WRITERS = {key: _writer(template) for key, template in TEMPLATES.items()}


class Phrase(str):
    """A sentence: its Chinese text, and how to write it again in another language."""

    def __new__(cls, key, params=None, *, text=None):
        params = params or {}
        if text is None:
            text = _WRITERS[key](params)
        phrase = str.__new__(cls, text)
        phrase.key, phrase.params = key, params
        return phrase

    def __reduce__(self):
        return _restore, (self.key, self.params, str(self))

    def to_json(self):
        return {"k": self.key, "p": {name: to_json(value) for name, value in self.params.items()}}


class Label(Phrase):
    """A word of a label table, translated as it is (optionally in a gettext context)."""

    def __new__(cls, text, context=None):
        phrase = str.__new__(cls, text)
        phrase.key, phrase.params, phrase.context = None, {}, context
        return phrase

    def __reduce__(self):
        return Label, (str(self), self.context)

    def to_json(self):
        return {"t": str(self), "c": self.context} if self.context else {"t": str(self)}


class Joined(Phrase):
    """Items in a list: 、 between them in Chinese, ", " in English."""

    def __new__(cls, items, separator="、"):
        items = list(items)
        phrase = str.__new__(cls, separator.join(items))
        phrase.key, phrase.params, phrase.items, phrase.separator = None, {}, items, separator
        return phrase

    def __reduce__(self):
        return Joined, (self.items, self.separator)

    def to_json(self):
        return {"j": [to_json(item) for item in self.items], "s": self.separator}


def _restore(key, params, text):
    return Phrase(key, params, text=text)


_new = str.__new__


_CONSTANTS = {}  # key → the phrase of a template without placeholders (已达到目标 …): one serves every use


def phrase(key, /, **params):
    # Phrase(key, params) without its __new__: an evaluation makes a dozen of these per year.
    if not params:
        made = _CONSTANTS.get(key)
        if made is None:
            made = _CONSTANTS[key] = Phrase(key, {})
        return made
    made = _new(Phrase, _WRITERS[key](params))
    made.__dict__ = {"key": key, "params": params}
    return made


_LABELS = {}  # (text, context) → Label: a label is immutable, so one instance serves every step


def label(text, context=None):
    made = _LABELS.get((text, context))
    if made is None:
        made = Label(text, context)
        if len(_LABELS) < 10_000:
            _LABELS[text, context] = made
    return made


def then(line, outcome):
    """`line → outcome` (a status, 预计可完成 …): the form `evaluate` drops at the milestone."""
    if not isinstance(outcome, Phrase):
        outcome = label(outcome)
    made = _new(Phrase, f"{line} → {outcome}")  # TEMPLATES["then"]
    made.__dict__ = {"key": "then", "params": {"line": line, "outcome": outcome}}
    return made


def to_json(value):
    if isinstance(value, Phrase):
        return value.to_json()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def chinese(value):
    return value


def render(value, translate=None):
    """`value` (a phrase, its JSON, or plain text) in the language of `translate(msgid, context)`;
    without `translate`, in Chinese."""
    if translate is None:
        return str(value) if isinstance(value, Phrase) else str(_render(value, _identity))
    return _render(value, translate)


def _identity(text, context=None):
    return text


def _render(value, translate):
    if isinstance(value, Phrase):
        value = value.to_json()
    if isinstance(value, dict):
        if "t" in value:
            return translate(value["t"], value.get("c"))
        if "j" in value:
            separator = value.get("s", "、")
            if separator in ("、", "；", "，"):
                separator = translate(separator, PUNCTUATION)
            return separator.join(_render(item, translate) for item in value["j"])
        template = translate(TEMPLATES[value["k"]], None)
        return template % {name: _render(item, translate) for name, item in value.get("p", {}).items()}
    return "" if value is None else str(value)
