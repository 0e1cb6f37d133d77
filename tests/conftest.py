import os

import pytest


def skip_unless_available(available, reason, required_by="REQUIRE_SERVICES"):
    """Skip a test whose service is missing — except where CI requires it, where that fails."""
    if available:
        return
    if os.environ.get(required_by):
        pytest.fail(f"{reason} ({required_by} is set, so this may not be skipped)")
    pytest.skip(reason)


def _load_real_plans():
    from indicators.plans import seed

    seed.load_regions()
    seed.load_catalog()
    seed.load_plans()


def ensure_real_plans():
    """Load the real plans unless they are all there: a transactional (live-server or
    committed-world) test run earlier in this worker may have flushed or pruned the database."""
    from indicators.models import Plan

    if Plan.objects.filter(synthetic=False).count() < 5:
        _load_real_plans()


@pytest.fixture(scope="session")
def _real_plans_committed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_real_plans()


@pytest.fixture
def real_plans(_real_plans_committed, db):
    """The five real plans from the repository's data files. Loaded once per session; reloaded
    if a transactional (live-server) test flushed the database since."""
    from indicators.models import Plan

    ensure_real_plans()
    return {plan.code: plan for plan in Plan.objects.select_related("region")}


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Tests render templates without running collectstatic first: use the plain storage."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _summaries_not_cached(request, settings):
    """Most tests change data inside a transaction that never commits, so the generation the
    summary cache is keyed by never moves; they run without that cache. Tests marked
    `summary_cache` (tests/test_summary_cache.py) run with it."""
    if request.node.get_closest_marker("summary_cache"):
        return
    settings.CACHES = {**settings.CACHES, "summaries": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (简体中文): a request in English leaves English
    active in its thread, and a later test rendering without a request would read it."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()
