import json

import pytest
import requests

from generation.firefly import JobStatus, errors
from generation.firefly.http_errors import error_from_response, field_for_loc
from generation.firefly.redaction import Redactor

REDACT = Redactor("topsecretvalue")


def make_response(status, body=b"", headers=None, content_type="application/json"):
    response = requests.Response()
    response.status_code = status
    response.reason = "Reason"
    if isinstance(body, dict | list):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    response._content = body
    response.headers.update({"content-type": content_type, **(headers or {})})
    response.url = "https://firefly-api.adobe.io/x"
    return response


def parse(status, body=b"", headers=None, **kwargs):
    return error_from_response(make_response(status, body, headers, **kwargs), redact=REDACT)


def test_it_parses_the_api_error_shape_with_validation_errors():
    err = parse(
        422,
        {
            "error_code": "validation_error",
            "message": "Request validation failed.",
            "validation_errors": [
                {"loc": ["body", "contentClass"], "msg": "not a valid enumeration member"},
                {"loc": ["body", "size", "width"], "msg": "ensure this value <= 4096"},
                {"loc": ["body", "style", "presets", 1], "msg": "unknown preset"},
                {"loc": ["header", "x-model-version"], "msg": "unknown model"},
                {"loc": ["body", "mystery"], "msg": "???"},
            ],
        },
        headers={"x-request-id": "req-422"},
    )
    assert type(err) is errors.RequestValidationError
    assert (err.status, err.error_code, err.request_id) == (422, "validation_error", "req-422")
    assert err.field_errors == {
        "content_class": ["not a valid enumeration member"],
        "width": ["ensure this value <= 4096"],
        "style_presets": ["unknown preset"],
        "model_version": ["unknown model"],
        "__all__": ["???"],
    }
    assert len(err.validation_errors) == 5


def test_it_parses_the_custom_models_reason_shape():
    err = parse(401, {"reason": "Unauthorized", "message": "Authorization Token is not accepted."})
    assert isinstance(err, errors.AuthenticationError)
    assert err.error_code == "Unauthorized"
    assert err.message == "Authorization Token is not accepted."


def test_it_parses_fastapi_detail_lists():
    err = parse(
        422, {"detail": [{"loc": ["path", "jobId"], "msg": "bad id", "type": "value_error"}]}
    )
    assert err.field_errors == {"job_id": ["bad id"]}


def test_it_parses_the_oauth_error_shape():
    err = parse(401, {"error": "invalid_client", "error_description": "invalid client_secret"})
    assert err.error_code == "invalid_client"
    assert err.message == "invalid client_secret"


def test_it_survives_an_html_gateway_page():
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    err = parse(502, page, content_type="text/html")
    assert isinstance(err, errors.ServerError)
    assert err.transient is True
    assert err.message == "HTTP 502 Reason"
    assert "502 Bad Gateway" in err.response_text


def test_it_truncates_long_bodies():
    err = parse(500, "x" * 10_000, content_type="text/plain")
    assert len(err.response_text) < 600


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "transient"),
    [
        (400, {"error_code": "bad_request"}, {}, errors.RequestValidationError, False),
        (
            401,
            {"error_code": "401013", "message": "Oauth token is not valid"},
            {},
            errors.AuthenticationError,
            False,
        ),
        (
            403,
            {"error_code": "access_error"},
            {"x-access-error": "user_non_entitled"},
            errors.PermissionDeniedError,
            False,
        ),
        (
            403,
            {"error_code": "access_error"},
            {"x-access-error": "quota_exhausted"},
            errors.QuotaExhaustedError,
            False,
        ),
        (404, {"error_code": "unknown_job_id"}, {}, errors.NotFoundError, False),
        (408, {"error_code": "timeout_error"}, {}, errors.FireflyTimeoutError, True),
        (409, {"error_code": "job_completed"}, {}, errors.ConflictError, False),
        (410, {"error_code": "job_timeout"}, {}, errors.GoneError, False),
        (413, "<html>too large</html>", {}, errors.RequestValidationError, False),
        (415, {"error_code": "invalid_content_type"}, {}, errors.RequestValidationError, False),
        (422, {"error_code": "prompt_unsafe"}, {}, errors.ContentPolicyError, False),
        (400, {"error_code": "input_media_unsafe"}, {}, errors.ContentPolicyError, False),
        (429, {"error_code": "rate_limited"}, {"retry-after": "12"}, errors.RateLimitedError, True),
        (451, {"error_code": "prompt_entity_denied"}, {}, errors.ContentPolicyError, False),
        (500, {"error_code": "runtime_error"}, {}, errors.ServerError, True),
        (501, {"error_code": "not_implemented"}, {}, errors.ServerError, False),
        (503, {"error_code": "model_not_loaded"}, {}, errors.ServerError, True),
        (418, {"error_code": "teapot"}, {}, errors.FireflyError, False),
    ],
)
def test_it_maps_each_status_to_a_typed_error(status, body, headers, cls, transient):
    err = parse(status, body, headers)
    assert type(err) is cls
    assert err.transient is transient
    assert err.maybe_accepted is False  # only set for job submissions


def test_a_429_keeps_retry_after_and_the_rate_limit_level():
    err = parse(
        429,
        {"error_code": "rate_limited"},
        {"retry-after": "12", "x-access-rate-limit-level": "org"},
    )
    assert err.retry_after == 12.0
    assert err.rate_limit_level == "org"


@pytest.mark.parametrize("status", [408, 500, 502, 504])
def test_a_submission_answered_with_a_timeout_or_server_error_may_have_been_accepted(status):
    response = make_response(status, {"error_code": "runtime_error"})
    err = error_from_response(response, redact=REDACT, non_idempotent=True)
    assert err.maybe_accepted is True
    assert err.transient is True


@pytest.mark.parametrize(
    ("status", "code"), [(429, "rate_limited"), (503, "model_not_loaded"), (503, None)]
)
def test_a_submission_answered_429_or_503_was_not_processed_and_may_be_sent_again(status, code):
    response = make_response(status, {"error_code": code} if code else "<html>busy</html>")
    err = error_from_response(response, redact=REDACT, non_idempotent=True)
    assert err.maybe_accepted is False
    assert err.transient is True


def test_str_names_status_code_and_request_id():
    err = parse(
        429,
        {"error_code": "rate_limited", "message": "Too many requests"},
        {"x-request-id": "abc-123", "retry-after": "5"},
    )
    assert str(err) == (
        "Too many requests (HTTP 429, error_code=rate_limited, retry_after=5s, request_id=abc-123)"
    )


def test_the_request_id_we_sent_is_kept_when_adobe_sends_none():
    err = error_from_response(make_response(500), redact=REDACT, sent_request_id="ours-1")
    assert err.request_id == "ours-1"


def test_secrets_in_a_body_are_masked_in_the_error():
    err = parse(400, {"message": "bad secret topsecretvalue", "access_token": "eyJraWQi.abc"})
    assert "topsecretvalue" not in err.message + err.response_text
    assert "eyJraWQi" not in err.response_text


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (["body", "prompt"], "prompt"),
        (["body", "negativePrompt"], "negative_prompt"),
        (["body", "seeds", 2], "seeds"),
        (["body", "size"], "width"),
        (["body", "size", "height"], "height"),
        (["body", "style", "imageReference", "source", "uploadId"], "style_reference_image_id"),
        (["body", "structure", "strength"], "structure_strength"),
        (["body", "promptBiasingLocaleCode"], "locale"),
        ("not-a-list", "__all__"),
        ([], "__all__"),
    ],
)
def test_it_maps_api_locations_to_request_fields(loc, field):
    assert field_for_loc(loc) == field


def test_every_error_has_a_plain_sentence_for_users():
    for name in errors.__all__:
        cls = getattr(errors, name)
        message = cls().user_message
        assert message.endswith("."), name
        assert "HTTP" not in message, name


@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        (
            {"status": "failed", "error_code": "runtime_error", "message": "boom"},
            errors.JobFailedError,
        ),
        ({"status": "failed", "error_code": "output_media_unsafe"}, errors.JobContentPolicyError),
        ({"status": "cancelled"}, errors.JobCancelledError),
        ({"status": "canceled"}, errors.JobCancelledError),
        ({"status": "timeout", "error_code": "job_timeout"}, errors.JobTimedOutError),
        ({"status": "succeeded", "result": {"outputs": []}}, errors.InvalidResponseError),
    ],
)
def test_a_terminal_job_status_raises_the_matching_error(payload, cls):
    status = JobStatus.from_payload({"jobId": "urn:ff:jobs:x:1", **payload})
    with pytest.raises(cls) as caught:
        status.raise_for_status()
    if isinstance(caught.value, errors.JobError):
        assert caught.value.job_id == "urn:ff:jobs:x:1"


def test_a_content_policy_job_failure_is_both_a_job_failure_and_a_content_policy_error():
    status = JobStatus.from_payload(
        {"jobId": "j", "status": "failed", "error_code": "prompt_unsafe"}
    )
    with pytest.raises(errors.JobFailedError) as caught:
        status.raise_for_status()
    assert isinstance(caught.value, errors.ContentPolicyError)
    assert "content policy" in caught.value.user_message


def test_a_running_or_succeeded_status_does_not_raise():
    running = JobStatus.from_payload({"jobId": "j", "status": "running", "progress": 40.0})
    assert running.raise_for_status() is running
    assert running.progress == 40
    done = JobStatus.from_payload(
        {
            "jobId": "j",
            "status": "succeeded",
            "result": {
                "size": {"width": 2048, "height": 2048},
                "outputs": [{"seed": 42, "image": {"url": "https://x/y"}}],
                "contentClass": "photo",
                "altText": "ignored but tolerated",
            },
        }
    )
    assert done.raise_for_status() is done
    assert done.outputs[0].seed == 42
    assert done.size == (2048, 2048)
    assert done.content_class == "photo"


def test_unknown_statuses_pass_through_lowercased_and_are_not_terminal():
    status = JobStatus.from_payload({"jobId": "j", "status": "QUEUED_FOR_GPU"})
    assert status.status == "queued_for_gpu"
    assert status.is_terminal is False
