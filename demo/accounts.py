"""Demo accounts, one per role, for trying the system out (`make run`)."""
import os

from django.contrib.auth.models import User
from django.db import transaction

from indicators.models import Bureau, Region

from accounts.models import Profile, Role

DEFAULT_PASSWORD = "shengtai-demo-2026"

# (username, display name, role, region code, bureau name or None)
DEMO_USERS = [
    ("jiang_forestry", "绛县林业局填报员", Role.BUREAU_STAFF, "140826", "林业局"),
    ("jiang_reviewer", "绛县生态环境分局审核员", Role.REVIEWER, "140826", "生态环境分局"),
    ("yanhu_forestry", "盐湖区林草局填报员", Role.BUREAU_STAFF, "140802", "林草局"),
    ("yuncheng_reviewer", "运城市生态环境局审核员", Role.REVIEWER, "140800", "生态环境局"),
    ("yuncheng_leader", "运城市领导", Role.LEADER, "140800", None),
    ("admin", "系统管理员", Role.ADMIN, None, None),
]


def demo_password():
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


@transaction.atomic
def create_demo_users(password=None):
    """Create or refresh the demo accounts; the password is (re)set so the printed one works."""
    password = password or demo_password()
    created = []
    for username, display, role, region_code, bureau_name in DEMO_USERS:
        region = Region.objects.get(code=region_code) if region_code else None
        bureau = None
        if bureau_name:
            bureau, _ = Bureau.objects.get_or_create(region=region, name=bureau_name)
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = display
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.set_password(password)
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"role": role, "region": region, "bureau": bureau})
        created.append((username, display, role.label))
    return created, password
