"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process (see settings)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(payload="pong"):
    """Round-trip check used by /healthz tooling and the worker test."""
    return payload
