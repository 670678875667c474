"""What the studio talks to and runs: Firefly, Celery and beat, health checks, email, exports,
logs and error reports."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from fireflyweb.env import env_bool, env_float, env_int, env_list, env_path, env_str
from fireflyweb.observability import init_sentry, logging_config
from fireflyweb.settings.base import DEBUG, SECRET_KEY, TIME_ZONE, VAR_DIR

# --- Firefly --------------------------------------------------------------------------------

EMULATOR_CLIENT_ID = "campaign-studio-local"
EMULATOR_CLIENT_SECRET = "emulator-secret-not-for-production"  # noqa: S105 (the emulator's own)
FIREFLY_EMULATOR_PORT = env_int("FIREFLY_EMULATOR_PORT", 8765, minimum=1)
# Where the emulator runs: this machine (`make run`), or a service name (`docker compose`: a
# container's 127.0.0.1 is itself, not the emulator's container).
FIREFLY_EMULATOR_HOST = env_str("FIREFLY_EMULATOR_HOST", "127.0.0.1")
_emulator_origin = f"http://{FIREFLY_EMULATOR_HOST}:{FIREFLY_EMULATOR_PORT}"

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

# Beat records its heartbeat on every tick (generation.ops.heartbeat); otherwise the default.
CELERY_BEAT_SCHEDULER = "generation.ops.heartbeat:HeartbeatScheduler"

# --- Quotas -------------------------------------------------------------------------------------

# What one person, one campaign and the whole studio may have waiting at once; 0 means no limit.
# A person's 999 queued generations would hold everyone else's back for hours, and every export
# holds a worker and disk space while it builds (generation/quotas.py).
QUOTA_ACTIVE_GENERATIONS_PER_USER = env_int("QUOTA_ACTIVE_GENERATIONS_PER_USER", 100, minimum=0)
QUOTA_ACTIVE_GENERATIONS_PER_CAMPAIGN = env_int(
    "QUOTA_ACTIVE_GENERATIONS_PER_CAMPAIGN", 400, minimum=0
)
QUOTA_ACTIVE_EXPORTS_PER_USER = env_int("QUOTA_ACTIVE_EXPORTS_PER_USER", 2, minimum=0)
QUOTA_ACTIVE_EXPORTS = env_int("QUOTA_ACTIVE_EXPORTS", 4, minimum=0)

# --- Health (/healthz, `manage.py healthcheck`) ------------------------------------------------

# How often each worker and beat records its heartbeat, and after how long without one readiness
# reports it stopped (a few missed beats, so one slow database write is not an outage).
HEALTH_HEARTBEAT_SECONDS = env_float("HEALTH_HEARTBEAT_SECONDS", 15.0, minimum=1)
HEALTH_WORKER_STALE_SECONDS = env_float(
    "HEALTH_WORKER_STALE_SECONDS", 4 * HEALTH_HEARTBEAT_SECONDS, minimum=1
)
HEALTH_BEAT_STALE_SECONDS = env_float(
    "HEALTH_BEAT_STALE_SECONDS", 4 * HEALTH_HEARTBEAT_SECONDS, minimum=1
)
# The storage probe (write, read, delete a small object) runs at most this often per process.
HEALTH_STORAGE_CACHE_SECONDS = env_float("HEALTH_STORAGE_CACHE_SECONDS", 30.0, minimum=0)

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
