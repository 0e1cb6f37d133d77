"""manage.py backup [PATH] — all data and uploaded files into one .tar.gz (see core/backup.py)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from core import backup


class Command(BaseCommand):
    help = "把全部数据和上传文件（MEDIA_ROOT）备份为一个 .tar.gz 文件；用 manage.py restore 恢复。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="备份文件路径（默认：当前目录下的 backup-年月日-时分秒.tar.gz）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="要备份的数据库别名（默认 default）")

    def handle(self, *args, **options):
        path = options["path"] or f"backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        try:
            result = backup.create_backup(path, using=options["database"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for skipped in result.skipped:
            self.stderr.write(self.style.WARNING(f"已跳过（符号链接或非普通文件）：{skipped}"))
        self.stdout.write(self.style.SUCCESS(
            f"已写入备份 {result.path}：{result.rows} 行数据（{len(result.counts)} 个数据表），"
            f"{result.media_files} 个上传文件，共 {result.size / 1024 / 1024:.1f} MB。"
        ))
