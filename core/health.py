"""Dependency checks behind /healthz: plain functions returning (ok, detail)."""
from django.conf import settings
from django.db import connection


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; the detail is reported
        return False, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return True, "ok"


def check_broker():
    """The broker is only checked when one is configured; eager mode has none to lose."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager"
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL or None) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return False, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return True, "ok"
