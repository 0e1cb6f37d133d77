"""The synthetic-data generator (demo/synthetic.py, manage.py generate_synthetic /
remove_synthetic): everything it makes is marked and kept out of real ranges, the real plans are
never touched, and one command removes all of it and nothing else."""
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Profile, Role
from demo import synthetic
from indicators.plans import targets
from indicators.models import (AssignedTarget, Bureau, EvaluationResult, Indicator, IndicatorTarget, IndicatorValue, Plan,
                               Region)
from reporting import workflow
from reporting.models import ReportingPeriod

PASSWORD = "synthetic-test-password"


def real_snapshot():
    """Every row of the real data, as plain values (computed timestamps included)."""
    real_plans = Plan.objects.filter(synthetic=False)
    indicators = Indicator.objects.filter(plan__in=real_plans)
    return {
        "regions": list(Region.objects.filter(synthetic=False).order_by("pk").values()),
        "bureaus": list(Bureau.objects.filter(region__synthetic=False).order_by("pk").values()),
        "plans": list(real_plans.order_by("pk").values()),
        "indicators": list(indicators.order_by("pk").values()),
        "bureau_links": sorted(Indicator.bureaus.through.objects.filter(indicator__in=indicators).values_list("indicator_id", "bureau_id")),
        "targets": list(IndicatorTarget.objects.filter(indicator__in=indicators).order_by("pk").values()),
        "assigned": list(AssignedTarget.objects.filter(target__indicator__in=indicators).order_by("pk").values()),
        "values": list(IndicatorValue.objects.filter(indicator__in=indicators).order_by("pk").values()),
        "results": list(EvaluationResult.objects.filter(plan__in=real_plans).order_by("pk").values()),
        "periods": list(ReportingPeriod.objects.filter(plan__in=real_plans).order_by("pk").values()),
        "users": list(User.objects.exclude(profile__synthetic=True).order_by("pk").values()),
    }


@pytest.fixture
def real_user(real_plans):
    """A real person with some real activity, so 'nothing real is removed' covers users too."""
    region = Region.objects.get(code="140826")
    bureau = Bureau.objects.get(region=region, name="林业局")
    user = User.objects.create(username="real-forestry", password="!")
    Profile.objects.create(user=user, role=Role.BUREAU_STAFF, region=region, bureau=bureau)
    indicator = Indicator.objects.get(plan__code="140826-2021-2025", key="2")
    IndicatorValue.objects.create(indicator=indicator, year=2022, raw="36.5", number="36.5", state=workflow.APPROVED,
                                  created_by=user)
    return user


def test_generation_marks_everything_synthetic_and_stays_out_of_real_ranges(real_plans, real_user):
    before = real_snapshot()
    result = synthetic.generate("tiny", password=PASSWORD)
    assert result.counts["indicators.Plan"] == 1 + 3  # one city plan, three county plans

    regions = synthetic.synthetic_regions("tiny")
    assert regions.count() == 1 + 1 + 1 + 3  # 示例全国, a province, a city, three counties
    real_codes = set(Region.objects.filter(synthetic=False).values_list("code", flat=True))
    for region in regions:
        assert re.fullmatch(r"9\d{5}", region.code) and region.code not in real_codes
        assert region.name.startswith("示例")
    assert not any(code.startswith("9") for code in real_codes)  # GB/T 2260 has no 9x province

    plans = Plan.objects.filter(region__in=regions)
    assert plans.count() == 4 and all(p.synthetic for p in plans)
    for plan in plans.select_related("parent"):
        assert re.fullmatch(r"S-9\d{5}-2021-2025", plan.code)
        assert plan.parent is None or plan.parent.synthetic  # never hung under a real plan
    assert not Plan.objects.filter(synthetic=True).exclude(region__in=regions).exists()

    values = IndicatorValue.objects.filter(indicator__plan__in=plans)
    assert values.exists() and not values.filter(synthetic=False).exists()
    assert {workflow.APPROVED, workflow.SUBMITTED, workflow.RETURNED, workflow.DRAFT} <= set(values.values_list("state", flat=True))
    assert set(values.values_list("year", flat=True)) == set(range(2021, synthetic.current_year() + 1))

    profiles = Profile.objects.filter(user__username__startswith="syn-tiny-")
    assert profiles.exists() and not profiles.filter(synthetic=False).exists()
    assert set(profiles.values_list("role", flat=True)) == {"staff", "reviewer", "leader", "admin"}
    assert not profiles.filter(region__synthetic=False).exists() and not profiles.filter(bureau__region__synthetic=False).exists()
    assert User.objects.get(username="syn-tiny-admin").check_password(PASSWORD)
    assert not User.objects.filter(username__startswith="syn-tiny-", is_superuser=True).exists()

    assert real_snapshot() == before


def test_plans_are_shaped_like_the_real_ones(real_plans):
    synthetic.generate("tiny", password=PASSWORD)
    plans = Plan.objects.filter(region__in=synthetic.synthetic_regions("tiny"))
    for plan in plans:
        rows = list(plan.indicators.all())
        assert 25 <= len(rows) <= 32
        assert {r.category for r in rows} == {"生态保护", "环境质量", "生态经济"}
        assert {"binding", "expected"} <= {r.attribute for r in rows}
        subs = [r for r in rows if r.parent_id]
        assert len(subs) == 4 and all(r.shares_parent_target for r in subs)
        bureaus = Bureau.objects.filter(indicators__plan=plan).distinct()
        assert 2 <= bureaus.count() <= 4
        assert bureaus.filter(is_ecology_environment=True).count() == 1
    kinds = Counter(IndicatorTarget.objects.filter(indicator__plan__in=plans).values_list("kind", flat=True))
    assert {"exact", "at_least", "at_most", "relative", "assigned", "none"} <= set(kinds)
    assert {"water_class", "number"} <= set(Indicator.objects.filter(plan__in=plans).values_list("value_type", flat=True))
    for target in IndicatorTarget.objects.filter(indicator__plan__in=plans):
        assert target.kind == targets.parse_target(target.raw).kind  # stored like a real plan's
    assert AssignedTarget.objects.filter(target__indicator__plan__in=plans).exists()

    indicators = Indicator.objects.filter(plan__in=plans).count()
    assert EvaluationResult.objects.filter(plan__in=plans).count() == indicators * 5  # every data year, 2021–2025
    statuses = set(EvaluationResult.objects.filter(plan__in=plans).values_list("status", flat=True))
    assert len(statuses) >= 5

    period = ReportingPeriod.objects.get(plan=plans.first(), year=synthetic.current_year())
    assert period.accepts_entry()


def test_projects_with_progress_when_the_projects_app_has_them(real_plans):
    models = synthetic._project_models()
    if models is None:
        pytest.skip("no projects app")
    synthetic.generate("tiny", password=PASSWORD)
    projects = models["Project"].objects.filter(plan__region__in=synthetic.synthetic_regions("tiny"))
    assert projects.exists() and not projects.filter(synthetic=False).exists()
    progress = models["ProjectProgress"].objects.filter(project__in=projects)
    assert progress.exists() and not progress.filter(synthetic=False).exists()
    assert workflow.APPROVED in set(progress.values_list("state", flat=True))


def test_remove_synthetic_removes_all_of_it_and_nothing_real(real_plans, real_user):
    before = real_snapshot()
    users_before = User.objects.count()
    synthetic.generate("tiny", password=PASSWORD)
    synthetic.generate("small", password=PASSWORD)
    out = StringIO()
    call_command("remove_synthetic", stdout=out)
    assert "已删除示例数据" in out.getvalue()

    assert not Region.objects.filter(synthetic=True).exists()
    assert not Plan.objects.filter(synthetic=True).exists()
    assert not IndicatorValue.objects.filter(indicator__plan__synthetic=True).exists()
    assert not Profile.objects.filter(synthetic=True).exists()
    assert not User.objects.filter(username__startswith="syn-").exists()
    assert not Bureau.objects.filter(region__code__startswith="9").exists()
    assert User.objects.count() == users_before
    assert real_snapshot() == before


def test_generating_again_replaces_the_same_scale_only(real_plans):
    synthetic.generate("tiny", password=PASSWORD)
    synthetic.generate("small", password=PASSWORD)
    small_plans = set(Plan.objects.filter(region__in=synthetic.synthetic_regions("small")).values_list("code", flat=True))
    counts = {"plans": Plan.objects.count(), "values": IndicatorValue.objects.count(), "users": User.objects.count(),
              "results": EvaluationResult.objects.count()}

    out = StringIO()
    call_command("generate_synthetic", "--scale", "tiny", "--password", PASSWORD, stdout=out, verbosity=0)
    assert "已先删除该规模的旧示例数据" in out.getvalue()
    assert {"plans": Plan.objects.count(), "values": IndicatorValue.objects.count(), "users": User.objects.count(),
            "results": EvaluationResult.objects.count()} == counts
    assert set(Plan.objects.filter(region__in=synthetic.synthetic_regions("small")).values_list("code", flat=True)) == small_plans

    call_command("remove_synthetic", "--scale", "tiny", stdout=StringIO())
    assert not synthetic.synthetic_regions("tiny").exists()
    assert Plan.objects.filter(region__in=synthetic.synthetic_regions("small")).count() == len(small_plans)


def test_removal_refuses_when_real_data_hangs_off_synthetic_data(real_plans):
    synthetic.generate("tiny", password=PASSWORD)
    county = synthetic.synthetic_regions("tiny").filter(level="county").first()
    real = User.objects.create(username="someone-real", password="!")
    Profile.objects.create(user=real, role=Role.LEADER, region=county)  # a real profile placed in a synthetic county
    before = {"regions": Region.objects.count(), "plans": Plan.objects.count(), "values": IndicatorValue.objects.count()}
    with pytest.raises(CommandError, match="真实数据"):
        call_command("remove_synthetic", stdout=StringIO())
    assert {"regions": Region.objects.count(), "plans": Plan.objects.count(),
            "values": IndicatorValue.objects.count()} == before


def test_values_entered_into_a_synthetic_plan_go_with_it(real_plans, client):
    """A person may try the entry form on a synthetic plan; what they saved is removed with the plan."""
    synthetic.generate("tiny", password=PASSWORD)
    subjects = synthetic.subjects("tiny")
    staff = subjects["users"]["staff"]
    value = IndicatorValue.objects.filter(indicator__plan__code=subjects["county_plan"], created_by=staff).first()
    value.synthetic = False
    value.save()  # as an entry through the form would store it (with a history row)
    synthetic.remove("tiny")
    assert not IndicatorValue.objects.filter(pk=value.pk).exists()
    assert not IndicatorValue.history.filter(id=value.pk).exists()


def test_generate_refuses_a_scale_whose_code_range_holds_a_real_region(real_plans):
    Region.objects.create(code="960001", name="某地", level="county")
    with pytest.raises(synthetic.SyntheticDataError):
        synthetic.generate("tiny", password=PASSWORD)
    assert not Region.objects.filter(synthetic=True).exists()
