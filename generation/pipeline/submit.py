"""Submit: send a queued generation to Firefly, exactly once.

`queued → submitted` is claimed with `filter(status=QUEUED).update(...)`, committed, and only
then is Firefly called (never inside a transaction); the job id is stored in a second short
transaction. A submission is never re-sent once Firefly may have accepted it
(`Failure.SUBMIT_UNCERTAIN`). Each submission first reserves a slot from the shared rate
limiter; a slot in the future re-schedules the step for then. When submissions are paced, the
slot goes to whoever's turn it is (`fairness`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from generation.firefly import SubmittedJob, errors
from generation.models import Generation
from generation.pipeline import fairness, ratelimit
from generation.pipeline.firefly_client import best_effort_cancel, get_client
from generation.pipeline.generations import generation_request
from generation.pipeline.outcomes import Failure, fail, finish, submit_uncertain_message
from generation.pipeline.ratelimit import RequestKind
from generation.pipeline.scheduling import (
    CANCEL,
    POLL,
    SUBMIT,
    Step,
    poll_interval,
    retry_countdown,
    schedule,
)

logger = logging.getLogger(__name__)

Status = Generation.Status


def _in_flight_grace() -> timedelta:
    """How long a submission may take (a token request, then the POST, each bounded by the
    client's timeouts); the sweeper adds the active grace before it considers the worker gone."""
    seconds = 2 * (settings.FIREFLY_CONNECT_TIMEOUT + settings.FIREFLY_READ_TIMEOUT) + 5
    return timedelta(seconds=seconds)


def generation_submit(*, generation_id: int) -> Step:
    """Send a queued generation to Firefly, exactly once.

    When submissions are paced by the shared rate limiter, the slot this task reserved goes to
    whoever's turn it is (`fairness.next_in_line`), which may be another queued generation than
    its own; a task whose own generation was already sent that way, or cancelled, still uses its
    slot for the next in line.
    """
    generation = Generation.objects.filter(pk=generation_id).first()
    if generation is None:
        return Step("not_queued")
    paced = ratelimit.counts(RequestKind.SUBMIT)
    if generation.status == Status.QUEUED and generation.cancel_requested:
        finish(
            generation_id,
            Status.CANCELLED,
            Failure.CANCELLED_BEFORE_SENDING,
            from_statuses=(Status.QUEUED,),
        )
        if not (paced and fairness.someone_waiting()):
            return Step("cancelled")
    elif generation.status != Status.QUEUED and not (paced and fairness.someone_waiting()):
        return Step("not_queued")

    wait = ratelimit.wait_for_slot(RequestKind.SUBMIT, generation_id)
    if wait > 0:
        moved = Generation.objects.filter(pk=generation_id, status=Status.QUEUED).update(
            next_poll_at=timezone.now() + timedelta(seconds=wait)
        )
        return schedule(SUBMIT, generation_id, wait) if moved or paced else Step("not_queued")

    if paced:
        generation = _claim_next_in_line(generation_id)
        if generation is None:
            return Step("nobody_waiting")
    else:
        if not _claim_submission(generation_id):
            return Step("not_queued")  # a duplicate message, or cancelled a moment ago
        generation.refresh_from_db()

    # Committed (autocommit): the Firefly call happens outside any transaction.
    try:
        job = get_client().submit_generation(generation_request(generation))
    except errors.FireflyError as err:
        return _submit_failed(generation, err)
    return _submit_accepted(generation, job)


def _claim_submission(generation_id: int) -> bool:
    """`queued → submitted`, if it still is queued and not cancelled (a compare-and-set)."""
    now = timezone.now()
    return bool(
        Generation.objects.filter(
            pk=generation_id, status=Status.QUEUED, cancel_requested=False
        ).update(
            status=Status.SUBMITTED,
            submit_attempts=F("submit_attempts") + 1,
            submitted_at=now,
            deadline_at=now + timedelta(seconds=settings.FIREFLY_JOB_DEADLINE_SECONDS),
            next_poll_at=now + _in_flight_grace(),
            error_code="",
            error_message="",
            updated_at=now,
        )
    )


def _claim_next_in_line(own_id: int) -> Generation | None:
    """Claim the generation whose turn it is for the slot `own_id`'s task holds."""
    for _ in range(3):
        candidates = fairness.next_in_line()
        if not candidates:
            return None
        for pk in candidates:
            if _claim_submission(pk):
                if pk != own_id:
                    _give_way(own_id, pk)
                return Generation.objects.get(pk=pk)
    return None


def _give_way(own_id: int, taken_by: int) -> None:
    """`own_id` stays queued: its turn comes with a later slot, at the latest with the last
    one reserved now, so the sweeper does not take it for lost meanwhile."""
    last = ratelimit.last_reserved(RequestKind.SUBMIT) or timezone.now()
    Generation.objects.filter(pk=own_id, status=Status.QUEUED).update(
        next_poll_at=max(last, timezone.now())
    )
    logger.info("generation %s: submission slot went to %s (fair share)", own_id, taken_by)


def _submit_accepted(generation: Generation, job: SubmittedJob) -> Step:
    now = timezone.now()
    first_poll = poll_interval(0)
    with transaction.atomic():
        stored = Generation.objects.filter(
            pk=generation.pk, status=Status.SUBMITTED, firefly_job_id=""
        ).update(
            firefly_job_id=job.job_id[:255],
            status_url=job.status_url[:2048],
            cancel_url=job.cancel_url[:2048],
            next_poll_at=now + timedelta(seconds=first_poll),
            updated_at=now,
        )
        cancel_requested = (
            Generation.objects.filter(pk=generation.pk)
            .values_list("cancel_requested", flat=True)
            .first()
        )
    if not stored:
        # The sweeper gave up on this submission meanwhile: don't leave an orphan job running.
        logger.warning("generation %s: job %s accepted too late", generation.pk, job.job_id)
        best_effort_cancel(job)
        return Step("orphaned")
    logger.info("generation %s submitted as %s", generation.pk, job.job_id)
    if cancel_requested:
        return schedule(CANCEL, generation.pk)
    return schedule(POLL, generation.pk, first_poll)


def _submit_failed(generation: Generation, err: errors.FireflyError) -> Step:
    pk = generation.pk
    if err.maybe_accepted:
        logger.warning("generation %s: submission uncertain: %s", pk, err)
        message = submit_uncertain_message(err)
        fail(pk, Failure.SUBMIT_UNCERTAIN, message)
        return Step("submit_uncertain")
    if err.transient:
        # Surely not processed (connection refused, 429, 503): back to the queue, with backoff.
        if generation.submit_attempts >= settings.FIREFLY_MAX_ATTEMPTS:
            fail(pk, Failure.FIREFLY_BUSY)
            return Step("gave_up")
        countdown = retry_countdown(generation.submit_attempts - 1, err.retry_after)
        now = timezone.now()
        requeued = Generation.objects.filter(
            pk=pk, status=Status.SUBMITTED, firefly_job_id=""
        ).update(
            status=Status.QUEUED,
            submitted_at=None,
            deadline_at=None,
            next_poll_at=now + timedelta(seconds=countdown),
            updated_at=now,
        )
        logger.info("generation %s: submission refused (%s); again in %.1fs", pk, err, countdown)
        if not requeued:
            return Step("not_submitted")
        if Generation.objects.filter(pk=pk, cancel_requested=True).exists():
            return generation_submit(generation_id=pk)  # cancels it without calling Firefly
        return schedule(SUBMIT, pk, countdown)
    logger.warning("generation %s: submission refused: %s", pk, err)
    failure = Failure.for_error(err)
    fail(pk, failure, failure.text(err))
    return Step("refused")
