"""Open the reporting periods the demo needs: every year of each real plan up to last year,
kept open after the deadline so the ended 2021–2025 plans can be back-filled. Idempotent."""
from django.core.management.base import BaseCommand
from django.utils import timezone

from indicators.models import Plan
from reporting.submission import open_period


class Command(BaseCommand):
    help = "为真实规划开放截至上年的各年度填报期（允许补报），可重复运行。"

    def handle(self, *args, **options):
        last_year = timezone.localdate().year - 1
        opened = []
        for plan in Plan.objects.filter(synthetic=False).select_related("region"):
            years = range(plan.first_year, min(plan.final_year, last_year) + 1)
            existing = set(plan.periods.values_list("year", flat=True))
            for year in years:
                if year not in existing:
                    open_period(plan, year, None, kept_open=True)
            if years:
                opened.append(f"  {plan.region.name} {years[0]}–{years[-1]}")
        self.stdout.write("已开放填报期（截止后允许补报）：\n" + "\n".join(opened))
