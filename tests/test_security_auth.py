"""Login and sessions: brute-force lockout (django-axes), password rules, inactivity expiry,
CSRF on every form and on session-authenticated API writes, and revocable per-user API tokens."""
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from core.models import ApiToken

from accounts.models import Role
from indicators.models import IndicatorValue
from reporting import workflow

from tests.factories import TEST_PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/accounts/login/"
JIANG = "140826-2021-2025"


def fail(client, username, times, **extra):
    responses = []
    for _ in range(times):
        responses.append(client.post(LOGIN, {"username": username, "password": "wrong-password-1"}, **extra))
    return responses


# --- brute-force lockout -------------------------------------------------------------------


def test_axes_is_wired_as_the_issue_asks():
    assert "axes" in settings.INSTALLED_APPS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_HTTP_RESPONSE_CODE == 429
    assert settings.AXES_LOCKOUT_TEMPLATE == "registration/lockout.html"


def test_five_failed_logins_lock_the_username_from_that_address_for_30_minutes(client):
    UserFactory(username="zhangsan")
    responses = fail(client, "zhangsan", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    # Locked: even the right password is refused, with a clear Chinese page.
    locked = client.post(LOGIN, {"username": "zhangsan", "password": TEST_PASSWORD})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录已暂时锁定" in html and "5 次登录失败" in html and "30 分钟后再试" in html
    assert "_auth_user_id" not in client.session
    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert client.post(LOGIN, {"username": "zhangsan", "password": TEST_PASSWORD}).status_code == 302


def test_the_lockout_is_per_username_and_address(client):
    UserFactory(username="lisi")
    UserFactory(username="wangwu")
    fail(client, "lisi", 5)
    # the same user from another address, and another user from the same address, still log in
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post(LOGIN, {"username": "lisi", "password": TEST_PASSWORD}).status_code == 302
    assert Client().post(LOGIN, {"username": "wangwu", "password": TEST_PASSWORD}).status_code == 302


def test_a_successful_login_resets_the_count(client):
    UserFactory(username="zhaoliu")
    fail(client, "zhaoliu", 4)
    assert client.post(LOGIN, {"username": "zhaoliu", "password": TEST_PASSWORD}).status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, "zhaoliu", 4)] == [200] * 4


def test_the_admin_login_is_protected_too(client):
    UserFactory(username="guanli", is_staff=True)
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "guanli", "password": "wrong-password-1"})
    assert response.status_code == 429


def test_rotating_x_forwarded_for_does_not_bypass_the_lockout_without_a_trusted_proxy(client, settings):
    """The attack of issue 17: with DJANGO_HTTPS on, every wrong password came with a new
    X-Forwarded-For and was counted against a new address, so no lockout ever happened."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    UserFactory(username="rotator")
    statuses = [
        client.post(LOGIN, {"username": "rotator", "password": "wrong-password-1"}, secure=True,
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(1, 8)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429, 429]
    right = client.post(LOGIN, {"username": "rotator", "password": TEST_PASSWORD}, secure=True,
                        HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_a_client_written_header_entry_does_not_bypass_the_lockout(client, settings):
    """nginx appends the real client address; whatever the client wrote before it changes nothing."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    UserFactory(username="rotator2")
    statuses = [
        client.post(LOGIN, {"username": "rotator2", "password": "wrong-password-1"},
                    HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.50").status_code
        for n in range(1, 7)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}
    # another real client behind the same proxy is not locked out
    other = client.post(LOGIN, {"username": "rotator2", "password": TEST_PASSWORD},
                        HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert other.status_code == 302


def test_the_forwarded_address_is_believed_only_from_configured_proxies(rf, settings):
    from core.security import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "127.0.0.1"  # HTTPS alone no longer makes the header believed
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request) == "198.51.100.4"  # the entry the proxy appended, not the client's
    settings.TRUSTED_PROXIES = ["127.0.0.0/8", "198.51.100.0/24"]
    assert client_ip(request) == "203.0.113.9"  # two proxy hops: the first untrusted address
    settings.TRUSTED_PROXIES = ["192.0.2.1"]
    assert client_ip(request) == "127.0.0.1"  # the connecting peer is not a proxy we know
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    forged = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, not-an-address")
    assert client_ip(forged) == "127.0.0.1"  # never stored unchecked (an inet column on PostgreSQL)
    ipv6 = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8::1")
    assert client_ip(ipv6) == "2001:db8::1"


def test_a_huge_username_is_recorded_cut_to_the_column(client):
    response = client.post(LOGIN, {"username": "名" * 5000, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert len(AccessAttempt.objects.get().username) == 150


def test_authenticate_needs_the_request_and_works_with_it(rf):
    UserFactory(username="sunqi")
    request = rf.post(LOGIN)
    assert authenticate(request, username="sunqi", password=TEST_PASSWORD).username == "sunqi"
    assert authenticate(request, username="sunqi", password="nope-nope-nope") is None


# --- passwords and sessions ----------------------------------------------------------------


@pytest.mark.parametrize("password", ["short1", "12345678901234", "password123", "zhouba2024zhouba"])
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="zhouba2024zhouba")
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, user)


def test_a_strong_password_is_accepted():
    password_validation.validate_password("绿水青山-Lvshui-2035", UserFactory.build(username="wujiu"))


def test_sessions_expire_after_inactivity_and_each_request_extends_them(client):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 15 * 60 <= settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
    user = user_with_role(Role.ADMIN)
    client.force_login(user)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Idle past the expiry: the session is gone and the login page comes back.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- CSRF ----------------------------------------------------------------------------------

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def template_files():
    roots = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for root in roots for p in root.rglob("*.html") if ".venv" not in p.parts)


def test_every_post_form_in_every_template_carries_the_csrf_token():
    missing = []
    for path in template_files():
        for form in FORM.findall(path.read_text(encoding="utf-8")):
            opening = form.split(">", 1)[0].lower()
            if 'method="post"' in opening and "csrf_token" not in form:
                missing.append(f"{path.relative_to(ROOT)}: {opening[:80]}")
    assert missing == []


@pytest.fixture
def submitted_value(real_plans):
    indicator = real_plans[JIANG].indicators.get(number="2")
    return IndicatorValue.objects.create(indicator=indicator, year=2023, raw="36.5", number="36.5",
                                         state=workflow.SUBMITTED)


@pytest.fixture
def reviewer(real_plans):
    return user_with_role(Role.REVIEWER, region=real_plans[JIANG].region.parent)


def test_a_session_post_to_the_api_without_the_csrf_token_is_refused(submitted_value, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(f"/api/v1/values/{submitted_value.pk}/approve", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    submitted_value.refresh_from_db()
    assert submitted_value.state == workflow.SUBMITTED


def test_the_same_call_with_the_csrf_token_or_an_api_token_succeeds(submitted_value, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    client.get("/")  # sets the CSRF cookie, as a page load does
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(f"/api/v1/values/{submitted_value.pk}/return",
                           {"reason": "请核实", "version": submitted_value.version},
                           content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200 and response.json()["state"] == workflow.RETURNED

    submitted_value.refresh_from_db()
    # the bureau fixes and resubmits it (so its last editor is not the reviewer who returned it)
    IndicatorValue.objects.filter(pk=submitted_value.pk).update(state=workflow.SUBMITTED, updated_by=None)
    token = ApiToken.issue(reviewer)
    tokened = Client(enforce_csrf_checks=True)
    response = tokened.post(f"/api/v1/values/{submitted_value.pk}/approve",
                            {"version": IndicatorValue.objects.get(pk=submitted_value.pk).version},
                            content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["state"] == workflow.APPROVED


def test_a_page_form_post_without_the_csrf_token_is_refused(submitted_value, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(f"/values/{submitted_value.pk}/review/", {"action": "approve"})
    assert response.status_code == 403
    submitted_value.refresh_from_db()
    assert submitted_value.state == workflow.SUBMITTED


# --- API tokens ----------------------------------------------------------------------------


def api(key):
    return Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")


def _issued_key(response):
    match = re.search(r'<code class="token-key">([^<]+)</code>', response.content.decode())
    assert match, "the new key is shown once"
    return match.group(1)


def test_a_user_creates_uses_lists_and_revokes_their_own_tokens(client, real_plans):
    user = user_with_role(Role.REVIEWER, region=real_plans[JIANG].region)
    client.force_login(user)
    page = client.get("/account/token/")
    assert page.status_code == 200 and "您目前没有 API 令牌" in page.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()  # a GET never creates one
    assert "no-store" in page["Cache-Control"]

    created = client.post("/account/token/", {"action": "create", "name": "数据同步脚本"})
    key = _issued_key(created)
    assert created.status_code == 200 and api(key).status_code == 200
    listing = client.get("/account/token/").content.decode()
    assert key not in listing  # shown once only
    assert "数据同步脚本" in listing and key[:8] in listing and "从未使用" not in listing  # last use listed

    second = _issued_key(client.post("/account/token/", {"action": "create", "name": "报表", "read_only": "1"}))
    assert api(key).status_code == 200 and api(second).status_code == 200  # several at once
    first = ApiToken.objects.get(user=user, name="数据同步脚本")
    revoked = client.post("/account/token/", {"action": "revoke", "token": str(first.pk)})
    assert revoked.status_code == 302
    assert api(key).status_code == 401 and api(second).status_code == 200
    client.post("/account/token/", {"action": "revoke"})
    assert api(second).status_code == 401 and not ApiToken.objects.filter(user=user).exists()
    assert "API 令牌已撤销" in client.get("/account/token/").content.decode()


def test_only_a_hash_of_the_key_is_stored(db):
    user = UserFactory()
    token = ApiToken.issue(user)
    stored = ApiToken.objects.get(pk=token.pk)
    assert token.key not in (stored.key_hash, stored.prefix, stored.password_stamp) and len(stored.key_hash) == 64
    assert stored.key_hash == hashlib.sha256(token.key.encode()).hexdigest()
    assert not hasattr(stored, "key")


def test_a_token_expires_after_the_configured_days(db, settings):
    settings.API_TOKEN_DAYS = 90
    token = ApiToken.issue(UserFactory())
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert api(token.key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(token.key).status_code == 401


def test_a_password_change_ends_every_token_of_the_user(client, db):
    user = UserFactory()
    token = ApiToken.issue(user)
    assert api(token.key).status_code == 200
    user.set_password("a-new-long-password-2026")
    user.save()
    assert api(token.key).status_code == 401
    # a token issued after the change works
    assert api(ApiToken.issue(user).key).status_code == 200


def test_the_admin_changing_a_password_also_ends_the_tokens(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory()
    token = ApiToken.issue(user)
    client.force_login(admin)
    response = client.post(f"/admin/auth/user/{user.pk}/password/",
                           {"password1": "another-long-pass-2026", "password2": "another-long-pass-2026", "usable_password": "true"})
    assert response.status_code == 302
    assert api(token.key).status_code == 401


def test_deactivating_the_account_ends_its_tokens(db):
    user = UserFactory()
    token = ApiToken.issue(user)
    user.is_active = False
    user.save()
    assert api(token.key).status_code == 401
    user.is_active = True
    user.save()
    assert api(token.key).status_code == 200  # reactivated with the same password: valid again until expiry


def test_a_read_only_token_reads_but_cannot_write_or_review(submitted_value, reviewer):
    token = ApiToken.issue(reviewer, read_only=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert Client().get(f"/api/v1/values/{submitted_value.pk}", **auth).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        response = getattr(Client(), method)(f"/api/v1/values/{submitted_value.pk}/approve", {"version": submitted_value.version},
                                              content_type="application/json", **auth)
        assert response.status_code == 403, method
        assert "只读" in response.json()["detail"]
    submitted_value.refresh_from_db()
    assert submitted_value.state == workflow.SUBMITTED
    writer = ApiToken.issue(reviewer)
    response = Client().post(f"/api/v1/values/{submitted_value.pk}/approve", {"version": submitted_value.version},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Token {writer.key}")
    assert response.status_code == 200 and response.json()["state"] == workflow.APPROVED


def test_the_last_use_is_recorded(db):
    token = ApiToken.issue(UserFactory())
    assert token.last_used_at is None
    api(token.key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_the_token_page_needs_login_csrf_and_a_known_action(client):
    assert client.get("/account/token/").status_code == 302
    user = UserFactory()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.post("/account/token/", {"action": "create"}).status_code == 403
    client.force_login(user)
    assert client.post("/account/token/", {"action": "<script>"}).status_code == 400
    assert client.put("/account/token/").status_code == 405
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_user_cannot_revoke_someone_elses_token(client, db):
    owner, other = UserFactory(), UserFactory()
    token = ApiToken.issue(owner)
    client.force_login(other)
    client.post("/account/token/", {"action": "revoke", "token": str(token.pk)})
    assert ApiToken.objects.filter(pk=token.pk).exists() and api(token.key).status_code == 200


def test_an_unauthenticated_api_call_is_401_and_a_bad_token_too(db):
    assert Client().get("/api/v1/plans/").status_code == 401
    assert api("0" * 40).status_code == 401
    assert reverse("api_token") == "/account/token/"
