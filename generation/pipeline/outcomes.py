"""How a generation ends without images: the codes, the sentences shown, and the move itself.

`Failure` is the one list of `Generation.error_code` values the pipeline writes on a failed or
cancelled generation, each with the sentence stored in `error_message` (shown as is). Members
whose message is None take Firefly's own sentence (`FireflyError.user_message`).
`finish` moves a generation to its terminal status and announces it (`signals.generation_failed`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import Enum, StrEnum

from django.conf import settings
from django.utils import timezone

from generation.firefly import errors
from generation.models import Generation, Image
from generation.pipeline.signals import generation_failed

logger = logging.getLogger(__name__)

Status = Generation.Status


class Failure(Enum):
    """Why a generation failed or was cancelled: its `error_code` and the user's sentence."""

    #: Firefly may or may not have started the job (read timeout after sending, connection
    #: reset or empty reply, 500/502/504, 408, a cut-off or unreadable 202, or a worker that
    #: died mid-submit); never re-sent automatically. `{what}` says which (`Uncertain`).
    SUBMIT_UNCERTAIN = (
        "submit_uncertain",
        "{what}, so Firefly may or may not have started the job. We did not send it again on "
        "our own, to avoid paying twice. Retry sends a new request, which Firefly bills as a "
        "new job; if the first one did start, it may still finish at Firefly, but its images "
        "can't appear here.",
    )
    # Firefly refused the request (at submit, or as the job's end for the content policy).
    # Retry is not offered after the first two (`Generation.retry_can_help`).
    CONTENT_POLICY = (
        "content_policy",
        "This request was refused by Adobe's content policy. Rephrase the prompt and try again.",
    )
    INVALID_REQUEST = ("invalid_request", None)
    AUTH_FAILED = ("auth_failed", None)
    ACCESS_DENIED = ("access_denied", None)
    QUOTA_EXHAUSTED = ("quota_exhausted", None)
    FIREFLY_ERROR = ("firefly_error", None)  # Adobe's own code is in the logs
    #: Still refused as not processed (429, 503) or unreachable (connection refused) after
    #: `FIREFLY_MAX_ATTEMPTS` submissions; each of those went back to the queue with backoff.
    FIREFLY_BUSY = (
        "firefly_busy",
        "Adobe Firefly stayed busy and did not take this request, so no job was started. "
        "Please try again later.",
    )
    JOB_FAILED = ("job_failed", "Adobe Firefly could not generate these images. Please try again.")
    JOB_TIMEOUT = (
        "job_timeout",
        "Adobe Firefly took too long to generate the images. Please try again.",
    )
    #: Firefly forgot the job.
    JOB_LOST = ("job_lost", "Adobe Firefly no longer knows this job. Please try again.")
    #: Not done after `FIREFLY_JOB_DEADLINE_SECONDS`; cancelled at Firefly.
    DEADLINE_EXCEEDED = (
        "deadline_exceeded",
        "Adobe Firefly took too long (more than {minutes} minutes), so we stopped waiting and "
        "cancelled the job. Please try again.",
    )
    # The images could not be saved.
    OUTPUT_EXPIRED = (
        "output_expired",
        "The links to the generated images expired before we could save them. Please try again.",
    )
    OUTPUT_INVALID = ("output_invalid", None)  # the rejection's own sentence
    DOWNLOAD_FAILED = (
        "download_failed",
        "We could not download the generated images. Please try again.",
    )
    #: Re-driven by the sweeper too often.
    STUCK = ("stuck", "This generation got stuck and was stopped. Please try again.")
    #: A bug; see the logs.
    INTERNAL_ERROR = (
        "internal_error",
        "Something went wrong on our side while handling this generation. Please try again.",
    )
    # Status cancelled, by the user or at Firefly. Shown under "This generation was cancelled."
    # (generation.labels), so they don't repeat that.
    CANCELLED = ("cancelled", "Stopped on request before Adobe Firefly finished it.")
    CANCELLED_BEFORE_SENDING = (
        "cancelled",
        "Stopped on request before it was sent to Adobe Firefly.",
    )
    CANCELLED_AT_FIREFLY = ("cancelled", "The job was cancelled at Adobe Firefly.")

    code: str
    message: str | None

    def __init__(self, code: str, message: str | None) -> None:
        self.code = code
        self.message = message

    @classmethod
    def for_error(cls, err: errors.FireflyError) -> Failure:
        """The failure recorded when Firefly refuses a request with `err`."""
        for error_type, failure in _REFUSALS:
            if isinstance(err, error_type):
                return failure
        return cls.FIREFLY_ERROR

    def text(self, err: errors.FireflyError | None = None, **details: object) -> str:
        """The sentence for the user: this member's (filled in with `details`), else `err`'s."""
        if self.message is None:
            return err.user_message if err is not None else ""
        return self.message.format(**details) if details else self.message


_REFUSALS: tuple[tuple[type[errors.FireflyError], Failure], ...] = (
    (errors.ContentPolicyError, Failure.CONTENT_POLICY),
    (errors.RequestValidationError, Failure.INVALID_REQUEST),
    (errors.AuthenticationError, Failure.AUTH_FAILED),
    (errors.QuotaExhaustedError, Failure.QUOTA_EXHAUSTED),
    (errors.PermissionDeniedError, Failure.ACCESS_DENIED),
)


class Uncertain(StrEnum):
    """What happened to a submission that Firefly may or may not have accepted (the `{what}`
    of `Failure.SUBMIT_UNCERTAIN`)."""

    READ_TIMEOUT = (
        "Adobe Firefly did not answer within {seconds:g} seconds after this request was sent"
    )
    GATEWAY_TIMEOUT = (
        "Adobe's gateway timed out waiting for Firefly (HTTP {status}) after this request was sent"
    )
    CONNECTION_DROPPED = (
        "The connection to Adobe Firefly broke after this request was sent, before Firefly's "
        "answer was complete"
    )
    SERVER_ERROR = "Adobe Firefly failed with a server error (HTTP {status}) on this request"
    BAD_GATEWAY = (
        "Adobe's gateway got no valid answer from Firefly (HTTP {status}) for this request"
    )
    ANSWER_BROKEN = "Firefly's answer to the submission was cut off or unreadable after it was sent"
    REDIRECTED = "Adobe Firefly answered this request with an unexpected redirect (HTTP {status})"
    WORKER_STOPPED = (
        "Our worker stopped while it was sending this request to Adobe Firefly, before the "
        "answer was saved"
    )


def submit_uncertain_message(err: errors.FireflyError | None) -> str:
    """The `submit_uncertain` sentence for `err` (None: the worker died mid-submit)."""
    status = getattr(err, "status", None)
    if err is None:
        what = Uncertain.WORKER_STOPPED.value
    elif isinstance(err, errors.FireflyTimeoutError):
        if status is None:
            what = Uncertain.READ_TIMEOUT.format(seconds=settings.FIREFLY_READ_TIMEOUT)
        else:
            what = Uncertain.GATEWAY_TIMEOUT.format(status=status)  # 408
    elif isinstance(err, errors.ServerError):
        template = {502: Uncertain.BAD_GATEWAY, 504: Uncertain.GATEWAY_TIMEOUT}.get(
            status or 0, Uncertain.SERVER_ERROR
        )
        what = template.format(status=status)
    elif isinstance(err, errors.InvalidResponseError) and status and 300 <= status < 400:
        what = Uncertain.REDIRECTED.format(status=status)
    elif isinstance(err, errors.InvalidResponseError):
        what = Uncertain.ANSWER_BROKEN.value
    else:  # a reset, an empty reply, a body that stopped midway
        what = Uncertain.CONNECTION_DROPPED.value
    return Failure.SUBMIT_UNCERTAIN.text(what=what)


def finish(
    generation_id: int,
    status: str,
    failure: Failure,
    message: str | None = None,
    *,
    from_statuses: Iterable[str] = Generation.ACTIVE_STATUSES,
) -> bool:
    """Move an active generation to a terminal status, recording `failure` (with `message`
    instead of its own sentence when given); False when it had already moved on."""
    text = failure.text() if message is None else message
    return _finish(generation_id, status, failure.code, text, from_statuses)


def generation_fail(*, generation_id: int, code: str, message: str) -> bool:
    """Mark an active generation failed with `code` and a message for its requester."""
    return _finish(generation_id, Status.FAILED, code, message, Generation.ACTIVE_STATUSES)


def _finish(
    generation_id: int, status: str, code: str, message: str, from_statuses: Iterable[str]
) -> bool:
    now = timezone.now()
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
        remove_stray_files(generation_id)
        for receiver, error in generation_failed.send_robust(
            Generation, generation_id=generation_id
        ):
            if isinstance(error, Exception):
                logger.error(
                    "generation %s: %s failed on generation_failed",
                    generation_id,
                    getattr(receiver, "__qualname__", receiver),
                    exc_info=error,
                )
    return bool(done)


def fail(generation_id: int, failure: Failure, message: str | None = None) -> bool:
    """Mark an active generation failed with `failure` (see `finish`)."""
    return finish(generation_id, Status.FAILED, failure, message)


def remove_stray_files(generation_id: int) -> None:
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
