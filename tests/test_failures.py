"""Failures: the broker down, tasks failing and rerun, a worker lost mid-report, the database down.

Broker down means what production sees: eager mode off and the broker URL pointing at a closed
port on this machine. Saves must still go through, and the user must be told what was queued.
Tests needing a real Redis read TEST_REDIS_URL and skip locally, but fail in CI (REQUIRE_SERVICES)."""
import os
import sqlite3
import uuid
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from core.models import ApiToken

from accounts.models import Role
from config.celery import app as celery_app
from indicators.reports import tasks as indicator_tasks
from indicators.results import tasks as result_tasks
from indicators.models import EvaluationReport, EvaluationResult, IndicatorValue, Region
from indicators.reports.services import default_narrative, snapshot
from reporting import tasks as reporting_tasks
from reporting import workflow
from reporting.models import Notification
from reporting.submission import open_period

from tests.conftest import skip_unless_available
from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

PLAN = "FAIL-2021-2025"
YEAR = 2023
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def world(db):
    city = RegionFactory(code="149800", name="故障市", level=Region.Level.CITY)
    county = RegionFactory(code="149801", name="故障县", level=Region.Level.COUNTY, parent=city)
    forestry = BureauFactory(region=county, name="林业局")
    plan = PlanFactory(code=PLAN, region=county, base_year=2020, milestone_years=[2025], midterm_year=2023)
    forest = IndicatorFactory(plan=plan, key="1", number="1", name="森林覆盖率", unit="%", baseline_raw="36.07",
                              target="40", bureaus=[forestry])
    open_period(plan, YEAR, None, deadline=timezone.localdate() + timedelta(days=7), kept_open=False)
    staff = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="fail-staff")
    staff.email = "linye@example.cn"
    staff.save()
    return SimpleNamespace(plan=plan, forest=forest, forestry=forestry, staff=staff,
                           reviewer=user_with_role(Role.REVIEWER, region=city, username="fail-reviewer"))


def _reset_pools():
    """Forget every broker connection, so the next send connects to the broker now configured."""
    from kombu import pools

    pools.reset()  # closes kombu's pools and empties its registry (keyed by broker URL)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_at(settings):
    """Point Celery (and the settings /healthz reads) at a broker URL, eager mode off."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend", "task_default_queue")}

    def point(url, queue=None):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        _reset_pools()
        celery_app.conf.update(task_always_eager=False, broker_url=url, result_backend=None,
                               task_default_queue=queue or saved["task_default_queue"])

    yield point
    _reset_pools()
    celery_app.conf.update(saved)


@pytest.fixture
def broker_down(broker_at):
    broker_at(CLOSED_PORT_BROKER)


# --- broker down: saves go through, the user is told ------------------------------------------


def test_enqueue_swallows_the_broker_error_and_says_so(db, broker_down):
    started = timezone.now()
    assert reporting_tasks.enqueue(reporting_tasks.send_notification_emails) is False
    assert timezone.now() - started < timedelta(seconds=20)  # a dead broker does not hang the request


def test_with_the_broker_down_a_submission_is_saved(client, world, broker_down):
    client.force_login(world.staff)
    response = client.post(reverse("entry_form", args=[PLAN, YEAR]),
                           {"action": "submit", f"i{world.forest.pk}-raw": "36.5"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=world.forest, year=YEAR).state == workflow.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_an_approval_is_saved_notified_in_app_and_email_is_queued(client, world, broker_down):
    value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5", number="36.5",
                                          state=workflow.SUBMITTED)
    client.force_login(world.reviewer)
    response = client.post(reverse("value_review", args=[value.pk]), {"action": "approve", "version": value.version},
                           follow=True)
    assert response.status_code == 200
    value.refresh_from_db()
    assert value.state == workflow.APPROVED
    notification = Notification.objects.get(user=world.staff)
    assert notification.emailed is False  # kept for the next run
    text = response.content.decode()
    assert "已审核通过" in text and "后台服务暂时不可用，通知邮件已排队" in text
    # The broker is back: the scheduled run sends it, once.
    celery_app.conf.task_always_eager = True
    assert reporting_tasks.send_notification_emails.apply().get() == 1
    assert reporting_tasks.send_notification_emails.apply().get() == 0
    assert len(mail.outbox) == 1 and Notification.objects.get(pk=notification.pk).emailed


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_api_approval_is_saved_and_the_header_says_email_is_queued(world, broker_down):
    value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5", number="36.5",
                                          state=workflow.SUBMITTED)
    token = ApiToken.issue(world.reviewer)
    response = Client().post(f"/api/v1/values/{value.pk}/approve", {"version": value.version}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["state"] == workflow.APPROVED
    assert response["X-Deferred-Work"] == "reporting.tasks.send_notification_emails"


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_report_is_queued_the_user_told_and_picked_up_later(client, world, broker_down, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.reviewer)
    response = client.post(reverse("report_list", args=[PLAN]), {"kind": "midterm"}, follow=True)
    assert response.status_code == 200
    assert "报告已排队，将在恢复后自动生成" in response.content.decode()
    report = EvaluationReport.objects.get(plan=world.plan)
    assert report.state == EvaluationReport.State.PENDING
    # still within STALE_AFTER: the requeue run leaves it to the queue it is in
    celery_app.conf.task_always_eager = True
    assert indicator_tasks.requeue_pending_reports.apply().get() == 0
    EvaluationReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - indicator_tasks.STALE_AFTER - timedelta(minutes=1))
    assert indicator_tasks.requeue_pending_reports.apply().get() == 1
    report.refresh_from_db()
    assert report.state == EvaluationReport.State.DONE and report.xlsx and report.docx


def test_healthz_tells_the_broker_is_down(client, db, broker_down, django_user_model):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}  # no details for outsiders
    client.force_login(django_user_model.objects.create_user("ops-staff", password="x-long-password", is_staff=True))
    response = client.get("/healthz")
    assert response.json()["checks"]["broker"]["ok"] is False and response.json()["checks"]["database"]["ok"] is True


# --- tasks: retried with backoff, idempotent ---------------------------------------------------


@pytest.mark.parametrize("task", [indicator_tasks.generate_report, result_tasks.reevaluate_all,
                                  reporting_tasks.send_deadline_reminders, reporting_tasks.send_notification_emails])
def test_tasks_retry_with_exponential_backoff(task):
    assert OSError in task.autoretry_for
    assert task.retry_backoff is True and task.max_retries >= 3
    from celery.utils.time import get_exponential_backoff_interval

    delays = [get_exponential_backoff_interval(1, n, getattr(task, "retry_backoff_max", 600), False) for n in range(4)]
    assert delays == sorted(delays) and delays[-1] > delays[0]


def test_report_generation_acknowledges_late_and_is_rejected_when_the_worker_is_lost():
    assert indicator_tasks.generate_report.acks_late is True
    assert indicator_tasks.generate_report.reject_on_worker_lost is True


def frozen_report(world, state=EvaluationReport.State.PENDING, **extra):
    data = snapshot(world.plan, YEAR)
    return EvaluationReport.objects.create(plan=world.plan, kind="midterm", year=YEAR, snapshot=data, created_by=world.reviewer,
                                           narrative=default_narrative(data), task_token=uuid.uuid4(), state=state, **extra)


def test_a_report_whose_file_write_fails_once_is_retried_and_done(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = frozen_report(world)
    from indicators.reports import services as reports

    real = reports.write_xlsx
    calls = []

    def flaky(r):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(r)

    with mock.patch.object(reports, "write_xlsx", side_effect=flaky):
        # throw=False: as a worker does, let the retry run (the test settings make eager tasks raise)
        indicator_tasks.generate_report.apply(args=[report.pk, str(report.task_token)], throw=False)
    report.refresh_from_db()
    assert len(calls) == 2 and report.attempts == 2
    assert report.state == EvaluationReport.State.DONE and report.error == ""


def test_report_generation_is_idempotent_and_ignores_a_superseded_token(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = frozen_report(world)
    token = str(report.task_token)
    assert indicator_tasks.generate_report.apply(args=[report.pk, token]).get() == "done"
    report.refresh_from_db()
    files = (report.xlsx.name, report.docx.name)
    assert indicator_tasks.generate_report.apply(args=[report.pk, token]).get() == "skipped"  # redelivered message
    report.refresh_from_db()
    assert (report.xlsx.name, report.docx.name) == files and report.attempts == 1
    assert indicator_tasks.generate_report.apply(args=[report.pk, str(uuid.uuid4())]).get() == "skipped"
    assert len(list(tmp_path.rglob("*.xlsx"))) == 1 and len(list(tmp_path.rglob("*.docx"))) == 1


def test_a_report_that_fails_for_good_is_marked_failed_and_can_be_retried(client, world, settings, tmp_path,
                                                                           django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    report = frozen_report(world)
    with mock.patch("indicators.reports.services.write_docx", side_effect=ValueError("模板损坏")):
        assert indicator_tasks.generate_report.apply(args=[report.pk, str(report.task_token)]).get() == "failed"
    report.refresh_from_db()
    assert report.state == EvaluationReport.State.FAILED and "模板损坏" in report.error
    client.force_login(world.reviewer)
    page = client.get(reverse("report_detail", args=[PLAN, report.pk])).content.decode()
    assert "生成失败" in page and "重试生成" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("report_regenerate", args=[PLAN, report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.state == EvaluationReport.State.DONE


def test_a_worker_killed_mid_report_leaves_it_retryable_not_stuck(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = frozen_report(world)
    # The worker dies between marking the report running and writing its files (SIGKILL runs no
    # handler; a BaseException escapes the task's own error handling in the same way).
    with mock.patch("indicators.reports.services.write_xlsx", side_effect=SystemExit("worker killed")), pytest.raises(SystemExit):
        indicator_tasks.generate_report.run(report.pk, str(report.task_token))
    report.refresh_from_db()
    assert report.state == EvaluationReport.State.RUNNING
    client.force_login(world.reviewer)
    url = reverse("report_detail", args=[PLAN, report.pk])
    assert "生成中断" not in client.get(url).content.decode()  # just started: still shown as working
    EvaluationReport.objects.filter(pk=report.pk).update(started_at=timezone.now() - indicator_tasks.STALE_AFTER - timedelta(minutes=1))
    page = client.get(url).content.decode()
    assert "生成中断（可重试）" in page and "重试生成" in page and 'http-equiv="refresh"' not in page
    assert indicator_tasks.requeue_pending_reports.apply().get() == 1  # the scheduled pick-up
    report.refresh_from_db()
    assert report.state == EvaluationReport.State.DONE and report.attempts == 2


def test_deadline_reminders_are_idempotent(world):
    today = timezone.localdate()
    first = reporting_tasks.send_deadline_reminders.apply(kwargs={"today": today.isoformat()}).get()
    second = reporting_tasks.send_deadline_reminders.apply(kwargs={"today": today.isoformat()}).get()
    assert first == 1 and second == 0
    assert Notification.objects.filter(user=world.staff, kind=Notification.Kind.DEADLINE).count() == 1
    assert len(mail.outbox) == 1


def test_reevaluation_is_idempotent(world):
    IndicatorValue.objects.create(indicator=world.forest, year=2022, raw="37", number="37", state=workflow.APPROVED)

    def results():
        return sorted(EvaluationResult.objects.filter(plan=world.plan).values_list("indicator_id", "year", "status", "completion"))

    result_tasks.reevaluate_all.apply().get()
    once = results()
    result_tasks.reevaluate_all.apply().get()
    assert once and results() == once


# --- the database down -----------------------------------------------------------------------


@pytest.fixture
def database_down():
    """Make every new query fail as a lost database does: on PostgreSQL for real (the connection
    is closed and pointed at a closed port), on the in-memory SQLite test database through the
    driver error its cursor would raise."""

    if connection.vendor == "postgresql":
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    else:
        wrapper = type(connections[DEFAULT_DB_ALIAS])
        with mock.patch.object(wrapper, "create_cursor", side_effect=sqlite3.OperationalError("unable to open database file")):
            yield


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_pages_answer_a_friendly_503(world, database_down_after_login):
    client, token = database_down_after_login
    for url in ["/", "/plans/", f"/plans/{PLAN}/", "/review/", "/accounts/login/"]:
        response = client.get(url)
        assert response.status_code == 503, url
        assert "数据库暂时无法连接" in response.content.decode() and response["Retry-After"] == "30", url
    response = Client().post("/accounts/login/", {"username": "fail-staff", "password": "x-long-password"})
    assert response.status_code == 503
    api = Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 503 and "数据库暂时无法连接" in api.json()["detail"]
    health = Client().get("/healthz")
    assert health.status_code == 503 and health.json() == {"status": "unavailable"}


@pytest.fixture
def database_down_after_login(world, request):
    client = Client(raise_request_exception=False)
    client.force_login(world.reviewer)
    token = ApiToken.issue(world.reviewer).key
    request.getfixturevalue("database_down")
    return client, token


@pytest.mark.django_db
def test_a_database_error_outside_a_view_still_gets_the_503_page(world):
    """Saving the session happens after the view, where no view exception hook runs."""
    client = Client(raise_request_exception=False)
    client.force_login(world.staff)
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.save",
                    side_effect=OperationalError("server closed the connection unexpectedly")):
        response = client.get("/robots.txt")
    assert response.status_code == 503 and "数据库暂时无法连接" in response.content.decode()


@pytest.mark.django_db
def test_other_server_errors_still_get_the_plain_500_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.staff)
    with mock.patch("core.views.user_role", side_effect=RuntimeError("bug")):
        response = client.get("/")
    assert response.status_code == 500 and "系统错误" in response.content.decode()


# --- with a real Redis ---------------------------------------------------------------------------


def redis_url():
    return os.environ.get("TEST_REDIS_URL", "")


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return False


@pytest.mark.services
def test_with_redis_up_work_is_handed_to_the_broker_and_healthz_is_ok(client, world, broker_at):
    url = redis_url()
    skip_unless_available(url and redis_answers(url), "TEST_REDIS_URL not set or Redis not answering")
    import redis

    queue = f"test-failures-{uuid.uuid4().hex[:8]}"  # no worker listens here: the message stays put
    broker_at(url, queue=queue)
    connection_ = redis.Redis.from_url(url)
    try:
        assert reporting_tasks.enqueue(reporting_tasks.send_notification_emails) is True
        assert connection_.llen(queue) == 1
        assert client.get("/healthz").json() == {"status": "ok"}  # anonymous callers get the status only
        client.force_login(user_with_role(Role.ADMIN))
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["checks"]["broker"] == {"ok": True, "detail": "ok"}
        client.logout()
        # An approval with the broker up: the e-mail job is queued, and nobody is told it was deferred.
        value = IndicatorValue.objects.create(indicator=world.forest, year=YEAR, raw="36.5", number="36.5",
                                              state=workflow.SUBMITTED)
        token = ApiToken.issue(world.reviewer)
        response = Client().post(f"/api/v1/values/{value.pk}/approve", {"version": value.version}, content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 200 and "X-Deferred-Work" not in response
    finally:
        connection_.delete(queue)


@pytest.mark.services
def test_with_redis_up_a_frozen_report_is_queued_not_run_in_the_request(client, world, broker_at, settings, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    url = redis_url()
    skip_unless_available(url and redis_answers(url), "TEST_REDIS_URL not set or Redis not answering")
    import json

    import redis

    settings.MEDIA_ROOT = tmp_path
    queue = f"test-failures-{uuid.uuid4().hex[:8]}"
    broker_at(url, queue=queue)
    connection_ = redis.Redis.from_url(url)
    try:
        client.force_login(world.reviewer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("report_list", args=[PLAN]), {"kind": "midterm"})
        report = EvaluationReport.objects.get(plan=world.plan)
        assert report.state == EvaluationReport.State.PENDING
        message = json.loads(connection_.lindex(queue, 0))
        assert message["headers"]["task"] == "indicators.reports.tasks.generate_report"
        assert message["headers"]["argsrepr"] == repr((report.pk, str(report.task_token)))
    finally:
        connection_.delete(queue)
