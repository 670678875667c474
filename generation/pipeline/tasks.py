"""Celery tasks: thin wrappers that load by id, call one service and sort errors.

Messages carry only a generation id (JSON). The services decide and schedule the next step
themselves (after commit); here a database hiccup (`OperationalError`, e.g. SQLite busy past its
timeout) is retried with backoff, a task killed by its soft time limit is left for the sweeper,
and anything unexpected fails the generation with a message instead of leaving it hanging.
Redelivery is harmless (acks_late): each service moves the row with conditional updates.

Imports go one way: this module imports the steps (`submit`, `poll`, `cancel`, `sweep`); they
enqueue the next task by its name (`scheduling.TASK_NAMES`) and never import this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import beat_init
from django.db import InterfaceError, OperationalError

from generation.firefly import errors
from generation.pipeline import cancel, catalogue, poll, submit, sweep
from generation.pipeline.outcomes import Failure, fail
from generation.pipeline.scheduling import (
    CANCEL,
    POLL,
    POLL_INTERVAL_CAP,
    SUBMIT,
    TASK_NAMES,
    Step,
    retry_countdown,
)

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 5


def database_backoff(retries: int, floor: float = 0.0) -> float:
    return max(floor, retry_countdown(retries, base=1.0, cap=60.0))


def _run(
    task: Task,
    service: Callable[..., Step | str],
    generation_id: int,
    *,
    retry_floor: float = 0.0,
    on_error: Callable[[int], object] | None = None,
) -> str:
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
            exc=exc, countdown=database_backoff(task.request.retries, retry_floor)
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
    fail(generation_id, Failure.INTERNAL_ERROR)


@shared_task(bind=True, name=TASK_NAMES[SUBMIT], max_retries=MAX_RETRIES)
def submit_generation(self: Task, generation_id: int) -> str:
    """Send a queued generation to Firefly (once; see `submit.generation_submit`)."""
    return _run(self, submit.generation_submit, generation_id)


@shared_task(bind=True, name=TASK_NAMES[POLL], max_retries=MAX_RETRIES)
def poll_generation(self: Task, generation_id: int) -> str:
    """One status check; the service schedules the next one or saves the images."""
    # A retry must come after the interval this run may already have claimed, or it is not due.
    return _run(self, poll.generation_poll, generation_id, retry_floor=POLL_INTERVAL_CAP + 1)


@shared_task(bind=True, name=TASK_NAMES[CANCEL], max_retries=MAX_RETRIES)
def cancel_generation(self: Task, generation_id: int) -> str:
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
    cancel.generation_mark_cancelled(generation_id=generation_id)


def _cancel(*, generation_id: int) -> Step | str:
    try:
        return cancel.generation_cancel_at_firefly(generation_id=generation_id)
    except errors.FireflyError as err:
        if err.transient:
            raise _TransientCancelError(err) from None
        logger.warning("cancel of generation %s refused by Firefly: %s", generation_id, err)
        _cancel_locally(generation_id)
        return "cancelled_locally"


@shared_task(name="generation.tasks.sweep_generations", expires=60)
def sweep_generations() -> dict[str, int]:
    """Beat: re-drive generations whose next step is overdue (see `sweep.generation_sweep`)."""
    try:
        counts = sweep.generation_sweep()
    except DATABASE_ERRORS:
        logger.warning("sweeper: database unavailable; trying again next beat", exc_info=True)
        return {}
    if any(counts.values()):
        logger.info("sweeper: %s", counts)
    return counts


@shared_task(bind=True, name="generation.tasks.sync_custom_models", max_retries=3, expires=600)
def sync_custom_models(self: Task) -> dict[str, int | str]:
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
            raise self.retry(exc=exc, countdown=database_backoff(self.request.retries)) from None
        raise
    return {"created": result.created, "updated": result.updated, "missing": result.missing}


@beat_init.connect
def _sync_catalogue_when_beat_starts(sender: object = None, **kwargs: object) -> None:
    """A fresh install has an empty catalogue: sync once at start instead of after the first
    interval. The countdown gives the emulator a moment to come up beside beat."""
    sync_custom_models.apply_async(countdown=3)
