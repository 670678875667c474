"""The emulator's answers, and requests sent to it, checked against Adobe's OpenAPI document."""

import pytest
import requests

from tests.contract import spec
from tests.emulator.support import IMAGE3_STYLE_MODEL, PROMPT, image_bytes, tutorial_body

SPEC = spec.require_spec()

GENERATE = "/v3/images/generate-async"
UPLOAD = "/v2/storage/image"
MODELS = "/v3/custom-models"
UNKNOWN_JOB = "urn:ff:jobs:emu851211:00000000-0000-4000-8000-000000000000"


def check(response: requests.Response, method: str = "GET") -> None:
    path = response.request.path_url.split("?")[0]
    SPEC.validate_response(path, method, response.status_code, response.json())


# --- the helper itself -------------------------------------------------------------------------


def test_the_helper_catches_a_wrong_body():
    with pytest.raises(spec.SpecMismatchError, match="status"):
        SPEC.validate_response(f"/v3/status/{UNKNOWN_JOB}", "GET", 200, {"status": "done"})
    with pytest.raises(spec.SpecMismatchError, match="outputs"):
        SPEC.validate_response(
            f"/v3/status/{UNKNOWN_JOB}",
            "GET",
            200,
            {"status": "succeeded", "jobId": "x", "result": {"outputs": [{"seed": 1}]}},
        )
    with pytest.raises(spec.SpecMismatchError, match="prompt"):
        SPEC.validate_request_body(GENERATE, "POST", {"numVariations": 2})


def test_the_helper_knows_what_the_spec_does_not_document():
    with pytest.raises(spec.NotInSpecError):
        SPEC.validate_response("/v9/nothing", "GET", 200, {})
    with pytest.raises(spec.NotInSpecError):
        SPEC.validate_response(GENERATE, "POST", 401, {})
    assert not SPEC.is_documented(GENERATE, "POST", 451)
    assert SPEC.is_documented(GENERATE, "POST", 422)


# --- responses -----------------------------------------------------------------------------------


def test_generate_accepted(api):
    check(api.generate({"prompt": PROMPT}), "POST")


@pytest.mark.parametrize(
    ("drive", "expected"),
    [
        (lambda state, job_id: None, "pending"),
        (lambda state, job_id: state.advance_time(1.5), "running"),
        (lambda state, job_id: state.advance_time(10), "succeeded"),
        (lambda state, job_id: state.fail_job(job_id), "failed"),
        (lambda state, job_id: state.cancel_job(job_id), "cancelled"),
        (lambda state, job_id: state.timeout_job(job_id), "timeout"),
    ],
)
def test_status_in_each_state(emulator, api, drive, expected):
    job_id = api.submit({"prompt": PROMPT, "numVariations": 2})
    drive(emulator.state, job_id)

    response = api.get(f"/v3/status/{job_id}")

    assert response.json()["status"] == expected
    check(response)


def test_status_while_a_cancel_is_pending(api):
    job_id = api.submit()
    api.put(f"/v3/cancel/{job_id}")

    response = api.get(f"/v3/status/{job_id}")

    assert response.json()["status"] == "cancel_pending"
    check(response)


def test_cancel_and_its_errors(emulator, api):
    job_id = api.submit()
    accepted = api.put(f"/v3/cancel/{job_id}")
    again = api.put(f"/v3/cancel/{job_id}")
    finished = api.submit()
    emulator.state.advance_time(10)
    completed = api.put(f"/v3/cancel/{finished}")
    timed_out = api.submit()
    emulator.state.timeout_job(timed_out)
    gone = api.put(f"/v3/cancel/{timed_out}")
    unknown = api.put(f"/v3/cancel/{UNKNOWN_JOB}")

    assert [r.status_code for r in (accepted, again, completed, gone, unknown)] == [
        200,
        409,
        409,
        410,
        404,
    ]
    for response in (accepted, again, completed, gone, unknown):
        check(response, "PUT")


def test_status_errors(emulator, api):
    unknown = api.get(f"/v3/status/{UNKNOWN_JOB}")
    malformed = api.get("/v3/status/not-a-job")
    unauthorised = requests.get(f"{emulator.url}/v3/status/{UNKNOWN_JOB}", timeout=5)
    emulator.state.add_faults(
        {"match": "status", "kind": "rate_limited", "times": 1},
        {"match": "status", "kind": "error", "status": 500, "times": 1},
        {"match": "status", "kind": "error", "status": 503, "times": 1},
    )
    faulted = [api.get(f"/v3/status/{UNKNOWN_JOB}") for _ in range(3)]

    assert [r.status_code for r in (unknown, malformed, *faulted)] == [404, 422, 429, 500, 503]
    for response in (unknown, malformed, *faulted):
        check(response)
    assert unauthorised.status_code == 403  # gateway: no API key
    check(unauthorised)


def test_upload_and_its_errors(emulator, api):
    ok = api.post(UPLOAD, data=image_bytes("PNG"), headers={"Content-Type": "image/png"})
    bad = api.post(UPLOAD, data=b"not an image", headers={"Content-Type": "image/png"})
    empty = api.post(UPLOAD, data=b"", headers={"Content-Type": "image/png"})
    emulator.state.add_faults({"match": "upload", "kind": "content_policy"})
    unsafe = api.post(UPLOAD, data=image_bytes("PNG"), headers={"Content-Type": "image/png"})
    unauthorised = requests.post(
        f"{emulator.url}{UPLOAD}",
        data=image_bytes("PNG"),
        headers={"Content-Type": "image/png", "x-api-key": "campaign-studio-local"},
        timeout=5,
    )

    assert [r.status_code for r in (ok, bad, empty, unsafe, unauthorised)] == [
        200,
        400,
        400,
        451,
        401,
    ]
    for response in (ok, bad, empty, unsafe, unauthorised):
        check(response, "POST")


@pytest.mark.parametrize(
    "params",
    [{}, {"publishedState": "all"}, {"start": 1, "limit": 2, "sortBy": "-createdDate"}],
)
def test_custom_models_list(api, params):
    check(api.get(MODELS, params=params))


def test_custom_models_errors(emulator, api):
    bad = api.get(MODELS, params={"limit": 99})
    no_key = requests.get(f"{emulator.url}{MODELS}", timeout=5)
    no_token = requests.get(
        f"{emulator.url}{MODELS}", headers={"x-api-key": "campaign-studio-local"}, timeout=5
    )
    emulator.state.add_faults({"match": "custom_models", "kind": "error", "status": 503})
    unavailable = api.get(MODELS)

    assert [r.status_code for r in (bad, no_key, no_token, unavailable)] == [400, 403, 401, 503]
    for response in (bad, no_key, no_token, unavailable):
        check(response)


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (
            lambda api: api.post(GENERATE, data=b"", headers={"Content-Type": "application/json"}),
            400,
        ),
        (
            lambda api: api.post(GENERATE, data=b"{", headers={"Content-Type": "application/json"}),
            400,
        ),
        (lambda api: api.post(GENERATE, data=b"{}", headers={"Content-Type": "text/plain"}), 415),
        (lambda api: api.generate({"prompt": "", "size": {"width": 1, "height": 1}}), 422),
        (lambda api: api.generate({"prompt": PROMPT}, model_version="image3_custom"), 422),
    ],
)
def test_generate_errors(api, send, status):
    response = send(api)

    assert response.status_code == status
    check(response, "POST")


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"kind": "rate_limited"}, 429),
        ({"kind": "access_error"}, 403),
        ({"kind": "error", "status": 408}, 408),
        ({"kind": "error", "status": 500}, 500),
    ],
)
def test_generate_fault_answers(emulator, api, rule, status):
    emulator.state.add_faults({"match": "generate", **rule})

    response = api.generate()

    assert response.status_code == status
    check(response, "POST")


def test_answers_the_spec_does_not_list_for_generate_still_use_its_shapes(emulator, api):
    unsafe = api.generate({"prompt": "a forbidden-word"})
    unauthorised = requests.post(
        f"{emulator.url}{GENERATE}",
        json={"prompt": PROMPT},
        headers={"x-api-key": "campaign-studio-local"},
        timeout=5,
    )

    assert unsafe.status_code == 451
    SPEC.validate_component("ContentPolicyErrorResponse", unsafe.json())
    assert unauthorised.status_code == 401
    SPEC.validate_component("ApiErrorGeneric", unauthorised.json())


# --- requests ------------------------------------------------------------------------------------


def test_requests_a_plain_client_sends_match_the_request_schema(emulator, api):
    upload = api.post(UPLOAD, data=image_bytes("JPEG"), headers={"Content-Type": "image/jpeg"})
    upload_id = upload.json()["images"][0]["id"]
    bodies = [
        {"prompt": PROMPT},
        tutorial_body(IMAGE3_STYLE_MODEL),
        {
            "prompt": PROMPT,
            "size": {"width": 1440, "height": 2560},
            "style": {"imageReference": {"source": {"uploadId": upload_id}}, "strength": 70},
            "structure": {"imageReference": {"source": {"uploadId": upload_id}}, "strength": 30},
        },
    ]
    versions = [None, "image3_custom", "image4_standard"]
    for body, version in zip(bodies, versions, strict=True):
        assert api.generate(body, model_version=version).status_code == 202

    recorded = requests.get(
        f"{emulator.url}/_emulator/requests", params={"operation": "generate"}, timeout=5
    ).json()["requests"]

    assert [r["body"] for r in recorded] == bodies
    for record in recorded:
        spec.validate_request_body(record["path"], record["method"], record["body"])
