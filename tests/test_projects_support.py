"""Shared fixtures and helpers of the tests/test_projects_*.py files (this module holds no tests).

The real projects are loaded once per session on top of the real plans, and reloaded if a
transactional test flushed the database since."""
import datetime

import pytest

from accounts.models import Role
from reporting.models import ReportingPeriod

from tests.factories import BureauFactory, user_with_role

JIANG = "140826-2021-2025"
YUNCHENG = "140800-2021-2025"


def _load_real_projects():
    from projects.seed import load_projects

    from tests.conftest import ensure_real_plans

    ensure_real_plans()
    return load_projects()


@pytest.fixture(scope="session")
def _real_projects_committed(_real_plans_committed, django_db_blocker):
    with django_db_blocker.unblock():
        _load_real_projects()


@pytest.fixture
def real_projects(real_plans, _real_projects_committed):
    from projects.models import Project

    if not Project.objects.filter(synthetic=False).exists():
        _load_real_projects()
    return real_plans


def open_period(plan, year):
    """A reporting period for `year` that accepts entries today, on time."""
    today = datetime.date.today()
    period, _ = ReportingPeriod.objects.update_or_create(
        plan=plan, year=year,
        defaults={"opens_on": today - datetime.timedelta(days=10), "deadline": today + datetime.timedelta(days=30),
                  "closed": False, "kept_open": False},
    )
    return period


@pytest.fixture
def forestry_project(real_projects):
    """绛县 人工造林 (1 万亩), assigned to 绛县林业局."""
    from indicators.models import Bureau
    from projects.models import Project

    project = Project.objects.get(plan__code=JIANG, name="人工造林")
    bureau = Bureau.objects.filter(region=project.plan.region, name="林业局").first() or BureauFactory(
        region=project.plan.region, name="林业局")
    project.bureau = bureau
    project.save()
    return project


@pytest.fixture
def people(forestry_project):
    """The users around 绛县's forestry project, and some outside its scope."""
    from indicators.models import Bureau, Region

    region = forestry_project.plan.region
    city = region.parent
    other_bureau = BureauFactory(region=region, name="水利局")
    elsewhere = Region.objects.get(code="140405")
    ecology = Bureau.objects.filter(region=region, name__contains="生态环境").first() or BureauFactory(
        region=region, name="运城市生态环境局绛县分局")
    return {
        "staff": user_with_role(Role.BUREAU_STAFF, bureau=forestry_project.bureau),
        "other_staff": user_with_role(Role.BUREAU_STAFF, bureau=other_bureau),
        "reviewer": user_with_role(Role.REVIEWER, region=region, bureau=ecology),
        "city_reviewer": user_with_role(Role.REVIEWER, region=city),
        "leader": user_with_role(Role.LEADER, region=region),
        "outside_reviewer": user_with_role(Role.REVIEWER, region=elsewhere),
        "outside_leader": user_with_role(Role.LEADER, region=elsewhere),
        "admin": user_with_role(Role.ADMIN),
    }
