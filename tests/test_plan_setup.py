"""规划配置检查: the page lists what blocks use of a plan and fixes each in place."""
import datetime

import pytest

from accounts.models import Role
from indicators.models import Bureau, Indicator, Measure
from indicators.plans import selectors, services
from reporting.models import ReportingPeriod
from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, user_with_role


@pytest.fixture
def plan(db):
    plan = PlanFactory(base_year=2020, milestone_years=[2025])
    IndicatorFactory(plan=plan, key="1", number="1", name="示例指标甲", order=1)
    IndicatorFactory(plan=plan, key="2", number="2", name="示例指标乙", order=2)
    return plan


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMIN)


def test_a_plan_without_bureaus_lists_every_indicator_as_blocking(plan):
    setup = selectors.plan_setup(plan, today=datetime.date(2023, 6, 1))
    assert [i.key for i in setup.indicators_without_bureau] == ["1", "2"]
    assert selectors.plan_has_no_bureaus(plan)
    assert setup.years_without_period == [2021, 2022]
    assert not setup.is_ready


def test_opened_periods_are_no_longer_listed(plan, admin):
    services.open_periods(plan, [2021], admin)
    setup = selectors.plan_setup(plan, today=datetime.date(2023, 6, 1))
    assert setup.years_without_period == [2022]
    assert ReportingPeriod.objects.filter(plan=plan, year=2021).exists()


def test_one_bureau_is_assigned_to_many_indicators_at_once_and_the_change_is_in_history(plan, admin):
    bureau = BureauFactory(region=plan.region, name="示例局")
    ids = list(plan.indicators.values_list("pk", flat=True))
    assert services.assign_bureau(plan, bureau, ids, admin) == 2
    assert selectors.plan_setup(plan).indicators_without_bureau == []
    assert not selectors.plan_has_no_bureaus(plan)
    latest = Indicator.history.filter(id=ids[0]).latest("history_date")
    assert latest.history_change_reason == "指派责任部门：示例局"
    assert latest.history_user == admin
    assert services.assign_bureau(plan, bureau, ids, admin) == 0


def test_a_bureau_of_another_region_is_refused(plan, admin):
    other = BureauFactory(name="别处的局")
    assert other.region_id != plan.region_id
    with pytest.raises(services.SetupRejected, match="不属于"):
        services.assign_bureau(plan, other, list(plan.indicators.values_list("pk", flat=True)), admin)
    assert not Bureau.objects.get(pk=other.pk).indicators.exists()


def test_unlinked_rows_are_linked_to_the_catalog(plan, admin):
    measure = Measure.objects.create(code="example-measure", name="示例目录指标")
    first = plan.indicators.get(key="1")
    first.measure = None
    first.save()
    assert first in selectors.plan_setup(plan).unlinked_indicators
    assert services.link_measures(plan, {first.pk: measure.pk}, admin) == 1
    first.refresh_from_db()
    assert first.measure == measure
    assert first not in selectors.plan_setup(plan).unlinked_indicators


def test_the_setup_page_is_for_administrators_only(client, plan):
    client.force_login(user_with_role(Role.LEADER, region=plan.region))
    assert client.get(f"/plans/{plan.code}/setup/").status_code == 404


def test_the_administrator_assigns_a_bureau_from_the_page(client, plan, admin):
    bureau = BureauFactory(region=plan.region, name="示例局")
    client.force_login(admin)
    page = client.get(f"/plans/{plan.code}/setup/")
    assert page.status_code == 200
    assert "未指派责任部门的指标" in page.content.decode() and "示例指标甲" in page.content.decode()
    ids = [str(pk) for pk in plan.indicators.values_list("pk", flat=True)]
    response = client.post(f"/plans/{plan.code}/setup/", {"action": "bureau", "bureau": bureau.pk, "indicator": ids})
    assert response.status_code == 302
    assert bureau.indicators.count() == 2
    response = client.post(f"/plans/{plan.code}/setup/", {"action": "periods", "year": ["2021"]})
    assert ReportingPeriod.objects.filter(plan=plan, year=2021).exists()


def test_the_plan_page_links_administrators_to_the_check_and_tells_leaders_no_bureau_is_listed(client, plan, admin):
    client.force_login(admin)
    assert f"/plans/{plan.code}/setup/" in client.get(f"/plans/{plan.code}/").content.decode()
    client.force_login(user_with_role(Role.LEADER, region=plan.region))
    body = client.get(f"/plans/{plan.code}/").content.decode()
    assert f"/plans/{plan.code}/setup/" not in body
    assert "本规划原文未列责任部门" in body


def test_real_plans_without_printed_bureaus_show_up_in_the_check(real_plans):
    blocked = {code for code, plan in real_plans.items() if selectors.plan_setup(plan).indicators_without_bureau}
    assert len(blocked) >= 3


def test_the_setup_page_of_every_real_plan_renders(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    for code in real_plans:
        response = client.get(f"/plans/{code}/setup/")
        assert response.status_code == 200, code
        assert "规划配置检查" in response.content.decode()
