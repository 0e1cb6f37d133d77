from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}  # an outsider is not told what is down


@pytest.mark.django_db
def test_healthz_is_503_when_a_configured_broker_is_down_and_tells_staff_which(client, settings, django_user_model):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    client.force_login(django_user_model.objects.create_user("ops", password="x-long-password", is_staff=True))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_tells_an_ordinary_signed_in_user_only_the_status(client, settings, django_user_model):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    client.force_login(django_user_model.objects.create_user("clerk", password="x-long-password"))
    assert client.get("/healthz").json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_a_page_answers_a_friendly_503_when_the_database_is_down(client, django_user_model):
    user = django_user_model.objects.create_user("someone", password="x-long-password")
    client.force_login(user)
    with mock.patch("indicators.models.Plan.objects.visible_to", side_effect=OperationalError("could not connect to server")):
        response = client.get("/")
    assert response.status_code == 503
    assert "数据库暂时无法连接" in response.content.decode()
