import io
import json

import pytest
import requests
from responses import matchers

from generation.firefly import GenerateRequest, JobStatus, SubmittedJob, errors
from tests.firefly.support import (
    API,
    CANCEL_URL,
    JOB_ID,
    OUTPUT_URL,
    PNG,
    STATUS_URL,
    calls_to,
    connection_refused,
    connection_reset,
)

SUBMIT = f"{API}/v3/images/generate-async"
ACCEPTED = {"jobId": JOB_ID, "statusUrl": STATUS_URL, "cancelUrl": CANCEL_URL}
JOB = SubmittedJob(JOB_ID, STATUS_URL, CANCEL_URL)
MODELS = f"{API}/v3/custom-models"
CUSTOM = "urn:aaid:sc:VA6C2:bc1f46cd-be98-4a7b-9ffe-1111111111"


def model(n):
    return {
        "assetId": f"urn:aaid:sc:VA6C2:{n}",
        "displayName": f"Model {n}",
        "assetName": f"Model {n}.ffcustommodel",
        "trainingMode": "style",
        "publishedState": "published",
        "baseModel": {"name": "clio_v2", "version": "2.0.0"},
        "createdDate": 1733928288871,
        "modifiedDate": "2024-12-11T14:44:54Z",
        "conceptId": "",
        "size": 16513991265,
    }


# --- submit -------------------------------------------------------------------------------


def test_it_submits_a_generation_with_camel_case_body_and_model_header(client, ims):
    ims.post(SUBMIT, status=202, json=ACCEPTED)
    req = GenerateRequest(
        prompt="red kite over dunes",
        negative_prompt="blur",
        num_variations=2,
        seeds=[1, 2],
        width=2304,
        height=1792,
        content_class="photo",
        visual_intensity=6,
        style_presets=["golden_hour", "bokeh"],
        style_strength=60,
        style_reference_image_id="0eb8584a-b850-4c4c-a234-185d6378ecb6",
        structure_image_id="1eb8584a-b850-4c4c-a234-185d6378ecb6",
        structure_strength=40,
        locale="en-US",
    )
    job = client.submit_generation(req)
    assert job == JOB
    call = calls_to(ims, SUBMIT)[0].request
    assert call.headers["x-model-version"] == "image4_standard"
    assert call.headers["Content-Type"] == "application/json"
    assert json.loads(call.body) == {
        "prompt": "red kite over dunes",
        "negativePrompt": "blur",
        "numVariations": 2,
        "seeds": [1, 2],
        "size": {"width": 2304, "height": 1792},
        "contentClass": "photo",
        "visualIntensity": 6,
        "style": {
            "presets": ["golden_hour", "bokeh"],
            "strength": 60,
            "imageReference": {"source": {"uploadId": "0eb8584a-b850-4c4c-a234-185d6378ecb6"}},
        },
        "structure": {
            "strength": 40,
            "imageReference": {"source": {"uploadId": "1eb8584a-b850-4c4c-a234-185d6378ecb6"}},
        },
        "promptBiasingLocaleCode": "en-US",
    }


@pytest.mark.parametrize(
    ("kwargs", "header"),
    [
        ({"custom_model_id": CUSTOM, "model_version": "image3_custom"}, "image3_custom"),
        ({"custom_model_id": CUSTOM, "model_version": "image4_custom"}, "image4_custom"),
        ({"model_version": "image3"}, "image3"),
        ({}, "image4_standard"),
    ],
)
def test_it_picks_the_model_version_header(client, ims, kwargs, header):
    ims.post(SUBMIT, status=202, json=ACCEPTED)
    client.submit_generation(GenerateRequest(prompt="p", **kwargs))
    assert calls_to(ims, SUBMIT)[0].request.headers["x-model-version"] == header


@pytest.mark.parametrize("validate", [True, False])
def test_a_custom_model_without_its_model_version_is_refused_not_sent_with_a_guess(
    client, ims, validate
):
    request = GenerateRequest(prompt="p", custom_model_id=CUSTOM)
    with pytest.raises(errors.RequestValidationError) as caught:
        client.submit_generation(request, validate=validate)
    assert "model_version" in caught.value.field_errors
    with pytest.raises(errors.RequestValidationError):
        client.generate_sync(request, validate=validate)
    assert not ims.calls


def test_it_validates_before_sending_unless_told_not_to(client, ims):
    with pytest.raises(errors.RequestValidationError):
        client.submit_generation(GenerateRequest(prompt="p", style_presets=["electric"]))
    assert not calls_to(ims, SUBMIT)
    ims.post(
        SUBMIT,
        status=422,
        json={
            "error_code": "validation_error",
            "validation_errors": [
                {"loc": ["body", "style", "presets", 0], "msg": "unknown preset"}
            ],
        },
    )
    with pytest.raises(errors.RequestValidationError) as caught:
        client.submit_generation(
            GenerateRequest(prompt="p", style_presets=["electric"]), validate=False
        )
    assert caught.value.field_errors == {"style_presets": ["unknown preset"]}


@pytest.mark.parametrize(
    ("stub", "cls", "maybe_accepted"),
    [
        ({"body": requests.ReadTimeout("read timed out")}, errors.FireflyTimeoutError, True),
        ({"body": connection_reset()}, errors.FireflyConnectionError, True),
        ({"status": 500, "json": {"error_code": "runtime_error"}}, errors.ServerError, True),
        ({"status": 502, "body": "<html>bad gateway</html>"}, errors.ServerError, True),
        ({"status": 504, "json": {"error_code": "gateway_timeout"}}, errors.ServerError, True),
        ({"status": 503, "body": "<html>busy</html>"}, errors.ServerError, False),
        ({"status": 503, "json": {"error_code": "model_not_loaded"}}, errors.ServerError, False),
        ({"status": 202, "body": "<html>ok?</html>"}, errors.InvalidResponseError, True),
        ({"status": 202, "json": {"jobId": JOB_ID}}, errors.InvalidResponseError, True),
        ({"body": connection_refused()}, errors.FireflyConnectionError, False),
        ({"body": requests.ConnectTimeout("connect timed out")}, errors.FireflyTimeoutError, False),
        (
            {
                "status": 429,
                "json": {"error_code": "rate_limited"},
                "headers": {"retry-after": "3"},
            },
            errors.RateLimitedError,
            False,
        ),
        (
            {"status": 422, "json": {"error_code": "validation_error"}},
            errors.RequestValidationError,
            False,
        ),
        (
            {"status": 451, "json": {"error_code": "prompt_unsafe"}},
            errors.ContentPolicyError,
            False,
        ),
        (
            {
                "status": 403,
                "json": {"error_code": "access_error"},
                "headers": {"x-access-error": "quota_exhausted"},
            },
            errors.QuotaExhaustedError,
            False,
        ),
    ],
)
def test_a_failed_submission_says_whether_the_job_may_exist(
    client, ims, sleeps, stub, cls, maybe_accepted
):
    ims.post(SUBMIT, **stub)
    with pytest.raises(cls) as caught:
        client.submit_generation(GenerateRequest(prompt="p"))
    assert caught.value.maybe_accepted is maybe_accepted
    assert len(calls_to(ims, SUBMIT)) == 1  # never retried by default
    assert sleeps == []


def test_opted_in_submission_retries_only_what_surely_was_not_accepted(client, ims, sleeps):
    ims.post(SUBMIT, body=connection_refused())
    ims.post(SUBMIT, status=429, json={"error_code": "rate_limited"}, headers={"retry-after": "2"})
    ims.post(SUBMIT, status=202, json=ACCEPTED)
    assert client.submit_generation(GenerateRequest(prompt="p"), retry_unaccepted=True) == JOB
    assert len(calls_to(ims, SUBMIT)) == 3
    assert sleeps == [0.25, 2.25]


def test_opted_in_submission_still_never_retries_a_maybe_accepted_failure(client, ims, sleeps):
    ims.post(SUBMIT, body=requests.ReadTimeout("slow"))
    ims.post(SUBMIT, status=202, json=ACCEPTED)
    with pytest.raises(errors.FireflyTimeoutError):
        client.submit_generation(GenerateRequest(prompt="p"), retry_unaccepted=True)
    assert len(calls_to(ims, SUBMIT)) == 1


# --- status and cancel --------------------------------------------------------------------


def test_it_polls_the_returned_status_url_verbatim(client, ims):
    ims.get(STATUS_URL, json={"jobId": JOB_ID, "status": "running", "progress": 50})
    status = client.job_status(JOB)
    assert (status.job_id, status.status, status.progress) == (JOB_ID, "running", 50)


def test_a_bare_job_id_falls_back_to_the_api_base(client, ims):
    ims.get(f"{API}/v3/status/{JOB_ID}", json={"jobId": JOB_ID, "status": "pending"})
    assert client.job_status(JOB_ID).status == "pending"


def test_it_retries_a_status_poll_after_429_honouring_retry_after(client, ims, sleeps):
    ims.get(
        STATUS_URL, status=429, json={"error_code": "rate_limited"}, headers={"retry-after": "7"}
    )
    ims.get(STATUS_URL, status=503, json={"error_code": "model_not_loaded"})
    ims.get(STATUS_URL, json={"jobId": JOB_ID, "status": "canceled"})
    assert client.job_status(JOB).status == "cancelled"
    assert sleeps == [7.25, 0.5]  # retry-after + jitter, then full jitter of attempt 1


def test_a_retry_after_beyond_the_wait_budget_is_raised_for_the_caller(client, ims, sleeps):
    ims.get(
        STATUS_URL, status=429, json={"error_code": "rate_limited"}, headers={"retry-after": "120"}
    )
    with pytest.raises(errors.RateLimitedError) as caught:
        client.job_status(JOB)
    assert caught.value.retry_after == 120
    assert caught.value.transient is True
    assert sleeps == []


def test_status_retries_are_bounded(client, ims, sleeps):
    ims.get(STATUS_URL, status=502, body="<html>bad gateway</html>")
    with pytest.raises(errors.ServerError):
        client.job_status(JOB)
    assert len(calls_to(ims, STATUS_URL)) == 4  # 1 + max_retries
    assert len(sleeps) == 3


def test_an_unknown_job_is_not_retried(client, ims, sleeps):
    ims.get(STATUS_URL, status=404, json={"error_code": "unknown_job_id"})
    with pytest.raises(errors.NotFoundError):
        client.job_status(JOB)
    assert sleeps == []


def test_an_html_status_body_is_an_invalid_response(client, ims):
    ims.get(STATUS_URL, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(errors.InvalidResponseError) as caught:
        client.job_status(JOB)
    assert caught.value.maybe_accepted is False
    assert len(calls_to(ims, STATUS_URL)) == 4  # transient: retried as a GET


def test_wait_for_job_polls_until_terminal(client, ims, sleeps):
    ims.get(STATUS_URL, json={"jobId": JOB_ID, "status": "pending"})
    ims.get(STATUS_URL, json={"jobId": JOB_ID, "status": "running"})
    ims.get(STATUS_URL, json={"jobId": JOB_ID, "status": "timeout", "error_code": "job_timeout"})
    status = client.wait_for_job(JOB, poll_interval=2)
    assert status.status == "timeout"
    assert sleeps == [2, 2]
    with pytest.raises(errors.JobTimedOutError):
        status.raise_for_status()


def test_wait_for_job_gives_up_at_its_deadline(client, ims):
    ims.get(STATUS_URL, json={"jobId": JOB_ID, "status": "mystery"})
    with pytest.raises(errors.JobTimedOutError, match="mystery"):
        client.wait_for_job(JOB, timeout=0, poll_interval=1)


def test_it_cancels_with_a_put_to_the_cancel_url(client, ims):
    ims.put(CANCEL_URL, body="")
    assert client.cancel_job(JOB) is None
    ims.replace("PUT", CANCEL_URL, json={"jobId": JOB_ID, "status": "cancel_pending"})
    result = client.cancel_job(JOB)
    assert isinstance(result, JobStatus)
    assert result.status == "cancel_pending"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (404, "unknown_job_id", errors.NotFoundError),
        (409, "job_completed", errors.ConflictError),
        (409, "job_already_canceled", errors.ConflictError),
        (410, "job_timeout", errors.GoneError),
    ],
)
def test_cancel_errors_are_typed(client, ims, status, code, cls):
    ims.put(CANCEL_URL, status=status, json={"error_code": code, "message": "no"})
    with pytest.raises(cls) as caught:
        client.cancel_job(JOB)
    assert caught.value.error_code == code


# --- upload -------------------------------------------------------------------------------


def test_it_uploads_raw_image_bytes(client, ims):
    ims.post(f"{API}/v2/storage/image", json={"images": [{"id": "up-1"}]})
    assert client.upload_image(io.BytesIO(PNG), "image/png") == "up-1"
    call = calls_to(ims, f"{API}/v2/storage/image")[0].request
    assert call.headers["Content-Type"] == "image/png"
    assert call.body == PNG


@pytest.mark.parametrize(
    ("data", "ctype", "fragment"),
    [
        (PNG, "image/gif", "JPEG, PNG or WebP"),
        (PNG, "image/tiff", "JPEG, PNG or WebP"),
        (b"", "image/png", "empty"),
        (b"x" * (15 * 1024 * 1024 + 1), "image/jpeg", "at most 15 MB"),
    ],
)
def test_it_refuses_bad_uploads_before_sending(client, ims, data, ctype, fragment):
    with pytest.raises(errors.RequestValidationError) as caught:
        client.upload_image(data, ctype)
    assert fragment in caught.value.field_errors["image"][0]
    assert not ims.calls


def test_an_unsafe_upload_is_a_content_policy_error(client, ims):
    ims.post(f"{API}/v2/storage/image", status=451, json={"error_code": "input_media_unsafe"})
    with pytest.raises(errors.ContentPolicyError):
        client.upload_image(PNG, "image/png")


# --- custom models ------------------------------------------------------------------------


def test_it_follows_every_page_of_custom_models(client, ims):
    ims.get(
        MODELS,
        match=[
            matchers.query_param_matcher(
                {
                    "start": "0",
                    "limit": "50",
                    "publishedState": "published",
                    "sortBy": "-createdDate",
                }
            )
        ],
        json={
            "custom_models": [model(1), model(2)],
            "total_count": 3,
            "_links": {"next": {"href": "/v3/custom-models?start=2&limit=50", "rel": "next"}},
        },
    )
    ims.get(
        MODELS,
        match=[matchers.query_param_matcher({"start": "2", "limit": "50"})],
        json={"custom_models": [model(3)], "total_count": 3, "_links": {}},
    )
    models = client.list_custom_models(sort_by="-createdDate")
    assert [m.display_name for m in models] == ["Model 1", "Model 2", "Model 3"]
    first = models[0]
    assert first.asset_id == "urn:aaid:sc:VA6C2:1"
    assert first.model_version == "image3_custom"
    assert first.created.year == 2024
    assert first.modified.tzinfo is not None
    assert first.concept_id is None
    assert first.size_bytes == 16513991265


def test_it_pages_by_offset_when_there_is_no_next_link(client, ims):
    ims.get(
        MODELS,
        match=[
            matchers.query_param_matcher({"start": "0", "limit": "50", "publishedState": "all"})
        ],
        json={
            "custom_models": [model(1)],
            "total_count": 2,
            "_links": {
                "page": {"href": "/v3/custom-models?start={start}&limit={limit}", "templated": True}
            },
        },
    )
    ims.get(
        MODELS,
        match=[
            matchers.query_param_matcher({"start": "1", "limit": "50", "publishedState": "all"})
        ],
        json={"custom_models": [model(2)], "total_count": 2},
    )
    assert len(client.list_custom_models(published_state="all")) == 2


def test_a_next_link_that_repeats_is_not_followed_forever(client, ims):
    ims.get(
        MODELS,
        json={
            "custom_models": [model(1)],
            "_links": {"next": {"href": "/v3/custom-models?start=0"}},
        },
    )
    with pytest.raises(errors.InvalidResponseError, match="did not advance"):
        client.list_custom_models()


def test_it_finds_a_custom_model_by_asset_id(client, ims):
    ims.get(MODELS, json={"custom_models": [model(1), model(2)], "total_count": 2})
    assert client.get_custom_model("urn:aaid:sc:VA6C2:2").display_name == "Model 2"
    with pytest.raises(errors.NotFoundError):
        client.get_custom_model("urn:aaid:sc:VA6C2:404")
    assert "publishedState=all" in calls_to(ims, MODELS)[0].request.url


def test_it_refuses_unknown_custom_model_filters(client):
    with pytest.raises(errors.RequestValidationError) as caught:
        client.list_custom_models(published_state="live", sort_by="name")
    assert set(caught.value.field_errors) == {"published_state", "sort_by"}


def test_custom_model_errors_in_the_reason_shape_are_typed(client, ims):
    ims.get(MODELS, status=403, json={"reason": "Forbidden", "message": "API Key is not accepted."})
    with pytest.raises(errors.PermissionDeniedError, match="API Key is not accepted"):
        client.list_custom_models()


# --- removed sync endpoint ----------------------------------------------------------------


def test_generate_sync_calls_the_removed_endpoint_once(client, ims):
    body = {
        "size": {"width": 2048, "height": 2048},
        "outputs": [{"seed": 5, "image": {"url": OUTPUT_URL}}],
    }
    ims.post(f"{API}/v3/images/generate", json=body)
    assert client.generate_sync(GenerateRequest(prompt="p")) == body
    ims.replace("POST", f"{API}/v3/images/generate", status=404, json={"error_code": "not_found"})
    with pytest.raises(errors.NotFoundError):
        client.generate_sync(GenerateRequest(prompt="p"))
