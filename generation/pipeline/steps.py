"""The generation pipeline: submit to Firefly, poll, save the images, cancel, sweep.

Each service is one step, run by a thin Celery task with only the generation id. The row is the
source of truth and moves forward with conditional updates, so a redelivered or duplicated
message is a no-op:

* submit: `queued → submitted` is claimed with `filter(status=QUEUED).update(...)`, committed,
  and only then is Firefly called (never inside a transaction); the job id is stored in a
  second short transaction. A submission is never re-sent once Firefly may have accepted it.
* poll: one status request per run, claimed by a compare-and-set on `next_poll_at`, then the
  service schedules the next poll (adaptive interval, `retry-after` honoured). No sleeping.
* `next_poll_at` always says when the next step is due; the sweeper re-drives rows left overdue.

Every Firefly request first reserves a slot from the shared rate limiter; a slot in the future
re-schedules the step for then.

`Generation.error_code` on a failed or cancelled generation (`error_message` is the sentence
shown to the user):

* `submit_uncertain`: Firefly may or may not have started the job (read timeout after sending,
  connection reset or empty reply, 500/502/504, 408, a cut-off or unreadable 202, or a worker
  that died mid-submit); never re-sent automatically. The message says which, and what Retry
  costs (`submit_uncertain_message`).
* `content_policy` (at submit or as the job's end), `invalid_request`, `auth_failed`,
  `access_denied`, `quota_exhausted`, `firefly_error`: Firefly refused the request. Retry is not
  offered after the first two (`Generation.retry_can_help`): the same request is refused again.
* `firefly_busy`: still refused as not processed (429, 503) or unreachable (connection refused)
  after `FIREFLY_MAX_ATTEMPTS` submissions; each of those went back to the queue with backoff.
* `job_failed`, `job_timeout`, `job_lost` (Firefly forgot the job), `deadline_exceeded`
  (not done after `FIREFLY_JOB_DEADLINE_SECONDS`; cancelled at Firefly).
* `output_expired`, `output_invalid`, `download_failed`: the images could not be saved.
* `stuck` (re-driven by the sweeper too often), `internal_error` (a bug; see the logs).
* `cancelled`: with status cancelled, by the user or at Firefly.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from generation.firefly import JobStatus, SubmittedJob, errors
from generation.firefly.facts import CONTENT_POLICY_CODES
from generation.models import Generation, Image, Notification
from generation.pipeline import fairness, ratelimit
from generation.pipeline.firefly_client import get_client
from generation.pipeline.generations import MSG_CANCELLED_BEFORE_SENDING, generation_request
from generation.pipeline.ingest import IngestSkipped, ingest_outputs
from generation.pipeline.renditions import ImageRejected
from generation.pipeline.scheduling import (
    CANCEL,
    MAX_COUNTDOWN,
    POLL,
    SUBMIT,
    Step,
    claim_tolerance,
    poll_interval,
    poll_wait,
    retry_countdown,
    schedule,
)

logger = logging.getLogger(__name__)

Status = Generation.Status
ACTIVE = Generation.ACTIVE_STATUSES
POLLABLE = (Status.SUBMITTED, Status.RUNNING)

# Messages shown to the person who asked (Generation.error_message is displayed as is).
#: `submit_uncertain`: what happened (below), then what it means and what Retry costs.
MSG_SUBMIT_UNCERTAIN = (
    "{what}, so Firefly may or may not have started the job. We did not send it again on our "
    "own, to avoid paying twice. Retry sends a new request, which Firefly bills as a new job; "
    "if the first one did start, it may still finish at Firefly, but its images can't appear "
    "here."
)
UNCERTAIN_READ_TIMEOUT = (
    "Adobe Firefly did not answer within {seconds:g} seconds after this request was sent"
)
UNCERTAIN_GATEWAY_TIMEOUT = (
    "Adobe's gateway timed out waiting for Firefly (HTTP {status}) after this request was sent"
)
UNCERTAIN_CONNECTION_DROPPED = (
    "The connection to Adobe Firefly broke after this request was sent, before Firefly's answer "
    "was complete"
)
UNCERTAIN_SERVER_ERROR = "Adobe Firefly failed with a server error (HTTP {status}) on this request"
UNCERTAIN_BAD_GATEWAY = (
    "Adobe's gateway got no valid answer from Firefly (HTTP {status}) for this request"
)
UNCERTAIN_ANSWER_BROKEN = (
    "Firefly's answer to the submission was cut off or unreadable after it was sent"
)
UNCERTAIN_REDIRECTED = (
    "Adobe Firefly answered this request with an unexpected redirect (HTTP {status})"
)
UNCERTAIN_WORKER_STOPPED = (
    "Our worker stopped while it was sending this request to Adobe Firefly, before the answer "
    "was saved"
)
MSG_BUSY = (
    "Adobe Firefly stayed busy and did not take this request, so no job was started. "
    "Please try again later."
)
MSG_DEADLINE = (
    "Adobe Firefly took too long (more than {minutes} minutes), so we stopped waiting and "
    "cancelled the job. Please try again."
)
MSG_JOB_FAILED = "Adobe Firefly could not generate these images. Please try again."
MSG_CONTENT_POLICY = (
    "This request was refused by Adobe's content policy. Rephrase the prompt and try again."
)
MSG_JOB_TIMEOUT = "Adobe Firefly took too long to generate the images. Please try again."
MSG_JOB_LOST = "Adobe Firefly no longer knows this job. Please try again."
# Shown under "This generation was cancelled." (generation.labels), so it doesn't repeat that;
# see also generations.MSG_CANCELLED_BEFORE_SENDING.
MSG_CANCELLED = "Stopped on request before Adobe Firefly finished it."
MSG_CANCELLED_AT_FIREFLY = "The job was cancelled at Adobe Firefly."
MSG_EXPIRED = (
    "The links to the generated images expired before we could save them. Please try again."
)
MSG_DOWNLOAD_FAILED = "We could not download the generated images. Please try again."
MSG_STUCK = "This generation got stuck and was stopped. Please try again."
MSG_INTERNAL = "Something went wrong on our side while handling this generation. Please try again."


def _now():
    return timezone.now()


def _queued_grace() -> timedelta:
    """Queued rows this overdue are re-driven (their submit message was lost or never sent)."""
    return timedelta(seconds=settings.FIREFLY_SWEEP_QUEUED_GRACE_SECONDS)


def _active_grace() -> timedelta:
    """Submitted or running rows this far past `next_poll_at` are re-driven. Defaults to the
    task time limit + 30 s: a poll may legitimately run (status request + downloads) that long."""
    return timedelta(seconds=settings.FIREFLY_SWEEP_ACTIVE_GRACE_SECONDS)


def _in_flight_grace() -> timedelta:
    """How long a submission may take (a token request, then the POST, each bounded by the
    client's timeouts); the sweeper adds the active grace before it considers the worker gone."""
    seconds = 2 * (settings.FIREFLY_CONNECT_TIMEOUT + settings.FIREFLY_READ_TIMEOUT) + 5
    return timedelta(seconds=seconds)


def _finish(
    generation_id: int,
    status: str,
    *,
    code: str,
    message: str,
    from_statuses=ACTIVE,
) -> bool:
    """Move an active generation to a terminal status; False when it had already moved on."""
    now = _now()
    done = Generation.objects.filter(pk=generation_id, status__in=from_statuses).update(
        status=status,
        error_code=code[:64],
        error_message=message,
        next_poll_at=None,
        finished_at=now,
        updated_at=now,
    )
    if done:
        logger.info("generation %s -> %s (%s)", generation_id, status, code)
        _remove_stray_files(generation_id)
        _tell_requester(generation_id)
    return bool(done)


def _tell_requester(generation_id: int) -> None:
    """Notify the person who asked that their generation ended without images, unless they
    (or a teammate) cancelled it: they may not be looking at the gallery when it happens.
    Best effort: a notification problem never changes the generation's outcome."""
    from generation.collab.review import notify  # the collaboration side, needed only here

    try:
        with transaction.atomic():
            generation = (
                Generation.objects.select_related("campaign", "requested_by")
                .filter(pk=generation_id)
                .first()
            )
            if generation is None or generation.cancel_requested:
                return
            outcome = "failed" if generation.status == Status.FAILED else "was cancelled"
            notify(
                [generation.requested_by],
                actor=None,
                kind=Notification.Kind.GENERATION_FAILED,
                text=f"Generation {generation.pk} in “{generation.campaign.name}” {outcome}: "
                f"{generation.error_message}",
                campaign=generation.campaign,
                url=generation.get_absolute_url(),
            )
    except Exception:
        logger.exception("generation %s: could not notify its requester", generation_id)


def _remove_stray_files(generation_id: int) -> None:
    """Delete files an interrupted save left for a generation that ended without images.

    `save_outputs` writes files inside its transaction and deletes them on rollback, but a
    worker killed in between (kill -9, OOM) leaves them behind. Once the generation is failed or
    cancelled nothing can commit rows for it any more (saves re-check the status under a row
    lock), so whatever lies in its folders is unreferenced. Best effort: never fails the caller.
    """
    row = (
        Generation.objects.filter(pk=generation_id).values("campaign_id", "ingest_attempts").first()
    )
    if not row or not row["ingest_attempts"]:
        return  # nothing was ever saved for it
    storage = Image._meta.get_field("original").storage
    for prefix in ("originals", "renditions"):
        folder = f"{prefix}/c{row['campaign_id']}/g{generation_id}"
        try:
            _folders, names = storage.listdir(folder)
            for name in names:
                storage.delete(f"{folder}/{name}")
                logger.info("generation %s: removed stray file %s/%s", generation_id, folder, name)
        except FileNotFoundError:
            continue
        except Exception:
            logger.warning(
                "generation %s: could not clean %s", generation_id, folder, exc_info=True
            )


def generation_fail(*, generation_id: int, code: str, message: str) -> bool:
    """Mark an active generation failed with a message for its requester."""
    return _finish(generation_id, Status.FAILED, code=code, message=message)


def _error_code(err: errors.FireflyError) -> str:
    if isinstance(err, errors.ContentPolicyError):
        return "content_policy"
    if isinstance(err, errors.RequestValidationError):
        return "invalid_request"
    if isinstance(err, errors.AuthenticationError):
        return "auth_failed"
    if isinstance(err, errors.QuotaExhaustedError):
        return "quota_exhausted"
    if isinstance(err, errors.PermissionDeniedError):
        return "access_denied"
    return "firefly_error"  # Adobe's own code is in the logs


def _user_message(err: errors.FireflyError) -> str:
    if isinstance(err, errors.ContentPolicyError):
        return MSG_CONTENT_POLICY
    return err.user_message


def submit_uncertain_message(err: errors.FireflyError | None) -> str:
    """The `submit_uncertain` sentence for `err` (None: the worker died mid-submit)."""
    status = getattr(err, "status", None)
    if err is None:
        what = UNCERTAIN_WORKER_STOPPED
    elif isinstance(err, errors.FireflyTimeoutError):
        if status is None:
            what = UNCERTAIN_READ_TIMEOUT.format(seconds=settings.FIREFLY_READ_TIMEOUT)
        else:
            what = UNCERTAIN_GATEWAY_TIMEOUT.format(status=status)  # 408
    elif isinstance(err, errors.ServerError):
        template = {502: UNCERTAIN_BAD_GATEWAY, 504: UNCERTAIN_GATEWAY_TIMEOUT}.get(
            status, UNCERTAIN_SERVER_ERROR
        )
        what = template.format(status=status)
    elif isinstance(err, errors.InvalidResponseError) and status and 300 <= status < 400:
        what = UNCERTAIN_REDIRECTED.format(status=status)
    elif isinstance(err, errors.InvalidResponseError):
        what = UNCERTAIN_ANSWER_BROKEN
    else:  # a reset, an empty reply, a body that stopped midway
        what = UNCERTAIN_CONNECTION_DROPPED
    return MSG_SUBMIT_UNCERTAIN.format(what=what)


def _job(generation: Generation) -> SubmittedJob:
    return SubmittedJob(generation.firefly_job_id, generation.status_url, generation.cancel_url)


def _wait_for_slot(kind: str, generation_id: int) -> float:
    """Seconds until this generation may send its `kind` request (0: now)."""
    reservation = ratelimit.reserve(kind, generation_id)
    return min(reservation.wait_seconds(), MAX_COUNTDOWN)


# --- submit -----------------------------------------------------------------------------------


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
    paced = ratelimit.counts(ratelimit.SUBMIT)
    if generation.status == Status.QUEUED and generation.cancel_requested:
        _finish(
            generation_id,
            Status.CANCELLED,
            code="cancelled",
            message=MSG_CANCELLED_BEFORE_SENDING,
            from_statuses=(Status.QUEUED,),
        )
        if not (paced and fairness.someone_waiting()):
            return Step("cancelled")
    elif generation.status != Status.QUEUED and not (paced and fairness.someone_waiting()):
        return Step("not_queued")

    wait = _wait_for_slot(ratelimit.SUBMIT, generation_id)
    if wait > 0:
        moved = Generation.objects.filter(pk=generation_id, status=Status.QUEUED).update(
            next_poll_at=_now() + timedelta(seconds=wait)
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
    now = _now()
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
    last = ratelimit.last_reserved(ratelimit.SUBMIT) or _now()
    Generation.objects.filter(pk=own_id, status=Status.QUEUED).update(
        next_poll_at=max(last, _now())
    )
    logger.info("generation %s: submission slot went to %s (fair share)", own_id, taken_by)


def _submit_accepted(generation: Generation, job: SubmittedJob) -> Step:
    now = _now()
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
        _best_effort_cancel(job)
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
        _finish(pk, Status.FAILED, code="submit_uncertain", message=message)
        return Step("submit_uncertain")
    if err.transient:
        # Surely not processed (connection refused, 429, 503): back to the queue, with backoff.
        if generation.submit_attempts >= settings.FIREFLY_MAX_ATTEMPTS:
            _finish(pk, Status.FAILED, code="firefly_busy", message=MSG_BUSY)
            return Step("gave_up")
        countdown = retry_countdown(generation.submit_attempts - 1, err.retry_after)
        now = _now()
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
    _finish(pk, Status.FAILED, code=_error_code(err), message=_user_message(err))
    return Step("refused")


# --- poll -------------------------------------------------------------------------------------


def _claim_poll(generation: Generation, next_at) -> bool:
    """Compare-and-set `next_poll_at` from the value this run saw; False for a duplicate run."""
    queryset = Generation.objects.filter(pk=generation.pk, status__in=POLLABLE)
    if generation.next_poll_at is None:
        queryset = queryset.filter(next_poll_at__isnull=True)
    else:
        queryset = queryset.filter(next_poll_at=generation.next_poll_at)
    return bool(queryset.update(next_poll_at=next_at, updated_at=_now()))


def generation_poll(*, generation_id: int) -> Step:
    """Ask Firefly once how the job is doing, act on the answer, schedule the next poll."""
    generation = Generation.objects.filter(pk=generation_id).first()
    if generation is None or generation.status not in POLLABLE or not generation.firefly_job_id:
        return Step("not_pollable")
    now = _now()
    tolerance = timedelta(seconds=claim_tolerance())
    if generation.next_poll_at is not None and generation.next_poll_at > now + tolerance:
        return Step("not_due")  # a duplicate of a message whose chain already moved on

    wait = _wait_for_slot(ratelimit.POLL, generation_id)
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
        status = client.job_status(_job(generation))
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
                next_poll_at=_now() + timedelta(seconds=countdown)
            )
        logger.info(
            "generation %s: status check failed (%s); again in %.1fs", generation.pk, err, countdown
        )
        return schedule(POLL, generation.pk, countdown)
    logger.warning("generation %s: status check refused: %s", generation.pk, err)
    if isinstance(err, errors.NotFoundError | errors.GoneError):
        generation_fail(generation_id=generation.pk, code="job_lost", message=MSG_JOB_LOST)
        return Step("job_lost")
    generation_fail(generation_id=generation.pk, code=_error_code(err), message=_user_message(err))
    return Step("failed")


def _still_running(generation: Generation, status: JobStatus, interval: float) -> Step:
    now = _now()
    changes = {"status": Status.RUNNING, "updated_at": now}
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
        message = MSG_CANCELLED if generation.cancel_requested else MSG_CANCELLED_AT_FIREFLY
        _finish(pk, Status.CANCELLED, code="cancelled", message=message)
        return Step("cancelled")
    if status.status == "timeout":
        generation_fail(generation_id=pk, code="job_timeout", message=MSG_JOB_TIMEOUT)
        return Step("job_timeout")
    if status.error_code in CONTENT_POLICY_CODES:
        generation_fail(generation_id=pk, code="content_policy", message=MSG_CONTENT_POLICY)
        return Step("content_policy")
    logger.info("generation %s: job failed (%s: %s)", pk, status.error_code, status.message)
    generation_fail(generation_id=pk, code="job_failed", message=MSG_JOB_FAILED)
    return Step("job_failed")


def _deadline_passed(generation: Generation) -> Step:
    _best_effort_cancel(_job(generation))
    minutes = max(1, round(settings.FIREFLY_JOB_DEADLINE_SECONDS / 60))
    generation_fail(
        generation_id=generation.pk,
        code="deadline_exceeded",
        message=MSG_DEADLINE.format(minutes=minutes),
    )
    return Step("deadline_exceeded")


def _best_effort_cancel(job: SubmittedJob) -> None:
    try:
        get_client().cancel_job(job)
    except errors.FireflyError as err:
        logger.info("cancelling job %s failed (ignored): %s", job.job_id, err)


def _ingest(generation: Generation, status: JobStatus, client) -> Step:
    pk = generation.pk
    if generation.ingest_attempts >= settings.FIREFLY_MAX_ATTEMPTS:
        # A poison job: every attempt so far died without recording why (e.g. the worker was
        # killed while saving). Redelivery would loop for ever; stop here.
        logger.warning("generation %s: saving images was tried too often; giving up", pk)
        generation_fail(generation_id=pk, code="download_failed", message=MSG_DOWNLOAD_FAILED)
        return Step("download_failed")
    now = _now()
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
            Generation.objects.filter(pk=pk, status__in=POLLABLE).update(next_poll_at=_now())
            return schedule(POLL, pk, 0)
        generation_fail(generation_id=pk, code="output_expired", message=MSG_EXPIRED)
        return Step("output_expired")
    except (ImageRejected, errors.OutputTooLarge, errors.InvalidOutputError) as err:
        logger.warning("generation %s: output rejected: %s", pk, err)
        message = err.user_message
        generation_fail(generation_id=pk, code="output_invalid", message=message)
        return Step("output_invalid")
    except (errors.FireflyError, OSError) as err:
        transient = isinstance(err, OSError) or err.transient
        if transient and attempts < settings.FIREFLY_MAX_ATTEMPTS:
            countdown = retry_countdown(attempts - 1, getattr(err, "retry_after", None), base=1.0)
            logger.warning(
                "generation %s: saving images failed (%s); again in %.1fs", pk, err, countdown
            )
            Generation.objects.filter(pk=pk, status__in=POLLABLE).update(
                next_poll_at=_now() + timedelta(seconds=countdown)
            )
            return schedule(POLL, pk, countdown)
        logger.warning("generation %s: saving images failed for good: %s", pk, err)
        generation_fail(generation_id=pk, code="download_failed", message=MSG_DOWNLOAD_FAILED)
        return Step("download_failed")
    return Step("succeeded")


# --- cancel -----------------------------------------------------------------------------------


def generation_cancel_at_firefly(*, generation_id: int) -> Step:
    """Carry out a cancel the user asked for (`generation_cancel` set the flag)."""
    generation = Generation.objects.filter(pk=generation_id).first()
    if generation is None or generation.is_terminal or not generation.cancel_requested:
        return Step("nothing_to_cancel")
    if generation.status == Status.QUEUED:
        _finish(
            generation_id,
            Status.CANCELLED,
            code="cancelled",
            message=MSG_CANCELLED_BEFORE_SENDING,
            from_statuses=(Status.QUEUED,),
        )
        return Step("cancelled")
    if not generation.firefly_job_id:
        return Step("submit_in_flight")  # generation_submit cancels it when Firefly answers

    wait = _wait_for_slot(ratelimit.CANCEL, generation_id)
    if wait > 0:
        return schedule(CANCEL, generation_id, wait)
    try:
        get_client().cancel_job(_job(generation))
    except errors.ConflictError as err:
        if err.error_code == "job_completed":
            # Finished first: the images exist (and are paid for); the poll saves them.
            return Step("already_finished")
    except (errors.NotFoundError, errors.GoneError):
        pass  # nothing left to stop at Firefly
    # Other errors propagate: the task retries transient ones and gives up on the rest.
    _finish(generation_id, Status.CANCELLED, code="cancelled", message=MSG_CANCELLED)
    return Step("cancelled")


def generation_mark_cancelled(*, generation_id: int) -> bool:
    """Cancel locally when Firefly could not be told (the job there may still finish)."""
    return _finish(generation_id, Status.CANCELLED, code="cancelled", message=MSG_CANCELLED)


# --- sweep ------------------------------------------------------------------------------------


def generation_sweep() -> dict[str, int]:
    """Re-drive generations whose next step is overdue (its message was lost), give up on
    those re-driven too often, and prune old rate-limit slots. Returns counts."""
    now = _now()
    counts = {"resubmitted": 0, "repolled": 0, "recancelled": 0, "uncertain": 0, "stuck": 0}
    queued_cutoff = now - _queued_grace()
    active_cutoff = now - _active_grace()
    overdue = (
        Generation.objects.filter(
            Q(status=Status.QUEUED, next_poll_at__lt=queued_cutoff)
            | Q(status=Status.QUEUED, next_poll_at__isnull=True, updated_at__lt=queued_cutoff)
            | Q(status__in=POLLABLE, next_poll_at__lt=active_cutoff)
            | Q(status__in=POLLABLE, next_poll_at__isnull=True, updated_at__lt=active_cutoff)
        )
        .order_by("next_poll_at", "pk")
        .only("pk", "status", "next_poll_at", "firefly_job_id", "cancel_requested", "redrive_count")
    )
    for generation in overdue[:500]:
        pk = generation.pk
        if generation.status == Status.SUBMITTED and not generation.firefly_job_id:
            # The worker died while Firefly was being asked: it may or may not have a job.
            if _finish(
                pk,
                Status.FAILED,
                code="submit_uncertain",
                message=submit_uncertain_message(None),
                from_statuses=(Status.SUBMITTED,),
            ):
                counts["uncertain"] += 1
            continue
        if generation.redrive_count >= settings.FIREFLY_MAX_ATTEMPTS:
            if generation_fail(generation_id=pk, code="stuck", message=MSG_STUCK):
                counts["stuck"] += 1
            continue
        queryset = Generation.objects.filter(pk=pk, status=generation.status)
        if generation.next_poll_at is None:
            queryset = queryset.filter(next_poll_at__isnull=True)
        else:
            queryset = queryset.filter(next_poll_at=generation.next_poll_at)
        if not queryset.update(
            redrive_count=F("redrive_count") + 1, next_poll_at=now, updated_at=now
        ):
            continue  # it moved on meanwhile
        if generation.status == Status.QUEUED:
            schedule(SUBMIT, pk)
            counts["resubmitted"] += 1
        elif generation.cancel_requested:
            # Both: the cancel may have been lost, and if the job finished first the poll
            # saves its images.
            schedule(CANCEL, pk)
            schedule(POLL, pk)
            counts["recancelled"] += 1
        else:
            schedule(POLL, pk)
            counts["repolled"] += 1
        logger.info("sweeper: re-drove generation %s (%s)", pk, generation.status)
    counts["pruned_slots"] = ratelimit.prune(now=now)
    return counts
