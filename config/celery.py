"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process (see settings)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Task modules of the apps, and of the indicator packages that have background work.
app.autodiscover_tasks()
app.autodiscover_tasks(["indicators.reports", "indicators.results"])


@app.task(name="config.ping")
def ping(payload="pong"):
    """Round-trip check used by /healthz tooling and the worker test."""
    return payload
