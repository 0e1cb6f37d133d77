"""A first run without traps: debug off shows the project's own pages, static files without
collectstatic, no django-axes banner on every manage.py command."""
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import include, path

from accounts.models import Role
from tests.factories import BureauFactory, user_with_role

ROOT = Path(__file__).resolve().parent.parent


def _refuse(request):
    raise PermissionDenied


urlpatterns = [path("refuse/", _refuse), path("", include("config.urls"))]


def test_manage_py_commands_print_no_axes_banner(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
           "DJANGO_SECRET_KEY_FILE": str(tmp_path / "key")}
    out = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert "AXES" not in out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_make_run_serves_without_debug_after_collecting_static():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun: ", 1)[1].split("\n\n", 1)[0]
    assert "collectstatic --noinput" in run
    assert "DJANGO_DEBUG=$${DJANGO_DEBUG:-0}" in run


def test_readme_says_how_to_choose_host_and_port():
    assert "make run HOST=" in (ROOT / "README.md").read_text()


@pytest.mark.django_db
def test_without_collectstatic_pages_render_with_plain_static_names(client, settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "empty-static-root"
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "core.staticstorage.ForgivingManifestStaticFilesStorage"}}
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'href="/static/css/' in response.content.decode() or "/static/" in response.content.decode()


def test_the_production_storage_is_the_forgiving_manifest(tmp_path):
    probe = ("import django; from django.conf import settings; django.setup();"
             "print(settings.STORAGES['staticfiles']['BACKEND'])")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
           "DJANGO_SECRET_KEY_FILE": str(tmp_path / "key")}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "core.staticstorage.ForgivingManifestStaticFilesStorage"


@pytest.mark.django_db
def test_a_bureau_user_opening_the_review_queue_gets_the_projects_404_page(client, settings):
    settings.DEBUG = False
    bureau = BureauFactory()
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=bureau))
    response = client.get("/review/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "URLconf" not in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refused_request_gets_the_projects_403_page(client, settings):
    settings.DEBUG = False
    response = client.get("/refuse/")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
