"""One settings module, driven by environment variables with safe defaults.

Every variable is documented in `.env.example` and the README's configuration table.
"""
import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key():
    """A committed key would be shared by every deployment, so none is committed: production
    passes DJANGO_SECRET_KEY; a local run generates one once into a git-ignored file."""
    configured = os.environ.get("DJANGO_SECRET_KEY")
    if configured:
        return configured
    key_file = Path(os.environ.get("DJANGO_SECRET_KEY_FILE", BASE_DIR / ".secret_key"))
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "core",
    "accounts",
    "reporting",
    "indicators",
    "projects",
]
# 示例数据 generators and demo accounts (`make run`, tests, benchmarks); off in production.
if os.environ.get("DJANGO_DEMO", "1") != "0":
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.generations.one_read_per_request",
    "core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.DeferredWorkNoticeMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: unset → an embedded SQLite file; set → PostgreSQL through psycopg 3 with persistent
# connections and a health check before reuse (so a restarted server does not break requests).
# One strategy, chosen over Django's psycopg pool: gunicorn runs gthread workers
# (deploy/gunicorn.conf.py) and Django gives each thread its own connection either way, so a
# pool would add a dependency (psycopg_pool) and a second limit to tune without saving
# connections: web holds at most GUNICORN_WORKERS × GUNICORN_THREADS, each reused for
# DJANGO_CONN_MAX_AGE seconds, and docker-compose.yml sizes PostgreSQL's max_connections for that.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
    # Parameters bound by the server and statements prepared after a use (core/postgresql/base.py);
    # "off" keeps Django's client-side binding, for a pooler in transaction mode (PgBouncer).
    PREPARE_THRESHOLD = os.environ.get("DJANGO_DB_PREPARE_THRESHOLD", "1").strip().lower()
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PREPARE_THRESHOLD != "off":
        DATABASES["default"]["ENGINE"] = "core.postgresql"
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": int(PREPARE_THRESHOLD)})
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Writers wait for the lock instead of failing at once with "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# /bench/trivial/ (the benchmarks' yardstick page) exists only when this is on; benchmarks/run.py
# sets it for its gunicorn. Off in production.
BENCHMARK = env_bool("DJANGO_BENCHMARK")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ProfileBackend",  # signs people in, and reads the user with profile and region
    # Kept so that sessions signed in before ProfileBackend existed stay valid until they expire.
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
# Empty: the header is ignored and the connecting address counts, so a client cannot pick a new
# address for every wrong password. docker-compose.yml sets the nginx service's fixed address.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo fails at start, not at the first login
AXES_USERNAME_CALLABLE = "core.security.axes_username"
# Without this every manage.py command prints an "AXES: BEGIN …" banner.
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "core.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "core.staticstorage.ForgivingManifestStaticFilesStorage"
            if env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
# Uploaded evidence lives outside static and is served only through permission-checked views.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Nothing serves MEDIA_ROOT directly: files go through permission-checked views. The URL only
# has to be a string (the test live server parses it).
MEDIA_URL = "/_private_media/"

# Region-wide summaries are cached per data generation (core/generations.py). Per process by
# default; point it at Redis to share one copy between gunicorn workers.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "summaries": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "summaries",
                  "OPTIONS": {"MAX_ENTRIES": 2000}},
}

# Celery: no broker → tasks run eagerly in-process, so a single-machine install needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
# Reliability: a task is acknowledged only when it finished, and redelivered when its worker
# died (every task is idempotent: reports by token, e-mails by their sent flag, re-evaluation
# recomputes). Each task has a soft time limit (SoftTimeLimitExceeded lets it end cleanly) and a
# hard one; the whole-database re-evaluation gets longer. Redis redelivers a task not acknowledged
# within the visibility timeout, so it must exceed the longest hard limit (and retry countdowns),
# or a long task would be run twice at once. Tasks are sent only after the transaction that
# made them commits: every caller goes through transaction.on_commit → reporting.tasks.enqueue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_ANNOTATIONS = {
    "indicators.results.tasks.reevaluate_all": {"soft_time_limit": 1800, "time_limit": 1900},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "reporting.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    "requeue-pending-reports": {
        "task": "indicators.reports.tasks.requeue_pending_reports",
        "schedule": crontab(minute="*/10"),
    },
    # E-mails of notifications saved while the broker was down go out on the next run.
    "send-pending-notification-emails": {
        "task": "reporting.tasks.send_notification_emails",
        "schedule": crontab(minute="5-59/15"),
    },
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "生态指标 <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an unauthenticated API call gets 401 with WWW-Authenticate, not 403.
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "生态指标 tracker API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"ProjectStatusEnum": "projects.models.Status"},
}

# API tokens (core.models.ApiToken) expire this many days after they are issued.
API_TOKEN_DAYS = int(os.environ.get("DJANGO_API_TOKEN_DAYS", "90"))

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# HTTPS deployments (behind a TLS-terminating proxy) turn on every secure-cookie and HSTS setting.
HTTPS = env_bool("DJANGO_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check asks over plain http
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions end after DJANGO_SESSION_SECONDS of inactivity: every request pushes the expiry on.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy: everything from our own origin only. Charts are drawn by
# static/js/charts.js from JSON data blocks (no inline script); plotly.js injects <style>
# elements, hence 'unsafe-inline' for styles only, and draws some icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The largest request body accepted at all (evidence uploads are the largest); nginx has the same
# cap (deploy/nginx.conf client_max_body_size). core.middleware.RequestSizeLimitMiddleware refuses
# a bigger declared Content-Length with 413 before anything reads the body.
REQUEST_MAX_BYTES = int(os.environ.get("DJANGO_REQUEST_MAX_BYTES", str(32 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
PLAN_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Django refuses a multipart request with more files than this (400) before reading them.
DATA_UPLOAD_MAX_NUMBER_FILES = 30
# 佐证材料 limits (reporting/evidence.py): per file, per record (one value or one year's project
# progress: files and bytes), and per uploader in total.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES_PER_RECORD = int(os.environ.get("DJANGO_EVIDENCE_MAX_FILES_PER_RECORD", "20"))
EVIDENCE_MAX_BYTES_PER_RECORD = int(os.environ.get("DJANGO_EVIDENCE_MAX_BYTES_PER_RECORD", str(50 * 1024 * 1024)))
EVIDENCE_MAX_BYTES_PER_USER = int(os.environ.get("DJANGO_EVIDENCE_MAX_BYTES_PER_USER", str(1024 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
