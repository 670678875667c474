"""Settings for Firefly Campaign Studio.

Every value comes from the environment (see `.env.example` for the full list with defaults).
The defaults describe the embedded mode: SQLite, a file-system Celery broker, media on local disk
and the local Firefly emulator, so a fresh clone runs with no services at all.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from fireflyweb.env import env_bool, env_float, env_int, env_list, env_path, env_str
from fireflyweb.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("FIREFLY_VAR_DIR", BASE_DIR / "var")
# Embedded mode keeps its database, broker folders and media here; a fresh clone has none yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)
DEV_SECRET_KEY = "django-insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SILENCED_SYSTEM_CHECKS = env_list("DJANGO_SILENCED_SYSTEM_CHECKS")

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY: a random value of 50 characters or more "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=0 needs DJANGO_ALLOWED_HOSTS (comma-separated host names)."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "generation",
    "generation.collab",
]

MIDDLEWARE = [
    "fireflyweb.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fireflyweb.caching.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fireflyweb.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fireflyweb.urls"
WSGI_APPLICATION = "fireflyweb.wsgi.application"

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
                "fireflyweb.context_processors.product",
                "fireflyweb.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DEFAULT_SQLITE_PATH = VAR_DIR / "db.sqlite3"
# The debug page and error e-mails hide connection URLs and mask passwords inside URLs.
DEFAULT_EXCEPTION_REPORTER_FILTER = "fireflyweb.reporting.ConnectionSafeExceptionReporterFilter"

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
try:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock when a transaction
    # starts, so two writers queue on `timeout` instead of failing with "database is locked".
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    }
    _database["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every process: Firefly tokens, the rate limiter's clock) -----------------

CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL in ("", "file://") or CACHE_URL.startswith("file://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_URL.removeprefix("file://") or str(VAR_DIR / "cache"),
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r} is not understood; use redis://…, file:///path or locmem://"
    )

# --- Auth -----------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "campaign_list"
LOGOUT_REDIRECT_URL = "login"
LOGIN_RATE_LIMIT = env_str("LOGIN_RATE_LIMIT", "10/5m")
# Password guessing: django-axes, for the studio's sign-in and the admin's (see
# generation/studio/views/auth.py). Failures count per (username, client address).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "generation.studio.views.auth.failure_limit"
AXES_COOLOFF_TIME = "generation.studio.views.auth.cool_off"
AXES_LOCKOUT_CALLABLE = "generation.studio.views.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "fireflyweb.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind a load balancer: the header it writes the client's address into, and how many proxies
# append to it. Unset, the header is ignored (anyone can send one).
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1)

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
# Hashed, compressed names need `collectstatic`; development serves the source files directly.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
WHITENOISE_MAX_AGE = 31536000 if STATIC_MANIFEST else 0
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG and not STATIC_MANIFEST

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible media (optional extra: pip install -r requirements-s3.txt).
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300, minimum=30),
            "file_overwrite": True,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "fireflyweb.staticfiles.ModuleAwareStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Production fast path for authorised media: with e.g. "/_protected/", views answer with an
# X-Accel-Redirect to that internal nginx location instead of streaming the file through Python.
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_ACCEL_REDIRECT_PREFIX", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole domain and its subdomains to HTTPS in browsers for months
        # and is hard to undo: the domain's owner opts in (DJANGO_SECURE_HSTS_PRELOAD=1), so
        # the check that only says "not preloaded" is a decision here, not a finding.
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Firefly --------------------------------------------------------------------------------

EMULATOR_CLIENT_ID = "campaign-studio-local"
EMULATOR_CLIENT_SECRET = "emulator-secret-not-for-production"  # noqa: S105 (the emulator's own)
FIREFLY_EMULATOR_PORT = env_int("FIREFLY_EMULATOR_PORT", 8765, minimum=1)
_emulator_origin = f"http://127.0.0.1:{FIREFLY_EMULATOR_PORT}"

FIREFLY_CLIENT_ID = env_str("FIREFLY_CLIENT_ID")
FIREFLY_CLIENT_SECRET = env_str("FIREFLY_CLIENT_SECRET")
# No credentials at all means "talk to the local emulator"; half a pair is a system check error.
FIREFLY_USE_EMULATOR = not FIREFLY_CLIENT_ID and not FIREFLY_CLIENT_SECRET
if FIREFLY_USE_EMULATOR:
    FIREFLY_CLIENT_ID, FIREFLY_CLIENT_SECRET = EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET
FIREFLY_SCOPES = env_str("FIREFLY_SCOPES", "openid,AdobeID,firefly_api,ff_apis")
FIREFLY_IMS_URL = env_str(
    "FIREFLY_IMS_URL",
    f"{_emulator_origin}/ims/token/v3"
    if FIREFLY_USE_EMULATOR
    else "https://ims-na1.adobelogin.com/ims/token/v3",
)
FIREFLY_API_BASE = env_str(
    "FIREFLY_API_BASE", _emulator_origin if FIREFLY_USE_EMULATOR else "https://firefly-api.adobe.io"
)
FIREFLY_ENDPOINT = (
    "adobe" if (urlsplit(FIREFLY_API_BASE).hostname or "").endswith("adobe.io") else "emulator"
)
FIREFLY_CONNECT_TIMEOUT = env_float("FIREFLY_CONNECT_TIMEOUT", 5.0, minimum=0.1)
FIREFLY_READ_TIMEOUT = env_float("FIREFLY_READ_TIMEOUT", 30.0, minimum=0.1)
FIREFLY_MAX_DOWNLOAD_BYTES = env_int("FIREFLY_MAX_DOWNLOAD_BYTES", 25 * 1024 * 1024, minimum=1024)
FIREFLY_EXTRA_ALLOWED_HOSTS = env_list("FIREFLY_EXTRA_ALLOWED_HOSTS")
# Adobe allows an organisation 4 requests a minute by default; the emulator has no such limit,
# so local runs pace far more loosely unless told otherwise.
FIREFLY_RATE_LIMIT_PER_MINUTE = env_int(
    "FIREFLY_RATE_LIMIT_PER_MINUTE", 4 if FIREFLY_ENDPOINT == "adobe" else 600, minimum=0
)
FIREFLY_RATE_LIMIT_COUNTS_POLLS = env_bool("FIREFLY_RATE_LIMIT_COUNTS_POLLS", True)
FIREFLY_JOB_DEADLINE_SECONDS = env_int("FIREFLY_JOB_DEADLINE_SECONDS", 900, minimum=10)
FIREFLY_POLL_INTERVAL_SECONDS = env_float("FIREFLY_POLL_INTERVAL_SECONDS", 2.0, minimum=0.1)
FIREFLY_MAX_ATTEMPTS = env_int("FIREFLY_MAX_ATTEMPTS", 8, minimum=1)

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = env_path("CELERY_BROKER_FOLDER", VAR_DIR / "broker")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "control", "processed"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
    # kombu's transport, but a message file appears only once it is complete
    # (generation.pipeline.broker).
    CELERY_BROKER_TRANSPORT = "generation.pipeline.broker:Transport"
    # One folder for in and out, so any process on this machine can publish and consume.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Countdowns stay far below this, so an ETA task is never redelivered while it waits.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CELERY_VISIBILITY_TIMEOUT = 3600
# The queue tasks are published to and workers consume (by default).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # job state lives in the database, never in a result backend
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 4, minimum=1)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10.0
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 150, minimum=5)
# The sweeper re-drives queued rows this long overdue, and submitted/running rows this long past
# their `next_poll_at` (a step may legitimately run up to the task time limit).
FIREFLY_SWEEP_QUEUED_GRACE_SECONDS = env_float(
    "FIREFLY_SWEEP_QUEUED_GRACE_SECONDS", 60.0, minimum=0
)
FIREFLY_SWEEP_ACTIVE_GRACE_SECONDS = env_float(
    "FIREFLY_SWEEP_ACTIVE_GRACE_SECONDS", CELERY_TASK_TIME_LIMIT + 30.0, minimum=0
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-generations": {
        "task": "generation.tasks.sweep_generations",
        "schedule": env_float("FIREFLY_SWEEP_INTERVAL_SECONDS", 30.0, minimum=1),
    },
    "sync-custom-models": {
        "task": "generation.tasks.sync_custom_models",
        "schedule": env_float("FIREFLY_CATALOGUE_SYNC_SECONDS", 900.0, minimum=10),
    },
}

# --- Email (review notifications) ------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Campaign Studio <studio@localhost>")
# The port `make run` serves on (the Procfile's `web` reads the same variable).
WEB_PORT = env_int("WEB_PORT", 8000, minimum=1)
# Absolute links in notification emails, e.g. https://studio.example.com. Unset, an email links
# to the address of the request that caused it, wherever (host, port) the studio runs.
STUDIO_BASE_URL = env_str("STUDIO_BASE_URL").rstrip("/")
_studio = urlsplit(STUDIO_BASE_URL)
if STUDIO_BASE_URL and (_studio.scheme not in ("http", "https") or not _studio.netloc):
    raise ImproperlyConfigured(
        f"STUDIO_BASE_URL={STUDIO_BASE_URL!r} is not a web address like https://studio.example.com"
    )
NOTIFICATION_EMAILS = env_bool("NOTIFICATION_EMAILS", True)
# Share-link passwords: wrong guesses allowed per link and per client address in a window,
# after which guesses are refused without checking them (generation/collab/sharing.py).
SHARE_UNLOCK_FAILURES = env_int("SHARE_UNLOCK_FAILURES", 10, minimum=1)
SHARE_UNLOCK_WINDOW_SECONDS = env_int("SHARE_UNLOCK_WINDOW_SECONDS", 900, minimum=10)

# --- Exports ------------------------------------------------------------------------------------

EXPORT_LINK_MAX_AGE_SECONDS = env_int("EXPORT_LINK_MAX_AGE_SECONDS", 24 * 3600, minimum=60)
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 72, minimum=1)
EXPORT_TEMP_DIR = env_str("EXPORT_TEMP_DIR")  # empty: the system's temporary folder
# Exports are re-driven from the database like generations (generation/collab/export_sweep.py).
EXPORT_SWEEP_QUEUED_GRACE_SECONDS = env_float("EXPORT_SWEEP_QUEUED_GRACE_SECONDS", 60.0, minimum=0)
EXPORT_SWEEP_RUNNING_SILENCE_SECONDS = env_float(
    "EXPORT_SWEEP_RUNNING_SILENCE_SECONDS", 600.0, minimum=10
)
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3, minimum=1)
CELERY_BEAT_SCHEDULE["sweep-stuck-exports"] = {
    "task": "generation.tasks.sweep_exports",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["clean-up-exports"] = {
    "task": "generation.tasks.cleanup_exports",
    "schedule": env_float("EXPORT_CLEANUP_INTERVAL_SECONDS", 3600.0, minimum=10),
}

# --- Logging --------------------------------------------------------------------------------

# Logs: JSON lines in production (one object per line, with the request id and job on each),
# plain text while developing; `LOG_FORMAT` overrides either (fireflyweb/observability.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not understood; use json or text")
LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"), json_lines=LOG_FORMAT == "json")

# Error reports to Sentry when a DSN is set (Django and Celery), scrubbed of secrets.
# Prometheus metrics at /metrics for a scraper sending `Authorization: Bearer <token>`; the
# page answers 404 while this is empty (generation/metrics.py).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production" if not DEBUG else "development"),
        secrets=tuple(s for s in (SECRET_KEY, FIREFLY_CLIENT_SECRET) if s),
    )
