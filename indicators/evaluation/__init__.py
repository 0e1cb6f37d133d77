"""进展评估: evaluate one indicator for one data year against its plan's target. No Django.

The method. For an indicator with base year Y0, milestone year Y1, baseline B and target threshold
T, evaluated at data year Y with V the latest approved value for a year ≤ Y:

- 序时进度 τ = (Y − Y0)/(Y1 − Y0), clamped to 0..1 (60 % in 2023 for a 2020 → 2025 plan);
- 完成进度 κ = (V − B)/(T − B) where both are numbers and T ≠ B;
- status: 已完成 met when V satisfies the target as parsed; otherwise 符合序时进度 when κ ≥ τ,
  滞后 when 0 ≤ κ < τ, 逆向 when κ < 0; 待下达 while a 完成市下达指标 target has no number;
  待评价 for qualitative targets and non-numeric values until a reviewer's judgement; 无数据.
  At the milestone year only 已完成 / 未完成, 待评价 and 无数据 remain; a binding (约束性) indicator
  not met is flagged `binding_failed`. `stale` (数据未更新) flags a V older than Y.
- 预计: the least-squares line through the baseline and the approved values, read at Y1.
- 降低率 indicators (单位GDP能耗降低 …) chain yearly rates and measure progress by
  ln(1 − R_k)/ln(1 − R); 持续下降 / 持续增长 targets are judged by their compound annual change.
  See rates.py for the maths, rules.py (one rule per target kind, in its dispatch table) and
  rate_rules.py for the rules, and prepare.py for what is worked out once per indicator (the
  threshold of each kind, ≥ / ≤ / range, the direction and the series).

Decisions where the method is silent (each also shown in an evaluation's explanation):
- Values for years before Y0 are ignored (they belong to the previous plan period).
- A missing baseline (—, /, 断流) is replaced, for measuring change, by the earliest approved number
  in the plan period; τ still counts from Y0. Without any starting number a threshold target that
  is not met is 滞后 (progress cannot be shown), and a relative target with a single value is 待评价.
- A baseline that already meets the target (用水总量 6200 against a cap of 8600) leaves κ undefined;
  falling back past the target is then 逆向.
- 保持稳定 is met within ±stable_tolerance of B, or beyond it in the indicator's better direction.
- Reviewer judgements count only with a written reason, only where the rules cannot decide (待评价,
  待下达), and only on the latest approved value. 完成 → met; 基本完成 → 符合序时进度 before the
  milestone and 未完成 at it (a 基本完成 is not a completed target for the final assessment);
  未完成 → 滞后 before, 未完成 at it.
- At the milestone a target still 待下达 becomes 待评价: someone must judge it against the number
  the higher level eventually used.
- A range (8-10) needs only its end nearer the baseline; a 降低率 range needs its lower end.
- 持续下降 / 持续增长 at a good pace (≥ trend_good a year) but worse than the previous approved
  value is 符合序时进度, not 已完成; a value of 0 for a decrease, or the `ceiling` for a rise, is
  已完成 whatever the pace.
- Water classes that miss the target without being worse than the baseline class are 滞后.
- 降低率 indicators: the printed baseline is the previous period's figure and not a starting
  point — reductions are counted from 0 at Y0; a number assigned to 完成市下达指标 is then a
  cumulative reduction target. A 持续下降 target on such an indicator is judged by the average
  yearly reduction. rate_mode None is read as the year's own rate (比上年降低), as statistical
  bulletins print it; a missing year breaks the yearly chain until a cumulative figure comes.
- An indicator direction of "none" with a numeric target is read from the target against the
  baseline (below it: lower is better), else as higher is better. The stored direction itself
  comes from the target first (plans/directions.py): 38.57 → 100 rises even for a 黑臭水体整治率.
- A target written as a reduction (下降18%, 较2020年降低x%) makes the indicator a 降低率.
- At the milestone a row has one verdict: the rule's "→ 滞后" gives way to "→ 未完成", and a
  final evaluation names no yearly rate still needed.
- A shared-target group (共用目标) with some rows reported and some not is 数据不全 (incomplete).

Counting as the plan counts, and the plan's verdict (一票否决, 合格线): summary.py. Numbers in
explanations: formatting.py (format_number), shared with pages and reports. Each step is a
`core.phrases.Phrase`: its Chinese text, and the template key and values that write it again in
the reader's language (`EvaluationResult.explanation_steps` stores them).
"""
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

from core.phrases import Joined, label, phrase, then
from indicators.evaluation.prepare import prepare
from indicators.evaluation.rules import STATUS_LABELS, STATUSES, awaiting_rule
from indicators.evaluation.settings import DEFAULTS, EvaluationSettings
from indicators.evaluation.summary import DECIDED, SUMMARY_KEYS, PlanRow, plan_counts, plan_verdict, summarise
from indicators.evaluation.rates import TREND_LABELS
from indicators.plans.targets import ParsedValue, TargetSpec

__all__ = ["STATUSES", "STATUS_LABELS", "TREND_LABELS", "JUDGEMENT_LABELS", "DEFAULTS", "EvaluationSettings",
           "Observation", "IndicatorFacts", "Evaluation", "evaluate", "combine_shared_target", "totals",
           "plan_grade", "SUMMARY_KEYS", "PlanRow", "plan_counts", "plan_verdict", "summarise"]

# 审核评价 / 完成情况: the one label table, for the stored codes (IndicatorValue.judgement and
# reviewer_judgement, the API, the entry form and its .xlsx all use these; indicators.entry.rules reads it).
JUDGEMENTS = ("done", "mostly_done", "not_done")
JUDGEMENT_LABELS = {"done": "完成", "mostly_done": "基本完成", "not_done": "未完成"}
_JUDGEMENT_ALIASES = {"mostly": "mostly_done", "": None}  # the evaluation's own earlier spelling
_STATUS_AFTER_MILESTONE = {"on_track": "not_met", "behind": "not_met", "regressing": "not_met",
                           "awaiting_target": "needs_judgement"}


@dataclass(frozen=True)
class Observation:
    """One approved yearly value as the bureau reported it."""
    year: int
    number: Decimal | None = None
    water_class: int | None = None
    text: str = ""
    rate_mode: str | None = None       # 降低率口径: "yearly" (当年) / "cumulative" (较基期累计) / None
    judgement: str | None = None       # reviewer's 审核评价: "done" / "mostly_done" / "not_done"
    judgement_reason: str = ""         # 评价理由; a judgement without one does not count

    def __post_init__(self):
        if self.rate_mode not in (None, "yearly", "cumulative"):
            if self.rate_mode != "":
                raise ValueError(f"降低率口径须为 yearly 或 cumulative，收到 {self.rate_mode!r}")
            object.__setattr__(self, "rate_mode", None)
        judgement = _JUDGEMENT_ALIASES.get(self.judgement, self.judgement)
        if judgement is not None and judgement not in JUDGEMENTS:
            raise ValueError(f"审核评价须为 完成 / 基本完成 / 未完成（done / mostly_done / not_done），收到 {self.judgement!r}")
        if judgement != self.judgement:
            object.__setattr__(self, "judgement", judgement)


@dataclass(frozen=True)
class IndicatorFacts:
    """Everything the evaluation needs about one indicator row and one of its milestone targets."""
    key: str
    binding: bool                       # 约束性
    direction: str                      # "up" / "down" / "none" (directions.derive_direction)
    base_year: int
    milestone_year: int
    baseline: ParsedValue
    target: TargetSpec                  # for a sub-row sharing its parent's target: the parent's
    observations: tuple[Observation, ...]  # approved only, any order
    assigned_value: Decimal | None = None  # the number a 完成市下达指标 target was given
    is_rate: bool = False               # a 降低率 (reduction rate, %) reported yearly or cumulatively
    value_type: str = "number"          # "number" / "water_class" / "text"
    baseline_year: int | None = None    # when the baseline is older than base_year (盐湖区 * = 2019)
    ceiling: Decimal | None = None      # a natural maximum (100 for a 利用率): 持续增长 is met there

    @cached_property
    def prepared(self):
        """The year-independent part of the evaluation, built on first use (the facts are frozen)."""
        return prepare(self)


@dataclass(frozen=True)
class Evaluation:
    key: str
    year: int
    status: str                         # one of STATUSES
    completion: float | None            # 完成进度 κ (or ln-progress for 降低率); None where undefined
    time_progress: float                # 序时进度 τ
    value: object                       # Decimal as reported, a water class number, or None
    value_year: int | None
    stale: bool                         # 数据未更新: value_year < year
    binding_failed: bool                # 约束性指标未完成
    forecast: float | None              # 预计 value at the milestone year
    forecast_status: str | None         # "likely" (预计可完成) / "unlikely" (预计难以完成) / None
    trend: str | None                   # rates.TREND_LABELS key for 持续下降 / 持续增长 targets
    needed_yearly_rate: float | None    # 降低率: average yearly reduction still needed, in %
    cumulative_rate: float | None       # 降低率: cumulative reduction since base year, in %; 〔x〕: the sum
    explanation: str                    # the steps, one per line
    steps: tuple[str, ...]
    binding: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def trend_label(self) -> str | None:
        return TREND_LABELS.get(self.trend) if self.trend else None


def evaluate(facts: IndicatorFacts, year: int, settings: EvaluationSettings = DEFAULTS) -> Evaluation:
    """The status of `facts` at data year `year`, with the reasoning in `steps`."""
    # The cached_property's own first access takes a lock; reading its slot directly does not.
    p = facts.__dict__.get("prepared")
    if p is None:
        p = facts.__dict__["prepared"] = prepare(facts)
    timing = _TIME_PROGRESS.get((year, p.base_year, p.milestone))
    if timing is None:
        timing = _time_progress(year, p.base_year, p.milestone)
    tau = timing[0]
    steps = [*p.header, timing[1]]
    observations = p.observations
    index = len(observations) - 1
    while index >= 0 and observations[index].year > year:
        index -= 1
    latest = observations[index] if index >= 0 else None
    if latest is None and p.rule is not awaiting_rule:
        steps.append(then(phrase("no_values", year=year), STATUS_LABELS["no_data"]))
        status, outcome = "no_data", None
    else:
        if latest is not None:
            steps.append(p.value_line(index, latest.year < year))
        outcome = p.rule(p, index, year, tau, settings, steps)
        status = outcome.status
    at_milestone = year >= p.milestone
    if status in ("needs_judgement", "awaiting_target") and latest is not None and latest.judgement:
        status = _apply_judgement(latest, at_milestone, status, steps)
    if at_milestone and status in _STATUS_AFTER_MILESTONE:
        # One verdict per row: the rule's "→ 滞后" gives way to the milestone's "→ 未完成".
        _drop_verdict(steps, STATUS_LABELS[status])
        status = _STATUS_AFTER_MILESTONE[status]
        steps.append(_milestone_line(p.milestone, status))
    binding_failed = p.binding and status == "not_met"
    if binding_failed:
        steps.append(phrase("binding_failed"))
    if outcome is None:
        return _evaluation(facts.key, year, status, None, tau, None, None, False, binding_failed, None, None,
                           None, None, None, steps, p.binding)
    value_year = outcome.value_year
    stale = value_year is not None and value_year < year
    if stale and (latest is None or value_year != latest.year):
        steps.append(phrase("stale", year=value_year))
    return _evaluation(facts.key, year, status, outcome.completion, tau, outcome.value, value_year, stale,
                       binding_failed, outcome.forecast, outcome.forecast_status, outcome.trend,
                       outcome.needed, outcome.cumulative, steps, p.binding)


def _evaluation(key, year, status, completion, time_progress, value, value_year, stale, binding_failed,
                forecast, forecast_status, trend, needed_yearly_rate, cumulative_rate, steps, binding):
    """Evaluation(...) without the frozen dataclass __init__, which sets each of its 17 fields
    through object.__setattr__ and costs about half of a warm evaluation; the result is the same."""
    evaluation = object.__new__(Evaluation)
    evaluation.__dict__.update(
        key=key, year=year, status=status, completion=completion, time_progress=time_progress, value=value,
        value_year=value_year, stale=stale, binding_failed=binding_failed, forecast=forecast,
        forecast_status=forecast_status, trend=trend, needed_yearly_rate=needed_yearly_rate,
        cumulative_rate=cumulative_rate, explanation="\n".join(steps), steps=tuple(steps), binding=binding)
    return evaluation


_TIME_PROGRESS = {}  # (year, base year, milestone) → (τ, its explanation line); a few dozen at most


def _time_progress(year, base_year, milestone):
    span = milestone - base_year
    tau = 1.0 if span <= 0 else min(1.0, max(0.0, (year - base_year) / span))
    timing = (tau, phrase("time_progress", year=year, base_year=base_year, milestone=milestone, tau=f"{tau:.2f}"))
    if len(_TIME_PROGRESS) < 10_000:
        _TIME_PROGRESS[year, base_year, milestone] = timing
    return timing


_MILESTONE_LINES = {}  # (milestone, status) → its line; a few dozen at most


def _milestone_line(milestone, status):
    line = _MILESTONE_LINES.get((milestone, status))
    if line is None:
        line = then(phrase("milestone_reached", year=milestone), STATUS_LABELS[status])
        if len(_MILESTONE_LINES) < 10_000:
            _MILESTONE_LINES[milestone, status] = line
    return line


def _drop_verdict(steps, label):
    """Remove the " → label" ending of the last line that has it (the rule's own verdict)."""
    for position in range(len(steps) - 1, -1, -1):
        step = steps[position]
        if getattr(step, "key", None) == "then" and step.params["outcome"] == label:
            steps[position] = step.params["line"]
            return


def _apply_judgement(observation, at_milestone, status, steps):
    judgement = label(JUDGEMENT_LABELS[observation.judgement])
    reason = observation.judgement_reason.strip()
    if not reason:
        steps.append(then(phrase("judgement_without_reason", judgement=judgement), STATUS_LABELS[status]))
        return status
    judged = {"done": "met", "mostly_done": "not_met" if at_milestone else "on_track",
              "not_done": "not_met" if at_milestone else "behind"}[observation.judgement]
    steps.append(phrase("judgement", judgement=judgement, reason=reason, status=label(STATUS_LABELS[judged])))
    return judged


# Worst first: the status a parent row sharing one target with its sub-rows takes from them.
_COMBINED_ORDER = ("not_met", "regressing", "behind", "awaiting_target", "needs_judgement", "no_data",
                   "incomplete", "on_track", "met")


def combine_shared_target(parent: Evaluation, children: list[Evaluation]) -> Evaluation:
    """A parent row whose one target covers its sub-rows (化学需氧量 with 氨氮 …) is met only when
    the parent and every sub-row are; otherwise it takes the worst status among them (order above:
    a known shortfall outranks missing data, and missing data outranks 符合序时进度). Each row is
    judged on its own evaluation (a sub-row may carry its own assigned number).

    Where some rows have no data and the others reported nothing worse than 符合序时进度 / 已完成,
    the group is 数据不全 (not 无数据: something was reported); 无数据 only when no row has data.
    The result keeps the parent's own figures (value, 完成进度) — the sub-rows show theirs — with
    the group's status and a line per sub-row."""
    if not children:
        return parent
    rows = [parent, *children]
    status = min((row.status for row in rows), key=_COMBINED_ORDER.index)
    missing = [row for row in rows if row.status == "no_data"]
    if status == "no_data" and len(missing) < len(rows):
        status = "incomplete"
    forecasts = [row.forecast_status for row in rows]
    forecast_status = ("unlikely" if "unlikely" in forecasts
                       else "likely" if all(f == "likely" for f in forecasts) else None)
    child_lines = tuple(phrase("sub_row", key=child.key, status=label(child.label)) for child in children)
    if status == "incomplete":
        gone = Joined(label("本项") if row is parent else row.key for row in missing)
        verdict = then(phrase("shared_missing", rows=gone), STATUS_LABELS[status])
    else:
        verdict = then(phrase("shared_all_met" if status == "met" else "shared_not_all_met",
                              status=label(parent.label), count=len(children)), STATUS_LABELS[status])
    binding_failed = parent.binding and status == "not_met"
    parent_steps = parent.steps
    if parent_steps and parent_steps[-1] == "约束性指标未完成":
        parent_steps = parent_steps[:-1]  # said once, after the group's verdict
    steps = (*parent_steps, *child_lines, verdict, *((phrase("binding_failed"),) if binding_failed else ()))
    return replace(parent, status=status, stale=any(row.stale for row in rows), binding_failed=binding_failed,
                   forecast_status=forecast_status, explanation="\n".join(steps), steps=steps)


def totals(evaluations: Iterable[Evaluation], binding_keys: set[str]) -> dict:
    """Counts per status for all indicators and for the binding ones, with 约束性指标完成率."""
    all_counts = dict.fromkeys(STATUSES, 0)
    binding_counts = dict.fromkeys(STATUSES, 0)
    stale = failed = 0
    for evaluation in evaluations:
        all_counts[evaluation.status] += 1
        if evaluation.key in binding_keys:
            binding_counts[evaluation.status] += 1
        stale += evaluation.stale
        failed += evaluation.binding_failed
    count, binding_count = sum(all_counts.values()), sum(binding_counts.values())
    return {
        "all": all_counts,
        "binding": binding_counts,
        "count": count,
        "binding_count": binding_count,
        "binding_met_share": binding_counts["met"] / binding_count if binding_count else None,
        "stale": stale,
        "binding_failed": failed,
    }


def plan_grade(evaluations: Iterable[Evaluation], binding_keys: set[str],
               settings: EvaluationSettings = DEFAULTS) -> str:
    """"fail" when a binding indicator is not met and binding_veto holds (一票否决); otherwise "pass"
    when at least pass_share of the decided indicators are met or on track, "fail" below it, and
    "pending" when nothing can be decided yet (all 待下达 / 待评价 / 无数据)."""
    good = decided = 0
    for evaluation in evaluations:
        if settings.binding_veto and evaluation.status == "not_met" and (
                evaluation.binding_failed or evaluation.key in binding_keys):
            return "fail"
        if evaluation.status in DECIDED:
            decided += 1
            good += evaluation.status in ("met", "on_track")
    if not decided:
        return "pending"
    return "pass" if good >= settings.pass_share * decided - 1e-9 else "fail"
