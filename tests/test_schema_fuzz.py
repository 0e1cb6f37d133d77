"""Schemathesis against our own OpenAPI schema (/api/v1/schema/), in-process through the WSGI app:
every operation, with positive and negative (schema-violating) data, as an administrator and as a
bureau's staff (the only role that writes values), on random and on real path parameters. No
answer may be a 5xx. Examples are limited so the whole module runs in well under a minute."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from core.models import ApiToken
from schemathesis import GenerationMode

from accounts.models import Role
from indicators.models import IndicatorValue, Region
from reporting import workflow
from reporting.submission import open_period

from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

pytestmark = pytest.mark.django_db
PLAN = "FUZZ-2021-2025"
EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def world(db):
    city = RegionFactory(code="149600", name="模糊市", level=Region.Level.CITY)
    county = RegionFactory(code="149601", name="模糊县", level=Region.Level.COUNTY, parent=city)
    forestry = BureauFactory(region=county, name="林业局")
    plan = PlanFactory(code=PLAN, region=county, base_year=2020, milestone_years=[2025], midterm_year=2023)
    forest = IndicatorFactory(plan=plan, key="1", number="1", name="森林覆盖率", unit="%", baseline_raw="36.07",
                              target="40", bureaus=[forestry])
    IndicatorFactory(plan=plan, key="2", number="2", name="河湖水质", unit="", baseline_raw="Ⅲ类", target="Ⅲ类",
                     bureaus=[forestry])
    for year in (2022, 2023, 2024):
        open_period(plan, year, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=True)
    value = IndicatorValue.objects.create(indicator=forest, year=2022, raw="36.5", number="36.5", state=workflow.SUBMITTED)
    staff = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="fuzz-staff")
    admin = user_with_role(Role.ADMIN, username="fuzz-admin")
    return SimpleNamespace(plan=plan, value=value, tokens={
        "admin": ApiToken.issue(admin).key, "staff": ApiToken.issue(staff).key})


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI handler directly fires request_started, whose close_old_connections would
    close the test's connection inside its transaction (Django's test client disconnects it too)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(world):
    # the schema, like the rest of the API, is for signed-in users only
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler(),
                                          headers={"Authorization": f"Token {world.tokens['admin']}"})


def test_the_schema_is_not_public(client, world):
    assert client.get("/api/v1/schema/").status_code == 401


def test_the_schema_is_served_and_lists_every_api_operation(schema):
    labels = {f"{op.ok().method.upper()} {op.ok().path}" for op in schema.get_all_operations()}
    assert {"GET /api/v1/plans/", "GET /api/v1/plans/{code}/", "GET /api/v1/plans/{code}/evaluation",
            "POST /api/v1/plans/{code}/values/", "GET /api/v1/values/{id}", "POST /api/v1/values/{id}/approve",
            "POST /api/v1/values/{id}/return", "POST /api/v1/values/{id}/reopen",
            "GET /api/v1/plans/{code}/projects/"} <= labels


def _known_path(operation, world):
    known = {"code": PLAN, "pk": world.value.pk, "id": world.value.pk}
    return {p.name: known[p.name] for p in operation.path_parameters if p.name in known}


def _aimed_at_real_rows(case):
    """Write batches that name a real row and year with a valid number, keeping the generated
    source, note, explanation and flags: the save path itself is fuzzed, not only validation."""
    if isinstance(case.body, list):
        if not case.body:
            case.body.append({})
        for index, item in enumerate(case.body):
            if isinstance(item, dict):
                for key, text in list(item.items()):
                    if isinstance(text, str):
                        item[key] = text.replace("\x00", "")  # NUL alone is refused up front (tested elsewhere)
                item.update(number="1", year=2023 + index % 2, value="36.5", judgement="", version=None)
    return case


def test_no_api_operation_answers_5xx(schema, world):
    problems, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        known = _known_path(operation, world)
        anyone = st.sampled_from(["admin", "staff"])
        strategies = [st.tuples(operation.as_strategy(GenerationMode.POSITIVE), anyone),
                      st.tuples(operation.as_strategy(GenerationMode.NEGATIVE), anyone)]
        if known:
            strategies.append(st.tuples(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known), anyone))
            aimed = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known).map(_aimed_at_real_rows)
            strategies.append(st.tuples(aimed, st.just("staff" if operation.method.upper() == "POST" and "values/" in operation.path
                                                       else "admin")))

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(pair=st.one_of(strategies))
        def fuzz(pair):
            case, who = pair
            IndicatorValue.objects.filter(pk=world.value.pk).update(state=workflow.SUBMITTED)
            response = case.call(headers={"Authorization": f"Token {world.tokens[who]}"})
            calls.append(response.status_code)
            if response.status_code >= 500:
                problems.append(f"{operation.label} as {who}: {response.status_code}\n{case.as_curl_command()}")

        fuzz()
    print(f"SCHEMA FUZZ: {len(calls)} requests, statuses {sorted(set(calls))}")
    assert problems == [], "\n\n".join(problems[:10])
    assert len(calls) >= 9 * 20
    assert {200, 400, 404} <= set(calls)
