"""The control API (/_emulator/...) and the in-process state: config, counters, records."""

import http.client
import time

import pytest
import requests

from generation.emulator import DEFAULT_CLIENT_SECRET, EmulatorConfig
from tests.emulator.support import PROMPT


def control(emulator, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{emulator.url}/_emulator/{path}", timeout=5, **kwargs)


def test_health(emulator):
    assert control(emulator, "GET", "health").json() == {"status": "ok"}


def test_config_can_be_read_and_changed(emulator):
    before = control(emulator, "GET", "config").json()
    changed = control(
        emulator,
        "POST",
        "config",
        json={"latency": 0.01, "job_seconds": 1, "rate_limit": 10, "url_lifetime": 120},
    ).json()

    assert before == {
        "latency": 0.0,
        "pending_seconds": 0.5,
        "job_seconds": 3.0,
        "cancel_seconds": 0.5,
        "progression": "auto",
        "rate_limit": None,
        "rate_limit_counts_polls": True,
        "token_lifetime": 86399,
        "url_lifetime": 3600,
        "denied_words": ["forbidden-word"],
        "content_policy_mode": "reject_at_submit",
    }
    assert changed.items() >= {"latency": 0.01, "job_seconds": 1.0, "rate_limit": 10}.items()
    assert emulator.state.config.url_lifetime == 120


@pytest.mark.parametrize(
    "change",
    [
        {"client_secret": "new"},
        {"port": 1},
        {"latency": -1},
        {"latency": "slow"},
        {"content_policy_mode": "shrug"},
        {"progression": "sideways"},
        {"rate_limit": True},
        {"denied_words": "single"},
        ["latency", 1],
    ],
)
def test_bad_config_changes_are_refused(emulator, change):
    response = control(emulator, "POST", "config", json=change)

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "fields",
    [
        {"port": 70000},
        {"latency": -0.1},
        {"job_seconds": -1},
        {"token_lifetime": 0},
        {"rate_limit": -2},
        {"content_policy_mode": "maybe"},
        {"client_secret": ""},
    ],
)
def test_a_bad_config_is_refused_at_construction(fields):
    with pytest.raises(ValueError, match=next(iter(fields)).split("_")[0]):
        EmulatorConfig(**fields)


def test_the_secret_stays_out_of_the_configs_repr():
    assert DEFAULT_CLIENT_SECRET not in repr(EmulatorConfig())


def test_latency_slows_every_api_call(emulator, api):
    emulator.state.configure(latency=0.2)
    started = time.monotonic()
    api.get("/v3/custom-models")

    assert time.monotonic() - started >= 0.2


def test_counters_tell_what_arrived_and_what_went_back(emulator, api):
    job_id = api.submit()
    api.status(job_id)
    api.status(job_id)
    api.put(f"/v3/cancel/{job_id}")
    api.generate({"prompt": ""})

    counters = control(emulator, "GET", "counters").json()

    assert counters["received"] == {"token": 1, "generate": 2, "status": 2, "cancel": 1}
    assert counters["responses"]["generate"] == {"202": 1, "422": 1}
    assert counters["status_codes"] == {"200": 4, "202": 1, "422": 1}
    assert counters["jobs_created"] == 1
    assert counters["tokens_issued"] == 1
    assert emulator.state.count("generate") == 2
    assert emulator.state.count("generate", status=202) == 1


def test_requests_are_recorded_with_secrets_redacted(emulator, api):
    api.submit({"prompt": PROMPT, "seeds": [1]}, model_version="image4_standard")

    records = control(emulator, "GET", "requests").json()["requests"]
    token, generate = records

    assert token["operation"] == "token"
    assert token["body"]["client_secret"] == "<redacted>"
    assert DEFAULT_CLIENT_SECRET not in str(records)
    assert api.token not in str(records)
    assert generate["method"] == "POST"
    assert generate["path"] == "/v3/images/generate-async"
    assert generate["body"] == {"prompt": PROMPT, "seeds": [1]}
    assert generate["headers"]["authorization"] == "Bearer <redacted>"
    assert generate["headers"]["x-model-version"] == "image4_standard"
    assert generate["headers"]["x-api-key"] == "campaign-studio-local"
    assert generate["status"] == 202
    assert generate["fault"] is None
    assert generate["requestId"]


def test_requests_can_be_filtered_and_cleared(emulator, api):
    api.submit()

    only = control(emulator, "GET", "requests", params={"operation": "generate"}).json()
    cleared = control(emulator, "DELETE", "requests").json()

    assert [r["operation"] for r in only["requests"]] == ["generate"]
    assert cleared == {"requests": []}


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(record_limit=3)])
def test_the_record_is_bounded(emulator, api):
    for _ in range(5):
        api.get("/v3/custom-models")

    assert len(emulator.state.requests()) == 3


def test_control_calls_are_neither_counted_nor_recorded(emulator):
    control(emulator, "GET", "jobs")
    control(emulator, "GET", "counters")

    assert emulator.state.requests() == []
    assert emulator.state.counters()["received"] == {}


def test_reset_forgets_jobs_counters_records_and_config(emulator, api):
    api.submit()
    emulator.state.configure(job_seconds=99)

    assert control(emulator, "POST", "reset").json() == {"reset": True}

    assert emulator.state.jobs() == []
    assert emulator.state.counters()["received"] == {}
    assert emulator.state.requests() == []
    assert emulator.state.config.job_seconds == 3.0


def test_time_can_be_advanced_over_http(emulator, api):
    job_id = api.submit()

    assert control(emulator, "POST", "time/advance", json={"seconds": 10}).status_code == 200
    assert api.status(job_id)["status"] == "succeeded"
    assert control(emulator, "POST", "time/advance", json={"seconds": "x"}).status_code == 400


def test_unknown_control_paths_and_methods(emulator):
    assert control(emulator, "GET", "nothing-here").status_code == 404
    assert control(emulator, "DELETE", "counters").status_code == 405
    assert control(emulator, "POST", "config", data=b"{nope").status_code == 400


def test_every_response_carries_a_request_id_and_echoes_the_callers(emulator, api):
    mine = api.get("/v3/custom-models", headers={"x-request-id": "trace-123"})
    theirs = api.get("/v3/nowhere")
    ctl = control(emulator, "GET", "health")

    assert mine.headers["x-request-id"] == "trace-123"
    assert theirs.status_code == 404
    assert theirs.headers["x-request-id"]
    assert ctl.headers["x-request-id"]


def test_connections_are_kept_alive(emulator, api):
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    headers = dict(api.session.headers)
    connection.request("GET", "/v3/custom-models", headers=headers)
    first = connection.getresponse()
    first.read()
    socket_used = connection.sock
    connection.request("GET", "/v3/custom-models", headers=headers)
    second = connection.getresponse()
    second.read()

    assert not first.will_close
    assert second.status == 200
    assert connection.sock is socket_used
    connection.close()


def test_malformed_framing_is_a_400_and_closes_the_connection(emulator):
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    connection.putrequest("POST", "/v3/images/generate-async")
    connection.putheader("Content-Length", "lots")
    connection.endheaders()
    response = connection.getresponse()

    assert response.status == 400
    assert response.will_close
    assert response.getheader("x-request-id")
    connection.close()
