"""Celery tasks of the collaboration room: building and cleaning up campaign exports.

Their names predate the room (beat schedules and messages in flight use them), so they stay.
"""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from generation.collab import exports
from generation.pipeline.tasks import DATABASE_ERRORS, MAX_RETRIES, database_backoff


@shared_task(
    bind=True,
    name=exports.BUILD_EXPORT_TASK,
    max_retries=MAX_RETRIES,
    # Copying thousands of originals takes longer than a pipeline step.
    soft_time_limit=1800,
    time_limit=1900,
)
def build_export(self: Task, export_id: int) -> str:
    """Build a campaign export's ZIP (see `generation.collab.exports.export_build`)."""
    try:
        return exports.export_build(export_id=export_id)
    except DATABASE_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            exports.export_fail(export_id=export_id, message="The database was unavailable.")
            return "database_unavailable"
        raise self.retry(exc=exc, countdown=database_backoff(self.request.retries)) from None
    except SoftTimeLimitExceeded:
        exports.export_fail(export_id=export_id, message="The export took too long; try fewer.")
        return "time_limit"


@shared_task(name="generation.tasks.cleanup_exports", expires=600)
def cleanup_exports() -> int:
    """Beat: delete exports past their retention (EXPORT_RETENTION_HOURS)."""
    return exports.exports_cleanup()
