"""The main pages, as (name, user role, URL) for a set of subjects — one list shared by the
query-budget tests (tests/test_query_budgets.py) and the benchmarks (benchmarks/run.py).

`subjects` is what `demo.synthetic.subjects(scale)` returns (or `real_subjects()` for the
five real plans): users by role and the codes of a county plan, its city, province and nation.
"""
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    role: str  # key of subjects["users"]
    url: str


def main_pages(subjects):
    s = subjects
    plan, year, key = s["county_plan"], s["year"], s["indicator_key"]
    pages = [
        Page("trivial", "基准：trivial 视图（已登录，无本应用查询）", "leader_city", reverse("trivial")),
        Page("home_staff", "首页 · 填报员", "staff", reverse("home")),
        Page("home_reviewer", "首页 · 审核员（市）", "reviewer_city", reverse("home")),
        Page("home_leader", "首页 · 领导（省）", "leader_province", reverse("home")),
        Page("home_admin", "首页 · 管理员（全部规划）", "admin", reverse("home")),
        Page("entry_form", "填报表（县级规划，当年）", "staff", reverse("entry_form", args=[plan, year])),
        Page("review_queue", "审核队列（省级审核员）", "reviewer_province", reverse("review_queue")),
        Page("plan_evaluation", "规划评估（县）", "leader_province", reverse("plan_evaluation", args=[plan])),
        Page("indicator_chart", "指标详情与图表", "leader_province", reverse("indicator_detail", args=[plan, key])),
        Page("county_dashboard", "县级看板", "leader_province", reverse("plan_dashboard", args=[plan])),
        Page("city_comparison", "市内县区对比", "leader_city", reverse("city_comparison", args=[s["city"]])),
        Page("summary_city", "领导摘要 · 市", "leader_city", reverse("leader_summary", args=[s["city"]])),
        Page("summary_province", "领导摘要 · 省", "leader_province", reverse("leader_summary", args=[s["province"]])),
        Page("project_list", "重点工程列表（省）", "leader_province", reverse("project_list")),
        Page("api_plan", "API 规划 /api/v1/plans/<code>/", "leader_province", reverse("api_plan_detail", args=[plan])),
        Page("api_evaluation", "API 评估 /api/v1/plans/<code>/evaluation", "leader_province",
             reverse("api_plan_evaluation", args=[plan]) + f"?year={year - 1}"),
    ]
    if s.get("nation"):
        pages.insert(13, Page("summary_nation", "领导摘要 · 全国", "leader_nation", reverse("leader_summary", args=[s["nation"]])))
    return [page for page in pages if s["users"].get(page.role) is not None]
