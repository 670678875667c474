"""Health endpoints.

`GET /healthz/live`: liveness. This process answers; nothing else is touched, so an orchestrator
never restarts a web process because a dependency is down.

`GET /healthz/ready` (and `GET /healthz`, its historical name): readiness of the deployment. 200
when the database, broker, media storage, static manifest, at least one Celery worker and beat are
all well; otherwise 503. The JSON names each check (`checks`, booleans), what is failing
(`failing`), why (`problems`), and a few numbers (`details`). It never shows a URL, host name,
credential or exception message: the endpoint is public, and those can carry secrets.
"""

import logging
import threading
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fireflyweb import __version__, celery_app
from generation.ops import heartbeat

log = logging.getLogger(__name__)

#: Where the storage probe writes (a name of its own, so it never meets a real file).
STORAGE_PROBE_PREFIX = "healthz"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "not reachable"
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # kombu raises transport-specific errors
        return False


def _uncollected_static_files() -> list[str]:
    """The static files this process cannot link. With hashed names (production) `{% static %}`
    raises for a file missing from the manifest, so every page is a 500 until `collectstatic`
    has run (or has run again after a file was added). The storage reads its manifest once, at
    start, so this is what this process will do until it restarts."""
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []  # pages link the source files, which are served from where they are
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    sources = sorted(path for finder in finders.get_finders() for path, _ in finder.list(ignore))
    if not staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return sources  # STATIC_ROOT never collected, or emptied since
    missing = []
    for path in sources:
        try:
            staticfiles_storage.stored_name(path)
        except ValueError:  # no manifest entry (or, not strict, no collected file to hash)
            missing.append(path)
    return missing


class _StorageProbe:
    """Write, read back and delete a small object in media storage; the answer is kept for
    HEALTH_STORAGE_CACHE_SECONDS so frequent probes cost one round trip per interval."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._error: str | None = None

    def reset(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")

    def error(self) -> str | None:
        """None when storage works, else the failing step and the exception's class name."""
        with self._lock:
            if time.monotonic() - self._checked_at >= settings.HEALTH_STORAGE_CACHE_SECONDS:
                self._error = self._probe()
                self._checked_at = time.monotonic()
            return self._error

    @staticmethod
    def _probe() -> str | None:
        payload = uuid.uuid4().hex.encode()
        step, name = "write", None
        try:
            name = default_storage.save(
                f"{STORAGE_PROBE_PREFIX}/{uuid.uuid4().hex}.txt", ContentFile(payload)
            )
            step = "read"
            with default_storage.open(name, "rb") as stored:
                if stored.read() != payload:
                    return "read (the object read back differs)"
            step = "delete"
            default_storage.delete(name)
            name = None
            return None
        except Exception as exc:  # any backend error: its message may hold an endpoint or key
            log.warning("Health probe of media storage failed at %s", step, exc_info=True)
            return f"{step} ({type(exc).__name__})"
        finally:
            if name is not None:
                try:
                    default_storage.delete(name)
                except Exception:
                    log.warning("Health probe could not remove %s", name, exc_info=True)


storage_probe = _StorageProbe()


def _processes(database_ok: bool) -> tuple[dict, dict, list[str]]:
    """(checks, details, problems) for the workers and beat, from their heartbeats."""
    if not database_ok:
        problems = ["Workers and beat cannot be checked: their heartbeats live in the database."]
        return {"workers": False, "beat": False}, {}, problems
    worker_max = settings.HEALTH_WORKER_STALE_SECONDS
    beat_max = settings.HEALTH_BEAT_STALE_SECONDS
    workers = heartbeat.fresh("worker", worker_max).count()
    beat_age = heartbeat.seconds_since_last("beat")
    checks = {"workers": workers > 0, "beat": beat_age is not None and beat_age <= beat_max}
    details = {
        "workers": {"alive": workers, "stale_after_seconds": worker_max},
        "beat": {
            "seconds_since_last_tick": None if beat_age is None else round(beat_age, 1),
            "stale_after_seconds": beat_max,
        },
    }
    problems = []
    if not checks["workers"]:
        problems.append(
            f"No Celery worker has reported in the last {worker_max:g} s: generations and "
            "exports stay queued. Start a worker (`celery -A fireflyweb worker`)."
        )
    if not checks["beat"]:
        seen = "has never run" if beat_age is None else f"last ticked {beat_age:.0f} s ago"
        problems.append(
            f"Celery beat {seen}: stuck jobs are not swept and exports not cleaned up. "
            "Run exactly one `celery -A fireflyweb beat`."
        )
    return checks, details, problems


def readiness() -> tuple[bool, dict]:
    """(healthy, body) of the readiness check."""
    uncollected = _uncollected_static_files()
    storage_error = storage_probe.error()
    checks = {
        "database": _database_ok(),
        "broker": _broker_ok(),
        "static": not uncollected,
        "storage": storage_error is None,
    }
    problems = []
    if not checks["database"]:
        problems.append("The database does not answer.")
    if not checks["broker"]:
        problems.append("The Celery broker does not answer.")
    if uncollected:
        problems.append(
            f"{len(uncollected)} static files are not collected (e.g. {uncollected[0]}), so "
            "pages cannot render: run `python manage.py collectstatic`, then restart."
        )
    if storage_error:
        problems.append(f"Media storage failed a probe at {storage_error}.")
    process_checks, details, process_problems = _processes(checks["database"])
    checks.update(process_checks)
    problems += process_problems
    failing = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": checks,
        "details": details,
        "firefly": {"endpoint": settings.FIREFLY_ENDPOINT},
        "version": __version__,
    }
    if failing:
        body["failing"] = failing
        body["problems"] = problems
    return not failing, body


@never_cache
@require_GET
def healthz(request):
    healthy, body = readiness()
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def liveness(request):
    return JsonResponse({"status": "ok", "version": __version__})
