"""总体情况: a plan's indicators counted as the plan counts them, and its verdict (合格 / 不合格). No Django.

Counting. A plan prints its indicators by its own numbering (绛县: "规划共设置指标25项……其中约束性指标
15项"), and the table has more rows than that: sub-rows under a numbered row (绛县 15's 氨氮 /
氮氧化物 / VOCs / 二氧化硫, 运城市 18–21 under 17, 盐湖区 7's 其中黄河流域). A sub-row is shown, and
evaluated, but not counted: its numbered row counts once, and where the two share one target
(共用目标) the numbered row carries the group's status (`combine_shared_target`). So the counts,
the status distribution and 约束性指标完成率 are over the plan's own numbering.

The verdict (`plan_verdict`), from `EvaluationSettings`:
- 一票否决 (binding_veto): a counted binding indicator 未完成 fails the plan;
- 合格线 (pass_share): otherwise the plan passes when at least pass_share of its decided indicators
  (已完成 / 符合序时进度 / 滞后 / 逆向 / 未完成) are 已完成 or 符合序时进度;
- with nothing decided yet (all 待下达 / 待评价 / 无数据 / 数据不全) it does not pass;
- in a final evaluation a counted binding indicator still undecided (无数据, 待评价, 待下达, 数据不全)
  fails the plan as well: a plan is 合格 only when each of its binding indicators is shown met or
  on course, so one met row among 24 undecided ones is not a verdict a county can file;
- before the plan's final year the verdict is provisional (预评): 未完成 is only decided at a
  milestone, so the veto there can only come from an earlier milestone.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from core.phrases import Joined, label, phrase
from indicators.evaluation.rules import STATUS_LABELS, STATUSES
from indicators.evaluation.settings import DEFAULTS, EvaluationSettings

# The decided statuses: the ones 合格线 counts.
DECIDED = ("met", "on_track", "behind", "regressing", "not_met")
GOOD = ("met", "on_track")
SUMMARY_KEYS = ("indicators", "binding", "binding_met", "by_status", "grade", "grade_provisional", "grade_reason")


@dataclass(frozen=True)
class PlanRow:
    """One row of a plan's table for counting: its number, status and whether the plan counts it."""
    key: str
    name: str
    status: str
    binding: bool
    counted: bool = True            # False for a sub-row: the plan numbers its parent
    binding_failed: bool = False
    stale: bool = False
    number: str = ""

    @property
    def label(self):
        return f"{self.number or self.key} {self.name}".strip()


def plan_counts(rows: Iterable[PlanRow]) -> dict:
    """Counts over the plan's own numbering: `indicators`, `binding`, `binding_met`,
    `binding_met_share` (None without binding indicators), `by_status` and `binding_by_status`
    (every status, zeros included), `stale`, `binding_failed`, and `sub_rows` (rows not counted)."""
    by_status = dict.fromkeys(STATUSES, 0)
    binding_by_status = dict.fromkeys(STATUSES, 0)
    stale = failed = sub_rows = 0
    for row in rows:
        if not row.counted:
            sub_rows += 1
            continue
        by_status[row.status] += 1
        if row.binding:
            binding_by_status[row.status] += 1
        stale += row.stale
        failed += row.binding_failed or (row.binding and row.status == "not_met")
    indicators, binding = sum(by_status.values()), sum(binding_by_status.values())
    return {
        "indicators": indicators,
        "binding": binding,
        "binding_met": binding_by_status["met"],
        "binding_met_share": binding_by_status["met"] / binding if binding else None,
        "by_status": by_status,
        "binding_by_status": binding_by_status,
        "stale": stale,
        "binding_failed": failed,
        "sub_rows": sub_rows,
    }


def plan_verdict(rows: Iterable[PlanRow], settings: EvaluationSettings = DEFAULTS,
                 provisional: bool = False) -> tuple[str, str]:
    """("pass" / "fail", the reason) over the counted rows; see the module docstring. The reason is a
    `core.phrases.Phrase`: its Chinese text, rendered in the reader's language where it is shown."""
    counted = [row for row in rows if row.counted]

    def prefixed(reason):
        return phrase("verdict_provisional", reason=reason) if provisional else reason

    failed = [row for row in counted if row.binding and row.status == "not_met"]
    if settings.binding_veto and failed:
        names = Joined(row.label for row in failed)
        return "fail", prefixed(phrase("verdict_veto", count=len(failed), names=names))
    decided = [row for row in counted if row.status in DECIDED]
    if not decided:
        return "fail", prefixed(phrase("verdict_nothing_decided"))
    open_binding = [row for row in counted if row.binding and row.status not in DECIDED]
    if not provisional and open_binding:
        names = Joined(row.label for row in open_binding)
        return "fail", phrase("verdict_binding_open", count=len(open_binding), names=names)
    good = sum(row.status in GOOD for row in decided)
    share = good / len(decided)
    passed = good >= settings.pass_share * len(decided) - 1e-9
    reason = phrase("verdict_pass" if passed else "verdict_fail", good=good, decided=len(decided),
                    share=_percent(share), pass_share=_percent(settings.pass_share))
    undecided = [row for row in counted if row.status not in DECIDED]
    if undecided:
        counts = {}
        for row in undecided:
            counts[row.status] = counts.get(row.status, 0) + 1
        reason = phrase("verdict_undecided", reason=reason, counts=Joined(
            phrase("status_count", status=label(STATUS_LABELS[code]), count=n) for code, n in counts.items()))
    return ("pass" if passed else "fail"), prefixed(reason)


def summarise(rows: Iterable[PlanRow], settings: EvaluationSettings = DEFAULTS, provisional: bool = False) -> dict:
    """The plan summary with exactly SUMMARY_KEYS (the API's `summary`)."""
    rows = list(rows)
    counts = plan_counts(rows)
    grade, reason = plan_verdict(rows, settings, provisional)
    return {"indicators": counts["indicators"], "binding": counts["binding"], "binding_met": counts["binding_met"],
            "by_status": counts["by_status"], "grade": grade, "grade_provisional": provisional,
            "grade_reason": reason}


def _percent(share):
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"
