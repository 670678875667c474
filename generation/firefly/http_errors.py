"""Turn a non-2xx ``requests.Response`` into the right :mod:`errors` class.

Adobe uses several error bodies (CONTRACT 7.1): ``{error_code, message,
validation_errors[]}``, ``{reason, message}`` (custom models), FastAPI's
``{detail: [...]}``, OAuth's ``{error, error_description}`` (IMS) and plain
HTML from the gateway. All of them end up in the same fields here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from . import errors
from .facts import CONTENT_POLICY_CODES
from .redaction import snippet
from .retry import parse_retry_after

REQUEST_ID_HEADERS = ("x-request-id", "x-amz-request-id", "x-correlation-id")

# API JSON path (after "body") -> GenerateRequest field name.
_FIELD_BY_LOC = {
    ("prompt",): "prompt",
    ("negativePrompt",): "negative_prompt",
    ("customModelId",): "custom_model_id",
    ("numVariations",): "num_variations",
    ("seeds",): "seeds",
    ("size",): "width",
    ("size", "width"): "width",
    ("size", "height"): "height",
    ("contentClass",): "content_class",
    ("visualIntensity",): "visual_intensity",
    ("style",): "style_presets",
    ("style", "presets"): "style_presets",
    ("style", "strength"): "style_strength",
    ("style", "imageReference"): "style_reference_image_id",
    ("structure",): "structure_strength",
    ("structure", "strength"): "structure_strength",
    ("structure", "imageReference"): "structure_image_id",
    ("promptBiasingLocaleCode",): "locale",
    ("upsamplerType",): "upsampler_type",
    ("x-model-version",): "model_version",
    ("jobId",): "job_id",
}
NON_FIELD = "__all__"
#: Answers that say the request was refused before any work started (RFC 9110 15.6.4: the
#: server is "currently unable to handle the request"; 429: not admitted at all).
NOT_PROCESSED_STATUSES = frozenset({429, 503})


def request_id_of(response: requests.Response, sent: str | None = None) -> str | None:
    """Adobe's request id from the response headers, else the one we sent."""
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return value[:200]
    return sent


def parse_body(response: requests.Response) -> dict[str, Any] | None:
    """The JSON object in ``response``, or ``None`` when it is not a JSON object."""
    try:
        data = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def field_for_loc(loc: Any) -> str:
    """Map a pydantic ``loc`` such as ``["body", "size", "width"]`` to a field name."""
    if not isinstance(loc, list | tuple):
        return NON_FIELD
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if parts and parts[0] in ("body", "header", "headers", "query", "path", "parameters"):
        parts = parts[1:]
    for length in range(min(len(parts), 2), 0, -1):
        field = _FIELD_BY_LOC.get(tuple(parts[:length]))
        if field:
            return field
    return NON_FIELD


def field_errors_from(items: Any) -> dict[str, list[str]]:
    """Group ``validation_errors`` / ``detail`` items by GenerateRequest field."""
    result: dict[str, list[str]] = {}
    if not isinstance(items, list):
        return result
    for item in items:
        if isinstance(item, dict):
            field = field_for_loc(item.get("loc"))
            msg = str(item.get("msg") or item.get("message") or "invalid value")
        else:
            field, msg = NON_FIELD, str(item)
        result.setdefault(field, []).append(msg)
    return result


def _first_str(body: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def error_from_response(
    response: requests.Response,
    *,
    redact: Callable[[str | None], str],
    sent_request_id: str | None = None,
    non_idempotent: bool = False,
    now: float | None = None,
) -> errors.FireflyError:
    """Build the typed error for a non-2xx ``response``.

    ``non_idempotent`` marks a job submission: a 500, 502, 504 or 408 after the
    body was sent then sets ``maybe_accepted`` because Adobe may have created the
    job. A 503 (like a 429) says the request was not processed: the job surely
    does not exist, so it may be sent again later.
    """
    status = response.status_code
    body = parse_body(response) or {}
    error_code = _first_str(body, "error_code", "errorCode", "error", "code", "reason")
    message = _first_str(body, "message", "error_description", "title")
    detail = body.get("detail")
    if message is None and isinstance(detail, str):
        message = detail
    validation_items = body.get("validation_errors") or (
        detail if isinstance(detail, list) else None
    )
    message = redact(message) if message else f"HTTP {status} {response.reason or ''}".strip()
    kwargs: dict[str, Any] = {
        "status": status,
        "error_code": redact(error_code) if error_code else None,
        "request_id": request_id_of(response, sent_request_id),
        "validation_errors": validation_items if isinstance(validation_items, list) else None,
        "retry_after": parse_retry_after(response.headers.get("retry-after"), now=now),
        "access_error": response.headers.get("x-access-error"),
        "response_text": redact(snippet(response.text)),
    }

    if error_code in CONTENT_POLICY_CODES or status == 451:
        return errors.ContentPolicyError(message, **kwargs)
    if status == 401:
        return errors.AuthenticationError(message, **kwargs)
    if status == 403:
        if kwargs["access_error"] == "quota_exhausted":
            return errors.QuotaExhaustedError(message, **kwargs)
        return errors.PermissionDeniedError(message, **kwargs)
    if status == 404:
        return errors.NotFoundError(message, **kwargs)
    if status == 408:
        # A gateway timeout while the backend works: like a read timeout, the job may exist.
        return errors.FireflyTimeoutError(message, maybe_accepted=non_idempotent, **kwargs)
    if status == 409:
        return errors.ConflictError(message, **kwargs)
    if status == 410:
        return errors.GoneError(message, **kwargs)
    if status == 429:
        level = response.headers.get("x-access-rate-limit-level")
        return errors.RateLimitedError(message, rate_limit_level=level, **kwargs)
    if status in (400, 413, 415, 422):
        fields = field_errors_from(validation_items)
        if not fields:
            fields = {NON_FIELD: [message]}
        return errors.RequestValidationError(message, field_errors=fields, **kwargs)
    if status >= 500:
        return errors.ServerError(
            message,
            maybe_accepted=non_idempotent and status not in NOT_PROCESSED_STATUSES,
            transient=status != 501,
            **kwargs,
        )
    return errors.FireflyError(message, **kwargs)
