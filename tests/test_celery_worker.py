"""A real Celery worker process against real Redis: sends a task and gets its result."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import skip_unless_available

ROOT = Path(__file__).resolve().parent.parent


def redis_url():
    return os.environ.get("TEST_REDIS_URL", "")


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return False


@pytest.mark.services
def test_a_real_worker_runs_a_task_sent_through_redis(tmp_path):
    url = redis_url()
    skip_unless_available(url and redis_answers(url), "TEST_REDIS_URL not set or Redis not answering")
    env = {**os.environ, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url,
           "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY_FILE": str(tmp_path / "key")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--hostname", f"test-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        client = Celery("probe", broker=url, backend=url)
        started = time.monotonic()
        result = client.send_task("config.ping", args=["你好"])
        assert result.get(timeout=60) == "你好"
        assert time.monotonic() - started < 60
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
