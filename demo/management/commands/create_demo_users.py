from django.core.management.base import BaseCommand

from demo.accounts import create_demo_users


class Command(BaseCommand):
    help = "创建或刷新每个角色的演示账号（密码可用环境变量 DEMO_PASSWORD 指定）。"

    def handle(self, *args, **options):
        users, password = create_demo_users()
        self.stdout.write("演示账号（密码均为 %s）：" % password)
        for username, display, role in users:
            self.stdout.write(f"  {username:<18} {role:<4} {display}")
