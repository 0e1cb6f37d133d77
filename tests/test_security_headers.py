"""Deployment checks and response headers: `check --deploy` is clean with production settings,
every page carries a Content-Security-Policy that allows only our own origin, and no template
or rendered page holds inline script or event-handler attributes that such a policy would block."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Role
from indicators.models import IndicatorValue
from reporting import workflow

from tests.factories import user_with_role

ROOT = Path(__file__).resolve().parent.parent
JIANG = "140826-2021-2025"


# --- manage.py check --deploy --------------------------------------------------------------


def run_check(tmp_path, **env):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY_FILE": str(tmp_path / "key"), "HOME": str(tmp_path)}
    base.update(env)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=base, capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = run_check(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(64), DJANGO_DEBUG="0",
                       DJANGO_ALLOWED_HOSTS="tracker.example.gov.cn", DJANGO_HTTPS="1",
                       DJANGO_CSRF_TRUSTED_ORIGINS="https://tracker.example.gov.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_does_complain_without_https_so_the_test_above_means_something(tmp_path):
    result = run_check(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(64), DJANGO_ALLOWED_HOSTS="tracker.example.gov.cn")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # HSTS unset


def test_the_https_settings_read_by_check_deploy_are_the_ones_settings_sets(tmp_path):
    probe = ("import json, django; from django.conf import settings; django.setup(); print(json.dumps({k: getattr(settings, k) "
             "for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
             "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG']}))")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY_FILE": str(tmp_path / "k"),
           "DJANGO_HTTPS": "1"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    import json

    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values == {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
                      "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                      "SECURE_CONTENT_TYPE_NOSNIFF": True, "X_FRAME_OPTIONS": "DENY", "DEBUG": False}


# --- Content-Security-Policy ---------------------------------------------------------------

ALLOWED_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_own_origin_only(header, url):
    directives = parse_csp(header)
    assert directives.get("default-src") == ["'self'"], url
    assert directives.get("script-src") == ["'self'"], url  # no inline script, no eval, no other host
    assert directives.get("object-src") == ["'none'"] and directives.get("frame-ancestors") == ["'none'"], url
    for name, sources in directives.items():
        assert set(sources) <= ALLOWED_SOURCES, (url, name, sources)  # no off-site origin, no wildcard
        if "'unsafe-inline'" in sources:
            assert name == "style-src", (url, name)  # only plotly's injected <style> elements
        if "data:" in sources:
            assert name == "img-src", (url, name)


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def assert_no_inline_code(html, where):
    assert INLINE_SCRIPT.findall(html) == [], where
    assert HANDLER.findall(html) == [], where
    assert JS_URL.findall(html) == [], where


def template_files():
    roots = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for root in roots for p in root.rglob("*.html"))


def test_no_template_holds_inline_script_or_event_handlers():
    for path in template_files():
        assert_no_inline_code(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def test_the_checker_itself_finds_inline_code():
    with pytest.raises(AssertionError):
        assert_no_inline_code('<div><script>alert(1)</script></div>', "x")
    with pytest.raises(AssertionError):
        assert_no_inline_code('<img src="x" onerror="alert(1)">', "x")
    with pytest.raises(AssertionError):
        assert_no_inline_code('<a href="javascript:alert(1)">x</a>', "x")
    assert_no_inline_code('<script src="/static/js/charts.js"></script><script id="c" type="application/json">{}</script>', "x")


@pytest.fixture
def pages(real_plans):
    """Every kind of page, including the ones with charts (indicator, dashboard, projects)."""
    from projects.models import Project
    from projects.seed import load_projects

    if not Project.objects.exists():
        load_projects()
    plan = real_plans[JIANG]
    indicator = plan.indicators.get(number="2")
    IndicatorValue.objects.create(indicator=indicator, year=2022, raw="36.8", number="36.8", state=workflow.APPROVED)
    project = Project.objects.filter(plan=plan).first()
    from projects.models import ProjectProgress

    ProjectProgress.objects.create(project=project, year=2022, status="in_progress", state=workflow.APPROVED)
    return [
        "/", "/plans/", f"/plans/{JIANG}/", f"/plans/{JIANG}/indicators/{indicator.key}/", f"/plans/{JIANG}/evaluation/",
        f"/plans/{JIANG}/dashboard/", f"/plans/{JIANG}/reports/", f"/regions/{plan.region.parent.code}/compare/",
        f"/regions/{plan.region.code}/summary/", "/review/", "/notifications/", "/projects/", "/projects/timeline/",
        f"/projects/{project.pk}/", "/account/token/", "/admin/", "/plans/no-such-plan/", f"/plans/{JIANG}/periods/",
    ]


@pytest.mark.django_db
def test_every_page_has_a_same_origin_csp_and_no_inline_code(client, pages):
    client.force_login(user_with_role(Role.ADMIN))
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "Content-Security-Policy" in response, url
        assert_own_origin_only(response["Content-Security-Policy"], url)
        assert_no_inline_code(response.content.decode(), url)
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url


@pytest.mark.django_db
def test_anonymous_pages_error_pages_and_the_api_carry_it_too(client):
    for url in ["/accounts/login/", "/healthz", "/api/v1/plans/", "/robots.txt"]:
        response = client.get(url)
        assert_own_origin_only(response["Content-Security-Policy"], url)
    assert_no_inline_code(client.get("/accounts/login/").content.decode(), "login")


@pytest.mark.django_db
def test_charts_are_json_data_blocks_drawn_by_our_static_script(client, pages):
    client.force_login(user_with_role(Role.ADMIN))
    drawn = []
    for url in [u for u in pages if "indicators/" in u or "dashboard" in u or u.startswith("/projects/")]:
        html = client.get(url).content.decode()
        if "data-figure=" not in html:
            continue
        drawn.append(url)
        assert '/static/js/charts.js"' in html and '/static/vendor/plotly.min.js"' in html, url
        figure_id = re.search(r'data-figure="([^"]+)"', html).group(1)
        assert f'<script id="{figure_id}" type="application/json">' in html, url
    assert len(drawn) >= 4, drawn  # indicator, dashboard, project page, timeline


def test_csp_settings_use_django_csp_4_form():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["default-src"] == ["'self'"] and directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


# --- in a real browser: the policy blocks nothing of ours, and the charts are drawn ---------

CHROMIUM = "/usr/bin/chromium"


class _Server:
    """The whole WSGI app (WhiteNoise serves static files) on a loopback port in a thread.
    pytest-django's live_server cannot be used: its media handler needs a MEDIA_URL, and we
    deliberately have none (uploads are served only through permission-checked views)."""

    def __init__(self):
        import threading
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        from django.core.handlers.wsgi import WSGIHandler

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        class Threaded(WSGIServer):
            daemon_threads = True

        self.httpd = make_server("127.0.0.1", 0, WSGIHandler(), server_class=Threaded, handler_class=Quiet)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        from django.db import connections

        try:
            self.httpd.serve_forever(poll_interval=0.1)
        finally:
            connections.close_all()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.mark.browser
def test_in_chromium_the_policy_blocks_nothing_and_charts_are_drawn(transactional_db, settings):
    from tests.conftest import skip_unless_available

    skip_unless_available(Path(CHROMIUM).exists(), "Debian chromium is not installed", required_by="REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    from projects.models import Box, Project, ProjectProgress

    from tests.factories import TEST_PASSWORD, IndicatorFactory

    settings.CONN_MAX_AGE = 0
    indicator = IndicatorFactory(target="40", baseline_raw="36", unit="%")
    plan = indicator.plan
    IndicatorValue.objects.create(indicator=indicator, year=2022, raw="37", number="37", state=workflow.APPROVED)
    box = Box.objects.create(plan=plan, number="1", title="生态修复", text="原文")
    project = Project.objects.create(plan=plan, box=box, name="人工造林", content="人工造林1万亩", start_year=2021, end_year=2025)
    ProjectProgress.objects.create(project=project, year=2022, status="in_progress", state=workflow.APPROVED)
    user_with_role(Role.ADMIN, username="browser-admin")

    urls = [f"/plans/{plan.code}/indicators/{indicator.key}/", f"/plans/{plan.code}/dashboard/", "/projects/timeline/"]
    server = _Server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                                     " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
                errors = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(server.url + "/accounts/login/")
                page.fill("#id_username", "browser-admin")
                page.fill("#id_password", TEST_PASSWORD)
                page.click("button[type=submit].primary")
                page.wait_for_url(server.url + "/")
                for url in urls:
                    page.goto(server.url + url)
                    page.wait_for_selector("[data-figure][data-drawn]", timeout=20000)
                    page.wait_for_timeout(300)
                    assert page.evaluate("window.__csp") == [], url
                assert [e for e in errors if "Content Security Policy" in e] == [], errors
                # and the policy is really enforced: an injected inline script is refused and reported
                page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                              " document.body.appendChild(s); }")
                page.wait_for_timeout(300)
                assert page.evaluate("window.__ran") is None
                assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
            finally:
                browser.close()
    finally:
        server.stop()
