"""Django itself: core, database, cache, sign-in, static and media, security."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from fireflyweb.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
)
from fireflyweb.media import media_origins

BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
    "csp",
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
    "csp.middleware.CSPMiddleware",
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
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME")
# Pre-signed links use SigV4: legacy SigV2 ("s3") is refused by every region opened since 2014
# and deprecated elsewhere; it stays selectable for an old S3-compatible server.
AWS_S3_SIGNATURE_VERSION = env_choice("AWS_S3_SIGNATURE_VERSION", "s3v4", ("s3v4", "s3"))
AWS_S3_ADDRESSING_STYLE = env_choice("AWS_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual"))
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible media (optional extra: pip install -r requirements-s3.txt).
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": AWS_S3_REGION_NAME or None,
            "signature_version": AWS_S3_SIGNATURE_VERSION,
            "addressing_style": AWS_S3_ADDRESSING_STYLE,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300, minimum=30),
            "file_overwrite": True,
            # A folder inside the bucket, e.g. to share one bucket between deployments.
            "location": env_str("AWS_LOCATION").strip("/"),
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
    # Load balancers and container checks probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
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

# Content-Security-Policy (django-csp). Strict: no inline script or style, and images only from
# the studio itself and, with S3 media, the object store that pre-signed media links point at.
MEDIA_ORIGINS = env_list("MEDIA_ORIGINS") or media_origins(
    bucket=AWS_STORAGE_BUCKET_NAME,
    endpoint_url=AWS_S3_ENDPOINT_URL,
    region=AWS_S3_REGION_NAME,
    addressing_style=AWS_S3_ADDRESSING_STYLE,
)
_csp = {
    # The admin ships inline scripts of its own; it is staff-only and keeps Django's defaults.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *MEDIA_ORIGINS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if _csp_report_uri := env_str("CSP_REPORT_URI"):
    _csp["DIRECTIVES"]["report-uri"] = [_csp_report_uri]
# Report-only: browsers report violations (to CSP_REPORT_URI) but block nothing; for trying a
# policy change on a live site before enforcing it. (Not a CSP_* setting: django-csp 4 takes
# those for its old configuration style and refuses to start.)
_csp_report_only = env_bool("CSP_REPORT_ONLY", False)
CONTENT_SECURITY_POLICY = None if _csp_report_only else _csp
CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp if _csp_report_only else None
