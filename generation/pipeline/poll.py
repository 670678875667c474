"""Poll: ask Firefly once how a submitted job is doing, act on the answer, schedule the next.

One status request per run, claimed by a compare-and-set on `next_poll_at`, then the next poll
is scheduled (adaptive interval, `retry-after` honoured); no sleeping. A succeeded job's images
are saved by `ingest`; a job past its deadline is cancelled at Firefly.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from generation.firefly import FireflyClient, JobStatus, errors
from generation.firefly.facts import CONTENT_POLICY_CODES
from generation.models import Generation
from generation.pipeline import ratelimit
from generation.pipeline.firefly_client import best_effort_cancel, get_client, submitted_job
from generation.pipeline.ingest import IngestSkipped, ingest_outputs
from generation.pipeline.outcomes import Failure, fail, finish
from generation.pipeline.ratelimit import RequestKind
from generation.pipeline.renditions import ImageRejected
from generation.pipeline.scheduling import (
    MAX_COUNTDOWN,
    POLL,
    Step,
    claim_tolerance,
    poll_interval,
    poll_wait,
    retry_countdown,
    schedule,
)

logger = logging.getLogger(__name__)

Status = Generation.Status
POLLABLE = (Status.SUBMITTED, Status.RUNNING)


def _claim_poll(generation: Generation, next_at: datetime) -> bool:
    """Compare-and-set `next_poll_at` from the value this run saw; False for a duplicate run."""
    queryset = Generation.objects.filter(pk=generation.pk, status__in=POLLABLE)
    if generation.next_poll_at is None:
        queryset = queryset.filter(next_poll_at__isnull=True)
    else:
        queryset = queryset.filter(next_poll_at=generation.next_poll_at)
    return bool(queryset.update(next_poll_at=next_at, updated_at=timezone.now()))


def generation_poll(*, generation_id: int) -> Step:
    """Ask Firefly once how the job is doing, act on the answer, schedule the next poll."""
    generation = Generation.objects.filter(pk=generation_id).first()
    if generation is None or generation.status not in POLLABLE or not generation.firefly_job_id:
        return Step("not_pollable")
    now = timezone.now()
    tolerance = timedelta(seconds=claim_tolerance())
    if generation.next_poll_at is not None and generation.next_poll_at > now + tolerance:
        return Step("not_due")  # a duplicate of a message whose chain already moved on

    wait = ratelimit.wait_for_slot(RequestKind.POLL, generation_id)
    if wait > 0:
        if _claim_poll(generation, now + timedelta(seconds=wait)):
            return schedule(POLL, generation_id, wait)
        return Step("duplicate")

    interval = poll_interval(generation.poll_count)
    if not _claim_poll(generation, now + timedelta(seconds=interval)):
        return Step("duplicate")
    Generation.objects.filter(pk=generation_id).update(poll_count=F("poll_count") + 1)
    generation.refresh_from_db()

    if generation.deadline_at is not None and now >= generation.deadline_at:
        return _deadline_passed(generation)

    client = get_client()
    try:
        status = client.job_status(submitted_job(generation))
    except errors.FireflyError as err:
        return _poll_failed(generation, err, interval)

    if status.succeeded:
        return _ingest(generation, status, client)
    if status.is_terminal:
        return _job_ended(generation, status)
    return _still_running(generation, status, interval)


def _poll_failed(generation: Generation, err: errors.FireflyError, interval: float) -> Step:
    if err.transient:
        countdown = max(interval, err.retry_after or 0.0)
        countdown = min(countdown, MAX_COUNTDOWN)
        if countdown > interval:
            Generation.objects.filter(pk=generation.pk, status__in=POLLABLE).update(
                next_poll_at=timezone.now() + timedelta(seconds=countdown)
            )
        logger.info(
            "generation %s: status check failed (%s); again in %.1fs", generation.pk, err, countdown
        )
        return schedule(POLL, generation.pk, countdown)
    logger.warning("generation %s: status check refused: %s", generation.pk, err)
    if isinstance(err, errors.NotFoundError | errors.GoneError):
        fail(generation.pk, Failure.JOB_LOST)
        return Step("job_lost")
    failure = Failure.for_error(err)
    fail(generation.pk, failure, failure.text(err))
    return Step("failed")


def _still_running(generation: Generation, status: JobStatus, interval: float) -> Step:
    now = timezone.now()
    changes: dict[str, Any] = {"status": Status.RUNNING, "updated_at": now}
    wait = interval
    if status.progress is not None:
        changes["progress"] = max(0, min(99, status.progress))
        changes["progress_at"] = now
        # Progress predicts when the job ends: poll then rather than on the fixed schedule.
        wait = poll_wait(
            interval,
            progress=status.progress,
            now=now,
            previous_progress=generation.progress if generation.progress_at else None,
            previous_at=generation.progress_at,
            submitted_at=generation.submitted_at,
        )
        changes["next_poll_at"] = now + timedelta(seconds=wait)
    if generation.started_at is None:
        changes["started_at"] = now
    Generation.objects.filter(pk=generation.pk, status__in=POLLABLE).update(**changes)
    return schedule(POLL, generation.pk, wait)


def _job_ended(generation: Generation, status: JobStatus) -> Step:
    """Firefly says failed, cancelled or timeout."""
    pk = generation.pk
    if status.status == "cancelled":
        asked = generation.cancel_requested
        finish(pk, Status.CANCELLED, Failure.CANCELLED if asked else Failure.CANCELLED_AT_FIREFLY)
        return Step("cancelled")
    if status.status == "timeout":
        fail(pk, Failure.JOB_TIMEOUT)
        return Step("job_timeout")
    if status.error_code in CONTENT_POLICY_CODES:
        fail(pk, Failure.CONTENT_POLICY)
        return Step("content_policy")
    logger.info("generation %s: job failed (%s: %s)", pk, status.error_code, status.message)
    fail(pk, Failure.JOB_FAILED)
    return Step("job_failed")


def _deadline_passed(generation: Generation) -> Step:
    best_effort_cancel(submitted_job(generation))
    minutes = max(1, round(settings.FIREFLY_JOB_DEADLINE_SECONDS / 60))
    fail(generation.pk, Failure.DEADLINE_EXCEEDED, Failure.DEADLINE_EXCEEDED.text(minutes=minutes))
    return Step("deadline_exceeded")


def _ingest(generation: Generation, status: JobStatus, client: FireflyClient) -> Step:
    pk = generation.pk
    if generation.ingest_attempts >= settings.FIREFLY_MAX_ATTEMPTS:
        # A poison job: every attempt so far died without recording why (e.g. the worker was
        # killed while saving). Redelivery would loop for ever; stop here.
        logger.warning("generation %s: saving images was tried too often; giving up", pk)
        fail(pk, Failure.DOWNLOAD_FAILED)
        return Step("download_failed")
    now = timezone.now()
    Generation.objects.filter(pk=pk, status__in=POLLABLE).update(
        status=Status.RUNNING, ingest_attempts=F("ingest_attempts") + 1, updated_at=now
    )
    Generation.objects.filter(pk=pk, started_at__isnull=True).update(started_at=now)
    attempts = generation.ingest_attempts + 1
    try:
        ingest_outputs(generation=generation, outputs=status.outputs, client=client)
    except IngestSkipped:
        return Step("not_pollable")
    except errors.OutputExpiredError:
        if attempts <= 1:
            # Re-poll once at once: the status answer carries fresh pre-signed URLs.
            logger.info("generation %s: output URLs expired; fetching fresh ones", pk)
            Generation.objects.filter(pk=pk, status__in=POLLABLE).update(
                next_poll_at=timezone.now()
            )
            return schedule(POLL, pk, 0)
        fail(pk, Failure.OUTPUT_EXPIRED)
        return Step("output_expired")
    except (ImageRejected, errors.OutputTooLarge, errors.InvalidOutputError) as err:
        logger.warning("generation %s: output rejected: %s", pk, err)
        fail(pk, Failure.OUTPUT_INVALID, err.user_message)
        return Step("output_invalid")
    except (errors.FireflyError, OSError) as err:
        transient = isinstance(err, OSError) or err.transient
        if transient and attempts < settings.FIREFLY_MAX_ATTEMPTS:
            countdown = retry_countdown(attempts - 1, getattr(err, "retry_after", None), base=1.0)
            logger.warning(
                "generation %s: saving images failed (%s); again in %.1fs", pk, err, countdown
            )
            Generation.objects.filter(pk=pk, status__in=POLLABLE).update(
                next_poll_at=timezone.now() + timedelta(seconds=countdown)
            )
            return schedule(POLL, pk, countdown)
        logger.warning("generation %s: saving images failed for good: %s", pk, err)
        fail(pk, Failure.DOWNLOAD_FAILED)
        return Step("download_failed")
    return Step("succeeded")
