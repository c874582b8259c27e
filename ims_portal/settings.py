"""Settings: one module that reads the environment strictly and refuses malformed values."""

import os
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true/false (1/0, yes/no, on/off), not {raw!r}.")


LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "10000"))
STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "60000"))


def database_from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name or sqlite:///path; anything else is refused."""
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        name = parsed.path.lstrip("/")
        if not name or not parsed.hostname:
            raise ImproperlyConfigured(f"DATABASE_URL needs a host and a database name: {url!r}.")
        try:
            port = parsed.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL has a bad port: {url!r}.") from exc
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(name),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname,
            "PORT": str(port or 5432),
            "CONN_MAX_AGE": 60,
            # A locked row or a runaway query ends in seconds with an error the code retries or refuses,
            # not a request hanging until gunicorn kills it (issue 14). Job workers lift the statement
            # limit for their handlers (jobs.runner); the lock limit stays.
            "OPTIONS": {
                "options": f"-c lock_timeout={LOCK_TIMEOUT_MS} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
            },
            "TEST": {"NAME": f"test_{unquote(name)}"},
        }
    if parsed.scheme == "sqlite":
        path = parsed.path[1:] if parsed.path.startswith("//") else parsed.path.lstrip("/")
        if not path:
            raise ImproperlyConfigured("DATABASE_URL sqlite:///path needs a file path.")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": {"timeout": 20}}
    raise ImproperlyConfigured(f"DATABASE_URL must be postgres://… or sqlite:///…, not {url!r}.")


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
elif len(SECRET_KEY) < 20:
    raise ImproperlyConfigured("SECRET_KEY must be at least 20 characters.")

_hosts = os.environ.get("ALLOWED_HOSTS", "")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()]
if _hosts and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be a comma-separated list of host names.")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
for _h in ALLOWED_HOSTS:
    if " " in _h or "/" in _h:
        raise ImproperlyConfigured(f"ALLOWED_HOSTS has a malformed host {_h!r}.")

# the sandbox clock lets an admin set business time (training, demos, tests).
IMS_SANDBOX_CLOCK = env_bool("IMS_SANDBOX_CLOCK", False)

_db_url = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": database_from_url(_db_url)
    if _db_url
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3", "OPTIONS": {"timeout": 20}}
}

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and urlparse(REDIS_URL).scheme not in ("redis", "rediss"):
    raise ImproperlyConfigured(f"REDIS_URL must be redis://host:port/db, not {REDIS_URL!r}.")

# Without Redis (the embedded `make run` mode) tasks run in process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Kolkata"
CELERY_TASK_ACKS_LATE = True
# A child killed mid-task (OOM, kill -9) puts its message back instead of marking it done; the job's
# heartbeat and the reaper (jobs.runner, every minute) are what end or retry it, in minutes.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Issue 13: parts of the all-taxpayers jobs for large taxpayers go to the ``large`` queue, consumed by its
# own workers (`celery -A ims_portal worker -Q large`; docker compose's worker-large), so the small ones
# finish in minutes whatever the largest does. Default workers consume the default queue (``celery``).
CELERY_TASK_ROUTES = {"jobs.tasks.run_large_job": {"queue": "large"}}
# A recipient with more IMS records than this in the period is "large" (its own part, on that queue).
GSTR2B_LARGE_RECORDS = int(os.environ.get("GSTR2B_LARGE_RECORDS", "50000"))
# Taxpayers per part of an all-taxpayers job.
FANOUT_CHUNK = int(os.environ.get("FANOUT_CHUNK", "100"))
# Every job has a time limit of its kind (jobs.runner.TIME_LIMITS); the broker's redelivery is a last
# resort behind the reaper, so its timeout need only exceed the longest limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 3600,
    # A broker that is down or frozen answers a request within seconds (BROKER_UNAVAILABLE, 503), not 31 s.
    "socket_timeout": 3,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "js_lib_htmx",
    # Issue 14: request, database and job metrics for Prometheus at /metrics.
    "django_prometheus",
    # Our apps, bottom layer first (docs/DECISIONS.md "Layout"): each imports only those above it here.
    "core",
    "taxpayers",
    "jobs",
    "ims",
    "invoices",
    "customs",
    "returns",
    "recon",
    "gstn",
    "ims_portal",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ims_portal.middleware.RequestIdMiddleware",
    "ims_portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ims_portal.middleware.RequestHygieneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ims_portal.middleware.SessionEpochMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ims_portal.middleware.IffClosingMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Who may scrape /metrics without signing in (the Prometheus server's address).
METRICS_ALLOWED_IPS = [
    ip.strip() for ip in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if ip.strip()
]

ROOT_URLCONF = "ims_portal.urls"
WSGI_APPLICATION = "ims_portal.wsgi.application"

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
                "ims_portal.context.portal",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "en-in"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Job files (Excel import and error workbooks): web and worker share this directory (a compose volume).
MEDIA_ROOT = BASE_DIR / "media"
# WhiteNoise serves static files under gunicorn too (collectstatic in the image); in development and
# tests it finds them in the apps directly, so STATIC_ROOT need not exist.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# GSTR-1 JSON of 10,000 documents is a few MB; large files go through the upload job.
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "taxpayers.signin.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["core.api.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.FastJSONRenderer"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IMS Portal API",
    "DESCRIPTION": "GST Invoice Management System: GSTR-1/IFF/1A, IMS actions, GSTR-2B and GSTR-3B.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served by the app itself (closed office networks have no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Bodies and replies are separate components where they differ (a request has no `id`, …).
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per shared set of codes, so clients get one enum each.
    "ENUM_NAME_OVERRIDES": {
        "YesNoEnum": ["Y", "N"],
        "NoteTypeEnum": ["C", "D"],
        "ImsActionEnum": ["N", "A", "R", "P"],
        "RoleEnum": ["owner", "preparer", "viewer"],
        "SupplierSectionEnum": ["b2b", "b2ba", "b2bdn", "b2bdna", "b2bcn", "b2bcna", "ecom", "ecoma"],
        "ImsSectionEnum": "ims.domain.IMS_SECTIONS",
    },
    "SORT_OPERATIONS": False,
}

# Behind a TLS-terminating proxy (production: TLS_PROXY=1): trust its X-Forwarded-Proto, redirect plain
# HTTP, send HSTS, and keep cookies off plain HTTP. `manage.py check --deploy` is clean with it on.
TLS_PROXY = env_bool("TLS_PROXY", False)
if TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the orchestrator probes over plain HTTP inside the network
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # the flag only; listing is a manual step
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy of every page (ims_portal.middleware.SecurityHeadersMiddleware): scripts and
# styles from this site only; the API docs page (Swagger UI) needs its inline bootstrap script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)

# Sign-in limits (issue 14, API.md): failures per username and per client address within the window lock
# further tries until the oldest failure leaves it; API tokens expire.
SIGNIN_FAILURES_PER_USERNAME = int(os.environ.get("SIGNIN_FAILURES_PER_USERNAME", "5"))
SIGNIN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGNIN_FAILURES_PER_ADDRESS", "50"))
SIGNIN_LOCKOUT_SECONDS = int(os.environ.get("SIGNIN_LOCKOUT_SECONDS", "900"))
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
# The sign-in counters must be shared by every web process: Redis when there is one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    # One line per event with time, level, logger and the request id (issue 14: structured logs).
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"ims_portal.requests": {"level": "INFO"}},
}

# Issue 17: the daily digest by email. Without EMAIL_HOST (make run) mails go to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "IMS Portal <ims-portal@localhost>")
