"""The per-credential sliding-window limit (off by default, as for development)."""

import pytest

from generation.emulator import EmulatorConfig, EmulatorServer
from tests.emulator.support import Api


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(rate_limit=4, extra_clients={"second-app": "second-secret"})


def test_the_fifth_call_in_a_minute_is_429_with_retry_after(emulator, api):
    statuses = [api.get("/v3/custom-models").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    limited = api.get("/v3/custom-models")
    assert limited.json()["reason"] == "Too Many Requests"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-access-rate-limit-level"] == "org"


def test_the_window_slides(emulator, api):
    for _ in range(4):
        api.get("/v3/custom-models")
    emulator.state.advance_time(30)
    assert api.get("/v3/custom-models").status_code == 429

    emulator.state.advance_time(31)

    assert api.get("/v3/custom-models").status_code == 200


def test_retry_after_counts_down_to_the_oldest_call_leaving_the_window(emulator, api):
    for _ in range(4):
        api.get("/v3/custom-models")
    emulator.state.advance_time(45)

    assert api.get("/v3/custom-models").headers["retry-after"] == "15"


def test_every_call_counts_including_polls(api):
    job_id = api.submit()
    for _ in range(3):
        api.status(job_id)

    response = api.generate()

    assert response.status_code == 429
    assert response.json()["error_code"] == "rate_limited"


def test_polls_can_be_left_out(emulator, api):
    emulator.state.configure(rate_limit_counts_polls=False)
    job_id = api.submit()
    for _ in range(10):
        api.status(job_id)

    assert api.generate().status_code == 202


def test_each_credential_has_its_own_window(emulator, api):
    for _ in range(4):
        api.get("/v3/custom-models")
    other = Api(emulator, client_id="second-app", client_secret="second-secret")

    assert api.get("/v3/custom-models").status_code == 429
    assert other.get("/v3/custom-models").status_code == 200


def test_token_requests_and_downloads_do_not_count(emulator, api):
    (url,) = api.output_urls()  # generate + 1 poll
    for _ in range(5):
        Api(emulator)
        assert api.session.get(url, headers={"Authorization": None}).status_code == 200

    assert api.get("/v3/custom-models").status_code == 200


def test_refused_calls_do_not_extend_the_wait(emulator, api):
    for _ in range(4):
        api.get("/v3/custom-models")
    for _ in range(10):
        api.get("/v3/custom-models")
    emulator.state.advance_time(60)

    assert api.get("/v3/custom-models").status_code == 200


def test_the_limit_is_off_by_default():
    with EmulatorServer() as server:
        api = Api(server)
        assert {api.get("/v3/custom-models").status_code for _ in range(30)} == {200}
