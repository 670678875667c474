"""One exception hierarchy for everything the Firefly client can raise.

Every error keeps the evidence (HTTP status, Adobe ``error_code``, request id,
``retry-after``, ``x-access-error``, a redacted body snippet) and answers two
questions for the caller:

* ``transient``: is trying again later sensible (429, 5xx, timeouts)?
* ``maybe_accepted``: for a job submission, could Adobe have created the job
  anyway (read timeout, 500/502/504, a dropped connection after sending)? If
  so, re-submitting may create, and bill, a duplicate. A 429 or 503 says the
  request was not processed, so it is not.

``user_message`` is a sentence a marketer can act on; ``str(err)`` is for logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FireflyError(Exception):
    """Base class. Catch this to handle any Firefly failure."""

    transient_default = False
    default_message = "Firefly request failed"
    _user_message = "Something went wrong while talking to Adobe Firefly. Please try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        error_code: str | None = None,
        request_id: str | None = None,
        validation_errors: list[dict[str, Any]] | None = None,
        retry_after: float | None = None,
        access_error: str | None = None,
        response_text: str | None = None,
        maybe_accepted: bool = False,
        transient: bool | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.validation_errors = validation_errors or []
        self.retry_after = retry_after
        self.access_error = access_error
        self.response_text = response_text
        self.maybe_accepted = maybe_accepted
        self.transient = self.transient_default if transient is None else transient
        super().__init__(self.message)

    def __str__(self) -> str:
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.error_code:
            details.append(f"error_code={self.error_code}")
        if self.access_error:
            details.append(f"x-access-error={self.access_error}")
        if self.retry_after is not None:
            details.append(f"retry_after={self.retry_after:g}s")
        if self.request_id:
            details.append(f"request_id={self.request_id}")
        if self.maybe_accepted:
            details.append("maybe_accepted")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    @property
    def user_message(self) -> str:
        """A sentence suitable for showing to the person who asked for the images."""
        return self._user_message


class AuthenticationError(FireflyError):
    """401 from Firefly (after one token refresh) or any IMS token failure."""

    default_message = "Authentication with Adobe failed"
    _user_message = (
        "We couldn't sign in to Adobe Firefly. An administrator needs to check the credentials."
    )


class PermissionDeniedError(FireflyError):
    """403: not entitled, wrong IMS scope, profile denied (see ``access_error``)."""

    default_message = "Access to Firefly was denied"
    _user_message = (
        "Adobe refused access to Firefly for this account. An administrator needs to check "
        "the Firefly entitlement."
    )


class QuotaExhaustedError(PermissionDeniedError):
    """403 with ``x-access-error: quota_exhausted``."""

    default_message = "Firefly quota exhausted"
    _user_message = (
        "Your organisation has used up its Adobe Firefly quota. Ask an administrator to "
        "raise it, then try again."
    )


class RequestValidationError(FireflyError):
    """The request was refused as invalid, locally or by Adobe (400/413/415/422).

    ``field_errors`` maps :class:`~generation.firefly.types.GenerateRequest` field
    names (``"prompt"``, ``"width"``, ...) to messages; problems that belong to no
    field are under ``"__all__"``.
    """

    default_message = "Invalid Firefly request"

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: Mapping[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})
        super().__init__(message, **kwargs)

    @property
    def user_message(self) -> str:
        if self.field_errors:
            first = next(iter(self.field_errors.values()))
            if first:
                return f"Please check the request: {first[0]}"
        return "Adobe Firefly did not accept these settings. Please check them and try again."


class RateLimitedError(FireflyError):
    """429: too many requests. ``retry_after`` is in seconds when Adobe said."""

    transient_default = True
    default_message = "Rate limited by Firefly"
    _user_message = "Firefly is busy right now; we'll retry automatically."

    def __init__(
        self, message: str | None = None, *, rate_limit_level: str | None = None, **kwargs: Any
    ) -> None:
        self.rate_limit_level = rate_limit_level
        super().__init__(message, **kwargs)


class ContentPolicyError(FireflyError):
    """Refused by Adobe's content policy (451, a content code on 400/422, or a failed job)."""

    default_message = "Refused by Adobe's content policy"
    _user_message = "This prompt was refused by Adobe's content policy. Rephrase it and try again."


class NotFoundError(FireflyError):
    """404, or a custom model id that is not in the listing."""

    default_message = "Not found"
    _user_message = "Adobe Firefly could not find what we asked for. It may have expired."


class ConflictError(FireflyError):
    """409, e.g. cancelling a job that already finished (``job_completed``)."""

    default_message = "Conflict"
    _user_message = "The job had already finished or been cancelled."


class GoneError(FireflyError):
    """410, e.g. cancelling a job that timed out (``job_timeout``)."""

    default_message = "Gone"
    _user_message = "The job is no longer available at Adobe."


class ServerError(FireflyError):
    """5xx from Firefly (transient, except 501)."""

    transient_default = True
    default_message = "Firefly server error"
    _user_message = "Adobe Firefly had a problem on its side; we'll retry automatically."


class FireflyTimeoutError(FireflyError):
    """No answer in time (a read timeout, a connect timeout, or HTTP 408)."""

    transient_default = True
    default_message = "Firefly request timed out"
    _user_message = "Adobe Firefly took too long to answer; we'll retry automatically."


class FireflyConnectionError(FireflyError):
    """The connection failed (refused, reset, DNS, TLS)."""

    transient_default = True
    default_message = "Could not connect to Firefly"
    _user_message = "We couldn't reach Adobe Firefly; we'll retry automatically."


class InvalidResponseError(FireflyError):
    """A response that is not what the contract promises (HTML or malformed JSON)."""

    transient_default = True
    default_message = "Unexpected response from Firefly"
    _user_message = "Adobe Firefly sent an answer we couldn't read; we'll retry automatically."


class UnsafeURLError(FireflyError):
    """A URL from a response points outside the allow-list (SSRF guard)."""

    default_message = "Refusing to follow a URL outside the allow-list"
    _user_message = "Adobe Firefly sent a link we don't trust, so we didn't follow it."


class OutputExpiredError(FireflyError):
    """The pre-signed output URL was refused (403); they expire after one hour."""

    default_message = "The output image URL has expired"
    _user_message = "The generated image link expired before we could save it. Generate it again."


class OutputTooLargeError(FireflyError):
    """The output image exceeded the configured size cap; the download was aborted."""

    default_message = "Output image is larger than allowed"
    _user_message = "The generated image was unexpectedly large, so we didn't save it."


#: The name the product code uses.
OutputTooLarge = OutputTooLargeError


class InvalidOutputError(FireflyError):
    """The downloaded output is not a JPEG, PNG or WebP image."""

    default_message = "Output is not a supported image"
    _user_message = "The generated file was not an image we can use."


class JobError(FireflyError):
    """A job reached a terminal state other than ``succeeded``."""

    def __init__(
        self, message: str | None = None, *, job_id: str | None = None, **kwargs: Any
    ) -> None:
        self.job_id = job_id
        super().__init__(message, **kwargs)

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} [job {self.job_id}]" if self.job_id else text


class JobFailedError(JobError):
    """The job ended ``failed``."""

    default_message = "Firefly job failed"
    _user_message = "Adobe Firefly could not generate these images. Please try again."


class JobContentPolicyError(ContentPolicyError, JobFailedError):
    """The job ended ``failed`` with a content-policy code (e.g. ``output_media_unsafe``)."""

    default_message = "Firefly job refused by content policy"


class JobCancelledError(JobError):
    """The job ended ``cancelled``."""

    default_message = "Firefly job was cancelled"
    _user_message = "The generation was cancelled."


class JobTimedOutError(JobError):
    """The job ended ``timeout`` at Adobe, or did not finish before the caller's deadline."""

    transient_default = True
    default_message = "Firefly job timed out"
    _user_message = "Adobe Firefly took too long to generate the images. Please try again."


__all__ = [
    "AuthenticationError",
    "ConflictError",
    "ContentPolicyError",
    "FireflyConnectionError",
    "FireflyError",
    "FireflyTimeoutError",
    "GoneError",
    "InvalidOutputError",
    "InvalidResponseError",
    "JobCancelledError",
    "JobContentPolicyError",
    "JobError",
    "JobFailedError",
    "JobTimedOutError",
    "NotFoundError",
    "OutputExpiredError",
    "OutputTooLarge",
    "OutputTooLargeError",
    "PermissionDeniedError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RequestValidationError",
    "ServerError",
    "UnsafeURLError",
]
