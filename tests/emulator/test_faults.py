"""Fault injection: every kind, and how rules match, count and replay."""

import io
import time

import pytest
import requests
from PIL import Image

from generation.emulator import EmulatorConfig, EmulatorServer, FaultRule
from tests.emulator.support import Api, image_bytes


@pytest.fixture
def faults(emulator):
    """Add rules through the HTTP control API, as an out-of-process test would."""

    def add(*rules):
        response = requests.post(f"{emulator.url}/_emulator/faults", json=list(rules), timeout=5)
        assert response.status_code == 200, response.text
        return response.json()["rules"]

    return add


# --- answers instead of the service -----------------------------------------------------------


def test_rate_limited_sends_retry_after_seconds_and_the_level(api, faults):
    faults({"match": "generate", "kind": "rate_limited", "retry_after": 7, "times": 1})

    limited = api.generate()

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.headers["x-access-rate-limit-level"] == "org"
    assert limited.json()["error_code"] == "rate_limited"
    assert api.generate().status_code == 202


@pytest.mark.parametrize(("status", "code"), [(500, "runtime_error"), (502, "bad_gateway")])
def test_server_errors(api, faults, status, code):
    faults({"match": "status", "kind": "error", "status": status})

    response = api.get(f"/v3/status/{api.submit()}")

    assert response.status_code == status
    assert response.json()["error_code"] == code


def test_a_burst_of_503s_then_recovery(emulator, api, faults):
    faults({"match": "generate", "kind": "error", "status": 503, "times": 3})

    statuses = [api.generate().status_code for _ in range(4)]

    assert statuses == [503, 503, 503, 202]
    counters = emulator.state.counters()
    assert counters["responses"]["generate"] == {"503": 3, "202": 1}
    assert counters["jobs_created"] == 1
    assert counters["faults"] == {"error": 3}


def test_error_code_and_message_can_be_chosen(api, faults):
    faults(
        {
            "match": "cancel",
            "kind": "error",
            "status": 409,
            "error_code": "job_cancel_failed",
            "message": "nope",
        }
    )

    response = api.put(f"/v3/cancel/{api.submit()}")

    assert response.status_code == 409
    assert response.json() == {"error_code": "job_cancel_failed", "message": "nope"}


def test_errors_use_each_operations_envelope(emulator, api, faults):
    faults({"match": "custom_models", "kind": "error", "status": 503})
    faults({"match": "token", "kind": "error", "status": 500, "error_code": "server_error"})

    models = api.get("/v3/custom-models")
    token = requests.post(emulator.ims_url, data={}, timeout=5)

    assert models.json() == {"reason": "Service Unavailable", "message": "Service Unavailable"}
    assert token.json()["error"] == "server_error"


def test_access_error_quota_exhausted(api, faults):
    faults({"match": "generate", "kind": "access_error"})

    response = api.generate()

    assert response.status_code == 403
    assert response.headers["x-access-error"] == "quota_exhausted"
    assert response.json()["error_code"] == "access_error"


def test_html_where_json_was_expected(api, faults):
    faults({"match": "status", "kind": "html"})

    response = api.get(f"/v3/status/{api.submit()}")

    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text.startswith("<html>")


def test_a_delay_longer_than_the_clients_timeout(emulator, api, faults):
    faults({"match": "generate", "kind": "delay", "seconds": 1.0, "times": 1})

    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post("/v3/images/generate-async", json={"prompt": "slow"}, timeout=0.3)

    # The emulator carried on after the delay: the job exists although the client never knew.
    deadline = time.monotonic() + 5
    while emulator.state.counters()["jobs_created"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert emulator.state.counters()["jobs_created"] == 1


def test_a_reset_connection(api, faults):
    faults({"match": "generate", "kind": "reset", "times": 1})

    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        api.generate()

    assert "reset" in str(caught.value).lower()
    assert api.generate().status_code == 202


def test_an_empty_reply(api, faults):
    faults({"match": "status", "kind": "empty_reply", "times": 1})
    job_id = api.submit()

    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        api.get(f"/v3/status/{job_id}")

    assert "RemoteDisconnected" in repr(caught.value)
    assert api.get(f"/v3/status/{job_id}").status_code == 200


def test_connection_faults_are_counted(emulator, api, faults):
    faults({"match": "status", "kind": "reset", "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get(f"/v3/status/{api.submit()}")

    assert emulator.state.counters()["responses"]["status"] == {"reset": 1}


def test_malformed_json_after_the_real_work(emulator, api, faults):
    faults({"match": "generate", "kind": "malformed_json", "times": 1})

    response = api.generate()

    assert response.status_code == 202
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()
    assert emulator.state.counters()["jobs_created"] == 1


def test_token_expiry_mid_session(emulator, api, faults):
    faults({"match": "custom_models", "kind": "token_expired", "times": 1})

    first = api.get("/v3/custom-models")
    second = api.get("/v3/custom-models")

    assert first.status_code == second.status_code == 401  # the token really expired
    assert Api(emulator).get("/v3/custom-models").status_code == 200


# --- changes to what the handler does --------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"kind": "job_failed"}, {"status": "failed", "error_code": "runtime_error"}),
        (
            {"kind": "job_failed", "error_code": "internal_error", "message": "model crashed"},
            {"status": "failed", "error_code": "internal_error", "message": "model crashed"},
        ),
        ({"kind": "job_cancelled"}, {"status": "cancelled"}),
        ({"kind": "job_timeout"}, {"status": "timeout", "error_code": "job_timeout"}),
    ],
)
def test_jobs_that_end_badly(api, faults, rule, expected):
    faults({"match": "generate", **rule})

    body = api.finished(api.submit())

    assert body.items() >= expected.items()
    assert "result" not in body


def test_a_denied_word_is_rejected_at_submit_with_451(api):
    response = api.generate({"prompt": "a FORBIDDEN-WORD on a poster"})

    assert response.status_code == 451
    assert response.json()["error_code"] == "prompt_unsafe"


def test_the_content_policy_can_fail_the_job_instead(emulator, api):
    emulator.state.configure(content_policy_mode="fail_job")

    job_id = api.submit({"prompt": "a forbidden-word on a poster"})

    body = api.finished(job_id)
    assert body["status"] == "failed"
    assert body["error_code"] == "prompt_unsafe"


def test_denied_words_are_configurable(emulator, api):
    requests.post(
        f"{emulator.url}/_emulator/config", json={"denied_words": ["pineapple"]}, timeout=5
    )

    assert api.generate({"prompt": "pineapple pizza"}).status_code == 451
    assert api.generate({"prompt": "a forbidden-word"}).status_code == 202


def test_a_fault_rule_forces_the_content_policy(api, faults):
    faults({"match": "generate", "kind": "content_policy", "times": 1})
    faults({"match": "generate", "kind": "content_policy", "mode": "fail_job", "times": 1})

    rejected = api.generate({"prompt": "an innocent kitten"})
    failed = api.finished(api.submit({"prompt": "an innocent kitten"}))

    assert rejected.status_code == 451
    assert failed["status"] == "failed"
    assert failed["error_code"] == "prompt_unsafe"


def test_an_unsafe_upload_is_451_input_media_unsafe(api, faults):
    faults({"match": "upload", "kind": "content_policy"})

    response = api.post(
        "/v2/storage/image", data=image_bytes(), headers={"Content-Type": "image/png"}
    )

    assert response.status_code == 451
    assert response.json()["error_code"] == "input_media_unsafe"


# --- spoiled downloads -----------------------------------------------------------------------


def test_an_output_url_that_has_expired(api, faults):
    (url,) = api.output_urls()
    faults({"match": "download", "kind": "expired_url"})

    response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert "<Message>Request has expired</Message>" in response.text


def test_a_download_error_is_s3_xml(api, faults):
    (url,) = api.output_urls()
    faults({"match": "download", "kind": "error", "status": 503})

    response = requests.get(url, timeout=10)

    assert response.status_code == 503
    assert "<Code>SlowDown</Code>" in response.text


def test_truncated_output_bytes(api, faults):
    (url,) = api.output_urls()
    whole = requests.get(url, timeout=10).content
    faults({"match": "download", "kind": "corrupt_output"})

    response = requests.get(url, timeout=10)

    assert response.status_code == 200
    assert response.content == whole[: len(whole) // 2]
    with pytest.raises(OSError, match="truncated"):
        Image.open(io.BytesIO(response.content)).load()


def test_garbled_output_bytes(api, faults):
    (url,) = api.output_urls()
    whole = requests.get(url, timeout=10).content
    faults({"match": "download", "kind": "corrupt_output", "mode": "garble"})

    garbled = requests.get(url, timeout=10).content

    assert len(garbled) == len(whole)
    assert garbled != whole


def test_a_body_cut_short_of_its_content_length(api, faults):
    (url,) = api.output_urls()
    faults({"match": "download", "kind": "corrupt_output", "mode": "short_body"})

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=10)


def test_an_output_far_larger_than_expected(api, faults):
    (url,) = api.output_urls()
    faults({"match": "download", "kind": "oversize_output", "size_bytes": 40 * 1024 * 1024})

    with requests.get(url, stream=True, timeout=10) as response:
        announced = int(response.headers["Content-Length"])
        received = sum(len(chunk) for chunk in response.iter_content(1024 * 1024))

    assert announced == received == 40 * 1024 * 1024


# --- matching, counting, replaying -----------------------------------------------------------


def test_after_lets_the_first_requests_through(api, faults):
    faults({"match": "generate", "kind": "error", "status": 500, "after": 2, "times": 1})

    assert [api.generate().status_code for _ in range(4)] == [202, 202, 500, 202]


def test_first_matching_rule_wins_and_exhausted_rules_step_aside(api, faults):
    faults(
        {"match": "generate", "kind": "error", "status": 500, "times": 1},
        {"match": "generate", "kind": "error", "status": 503, "times": 1},
    )

    assert [api.generate().status_code for _ in range(3)] == [500, 503, 202]


def test_path_and_method_matching(api, faults):
    faults({"match": {"path": "/v3/status/*", "method": "GET"}, "kind": "error", "status": 500})
    job_id = api.submit()

    assert api.get(f"/v3/status/{job_id}").status_code == 500
    assert api.put(f"/v3/cancel/{job_id}").status_code == 200


def test_faults_come_before_auth(emulator, faults):
    faults({"match": "generate", "kind": "error", "status": 503})

    response = requests.post(f"{emulator.url}/v3/images/generate-async", json={}, timeout=5)

    assert response.status_code == 503


def outcomes(seed: int) -> list[int]:
    rule = {"match": "custom_models", "kind": "error", "status": 500, "probability": 0.5}
    with EmulatorServer(EmulatorConfig(seed=seed, faults=[rule])) as server:
        api = Api(server)
        return [api.get("/v3/custom-models").status_code for _ in range(20)]


def test_probabilistic_faults_replay_with_the_same_seed():
    first = outcomes(seed=1234)

    assert first == outcomes(seed=1234)
    assert 500 in first
    assert 200 in first
    assert first != outcomes(seed=99)


def test_the_control_api_lists_replaces_and_clears_rules(emulator, faults):
    url = f"{emulator.url}/_emulator/faults"
    faults({"match": "generate", "kind": "error", "status": 500, "times": 2})

    listed = requests.get(url, timeout=5).json()["rules"]
    replaced = requests.put(url, json={"rules": [{"kind": "reset"}]}, timeout=5).json()["rules"]
    cleared = requests.delete(url, timeout=5).json()["rules"]

    assert listed == [
        {
            "kind": "error",
            "match": {"operation": "generate"},
            "times": 2,
            "probability": 1.0,
            "after": 0,
            "status": 500,
            "seen": 0,
            "fired": 0,
        }
    ]
    assert [rule["kind"] for rule in replaced] == ["reset"]
    assert cleared == []


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"match": "teleport", "kind": "error"},
        {"match": "status", "kind": "job_failed"},
        {"kind": "error", "times": 0},
        {"kind": "error", "probability": 2},
        {"kind": "error", "colour": "red"},
        {"kind": "corrupt_output", "mode": "melt"},
        {"kind": "error", "status": "abc"},
        {"match": "generate", "kind": "content_policy", "mode": "shrug"},
        {"kind": "error", "status": 999},
        {"kind": "delay", "seconds": -1},
        {"kind": "rate_limited", "retry_after": True},
        {"match": 5, "kind": "error"},
        "error",
    ],
)
def test_invalid_rules_are_refused(emulator, rule):
    response = requests.post(f"{emulator.url}/_emulator/faults", json=rule, timeout=5)

    assert response.status_code == 400
    assert response.json()["error"]


def test_rules_can_be_given_in_process(emulator, api):
    emulator.state.add_faults(FaultRule(kind="error", operation="generate", params={"status": 500}))

    assert api.generate().status_code == 500
    emulator.state.clear_faults()
    assert api.generate().status_code == 202


def test_reset_restores_the_configured_rules():
    rule = {"match": "generate", "kind": "error", "status": 503, "times": 1}
    with EmulatorServer(EmulatorConfig(faults=[rule])) as server:
        api = Api(server)
        assert api.generate().status_code == 503
        assert api.generate().status_code == 202
        server.state.reset()
        assert api.generate().status_code == 503
