"""Celery tasks: thin wrappers that load by id, call one service and sort errors.

Messages carry only a generation id (JSON). The services decide and schedule the next step
themselves (after commit); here a database hiccup (`OperationalError`, e.g. SQLite busy past its
timeout) is retried with backoff, a task killed by its soft time limit is left for the sweeper,
and anything unexpected fails the generation with a message instead of leaving it hanging.
Redelivery is harmless (acks_late): each service moves the row with conditional updates.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import beat_init
from django.db import InterfaceError, OperationalError

from generation.firefly import errors
from generation.pipeline import catalogue, steps
from generation.pipeline.scheduling import POLL_INTERVAL_CAP, retry_countdown
from generation.pipeline.steps import MSG_INTERNAL

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 5


def _database_backoff(retries: int, floor: float = 0.0) -> float:
    return max(floor, retry_countdown(retries, base=1.0, cap=60.0))


def _run(task, service, generation_id: int, *, retry_floor: float = 0.0, on_error=None) -> str:
    try:
        return str(service(generation_id=generation_id))
    except DATABASE_ERRORS as exc:
        if task.request.retries >= task.max_retries:
            logger.error(
                "%s(%s): database unavailable; left for the sweeper", task.name, generation_id
            )
            return "database_unavailable"
        logger.warning("%s(%s): database error, retrying: %s", task.name, generation_id, exc)
        raise task.retry(
            exc=exc, countdown=_database_backoff(task.request.retries, retry_floor)
        ) from None
    except SoftTimeLimitExceeded:
        logger.warning("%s(%s): soft time limit; left for the sweeper", task.name, generation_id)
        return "time_limit"
    except _TransientCancelError:
        raise  # cancel_generation retries these itself
    except Exception:
        logger.exception("%s(%s) failed unexpectedly", task.name, generation_id)
        try:
            (on_error or _fail_internal)(generation_id)
        except DATABASE_ERRORS:
            logger.exception("%s(%s): could not record the failure", task.name, generation_id)
        return "internal_error"


def _fail_internal(generation_id: int) -> None:
    steps.generation_fail(generation_id=generation_id, code="internal_error", message=MSG_INTERNAL)


@shared_task(bind=True, name="generation.tasks.submit_generation", max_retries=MAX_RETRIES)
def submit_generation(self, generation_id: int) -> str:
    """Send a queued generation to Firefly (once; see `steps.generation_submit`)."""
    return _run(self, steps.generation_submit, generation_id)


@shared_task(bind=True, name="generation.tasks.poll_generation", max_retries=MAX_RETRIES)
def poll_generation(self, generation_id: int) -> str:
    """One status check; the service schedules the next one or saves the images."""
    # A retry must come after the interval this run may already have claimed, or it is not due.
    return _run(self, steps.generation_poll, generation_id, retry_floor=POLL_INTERVAL_CAP + 1)


@shared_task(bind=True, name="generation.tasks.cancel_generation", max_retries=MAX_RETRIES)
def cancel_generation(self, generation_id: int) -> str:
    """Cancel at Firefly a generation the user asked to cancel; if Firefly can't be told after
    a few tries (or refuses), the generation is cancelled here anyway."""
    try:
        return _run(self, _cancel, generation_id, on_error=_cancel_locally)
    except _TransientCancelError as wrapped:
        err = wrapped.error
        if self.request.retries >= self.max_retries:
            logger.warning("cancel of generation %s never reached Firefly: %s", generation_id, err)
            _cancel_locally(generation_id)
            return "cancelled_locally"
        countdown = retry_countdown(self.request.retries, err.retry_after)
        raise self.retry(countdown=countdown) from None


class _TransientCancelError(Exception):
    def __init__(self, error: errors.FireflyError) -> None:
        super().__init__(str(error))
        self.error = error


def _cancel_locally(generation_id: int) -> None:
    steps.generation_mark_cancelled(generation_id=generation_id)


def _cancel(*, generation_id: int):
    try:
        return steps.generation_cancel_at_firefly(generation_id=generation_id)
    except errors.FireflyError as err:
        if err.transient:
            raise _TransientCancelError(err) from None
        logger.warning("cancel of generation %s refused by Firefly: %s", generation_id, err)
        _cancel_locally(generation_id)
        return "cancelled_locally"


@shared_task(name="generation.tasks.sweep_generations", expires=60)
def sweep_generations() -> dict:
    """Beat: re-drive generations whose next step is overdue (see `generation_sweep`)."""
    try:
        counts = steps.generation_sweep()
    except DATABASE_ERRORS:
        logger.warning("sweeper: database unavailable; trying again next beat", exc_info=True)
        return {}
    if any(counts.values()):
        logger.info("sweeper: %s", counts)
    return counts


@shared_task(bind=True, name="generation.tasks.sync_custom_models", max_retries=3, expires=600)
def sync_custom_models(self) -> dict:
    """Beat: refresh the custom-model catalogue from Firefly."""
    try:
        result = catalogue.custom_models_sync()
    except errors.FireflyError as err:
        if err.transient and self.request.retries < self.max_retries:
            raise self.retry(
                countdown=retry_countdown(self.request.retries, err.retry_after, base=5.0)
            ) from None
        logger.warning("custom model sync failed: %s", err)
        return {"error": err.error_code or type(err).__name__}
    except DATABASE_ERRORS as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=_database_backoff(self.request.retries)) from None
        raise
    return {"created": result.created, "updated": result.updated, "missing": result.missing}


@shared_task(
    bind=True,
    name="generation.tasks.build_export",
    max_retries=MAX_RETRIES,
    # Copying thousands of originals takes longer than a pipeline step.
    soft_time_limit=1800,
    time_limit=1900,
)
def build_export(self, export_id: int) -> str:
    """Build a campaign export's ZIP (see `generation.collab.exports.export_build`)."""
    from generation.collab import exports

    try:
        return exports.export_build(export_id=export_id)
    except DATABASE_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            exports.export_fail(export_id=export_id, message="The database was unavailable.")
            return "database_unavailable"
        raise self.retry(exc=exc, countdown=_database_backoff(self.request.retries)) from None
    except SoftTimeLimitExceeded:
        exports.export_fail(export_id=export_id, message="The export took too long; try fewer.")
        return "time_limit"


@shared_task(name="generation.tasks.cleanup_exports", expires=600)
def cleanup_exports() -> int:
    """Beat: delete exports past their retention (EXPORT_RETENTION_HOURS)."""
    from generation.collab import exports

    return exports.exports_cleanup()


@beat_init.connect
def _sync_catalogue_when_beat_starts(sender=None, **kwargs) -> None:
    """A fresh install has an empty catalogue: sync once at start instead of after the first
    interval. The countdown gives the emulator a moment to come up beside beat."""
    sync_custom_models.apply_async(countdown=3)
