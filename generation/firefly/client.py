"""``FireflyClient``: the operations the product uses, on top of :mod:`transport`.

Retry rules, in short:

* Idempotent calls (status, custom models, cancel, upload, token) retry transient
  failures (429, 5xx, timeouts, dropped connections) with full-jitter backoff,
  honouring ``retry-after``, up to ``max_retries`` and ``max_retry_wait``.
* :meth:`FireflyClient.submit_generation` never retries by default: Adobe has no
  idempotency key, so a blind retry can create (and bill) a duplicate job. With
  ``retry_unaccepted=True`` it retries only failures that prove the job was not
  created (refused connection, connect timeout, 429, 503). Errors carry
  ``maybe_accepted`` so the caller can decide.
* A 401 from Firefly invalidates the cached token and retries once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO
from urllib.parse import unquote, urljoin, urlsplit

import requests

from . import custom_models, errors
from .auth import InMemoryTokenCache, TokenCache, TokenProvider
from .config import FireflyConfig
from .download import stream_image
from .redaction import Redactor, loggable_url
from .retry import NO_RETRY
from .transport import Transport, new_request_id
from .types import CustomModel, DownloadedOutput, GenerateRequest, JobStatus, SubmittedJob
from .urls import api_url, check_url, job_url
from .validation import generate_request_errors, validate_generate_request, validate_upload

logger = logging.getLogger("generation.firefly")

JobRef = SubmittedJob | JobStatus | str
_MAX_REDIRECTS = 3


def _model_version_header(req: GenerateRequest, default: str) -> str:
    """The ``x-model-version`` header; even unvalidated, a custom model without its version is
    refused here rather than sent with a guess."""
    version = req.resolved_model_version(default)
    if version is None:
        raise errors.RequestValidationError(
            "A custom model needs its model version",
            field_errors={"model_version": generate_request_errors(req, default)["model_version"]},
        )
    return version


class FireflyClient:
    """Client for Adobe Firefly's image-generation REST API (or the local emulator).

    ``token_cache`` needs ``get(key)`` and ``set(key, value, timeout)``; pass
    Django's cache to share one IMS token between worker processes (default: a
    cache private to this client). ``sleep`` and ``rand`` exist for tests. Use it
    as a context manager, or call :meth:`close`, to release pooled connections.
    """

    def __init__(
        self,
        config: FireflyConfig,
        token_cache: TokenCache | None = None,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        request_ids: Callable[[], str] = new_request_id,
    ) -> None:
        self.config = config
        # Each call's ``x-request-id``; the studio passes one that names the request behind it.
        self._request_ids = request_ids
        self._redact = Redactor(config.client_secret)
        self._transport = Transport(config, self._redact, session=session, sleep=sleep, rand=rand)
        self._tokens = TokenProvider(
            config, self._transport, token_cache or InMemoryTokenCache(), self._redact
        )

    def __repr__(self) -> str:
        cfg = self.config
        return f"FireflyClient(api_base={cfg.api_base!r}, client_id={cfg.client_id!r})"

    def close(self) -> None:
        """Close the HTTP session."""
        self._transport.close()

    def __enter__(self) -> FireflyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- custom models ----------------------------------------------------------------

    def list_custom_models(
        self, published_state: str = "published", sort_by: str | None = None
    ) -> list[CustomModel]:
        """All custom models shared with this credential, following every page.

        ``published_state``: ``all``, ``ready``, ``published`` (Adobe's default),
        ``unpublished``, ``queued``, ``training``, ``failed``, ``cancelled``.
        ``sort_by``: ``assetName``, ``createdDate`` or ``modifiedDate``, ``-`` prefix
        for descending.
        """
        return custom_models.list_all(
            lambda url, params: self._api("GET", url, params=params)[1],
            self.config,
            published_state,
            sort_by,
        )

    def get_custom_model(self, asset_id: str) -> CustomModel:
        """The custom model whose ``assetId`` is ``asset_id`` (any published state).

        Adobe has no get-by-id route, so this lists and filters.
        Raises :class:`errors.NotFoundError` when it is not visible to the credential.
        """
        for model in self.list_custom_models(published_state="all"):
            if model.asset_id == asset_id:
                return model
        raise errors.NotFoundError(
            f"Custom model {asset_id!r} is not shared with this credential",
            error_code="custom_model_not_found",
        )

    # -- generation -----------------------------------------------------------------------

    def submit_generation(
        self, req: GenerateRequest, *, validate: bool = True, retry_unaccepted: bool = False
    ) -> SubmittedJob:
        """Start an async generation job (``POST /v3/images/generate-async``).

        Validates first unless ``validate=False``. Not retried unless
        ``retry_unaccepted=True``, and then only for failures that prove the job
        was not created. On failure check ``err.maybe_accepted`` before re-submitting.
        """
        default = self.config.default_model_version
        if validate:
            validate_generate_request(req, default)
        version = _model_version_header(req, default)
        _, data = self._api(
            "POST",
            api_url(self.config, "/v3/images/generate-async"),
            json=req.to_json(),
            headers={"x-model-version": version},
            non_idempotent=True,
            policy=None if retry_unaccepted else NO_RETRY,
        )
        fields = [data.get(k) for k in ("jobId", "statusUrl", "cancelUrl")]
        if not all(isinstance(v, str) and v for v in fields):
            raise errors.InvalidResponseError(
                "Accepted response lacks jobId/statusUrl/cancelUrl", maybe_accepted=True
            )
        job = SubmittedJob(*fields)
        logger.info("firefly: submitted job %s (x-model-version=%s)", job.job_id, version)
        return job

    def job_status(self, job: JobRef) -> JobStatus:
        """Poll a job once. ``job``: a :class:`SubmittedJob`, a status URL or a job id.

        A status URL outside the allow-list raises :class:`errors.UnsafeURLError`;
        only a bare job id falls back to ``{api_base}/v3/status/{jobId}``.
        """
        url, job_id = self._job_target(job, "status")
        _, data = self._api("GET", url)
        return JobStatus.from_payload(data, job_id)

    def wait_for_job(
        self, job: JobRef, *, timeout: float = 300.0, poll_interval: float = 2.0
    ) -> JobStatus:
        """Poll until the job is terminal; for scripts and demos (workers should reschedule).

        Raises :class:`errors.JobTimedOutError` when ``timeout`` passes first. Unknown
        statuses count as still running. Does not raise for failed jobs: call
        :meth:`JobStatus.raise_for_status` on the result.
        """
        deadline = time.monotonic() + timeout
        while True:
            status = self.job_status(job)
            if status.is_terminal:
                return status
            if time.monotonic() + poll_interval > deadline:
                raise errors.JobTimedOutError(
                    f"Job not finished after {timeout:g}s (last status {status.status!r})",
                    job_id=status.job_id,
                )
            self._transport.sleep(poll_interval)

    def cancel_job(self, job: JobRef) -> JobStatus | None:
        """Cancel a job (``PUT cancelUrl``); returns the status when the body has one.

        ``job``: a :class:`SubmittedJob`, a cancel URL or a job id. A 409
        ``job_already_canceled`` after a retried cancel means it worked.
        Raises NotFoundError (404), ConflictError (409), GoneError (410).
        """
        url, job_id = self._job_target(job, "cancel")
        response, _ = self._api("PUT", url, parse_json=False)
        try:
            data = response.json() if response.content.strip() else None
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("status"):
            return JobStatus.from_payload(data, job_id)
        return None

    def generate_sync(self, req: GenerateRequest, *, validate: bool = True) -> dict[str, Any]:
        """The **removed** synchronous ``POST /v3/images/generate`` (gone since 2025-10-03).

        Only for the emulator and old demo scripts; Adobe answers 404 now. Never retried.
        """
        default = self.config.default_model_version
        if validate:
            validate_generate_request(req, default)
        _, data = self._api(
            "POST",
            api_url(self.config, "/v3/images/generate"),
            json=req.to_json(),
            headers={"x-model-version": _model_version_header(req, default)},
            non_idempotent=True,
            policy=NO_RETRY,
        )
        return data

    # -- images ---------------------------------------------------------------------------

    def upload_image(self, data: bytes | BinaryIO, content_type: str) -> str:
        """Upload a reference image (``POST /v2/storage/image``); returns its upload id.

        JPEG, PNG or WebP up to ``config.max_upload_bytes`` (15 MB); checked before
        sending. The id is valid for 7 days. Retried like an idempotent call: a
        duplicate upload only stores an unused copy.
        """
        limit = self.config.max_upload_bytes
        body = data if isinstance(data, bytes | bytearray) else data.read(limit + 1)
        ctype = validate_upload(body, content_type, limit)
        _, payload = self._api(
            "POST",
            api_url(self.config, "/v2/storage/image"),
            data=bytes(body),
            headers={"Content-Type": ctype},
        )
        images = payload.get("images")
        image = images[0] if isinstance(images, list) and images else None
        upload_id = image.get("id") if isinstance(image, dict) else None
        if not isinstance(upload_id, str) or not upload_id:
            raise errors.InvalidResponseError("Upload response has no images[0].id")
        return upload_id

    def download_output(
        self, url: str, dest: BinaryIO, max_bytes: int | None = None
    ) -> DownloadedOutput:
        """Stream an output image into ``dest`` (a binary file object).

        No auth headers are sent (the URL is pre-signed). The URL (and any redirect)
        must pass the allow-list. Raises OutputTooLarge past ``max_bytes``
        (default ``config.max_download_bytes``), InvalidOutputError unless it is a
        JPEG/PNG/WebP, OutputExpiredError on 403. On failure ``dest`` may hold a
        partial file.
        """
        limit = max_bytes or self.config.max_download_bytes
        deadline = time.monotonic() + self.config.download_timeout
        current = check_url(url, self.config)
        for _ in range(_MAX_REDIRECTS + 1):
            try:
                response, _ = self._transport.request(
                    "GET",
                    current,
                    stream=True,
                    headers={"Accept": "image/jpeg, image/png, image/webp"},
                    timeout=(self.config.connect_timeout, self.config.read_timeout),
                    allow_status=lambda s: 200 <= s < 300 or s in (301, 302, 303, 307, 308),
                )
            except errors.PermissionDeniedError as err:
                raise errors.OutputExpiredError(
                    status=err.status,
                    error_code=err.error_code,
                    request_id=err.request_id,
                    response_text=err.response_text,
                ) from None
            if 300 <= response.status_code < 400:
                location = response.headers.get("location", "")
                response.close()
                current = check_url(urljoin(current, location), self.config)
                continue
            return stream_image(response, dest, limit, deadline, self._redact)
        raise errors.InvalidResponseError(f"Too many redirects for {loggable_url(url)}")

    # -- plumbing -----------------------------------------------------------------------

    def _job_target(self, job: JobRef, kind: str) -> tuple[str, str]:
        if isinstance(job, SubmittedJob):
            url = job.status_url if kind == "status" else job.cancel_url
            return check_url(url, self.config), job.job_id
        if isinstance(job, JobStatus):
            job = job.job_id
        if not isinstance(job, str) or not job.strip():
            raise errors.RequestValidationError(
                "A job id or URL is required", field_errors={"job_id": ["Missing job id."]}
            )
        if "://" in job:
            url = check_url(job, self.config)
            return url, unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
        return job_url(self.config, kind, job.strip()), job.strip()

    def _api(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        parse_json: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Call Firefly with auth headers; on a 401 refresh the token and retry once."""
        for attempt in range(2):
            token = self._tokens.get_token()
            merged = {
                "Accept": "application/json",
                "x-api-key": self.config.client_id,
                "Authorization": f"Bearer {token}",
                "x-request-id": self._request_ids(),
                **(headers or {}),
            }
            try:
                return self._transport.request(
                    method, url, headers=merged, parse_json=parse_json, **kwargs
                )
            except errors.AuthenticationError as err:
                if attempt == 0 and err.status == 401:
                    logger.info("firefly: token rejected by %s; refreshing once", loggable_url(url))
                    self._tokens.invalidate(token)
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover
