"""Celery tasks of the collaboration room: building and cleaning up campaign exports, and
sending notification emails.

Their names predate the room (beat schedules and messages in flight use them), so they stay.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from generation.collab import export_sweep, exports, notifications
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


@shared_task(name="generation.tasks.sweep_exports", expires=60)
def sweep_exports() -> dict[str, int]:
    """Beat: send again the exports whose message or worker was lost (see export_sweep)."""
    return export_sweep.exports_sweep()


@shared_task(name="generation.tasks.cleanup_exports", expires=600)
def cleanup_exports() -> int:
    """Beat: delete exports past their retention (EXPORT_RETENTION_HOURS)."""
    return exports.exports_cleanup()


@shared_task(
    name=notifications.SEND_EMAIL_TASK,
    # A mail server that is down or slow is retried for about an hour, then given up on
    # (the notification itself is in the app already).
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=120,
)
def send_notification_email(notification_id: int, link: str) -> bool:
    return notifications.notification_email_send(notification_id=notification_id, link=link)
