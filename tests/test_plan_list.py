"""The plan list pages: a national install holds thousands of plans, so the home page shows the
first few and the plan list is paginated and searchable."""
from django.urls import reverse

from accounts.models import Role
from core.views import HOME_PLANS
from indicators.models import Plan
from indicators.web.plans import PLANS_PER_PAGE

from tests.factories import PlanFactory, RegionFactory, user_with_role


def _many_plans(count):
    return [PlanFactory(region=RegionFactory(code=f"99{n:04d}", name=f"测试县{n:04d}")) for n in range(count)]


def test_the_home_page_lists_a_few_plans_and_links_to_all_of_them(client, db):
    _many_plans(HOME_PLANS + 3)
    client.force_login(user_with_role(Role.ADMIN))
    response = client.get(reverse("home"))
    assert len(response.context["plans"]) == HOME_PLANS
    assert f"全部 {Plan.objects.count()} 个规划" in response.content.decode()


def test_the_plan_list_is_paginated(client, db):
    _many_plans(PLANS_PER_PAGE + 5)
    total = Plan.objects.count()  # the real plans may be loaded too
    client.force_login(user_with_role(Role.ADMIN))
    first = client.get(reverse("plan_list"))
    second = client.get(reverse("plan_list"), {"page": 2})
    assert len(first.context["plans"]) == PLANS_PER_PAGE and len(second.context["plans"]) == total - PLANS_PER_PAGE
    assert not {p.pk for p in first.context["plans"]} & {p.pk for p in second.context["plans"]}
    assert f"共 {total} 个规划" in first.content.decode()
    assert client.get(reverse("plan_list"), {"page": "999"}).context["page"].number == 2  # last page, not an error


def test_the_plan_list_finds_plans_by_region_name_or_code(client, db):
    _many_plans(3)
    client.force_login(user_with_role(Role.ADMIN))
    by_name = client.get(reverse("plan_list"), {"q": "测试县0001"})
    assert [p.region.name for p in by_name.context["plans"]] == ["测试县0001"]
    by_code = client.get(reverse("plan_list"), {"q": "990002"})
    assert [p.region.code for p in by_code.context["plans"]] == ["990002"]


def test_the_plan_list_search_stays_within_the_users_scope(client, db):
    own, other = _many_plans(2)
    client.force_login(user_with_role(Role.LEADER, region=own.region))
    response = client.get(reverse("plan_list"), {"q": "测试县"})
    assert [p.pk for p in response.context["plans"]] == [own.pk]
