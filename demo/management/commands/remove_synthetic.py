"""manage.py remove_synthetic [--scale …]: delete synthetic data and nothing real."""
from django.core.management.base import BaseCommand, CommandError

from demo import synthetic


class Command(BaseCommand):
    help = "删除 generate_synthetic 生成的示例数据（默认全部规模），不触及真实数据。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(synthetic.SCALES), default=None, help="只删除该规模的示例数据")

    def handle(self, *args, scale, verbosity=1, **options):
        try:
            removed = synthetic.remove(scale, log=self.stdout.write if verbosity >= 1 else None)
        except synthetic.SyntheticDataError as exc:
            raise CommandError(str(exc)) from None
        for label, count in sorted(removed.items()):
            self.stdout.write(f"  {label:40} {count:>9,}")
        self.stdout.write(self.style.SUCCESS(f"已删除示例数据 {sum(removed.values()):,} 行。"))
