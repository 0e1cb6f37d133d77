"""Settings come from the environment with safe defaults; checked in a fresh interpreter each."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'health': db.get('CONN_HEALTH_CHECKS'),"
    "'max_age': db.get('CONN_MAX_AGE'), 'options': db.get('OPTIONS', {}), 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'debug': settings.DEBUG,"
    "'broker': settings.CELERY_BROKER_URL, 'key': settings.SECRET_KEY, 'hosts': settings.ALLOWED_HOSTS,"
    "'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE, 'use_tz': settings.USE_TZ,"
    "'beat': sorted(settings.CELERY_BEAT_SCHEDULE)}))"
)


def probe(tmp_path, **env):
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY_FILE": str(tmp_path / "key")}
    base.update(env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_database_url_the_embedded_sqlite_file_is_used(tmp_path):
    config = probe(tmp_path)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql_with_persistent_checked_connections(tmp_path):
    config = probe(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/tracker")
    assert config["engine"] == "core.postgresql"  # Django's backend with prepared statements
    assert config["options"] == {"server_side_binding": True, "prepare_threshold": 1}
    assert config["name"] == "tracker"
    assert config["health"] is True
    assert config["max_age"] > 0


def test_prepared_statements_can_be_turned_off_for_a_pooler_in_transaction_mode(tmp_path):
    config = probe(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/tracker", DJANGO_DB_PREPARE_THRESHOLD="off")
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["options"] == {}
    assert probe(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/tracker",
                 DJANGO_DB_PREPARE_THRESHOLD="5")["options"]["prepare_threshold"] == 5


def test_without_a_broker_tasks_run_eagerly_and_with_one_they_do_not(tmp_path):
    assert probe(tmp_path)["eager"] is True
    config = probe(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert config["eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/0"
    assert "deadline-reminders" in config["beat"]


def test_debug_is_off_unless_asked_for(tmp_path):
    assert probe(tmp_path)["debug"] is False
    assert probe(tmp_path, DJANGO_DEBUG="1")["debug"] is True


def test_a_local_secret_key_is_generated_once_and_kept(tmp_path):
    first = probe(tmp_path)["key"]
    second = probe(tmp_path)["key"]
    assert len(first) >= 50 and first == second
    assert (tmp_path / "key").stat().st_mode & 0o077 == 0
    assert probe(tmp_path, DJANGO_SECRET_KEY="from-env")["key"] == "from-env"


def test_no_secret_key_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ".secret_key" not in tracked
    assert ".secret_key" in (ROOT / ".gitignore").read_text()


def test_chinese_is_the_default_language_in_shanghai_time(tmp_path):
    config = probe(tmp_path, DJANGO_ALLOWED_HOSTS="a.example, b.example")
    assert (config["lang"], config["tz"], config["use_tz"]) == ("zh-hans", "Asia/Shanghai", True)
    assert config["hosts"] == ["a.example", "b.example"]


def test_celery_acknowledges_late_redelivers_lost_work_and_limits_every_tasks_time():
    from config.celery import app

    conf = app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    longest = max([conf.task_time_limit] + [a.get("time_limit", 0) for a in conf.task_annotations.values()])
    for annotation in conf.task_annotations.values():
        assert 0 < annotation["soft_time_limit"] < annotation["time_limit"]
    # Redis hands an unacknowledged task to another worker after the visibility timeout: it must
    # outlast the longest task and the longest retry back-off, or one task would run twice at once.
    assert conf.broker_transport_options["visibility_timeout"] > longest + 600
    assert "indicators.results.tasks.reevaluate_all" in conf.task_annotations


def test_tasks_are_sent_only_when_the_transaction_that_made_them_commits(monkeypatch, db, django_capture_on_commit_callbacks):
    """The two places that send tasks from a request do it in transaction.on_commit, so a
    rolled-back save sends nothing (and a worker never reads a row that is not committed yet)."""
    import re

    for path in ("reporting/services.py", "indicators/web/reports.py"):
        text = (ROOT / path).read_text()
        assert re.search(r"transaction\.on_commit\((lambda: enqueue|queue_notification_emails)", text), path
    from django.db import transaction

    from reporting import tasks

    sent = []
    monkeypatch.setattr(tasks.send_notification_emails, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                transaction.on_commit(tasks.queue_notification_emails)
                raise RuntimeError("the save fails")
        except RuntimeError:
            pass
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            transaction.on_commit(tasks.queue_notification_emails)
        assert sent == []  # not before the commit
    assert len(sent) == 1
