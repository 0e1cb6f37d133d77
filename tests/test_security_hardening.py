"""Issue 17 hardening that is not tied to one feature: nothing a signed-in user sees is cached,
the benchmark yardstick exists only in benchmarks, and /healthz is discreet (tests/test_healthz.py)."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import Bureau
from reporting.models import Evidence
from reporting.submission import open_period

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
JIANG = "140826-2021-2025"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def staff(real_plans):
    return user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="林业局"))


@pytest.fixture
def staff_client(client, staff, real_plans, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    open_period(real_plans[JIANG], 2023, None, deadline=timezone.localdate() + timedelta(days=30))
    client.force_login(staff)
    return client


def _private(response):
    return response["Cache-Control"] == "private, no-store" and not response.has_header("Expires")


def test_signed_in_pages_api_answers_evidence_and_xlsx_are_never_stored_by_a_cache(staff_client, real_plans):
    plan = real_plans[JIANG]
    forest = plan.indicators.get(number="2")
    saved = staff_client.post(reverse("entry_form", args=[JIANG, 2023]), {
        "action": "save", f"i{forest.pk}-raw": "36.7", f"i{forest.pk}-evidence": SimpleUploadedFile("年报.pdf", PDF)})
    assert saved.status_code == 302 and _private(saved)
    responses = {
        "html": staff_client.get("/"),
        "plan page": staff_client.get(reverse("plan_detail", args=[JIANG])),
        "api": staff_client.get("/api/v1/plans/"),
        "evidence": staff_client.get(reverse("evidence_download", args=[Evidence.objects.get().pk])),
        "plan xlsx": staff_client.get(reverse("plan_export", args=[JIANG])),
        "entry xlsx": staff_client.get(reverse("entry_download", args=[JIANG, 2023])),
        "not found": staff_client.get("/plans/no-such-plan/"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 404), name
        assert _private(response), (name, response.get("Cache-Control"))


def test_api_answers_to_a_token_are_never_stored_by_a_cache(staff):
    from core.models import ApiToken

    key = ApiToken.issue(staff, name="测试").key
    response = Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and _private(response)
    refused = Client().get("/api/v1/plans/", HTTP_AUTHORIZATION="Token wrong")
    assert refused.status_code == 401 and _private(refused)


def test_public_answers_to_anonymous_callers_are_not_marked_private(db):
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")


def test_the_benchmark_yardstick_page_does_not_exist_without_the_benchmark_setting(staff_client, settings):
    settings.BENCHMARK = False
    assert staff_client.get("/bench/trivial/").status_code == 404
    assert Client().get("/bench/trivial/").status_code == 404
    settings.BENCHMARK = True
    assert staff_client.get("/bench/trivial/").status_code == 200
    assert Client().get("/bench/trivial/").status_code == 302  # still behind the login


def test_the_benchmark_setting_is_off_by_default_and_the_benchmarks_turn_it_on(monkeypatch):
    from pathlib import Path

    from django.conf import settings

    assert settings.BENCHMARK is False
    run = (Path(__file__).resolve().parent.parent / "benchmarks" / "run.py").read_text()
    assert 'os.environ["DJANGO_BENCHMARK"] = "1"' in run


def test_the_leader_summary_shows_bureau_staff_only_their_own_bureaus_indicators(client, staff, real_plans, settings):
    """Issue 17: every page scopes staff to their bureau; the summary counted and listed every
    bureau's (binding) indicators of the county."""
    from indicators.models import EvaluationResult, Indicator
    from indicators.results.services import recompute

    plan = real_plans[JIANG]
    recompute(list(plan.indicators.values_list("pk", flat=True)))
    year = EvaluationResult.objects.filter(plan=plan).order_by("year").values_list("year", flat=True).last()
    assert year is not None
    own = set(Indicator.objects.visible_to(staff).values_list("pk", flat=True))
    everyone = EvaluationResult.objects.filter(plan=plan, year=year)
    assert everyone.exclude(indicator__in=own).filter(binding=True).exists()
    everyone = everyone.filter(indicator__parent__isnull=True)  # the summary counts numbered rows  # there is something to hide
    client.force_login(staff)
    response = client.get(reverse("leader_summary", args=[plan.region.code]), {"year": year})
    assert response.status_code == 200
    context = response.context
    assert {r.indicator_id for r in context["attention"]} <= own
    shown = sum(context["overall"]["all"].values())
    assert shown == everyone.filter(indicator__in=own).count() < everyone.count()
    assert context["binding_total"] == everyone.filter(indicator__in=own, binding=True).count()


def test_a_county_reviewer_still_sees_every_bureaus_indicators_in_the_summary(client, real_plans):
    from indicators.models import EvaluationResult
    from indicators.results.services import recompute

    plan = real_plans[JIANG]
    recompute(list(plan.indicators.values_list("pk", flat=True)))
    year = EvaluationResult.objects.filter(plan=plan).order_by("year").values_list("year", flat=True).last()
    client.force_login(user_with_role(Role.REVIEWER, region=plan.region))
    context = client.get(reverse("leader_summary", args=[plan.region.code]), {"year": year}).context
    assert sum(context["overall"]["all"].values()) == EvaluationResult.objects.filter(
        plan=plan, year=year, indicator__parent__isnull=True).count()
