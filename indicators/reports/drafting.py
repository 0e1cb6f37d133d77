"""起草: the first draft of every paragraph of an evaluation report, from its frozen snapshot.

Pure functions over the snapshot's plain data (no Django). Each returns text a reviewer edits on
the report page before filing; the edited text is stored in `EvaluationReport.narrative` under
the keys of `PARAGRAPHS`, and the .docx prints what is stored there, falling back to this draft.
Multi-line text is one paragraph per line.
"""
from datetime import date

from indicators.evaluation import STATUS_LABELS, STATUSES

# key → label on the report page; the order in which the page lists them.
PARAGRAPHS = {
    "overall": "一、总体情况",
    "projects": "三、重点工程进展",
    "problems": "四、存在问题",
    "suggestions": "五、下一步建议",
    "issuer": "发文机关署名",
    "date": "成文日期",
}
LAGGING = ("not_met", "behind", "regressing")
UNRESOLVED = ("needs_judgement", "no_data", "awaiting_target", "incomplete")  # 数据不全: a group part-reported


def number(value, digits=2):
    """A figure to its precision: 3 → "3", 7.97 → "7.97", −0.001 → "0" (never "-0.00", "3.000000")."""
    if value is None:
        return "—"
    text = f"{float(value):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(share, digits=1):
    """0.583 → "58.3%"."""
    return "—" if share is None else number(share * 100, digits) + "%"


def chinese_date(day: date):
    """成文日期 as GB/T 9704 writes it, in Arabic numerals: 2026年12月4日."""
    return f"{day.year}年{day.month}月{day.day}日"


def issuer_for(region_name):
    return f"{region_name}人民政府"


def draft(data):
    """Every paragraph of PARAGRAPHS, drafted from the snapshot."""
    return {
        "overall": overall(data),
        "projects": projects(data),
        "problems": problems(data),
        "suggestions": suggestions(data),
        "issuer": issuer_for(data["plan"]["region"]),
        "date": chinese_date(date.fromisoformat(data["frozen_at"][:10])),
    }


def paragraph(report_narrative, data, key):
    """The stored (edited) text of `key`, or its draft."""
    text = (report_narrative or {}).get(key)
    return text if text else draft(data)[key]


def verdict(summary):
    """评估结论 in one sentence: 合格 / 不合格, provisional before the final year, and why."""
    grade = {"pass": "合格", "fail": "不合格"}.get(summary["grade"], "暂无法判定")
    prefix = "预评结论（终期前，仅供参考）" if summary["grade_provisional"] else "评估结论"
    return f"{prefix}：{grade}。{summary['grade_reason']}"


def overall(data):
    s = data["summary"]
    by_status = s["by_status"]
    parts = "，".join(f"{STATUS_LABELS[c]}{by_status[c]}项" for c in STATUSES if by_status.get(c))
    share = percent(s["binding_met"] / s["binding"]) if s["binding"] else "—"
    return (f"{data['plan']['title']}共设置指标{s['indicators']}项，其中约束性指标{s['binding']}项。"
            f"截至{data['year']}年，{parts}。约束性指标完成{s['binding_met']}项，完成率{share}。\n" + verdict(s))


def projects(data):
    p = data.get("projects") or {}
    if not p.get("total"):
        return "本规划未录入重点工程。"
    text = (f"规划安排重点工程{p['total']}项，已报送进展{p['reported']}项；已开工{p['started']}项"
            f"（{number(p['started_percent'], 1)}%），已完工{p['completed']}项（{number(p['completed_percent'], 1)}%）")
    if p.get("quantity_percent") is not None:
        text += f"，实物工程量完成{number(p['quantity_percent'], 1)}%"
    text += "。"
    if p.get("stalled"):
        names = "、".join(p.get("stalled_names") or [])
        text += f"进展停滞{p['stalled']}项" + (f"：{names}" if names else "") + "。"
    return text


def _label(row):
    return f"{row['number'] or row['key']} {row['name']}".strip()


def _counted_once(rows):
    """A sub-row listed under a parent that is listed too is the parent's (a group counts once)."""
    keys = {r["key"] for r in rows}
    return [r for r in rows if r.get("parent_key") not in keys]


def problem_rows(data):
    """The rows 四、存在问题 is drafted from: binding rows not met or lagging, stale data, unresolved."""
    rows = data["rows"]
    return {
        "binding": _counted_once([r for r in rows if r["binding"] and r["status"] in LAGGING]),
        "stale": _counted_once([r for r in rows if r.get("stale")]),
        "unresolved": _counted_once([r for r in rows if r["status"] in UNRESOLVED]),
    }


def problems(data):
    groups = problem_rows(data)
    lines = []
    for r in groups["binding"]:
        lines.append(f"约束性指标“{_label(r)}”{STATUS_LABELS[r['status']]}：目标{r['target'] or '—'}，"
                     f"实际{r['value'] or '—'}{'（' + str(r['value_year']) + '年）' if r.get('value_year') else ''}。")
    if groups["stale"]:
        lines.append("数据未更新：" + "、".join(f"“{_label(r)}”（最新为{r['value_year']}年）" for r in groups["stale"]) + "。")
    for code in UNRESOLVED:
        names = [f"“{_label(r)}”" for r in groups["unresolved"] if r["status"] == code]
        if names:
            lines.append(f"{STATUS_LABELS[code]}指标{len(names)}项：" + "、".join(names) + "。")
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1)) if lines else "经评估，未发现突出问题。"


def suggestions(data):
    groups = problem_rows(data)
    lines = []
    if groups["binding"]:
        names = "、".join(f"“{r['name']}”" for r in groups["binding"])
        lines.append(f"聚焦{names}等约束性指标，逐项分析差距原因，明确责任部门和完成时限，集中力量补齐短板。")
    if groups["stale"] or any(r["status"] in ("no_data", "incomplete") for r in groups["unresolved"]):
        lines.append("督促责任部门按时报送监测统计数据，健全数据审核机制，确保评估数据完整、及时、可核。")
    if any(r["status"] == "needs_judgement" for r in groups["unresolved"]):
        lines.append("对定性指标和待评价事项组织专家或主管部门逐项认定，形成书面评价意见。")
    if any(r["status"] == "awaiting_target" for r in groups["unresolved"]):
        lines.append("对接上级部门，及时落实市下达目标任务。")
    lines.append("持续巩固已完成指标成效，将评估结论纳入下一阶段生态环境保护规划编制和年度工作安排。")
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
