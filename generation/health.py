"""`GET /healthz`: can this process serve its pages? 200 when healthy, 503 (with the reasons)
when not."""

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fireflyweb import __version__, celery_app


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


@never_cache
@require_GET
def healthz(request):
    uncollected = _uncollected_static_files()
    checks = {"database": _database_ok(), "broker": _broker_ok(), "static": not uncollected}
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
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        "firefly": {"endpoint": settings.FIREFLY_ENDPOINT},
        "version": __version__,
    }
    if problems:
        body["problems"] = problems
    return JsonResponse(body, status=200 if healthy else 503)
