from django.core.management.base import BaseCommand

from indicators.plans import seed
from indicators.models import Indicator


class Command(BaseCommand):
    help = "载入行政区划、指标目录和五个真实规划（可重复执行，不会重复创建）。"

    def handle(self, *args, **options):
        regions = seed.load_regions()
        measures = seed.load_catalog()
        plans = seed.load_plans()
        self.stdout.write(f"行政区划 {regions} 个，目录指标 {measures} 个，规划 {len(plans)} 个：")
        for plan in plans:
            self.stdout.write(f"  {plan.code} {plan.region.name} 指标 {plan.indicators.count()} 行")
        from projects.seed import load_projects

        for loaded in load_projects():
            self.stdout.write(f"  {loaded.plan_code} 专栏 {loaded.boxes} 个，重点工程 {loaded.projects} 项，工程量 {loaded.quantities} 项")
        unmatched = Indicator.objects.filter(plan__in=plans, measure__isnull=True, parent__isnull=True)
        if unmatched:
            self.stdout.write(f"未关联目录指标 {unmatched.count()} 项，可在管理后台「指标」按「目录指标：空」筛选后手工关联：")
            for indicator in unmatched.select_related("plan__region"):
                self.stdout.write(f"  {indicator.plan.region.name} {indicator.number} {indicator.name}")
