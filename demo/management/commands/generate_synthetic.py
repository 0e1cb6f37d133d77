"""manage.py generate_synthetic --scale province|national: 示例数据 at scale (see indicators/synthetic.py)."""
import os

from django.core.management.base import BaseCommand, CommandError

from demo import synthetic


class Command(BaseCommand):
    help = ("生成示例数据（区划、部门、用户、规划、五年年度值、下达目标、评估结果、重点工程），全部标记为示例数据；"
            "同一规模的旧示例数据先删除。用 remove_synthetic 删除。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(synthetic.SCALES), default="province",
                            help="province：1 省 11 市约 120 县；national：31 省约 330 市约 2800 县；tiny / small 供测试")
        parser.add_argument("--password", default=os.environ.get("SYNTHETIC_PASSWORD", ""),
                            help="示例用户的共用密码（默认取 SYNTHETIC_PASSWORD，未设置则随机生成并打印）")

    def handle(self, *args, scale, password, verbosity=1, **options):
        log = self.stdout.write if verbosity >= 1 else None
        try:
            result = synthetic.generate(scale, password=password or None, log=log)
        except synthetic.SyntheticDataError as exc:
            raise CommandError(str(exc)) from None
        if result.removed:
            self.stdout.write(f"已先删除该规模的旧示例数据 {sum(result.removed.values())} 行。")
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:32} {count:>9,}")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(
            f"已生成{synthetic.SCALES[scale].label}规模示例数据 {sum(result.counts.values()):,} 行，用时 {result.seconds:.1f} 秒。"))
        prefix = synthetic.username_prefix(synthetic.SCALES[scale])
        self.stdout.write(f"示例用户名以 {prefix} 开头（如 {prefix}admin）。")
        if result.password:
            self.stdout.write(f"示例用户共用密码（仅此显示一次）：{result.password}")
