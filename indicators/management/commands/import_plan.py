from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from indicators.models import Region
from indicators.plans import succession
from indicators.plans.importing import UploadRejected, describe_import, read_plan_file
from indicators.plans.services import PlanTableInvalid, check_plan_table, save_plan_table


class Command(BaseCommand):
    help = ("从 .xlsx 模板或规划的 Word 文档（.docx；装有 LibreOffice 时也可 .doc/.wps）新建或更新一个规划的指标表；"
            "有任何错误时逐行列出且不保存。--dry-run 只读取和检查，不保存；--json 输出一个 JSON 对象。")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只读取和检查，不保存任何内容。")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出读取结果（plan、rows、errors）。")
        parser.add_argument("--code", help="规划编码（覆盖从文档推断的值）")
        parser.add_argument("--region", help="区划代码（覆盖从文档推断的值）")
        parser.add_argument("--title", help="规划名称（覆盖从文档推断的值）")
        parser.add_argument("--base-year", type=int, help="基期年（覆盖从表头推断的值）")
        parser.add_argument("--years", help="目标年，逗号分隔（覆盖从表头推断的值），如 2027,2035")

    def handle(self, *args, file, dry_run, json: bool, **options):
        as_json = json
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        regions = list(Region.objects.values_list("code", "name"))
        try:
            result = read_plan_file(file.name, file.read_bytes(), settings.PLAN_IMPORT_MAX_BYTES, regions=regions or None,
                                    gettext=gettext)
        except UploadRejected as exc:
            if as_json:
                self._print_json(describe_import(None, []) | {"errors": [{"row": None, "field": "文件", "message": str(exc)}]})
            raise CommandError(str(exc)) from None
        table, errors = result.table, list(result.errors)
        if table is not None:
            self._override(table, options)
            if not errors:
                errors = check_plan_table(table)
        plan = None
        predecessors = {}
        if not errors and not dry_run:
            # No preview to confirm in: each row keeps the match stored by an earlier import, else
            # gets the automatic catalog match (the preview's default), stored the same way.
            predecessors = succession.automatic_predecessors(table)
            try:
                plan = save_plan_table(table, predecessors=predecessors)
            except PlanTableInvalid as exc:
                errors = exc.errors
        if as_json:
            self._print_json(describe_import(table, errors))
        else:
            for error in errors:
                self.stderr.write(str(error))
            for warning in result.warnings:
                self.stderr.write(f"提示 {warning}")
        if errors:
            raise CommandError(f"发现 {len(errors)} 处错误，未保存任何内容。")
        if dry_run:
            if not as_json:
                self.stdout.write(f"检查通过（未保存）：{table.code}，{len(table.rows)} 行指标。")
            return
        if not as_json:
            self.stdout.write(f"已导入 {plan.code}：{len(table.rows)} 行指标。")
            previous = succession.previous_plan_of(plan)
            if previous is not None:
                self.stdout.write(
                    f"已按指标目录（或已保存的对应）关联上一规划 {previous.code} 的对应指标 {len(predecessors)} 行，"
                    f"{len(table.rows) - len(predecessors)} 行未找到对应；可在导入预览或管理后台修改。")

    def _print_json(self, payload):
        import json as json_module

        self.stdout.write(json_module.dumps(payload, ensure_ascii=False, indent=2))

    @staticmethod
    def _override(table, options):
        if options.get("region"):
            table.region_code = options["region"]
            table.region_name = Region.objects.filter(code=table.region_code).values_list("name", flat=True).first() or ""
        if options.get("title"):
            table.title = options["title"]
        if options.get("base_year"):
            table.base_year = options["base_year"]
        if options.get("years"):
            years = [int(y) for y in options["years"].replace("，", ",").split(",") if y.strip().isdigit()]
            for row in table.rows:
                old = [row.targets[y] for y in sorted(row.targets)]
                row.targets = dict(zip(years, old + [""] * (len(years) - len(old))))
            table.milestone_years = years
        if options.get("code"):
            table.code = options["code"]
        elif (options.get("region") or options.get("base_year") or options.get("years")) and table.region_code and table.milestone_years:
            table.code = f"{table.region_code}-{table.base_year + 1}-{max(table.milestone_years)}"
