from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.seed import ProjectDataError, load_projects


class Command(BaseCommand):
    help = "载入真实规划专栏中的重点工程及其工程量（可重复执行，不会重复创建；每个文件要么全部载入，要么不载入）。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="只载入这些数据文件（默认 projects/data/*.toml）")
        parser.add_argument("--reextract", action="store_true", help="按原文重新提取未经人工修改的工程量")

    def handle(self, *args, files, reextract, **options):
        try:
            results = load_projects(files=files or None, reextract=reextract)
            errors = []
        except ProjectDataError as exc:
            results, errors = exc.results, exc.errors
        for result in results:
            self.stdout.write(
                f"  {result.plan_code}：专栏 {result.boxes} 个，重点工程 {result.projects} 项，工程量 {result.quantities} 条"
                f"（本次写入 {result.written} 处）"
            )
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"发现 {len(errors)} 处错误，相关文件未载入。")
        self.stdout.write(f"已载入 {len(results)} 个规划的重点工程。")
