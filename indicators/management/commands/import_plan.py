from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.plans.services import PlanTableInvalid, save_plan_table
from indicators.plans.xlsx import WorkbookRejected, read_plan_table


class Command(BaseCommand):
    help = "从 .xlsx 模板新建或更新一个规划的指标表；有任何错误时逐行列出且不保存。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            table, errors = read_plan_table(file.read_bytes(), settings.PLAN_IMPORT_MAX_BYTES)
            if not errors:
                plan = save_plan_table(table)
        except WorkbookRejected as exc:
            raise CommandError(str(exc)) from None
        except PlanTableInvalid as exc:
            errors = exc.errors
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"发现 {len(errors)} 处错误，未保存任何内容。")
        self.stdout.write(f"已导入 {plan.code}：{len(table.rows)} 行指标。")
