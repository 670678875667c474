"""One ``requests.Session``, timeouts on every call, retries, typed errors.

The retry rule is an allow-list: only errors marked ``transient`` are
retried, and for a job submission (``non_idempotent=True``) only those that
prove the request was not accepted (``maybe_accepted`` is False: a refused
connection, a connect timeout, a 429, a 503).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import requests
import urllib3.exceptions

from . import errors
from .config import FireflyConfig
from .http_errors import error_from_response, request_id_of
from .redaction import Redactor, loggable_url, snippet
from .retry import RetryPolicy

logger = logging.getLogger("generation.firefly")

#: Error bodies are read into memory; cap them (a proxy could send a huge page).
_MAX_ERROR_BODY = 64 * 1024


def _never_connected(exc: BaseException) -> bool:
    """True when the exception proves no byte of the request reached the server."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        # NewConnectionError (refused, DNS) subclasses ConnectTimeoutError in urllib3 2.
        if isinstance(item, requests.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError):
            return True
        if isinstance(item, BaseException):
            stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
            stack.extend(a for a in item.args if isinstance(a, BaseException))
    return False


class Transport:
    """Sends HTTP requests for the client and the token provider."""

    def __init__(
        self,
        config: FireflyConfig,
        redactor: Redactor,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.redact = redactor
        self.session = session or requests.Session()
        # Only the User-Agent lives on the session: auth headers are added per call so
        # they can never leak to the pre-signed storage hosts.
        self.session.headers["User-Agent"] = config.user_agent
        self.sleep = sleep
        self.rand = rand
        self.policy = RetryPolicy(
            max_retries=config.max_retries,
            base=config.backoff_base,
            cap=config.backoff_cap,
            max_total_wait=config.max_retry_wait,
        )

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        policy: RetryPolicy | None = None,
        non_idempotent: bool = False,
        parse_json: bool = False,
        allow_status: Callable[[int], bool] | None = None,
        timeout: tuple[float, float] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[requests.Response, Any]:
        """Send with retries; return ``(response, parsed JSON or None)``.

        Raises a :class:`errors.FireflyError` subclass for any failure. Redirects
        are never followed here (a 3xx is an error unless ``allow_status`` says so).
        """
        policy = self.policy if policy is None else policy
        attempt, waited = 0, 0.0
        while True:
            try:
                return self._once(
                    method, url, non_idempotent, parse_json, allow_status, timeout, headers, kwargs
                )
            except errors.FireflyError as err:
                delay = None
                if err.transient and not (non_idempotent and err.maybe_accepted):
                    delay = policy.delay(attempt, err.retry_after, waited, self.rand)
                if delay is None:
                    raise
                attempt += 1
                logger.info(
                    "firefly %s %s failed (%s); retry %d/%d in %.2fs",
                    method,
                    loggable_url(url),
                    err,
                    attempt,
                    policy.max_retries,
                    delay,
                )
                self.sleep(delay)
                waited += delay

    def _once(self, method, url, non_idempotent, parse_json, allow_status, timeout, headers, kw):
        headers = dict(headers or {})
        sent_id = headers.get("x-request-id")
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                timeout=timeout or self.config.timeout,
                allow_redirects=False,
                **kw,
            )
        except requests.RequestException as exc:
            raise self._network_error(exc, method, url, non_idempotent, sent_id) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        request_id = request_id_of(response, sent_id)
        logger.debug(
            "firefly %s %s -> %s in %.0fms request_id=%s",
            method,
            loggable_url(url),
            response.status_code,
            elapsed_ms,
            request_id,
        )
        status = response.status_code
        if allow_status is not None and allow_status(status):
            return response, None
        if not 200 <= status < 300:
            self._buffer_error_body(response)
            if 300 <= status < 400:
                raise errors.InvalidResponseError(
                    f"Unexpected redirect ({status}) from {loggable_url(url)}",
                    status=status,
                    request_id=request_id,
                    transient=False,
                    maybe_accepted=non_idempotent,
                )
            raise error_from_response(
                response, redact=self.redact, sent_request_id=sent_id, non_idempotent=non_idempotent
            )
        if not parse_json:
            return response, None
        return response, self._json(response, request_id, non_idempotent)

    def _json(self, response, request_id, non_idempotent):
        try:
            data = json.loads(response.content or b"")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            ctype = response.headers.get("content-type", "?")
            raise errors.InvalidResponseError(
                f"Expected a JSON object from Firefly, got {ctype}",
                status=response.status_code,
                request_id=request_id,
                response_text=self.redact(snippet(response.text)),
                maybe_accepted=non_idempotent,
            )
        return data

    @staticmethod
    def _buffer_error_body(response: requests.Response) -> None:
        if response.raw is None or getattr(response, "_content_consumed", True):
            return
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(8192):
                chunks.append(chunk)
                size += len(chunk)
                if size >= _MAX_ERROR_BODY:
                    break
        except requests.RequestException:
            pass
        # requests exposes no public way to set a bounded body for .text/.json().
        response._content = b"".join(chunks)[:_MAX_ERROR_BODY]
        response.close()

    def _network_error(
        self,
        exc: requests.RequestException,
        method: str,
        url: str,
        non_idempotent: bool,
        sent_id: str | None,
    ) -> errors.FireflyError:
        where = f"{method} {loggable_url(url)}"
        # str(exc) can echo the URL (with pre-signed query); keep only the type name.
        kind = type(exc).__name__
        if isinstance(exc, requests.ConnectTimeout) or (
            isinstance(exc, requests.ConnectionError) and _never_connected(exc)
        ):
            cls = (
                errors.FireflyTimeoutError
                if isinstance(exc, requests.ConnectTimeout)
                else errors.FireflyConnectionError
            )
            return cls(f"Could not connect for {where} ({kind})", request_id=sent_id)
        if isinstance(exc, requests.Timeout):
            return errors.FireflyTimeoutError(
                f"No response in time for {where} ({kind})",
                request_id=sent_id,
                maybe_accepted=non_idempotent,
            )
        if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
            return errors.FireflyConnectionError(
                f"Connection failed during {where} ({kind})",
                request_id=sent_id,
                maybe_accepted=non_idempotent,
            )
        return errors.FireflyError(
            f"Request error for {where} ({kind})",
            request_id=sent_id,
            maybe_accepted=non_idempotent,
            transient=False,
        )


def new_request_id() -> str:
    """A fresh ``x-request-id``: Adobe support can trace calls by it."""
    return str(uuid.uuid4())
