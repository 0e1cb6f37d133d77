"""Approved demo progress (示例数据) for the real projects, so the project pages, the timeline and
the summaries have something to show.

Marked synthetic; never overwrites a report a person entered; removed with `--remove`. Idempotent:
the same project always gets the same story (derived from a hash of its plan and name)."""
import hashlib
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core import generations
from projects.models import Project, ProjectProgress, QuantityProgress, Status
from reporting import workflow


def _story(project, years):
    """year → (status, share of the quantities done) for one project."""
    digest = hashlib.sha256(f"{project.plan.code}:{project.name}".encode()).digest()
    start = years[0] + digest[0] % 3
    length = 1 + digest[1] % 4
    suspended = digest[2] % 10 == 0
    story = {}
    for year in years:
        if year < start - 1:
            story[year] = (Status.NOT_STARTED, 0.0)
        elif year < start:
            story[year] = (Status.PREPARING, 0.0)
        else:
            share = min((year - start + 1) / length, 1.0)
            if suspended and year > start:
                status, share = Status.SUSPENDED, min(1 / length, 1.0)
            else:
                status = Status.COMPLETED if share >= 1.0 else Status.IN_PROGRESS
            story[year] = (status, share)
    return story


class Command(BaseCommand):
    help = "为真实规划的重点工程生成已审核的示例年度进展（标记为示例数据，不覆盖真实填报）。"

    def add_arguments(self, parser):
        parser.add_argument("--last-year", type=int, default=2023, help="生成到该年为止（默认 2023）")
        parser.add_argument("--remove", action="store_true", help="删除全部示例年度进展")

    @transaction.atomic
    def handle(self, *args, last_year, remove, **options):
        if remove:
            project_ids = set(ProjectProgress.objects.filter(synthetic=True).values_list("project_id", flat=True))
            QuantityProgress.objects.filter(progress__synthetic=True).delete()
            deleted, _ = ProjectProgress.objects.filter(synthetic=True).delete()
            for project in Project.objects.filter(pk__in=project_ids):
                project.refresh_status()
            generations.bump()
            self.stdout.write(f"已删除示例年度进展 {deleted} 条。")
            return
        taken = set(ProjectProgress.objects.values_list("project_id", "year"))
        now = timezone.now()
        reports, shares = [], []
        projects = list(Project.objects.filter(synthetic=False, plan__synthetic=False).select_related("plan")
                        .prefetch_related("quantities"))
        for project in projects:
            years = list(range(project.plan.first_year, min(last_year, project.plan.final_year) + 1))
            for year, (status, share) in (_story(project, years).items() if years else ()):
                if (project.pk, year) in taken:
                    continue
                reports.append(ProjectProgress(
                    project=project, year=year, status=status, state=workflow.APPROVED, synthetic=True,
                    narrative="示例数据（系统生成，非真实填报）", submitted_at=now, reviewed_at=now,
                ))
                shares.append(Decimal(str(round(share, 4))))
        # in bulk, but with a history row each, like every other write (issue 17)
        bulk_create_with_history(reports, ProjectProgress, batch_size=500, default_change_reason="示例数据")
        bulk_create_with_history([
            QuantityProgress(progress=report, quantity=q, amount_done=(q.amount * share).quantize(Decimal("0.000001")))
            for report, share in zip(reports, shares, strict=True) for q in report.project.quantities.all()
        ], QuantityProgress, batch_size=1000, default_change_reason="示例数据")
        generations.bump()  # cached project summaries are stale
        touched = {report.project_id for report in reports}
        for project in projects:
            if project.pk in touched:
                project.refresh_status()
        self.stdout.write(f"已生成示例年度进展 {len(reports)} 条（示例数据，已审核），涉及重点工程 {len(touched)} 项，截至 {last_year} 年。")
