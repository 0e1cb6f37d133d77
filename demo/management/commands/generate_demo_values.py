"""Approved demo values (示例数据) for the real plans, so the evaluation pages have something to show.

Marked synthetic everywhere they appear; never overwrites a value a person entered; removed
with `--remove`. Idempotent."""
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators.results import services as evaluation_store
from indicators.plans import targets
from demo.values import demo_series
from indicators.models import IndicatorValue, Plan
from reporting import workflow


class Command(BaseCommand):
    help = "为真实规划生成已审核的示例年度值（标记为示例数据，不覆盖真实填报）。"

    def add_arguments(self, parser):
        parser.add_argument("--last-year", type=int, default=2023, help="生成到该年为止（默认 2023，之后的年份留给补报演示）")
        parser.add_argument("--remove", action="store_true", help="删除全部示例年度值")

    @transaction.atomic
    def handle(self, *args, last_year, remove, **options):
        if remove:
            deleted, _ = IndicatorValue.objects.filter(synthetic=True).delete()
            evaluation_store.recompute()
            self.stdout.write(f"已删除示例年度值 {deleted} 条。")
            return
        plans = Plan.objects.filter(synthetic=False).prefetch_related("indicators__targets")
        taken = set(IndicatorValue.objects.values_list("indicator_id", "year"))
        now = timezone.now()
        new = []
        for plan in plans:
            years = [y for y in range(plan.first_year, min(last_year, plan.final_year) + 1)]
            milestone = min(plan.milestone_years) if plan.milestone_years else plan.final_year
            for indicator in plan.indicators.all():
                if indicator.value_type != "number":
                    continue
                target = next((t for t in indicator.targets.all() if t.year == milestone), None)
                spec = targets.parse_target(target.raw if target else "")
                threshold = spec.value if spec.value is not None else spec.low
                # A reduction rate starts from zero: the cumulative reduction since the base year.
                baseline = indicator.baseline_value if not indicator.is_rate or indicator.baseline_value is not None else 0
                for year, number in demo_series(indicator.key + plan.code, baseline, threshold,
                                                plan.base_year, milestone, years).items():
                    if (indicator.pk, year) in taken:
                        continue
                    new.append(IndicatorValue(
                        indicator=indicator, year=year, raw=f"{number}", number=number, state=workflow.APPROVED,
                        synthetic=True, source="示例数据（系统生成，非真实填报）", submitted_at=now, reviewed_at=now,
                        rate_mode="cumulative" if indicator.is_rate else "",
                    ))
        # with a history row each, like every other write (issue 17: no write bypasses the history)
        bulk_create_with_history(new, IndicatorValue, batch_size=1000, default_change_reason="示例数据")
        evaluation_store.recompute()
        self.stdout.write(f"已生成示例年度值 {len(new)} 条（示例数据，已审核），截至 {last_year} 年。")
