from django.contrib.auth.hashers import make_password
"""factory_boy factories: each test builds just the objects it needs."""
import factory
from django.contrib.auth.models import User

from accounts.models import Profile, Role
from indicators.models import Bureau, Indicator, IndicatorTarget, Plan, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"99{n:04d}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    level = Region.Level.COUNTY


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau
        django_get_or_create = ("region", "name")

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"测试局{n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    region = factory.SubFactory(RegionFactory)
    title = factory.LazyAttribute(lambda p: f"{p.region.name}生态规划")
    base_year = 2020
    milestone_years = [2025]
    midterm_year = 2023


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    key = factory.Sequence(lambda n: str(n + 1))
    number = factory.LazyAttribute(lambda i: i.key)
    name = factory.Sequence(lambda n: f"测试指标{n}")
    unit = "%"
    attribute = Indicator.Attribute.BINDING
    baseline_raw = "36.07"
    baseline_year = 2020
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def target(self, create, extracted, **kwargs):
        """IndicatorFactory(target="37.07") adds the milestone target and derives parsed fields."""
        if extracted is not None:
            IndicatorTarget.objects.create(indicator=self, year=self.plan.milestone_years[0], raw=extracted)
        self.refresh_derived()
        if create:
            self.save()

    @factory.post_generation
    def bureaus(self, create, extracted, **kwargs):
        if create and extracted:
            self.bureaus.set(extracted)


TEST_PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # A known hash computed once: hashing per user would dominate the suite's run time.
    password = factory.LazyFunction(lambda: _PASSWORD_HASH)


def user_with_role(role, *, region=None, bureau=None, username=None):
    user = UserFactory(username=username) if username else UserFactory()
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    if bureau is not None and region is None:
        region = bureau.region
    Profile.objects.create(user=user, role=role, region=region, bureau=bureau)
    return user
