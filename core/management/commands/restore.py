"""manage.py restore PATH — load a `manage.py backup` archive into an empty, migrated database."""
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core import backup


class Command(BaseCommand):
    help = (
        "从 manage.py backup 生成的备份文件恢复全部数据和上传文件。目标数据库必须是空的："
        "先新建数据库并运行 manage.py migrate，再运行本命令；数据库中已有数据时拒绝恢复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件（.tar.gz）路径")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="恢复到的数据库别名（默认 default）")

    def handle(self, *args, **options):
        try:
            result = backup.restore_backup(options["path"], using=options["database"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已从 {options['path']}（备份于 {result.manifest.get('created_at', '?')}）恢复 "
            f"{result.rows} 行数据、{result.media_files} 个上传文件。"
        ))
