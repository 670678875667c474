"""The Firefly and IMS routes: which path is which operation, and what each one answers."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from PIL import Image
from werkzeug.formparser import parse_form_data

from .auth import token_endpoint
from .catalogue import list_page
from .clock import iso
from .errors import ApiError, api_error, bad_request, gateway_html, s3_error, validation_error
from .jobs import Ending, Job, Output, result_body
from .messages import Request, Response
from .state import EmulatorState
from .validation import GenerateRequest, validate_generate

Handler = Callable[[EmulatorState, Request], Response]

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_JOB_ID = re.compile(rf"(urn:ff:jobs:[A-Za-z0-9_-]+:)?{_UUID}")
MAX_JSON_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
#: Upload content types and the format Pillow must recognise (JPEG XL: signature only).
UPLOAD_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/tiff": "TIFF",
    "image/jxl": None,
}
_JXL_SIGNATURES = (b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")
_POLICY_MESSAGE = "The prompt did not pass content policy checks."


@dataclass(frozen=True)
class Route:
    operation: str
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    handler: Handler
    #: Whether the gateway checks the API key and bearer token first.
    authenticated: bool = True


# --- shared steps ----------------------------------------------------------------------------


def read_json(request: Request) -> Any:
    """The JSON body of a generate call: 400 when empty or malformed, 415 for other types.

    ``multipart/form-data`` is accepted as the spec allows (the JSON in its ``request`` field).
    """
    if not request.body.strip():
        raise bad_request("empty_input_body", "The request body is empty.")
    if len(request.body) > MAX_JSON_BYTES:
        raise ApiError(gateway_html(413))
    text = request.body
    if request.media_type == "multipart/form-data":
        text = _multipart_request_field(request)
    elif request.media_type != "application/json":
        raise api_error(
            request.operation,
            415,
            "invalid_content_type",
            "Content-Type must be application/json or multipart/form-data.",
        )
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("bad_request", f"The request body is not valid JSON: {exc}") from None


def _multipart_request_field(request: Request) -> bytes:
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": request.header("Content-Type", ""),
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.input": io.BytesIO(request.body),
    }
    _, form, _ = parse_form_data(environ)
    if "request" not in form:
        raise bad_request("bad_request", "The multipart body has no 'request' field.")
    return form["request"].encode()


def _validated(state: EmulatorState, request: Request) -> GenerateRequest:
    return validate_generate(
        read_json(request),
        request.header("x-model-version"),
        state.find_model,
        state.upload_exists,
    )


def _policy_code(state: EmulatorState, request: Request, prompt: str) -> str | None:
    """The content-policy error code this prompt earns, if any (a fault rule can force one)."""
    if request.fault is not None and request.fault.kind == "content_policy":
        return request.fault.param("error_code", "prompt_unsafe")
    lowered = prompt.lower()
    if any(word and word in lowered for word in state.config.denied_words):
        return "prompt_unsafe"
    return None


def _mime_type(request: Request) -> str:
    wanted = (request.header("x-accept-mimetype") or "").strip().lower()
    return "image/png" if wanted == "image/png" else "image/jpeg"


def _url_for(state: EmulatorState, request: Request) -> Callable[[Output, float], str]:
    lifetime = state.config.url_lifetime

    def url(output: Output, issued_at: float) -> str:
        path = f"/images/{output.output_id}"
        return f"{request.base_url}{path}?{state.signer.query(path, issued_at, lifetime)}"

    return url


def _job(state: EmulatorState, request: Request) -> Job:
    job_id = request.params["job_id"]
    if not _JOB_ID.fullmatch(job_id):
        loc = ["parameters", "jobId"]
        raise validation_error(
            [{"loc": loc, "msg": "invalid job identifier format", "type": "value_error"}]
        )
    job = state.find_job(job_id)
    if job is None:
        raise api_error(request.operation, 404, "unknown_job_id", "The job id is unknown.")
    return job


# --- handlers --------------------------------------------------------------------------------


def handle_token(state: EmulatorState, request: Request) -> Response:
    response = token_endpoint(request, state.config, state.tokens)
    state.note("tokens_issued")
    return response


def handle_generate(state: EmulatorState, request: Request) -> Response:
    generate = _validated(state, request)
    ending = Ending()
    fault = request.fault
    code = _policy_code(state, request, generate.prompt)
    if code:
        mode = (fault.param("mode") if fault else None) or state.config.content_policy_mode
        if mode == "reject_at_submit":
            raise api_error("generate", 451, code, _POLICY_MESSAGE)
        ending = Ending.of("failed", code, _POLICY_MESSAGE)
    elif fault is not None and fault.kind.startswith("job_"):
        status = {"job_failed": "failed", "job_cancelled": "cancelled", "job_timeout": "timeout"}
        ending = Ending.of(status[fault.kind], fault.param("error_code"), fault.param("message"))
    job = state.create_job(generate, request.credential or "", _mime_type(request), ending)
    status_url = f"{request.base_url}/v3/status/{job.job_id}"
    cancel_url = f"{request.base_url}/v3/cancel/{job.job_id}"
    body = {"jobId": job.job_id, "statusUrl": status_url, "cancelUrl": cancel_url}
    link = f'<{status_url}>; rel="status", <{cancel_url}>; rel="cancel"'
    return Response.json(202, body, {"Link": link})


def handle_sync_generate(state: EmulatorState, request: Request) -> Response:
    """The removed ``POST /v3/images/generate``: the result at once (old sync shape)."""
    generate = _validated(state, request)
    code = _policy_code(state, request, generate.prompt)
    if code:  # the old synchronous API refused unsafe prompts with 422
        raise api_error("sync_generate", 422, code, _POLICY_MESSAGE)
    outputs, content_class = state.create_outputs(generate, _mime_type(request))
    body = result_body(
        generate, outputs, content_class, _url_for(state, request), state.clock.now()
    )
    return Response.json(200, body)


def handle_status(state: EmulatorState, request: Request) -> Response:
    job = _job(state, request)
    return Response.json(200, state.poll(job, _url_for(state, request)))


def handle_cancel(state: EmulatorState, request: Request) -> Response:
    job = _job(state, request)
    was = state.request_cancel(job)
    if was in ("pending", "running"):
        return Response.json(200, {})
    if was in ("cancel_pending", "cancelled"):
        raise api_error("cancel", 409, "job_already_canceled", "The job was already cancelled.")
    if was == "timeout":
        raise api_error("cancel", 410, "job_timeout", "The job has timed out.")
    raise api_error("cancel", 409, "job_completed", "The job has already completed.")


def handle_upload(state: EmulatorState, request: Request) -> Response:
    if not request.body:
        raise api_error("upload", 400, "empty_input_body", "The request body is empty.")
    media_type = request.media_type
    if media_type not in UPLOAD_TYPES:
        allowed = ", ".join(UPLOAD_TYPES)
        raise api_error(
            "upload", 415, "invalid_content_type", f"Content-Type must be one of: {allowed}."
        )
    if len(request.body) > MAX_UPLOAD_BYTES:
        raise ApiError(gateway_html(413))
    if not _is_image(request.body, media_type):
        raise api_error(
            "upload", 400, "bad_request", f"The body is not a valid {media_type} image."
        )
    if request.fault is not None and request.fault.kind == "content_policy":
        code = request.fault.param("error_code", "input_media_unsafe")
        raise api_error("upload", 451, code, "The input image did not pass content policy checks.")
    upload = state.add_upload(media_type, len(request.body))
    state.note("uploads")
    return Response.json(200, {"images": [{"id": upload.upload_id}]})


def _is_image(data: bytes, media_type: str) -> bool:
    expected = UPLOAD_TYPES[media_type]
    if expected is None:
        return data.startswith(_JXL_SIGNATURES)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == expected
    except Exception:  # any decoder complaint means "not an image"
        return False


def handle_custom_models(state: EmulatorState, request: Request) -> Response:
    try:
        body = list_page(state.custom_models(), request.query)
    except ValueError as exc:
        raise api_error("custom_models", 400, "bad_request", str(exc)) from None
    return Response.json(200, body)


def handle_download(state: EmulatorState, request: Request) -> Response:
    """A pre-signed output URL, checked and answered the way S3 does."""
    extra = {"RequestId": request.request_id}
    if request.header("Authorization"):
        raise ApiError(
            s3_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be specified",
                **extra,
            )
        )
    now = state.clock.now()
    verdict = state.signer.verify(request.path, request.query, now)
    if not verdict.ok:
        if verdict.expires_at is not None:
            extra = {"Expires": iso(verdict.expires_at), "ServerTime": iso(now), **extra}
        raise ApiError(s3_error(403, verdict.code, verdict.message, **extra))
    output = state.find_output(request.params["output_id"])
    if output is None:
        key = request.path.lstrip("/")
        raise ApiError(s3_error(404, "NoSuchKey", "The specified key does not exist.", Key=key))
    data = state.images.get(output.spec)
    etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
    headers = {
        "Content-Type": output.spec.mime_type,
        "ETag": f'"{etag}"',
        "Last-Modified": formatdate(now, usegmt=True),
        "x-amz-request-id": request.request_id,
    }
    return Response(200, data, headers)


ROUTES: tuple[Route, ...] = (
    Route("token", ("POST",), re.compile("/ims/token/v3"), handle_token, authenticated=False),
    Route("generate", ("POST",), re.compile("/v3/images/generate-async"), handle_generate),
    Route("sync_generate", ("POST",), re.compile("/v3/images/generate"), handle_sync_generate),
    Route("status", ("GET",), re.compile("/v3/status/(?P<job_id>[^/]+)"), handle_status),
    Route("cancel", ("PUT",), re.compile("/v3/cancel/(?P<job_id>[^/]+)"), handle_cancel),
    Route("upload", ("POST",), re.compile("/v2/storage/image"), handle_upload),
    Route("custom_models", ("GET",), re.compile("/v3/custom-models"), handle_custom_models),
    Route(
        "download",
        ("GET", "HEAD"),
        re.compile("/images/(?P<output_id>[^/]+)"),
        handle_download,
        authenticated=False,
    ),
)
#: Paths of Adobe's spec that the emulator knows about but does not serve (501).
NOT_EMULATED = frozenset(
    {
        "/v4/images/generate-async",
        "/v3/images/generate-similar-async",
        "/v3/images/expand-async",
        "/v3/images/fill-async",
        "/v3/images/generate-object-composite-async",
        "/v3/images/precise-composite",
        "/v3/images/adaptive-composite",
        "/v3/images/upscale",
        "/v3/videos/generate",
    }
)


def resolve(path: str) -> tuple[Route | None, dict[str, str]]:
    """The route whose pattern matches ``path`` (whatever the method), and its parameters."""
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            return route, match.groupdict()
    return None, {}
