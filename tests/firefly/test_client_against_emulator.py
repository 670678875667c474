"""Every client operation and error class against the local emulator, over real HTTP.

Faults, settings and job moves go through the emulator's HTTP control API
(``/_emulator/...``). The client's ``sleep`` advances the emulator's clock
instead of sleeping, so jobs progress and backoffs cost no wall time.
"""

from __future__ import annotations

import io
import socket
import time

import pytest
import requests
from PIL import Image

from generation.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    EmulatorConfig,
    EmulatorServer,
)
from generation.firefly import (
    FireflyClient,
    FireflyConfig,
    GenerateRequest,
    InMemoryTokenCache,
    SubmittedJob,
    errors,
)

KITE = GenerateRequest(prompt="a red kite over golden dunes", num_variations=1)


class Emulator:
    """The running server plus small helpers over its control API."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.url = server.url
        self.sleeps: list[float] = []

    def control(self, method: str, path: str, body=None):
        response = requests.request(method, f"{self.url}/_emulator/{path}", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def fault(self, kind: str, match: str | dict, **params):
        return self.control("POST", "faults", {"kind": kind, "match": match, **params})

    def configure(self, **settings):
        return self.control("POST", "config", settings)

    def counters(self):
        return self.control("GET", "counters")

    def recorded(self, operation: str):
        return self.control("GET", f"requests?operation={operation}")["requests"]

    def drive(self, job_id: str, action: str, **details):
        return self.control("POST", f"jobs/{job_id}/{action}", details)

    def advance(self, seconds: float) -> None:
        self.control("POST", "time/advance", {"seconds": seconds})

    def sleep(self, seconds: float) -> None:
        """What the client calls instead of time.sleep."""
        self.sleeps.append(seconds)
        self.advance(seconds)

    def config(self, **overrides) -> FireflyConfig:
        values = {
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "api_base": self.url,
            "ims_url": self.server.ims_url,
            "read_timeout": 5.0,
        }
        values.update(overrides)
        return FireflyConfig(**values)

    def client(self, cache=None, **overrides) -> FireflyClient:
        return FireflyClient(
            self.config(**overrides),
            token_cache=cache or InMemoryTokenCache(),
            sleep=self.sleep,
            rand=lambda: 0.5,
        )


@pytest.fixture(scope="module")
def server():
    config = EmulatorConfig(pending_seconds=0.2, job_seconds=1.0, cancel_seconds=0.2)
    with EmulatorServer(config) as running:
        yield running


@pytest.fixture
def emu(server):
    emulator = Emulator(server)
    emulator.control("POST", "reset")
    yield emulator
    emulator.control("POST", "reset")


@pytest.fixture
def ff(emu):
    with emu.client() as client:
        yield client


def png_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def finished(ff, job) -> object:
    return ff.wait_for_job(job, timeout=60, poll_interval=0.5)


def wait_until(predicate, seconds=5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- operations ---------------------------------------------------------------------------


def test_it_generates_polls_and_downloads_a_real_image(ff, emu):
    job = ff.submit_generation(
        GenerateRequest(
            prompt="a red kite over golden dunes",
            num_variations=2,
            seeds=[11, 22],
            width=2304,
            height=1792,
            style_presets=["golden_hour"],
        )
    )
    status = finished(ff, job).raise_for_status()
    assert status.size == (2304, 1792)
    assert [o.seed for o in status.outputs] == [11, 22]
    dest = io.BytesIO()
    result = ff.download_output(status.outputs[0].url, dest)
    assert result.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(dest.getvalue())).size == (2304, 1792)
    (submit,) = emu.recorded("generate")
    assert submit["headers"]["x-model-version"] == "image4_standard"
    assert submit["headers"]["x-api-key"] == DEFAULT_CLIENT_ID
    assert submit["body"]["style"] == {"presets": ["golden_hour"]}
    assert emu.counters()["tokens_issued"] == 1


def test_it_generates_with_each_published_custom_model_whose_base_it_knows(ff):
    models = [m for m in ff.list_custom_models() if m.published_state == "published"]
    assert {m.model_version for m in models} == {"image3_custom", "image4_custom", None}
    for model in models:
        if model.model_version is None:  # an unknown base model: refused, not guessed
            with pytest.raises(errors.RequestValidationError):
                ff.submit_generation(
                    GenerateRequest(prompt="a product shot", custom_model_id=model.asset_id)
                )
            continue
        request = GenerateRequest(
            prompt=model.sample_prompt or "a product shot",
            custom_model_id=model.asset_id,
            model_version=model.model_version,
        )
        assert finished(ff, ff.submit_generation(request)).succeeded


def test_it_lists_every_page_of_custom_models(ff, emu):
    for n in range(60):
        emu.control(
            "POST",
            "custom-models",
            {
                "asset_id": f"urn:aaid:sc:VA6C2:extra-{n:03d}",
                "display_name": f"Extra {n:03d}",
                "training_mode": "style",
                "base_model": "clio_v2",
                "published_state": "published",
                "created": "2026-01-01T00:00:00Z",
                "modified": f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
                "sample_prompt": "extra",
            },
        )
    models = ff.list_custom_models(published_state="all", sort_by="assetName")
    assert len(models) == 68
    assert len({m.asset_id for m in models}) == 68
    assert len(emu.recorded("custom_models")) == 2
    assert ff.get_custom_model("urn:aaid:sc:VA6C2:extra-059").display_name == "Extra 059"
    with pytest.raises(errors.NotFoundError):
        ff.get_custom_model("urn:aaid:sc:VA6C2:nope")


def test_it_uploads_a_reference_image_and_uses_it(ff):
    upload_id = ff.upload_image(io.BytesIO(png_bytes()), "image/png")
    job = ff.submit_generation(
        GenerateRequest(prompt="a mug", style_reference_image_id=upload_id, style_strength=70)
    )
    assert finished(ff, job).succeeded


def test_it_cancels_a_running_job_and_reports_a_second_cancel_as_conflict(ff, emu):
    job = ff.submit_generation(KITE)
    assert ff.cancel_job(job) is None
    emu.advance(1)
    assert ff.job_status(job).status == "cancelled"
    with pytest.raises(errors.JobCancelledError):
        ff.job_status(job).raise_for_status()
    with pytest.raises(errors.ConflictError) as caught:
        ff.cancel_job(job)
    assert caught.value.error_code == "job_already_canceled"


def test_cancelling_a_finished_job_is_a_conflict(ff):
    job = ff.submit_generation(KITE)
    finished(ff, job)
    with pytest.raises(errors.ConflictError) as caught:
        ff.cancel_job(job.job_id)  # by bare id: the api_base fallback
    assert caught.value.error_code == "job_completed"


def test_the_removed_sync_endpoint_still_answers_on_the_emulator(ff):
    body = ff.generate_sync(GenerateRequest(prompt="a sun over hills"))
    assert body["outputs"][0]["image"]["url"].startswith(ff.config.api_base)


def test_clients_sharing_a_cache_fetch_one_token(emu):
    shared = InMemoryTokenCache()
    for _ in range(3):
        with emu.client(cache=shared) as client:
            client.list_custom_models()
    assert emu.counters()["tokens_issued"] == 1


# --- authentication -----------------------------------------------------------------------


def test_wrong_credentials_are_an_authentication_error(emu):
    client = emu.client(client_secret="not-the-secret")
    with client, pytest.raises(errors.AuthenticationError) as caught:
        client.list_custom_models()
    assert caught.value.error_code == "invalid_client"
    assert "not-the-secret" not in str(caught.value) + (caught.value.response_text or "")


def test_a_token_expired_at_ims_is_refreshed_once_transparently(ff, emu):
    ff.list_custom_models()
    emu.control("POST", "tokens/expire")
    assert ff.list_custom_models()
    assert emu.counters()["tokens_issued"] == 2


def test_a_submission_rejected_for_its_token_is_resent_once(ff, emu):
    emu.fault("token_expired", "generate", times=1)
    assert ff.submit_generation(KITE).job_id
    counters = emu.counters()
    assert counters["tokens_issued"] == 2
    assert counters["jobs_created"] == 1  # the 401 proved the first one was not accepted


def test_a_token_rejected_twice_is_an_authentication_error(ff, emu):
    emu.fault("token_expired", "status", times=2)
    job = ff.submit_generation(KITE)
    with pytest.raises(errors.AuthenticationError) as caught:
        ff.job_status(job)
    assert caught.value.status == 401


# --- permission, validation, policy ------------------------------------------------------


def test_an_unentitled_account_is_permission_denied(ff, emu):
    emu.fault("access_error", "generate", reason="user_non_entitled")
    with pytest.raises(errors.PermissionDeniedError) as caught:
        ff.submit_generation(KITE)
    assert type(caught.value) is errors.PermissionDeniedError
    assert caught.value.access_error == "user_non_entitled"


def test_an_exhausted_quota_is_its_own_error(ff, emu):
    emu.fault("access_error", "generate", reason="quota_exhausted")
    with pytest.raises(errors.QuotaExhaustedError) as caught:
        ff.submit_generation(KITE)
    assert caught.value.maybe_accepted is False


def test_the_emulators_validation_errors_map_to_request_fields(ff):
    bad = GenerateRequest(prompt="p", width=1000, height=1000, style_presets=["electric"])
    with pytest.raises(errors.RequestValidationError) as caught:
        ff.submit_generation(bad, validate=False)
    assert {"style_presets", "width"} <= set(caught.value.field_errors)


def test_a_malformed_job_id_is_a_validation_error(ff):
    with pytest.raises(errors.RequestValidationError) as caught:
        ff.job_status("not-a-job-id")
    assert "job_id" in caught.value.field_errors


def test_an_unknown_job_is_not_found(ff):
    with pytest.raises(errors.NotFoundError) as caught:
        ff.job_status("urn:ff:jobs:emu851211:00000000-0000-4000-8000-000000000000")
    assert caught.value.error_code == "unknown_job_id"


def test_an_upload_that_is_not_an_image_is_refused(ff):
    with pytest.raises(errors.RequestValidationError):
        ff.upload_image(b"\x89PNG\r\n\x1a\nnot really", "image/png")


def test_an_unsafe_prompt_is_refused_at_submit(ff, emu):
    with pytest.raises(errors.ContentPolicyError) as caught:
        ff.submit_generation(GenerateRequest(prompt="a forbidden-word poster"))
    assert caught.value.status == 451
    assert caught.value.maybe_accepted is False
    assert emu.counters()["jobs_created"] == 0


def test_an_unsafe_prompt_can_also_fail_the_job(ff, emu):
    emu.configure(content_policy_mode="fail_job")
    job = ff.submit_generation(GenerateRequest(prompt="a forbidden-word poster"))
    status = finished(ff, job)
    assert status.status == "failed"
    with pytest.raises(errors.JobContentPolicyError) as caught:
        status.raise_for_status()
    assert isinstance(caught.value, errors.ContentPolicyError)


def test_an_unsafe_upload_is_a_content_policy_error(ff, emu):
    emu.fault("content_policy", "upload")
    with pytest.raises(errors.ContentPolicyError):
        ff.upload_image(png_bytes(), "image/png")


@pytest.mark.parametrize(
    ("kind", "status", "cls"),
    [
        ("job_failed", "failed", errors.JobFailedError),
        ("job_cancelled", "cancelled", errors.JobCancelledError),
        ("job_timeout", "timeout", errors.JobTimedOutError),
    ],
)
def test_each_unhappy_job_ending_raises_its_error(ff, emu, kind, status, cls):
    emu.fault(kind, "generate")
    result = finished(ff, ff.submit_generation(KITE))
    assert result.status == status
    with pytest.raises(cls):
        result.raise_for_status()


def test_cancelling_a_timed_out_job_is_gone(ff, emu):
    job = ff.submit_generation(KITE)
    emu.drive(job.job_id, "timeout")
    with pytest.raises(errors.GoneError) as caught:
        ff.cancel_job(job)
    assert caught.value.error_code == "job_timeout"


def test_a_manually_driven_job_reports_progress(ff, emu):
    job = ff.submit_generation(KITE)
    emu.drive(job.job_id, "progress", progress=40)
    status = ff.job_status(job)
    assert (status.status, status.progress) == ("running", 40)
    emu.drive(job.job_id, "complete")
    assert ff.job_status(job).succeeded


# --- rate limits and server trouble ------------------------------------------------------


def test_a_rate_limited_submission_is_not_retried_by_default(ff, emu):
    emu.fault("rate_limited", "generate", retry_after=3, times=1)
    with pytest.raises(errors.RateLimitedError) as caught:
        ff.submit_generation(KITE)
    assert caught.value.retry_after == 3
    assert caught.value.maybe_accepted is False
    assert emu.counters()["jobs_created"] == 0


def test_an_opted_in_submission_waits_out_a_429(ff, emu):
    emu.fault("rate_limited", "generate", retry_after=3, times=1)
    assert ff.submit_generation(KITE, retry_unaccepted=True).job_id
    assert emu.sleeps == [3.25]
    assert emu.counters()["jobs_created"] == 1


def test_status_polls_ride_out_429s_and_5xx(ff, emu):
    job = ff.submit_generation(KITE)
    emu.fault("rate_limited", "status", retry_after=2, times=1)
    emu.fault("error", "status", status=503, times=1)
    assert ff.job_status(job).status in ("pending", "running", "succeeded")
    assert emu.sleeps == [2.25, 0.5]


def test_the_real_rate_limiter_is_honoured(emu):
    emu.configure(rate_limit=2)
    with emu.client(max_retries=0) as client:
        client.list_custom_models()
        client.list_custom_models()
        with pytest.raises(errors.RateLimitedError) as caught:
            client.list_custom_models()
    assert 1 <= caught.value.retry_after <= 60
    assert caught.value.rate_limit_level == "org"


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_on_submit_may_have_been_accepted(ff, emu, status):
    emu.fault("error", "generate", status=status)
    with pytest.raises(errors.ServerError) as caught:
        ff.submit_generation(KITE, retry_unaccepted=True)
    assert caught.value.maybe_accepted is True
    assert len(emu.recorded("generate")) == 1


def test_a_503_on_submit_was_not_processed_so_an_opted_in_submission_sends_it_again(ff, emu):
    emu.fault("error", "generate", status=503, times=2)
    assert ff.submit_generation(KITE, retry_unaccepted=True).job_id
    assert len(emu.recorded("generate")) == 3
    assert emu.counters()["jobs_created"] == 1


def test_a_lost_submit_response_hides_a_created_job(ff, emu):
    emu.fault("malformed_json", "generate", times=1)
    with pytest.raises(errors.InvalidResponseError) as caught:
        ff.submit_generation(KITE)
    assert caught.value.maybe_accepted is True
    assert emu.counters()["jobs_created"] == 1  # which is why the client never re-submits


def test_an_html_page_where_json_was_expected_is_retried_then_reported(ff, emu):
    emu.fault("html", "custom_models", status=200)
    with pytest.raises(errors.InvalidResponseError):
        ff.list_custom_models()
    assert len(emu.recorded("custom_models")) == 4
    emu.control("DELETE", "faults")
    emu.fault("html", "custom_models", status=502, times=1)
    assert ff.list_custom_models()


def test_a_slow_submission_times_out_but_may_still_create_the_job(emu):
    emu.fault("delay", "generate", seconds=1.0, times=1)
    client = emu.client(read_timeout=0.3)
    with client, pytest.raises(errors.FireflyTimeoutError) as caught:
        client.submit_generation(KITE, retry_unaccepted=True)
    assert caught.value.maybe_accepted is True
    assert wait_until(lambda: emu.counters()["jobs_created"] == 1)


@pytest.mark.parametrize("kind", ["reset", "empty_reply"])
def test_a_dropped_connection_after_sending_may_have_been_accepted(ff, emu, kind):
    emu.fault(kind, "generate", times=1)
    with pytest.raises(errors.FireflyConnectionError) as caught:
        ff.submit_generation(KITE, retry_unaccepted=True)
    assert caught.value.maybe_accepted is True
    assert len(emu.recorded("generate")) == 1


def test_a_dropped_status_poll_is_retried(ff, emu):
    job = ff.submit_generation(KITE)
    emu.fault("reset", "status", times=1)
    assert ff.job_status(job).job_id == job.job_id


def test_a_refused_connection_surely_was_not_accepted(emu):
    dead = f"http://127.0.0.1:{free_port()}"
    client = emu.client(api_base=dead, max_retries=2)
    with client, pytest.raises(errors.FireflyConnectionError) as caught:
        client.submit_generation(KITE, retry_unaccepted=True)
    assert caught.value.maybe_accepted is False
    assert len(emu.sleeps) == 2  # safe to retry, so it did


# --- URLs and downloads --------------------------------------------------------------------


def test_status_urls_on_a_foreign_host_are_refused_but_the_job_id_still_works(emu):
    forged = EmulatorServer(EmulatorConfig(public_url="http://169.254.169.254", job_seconds=0.1))
    with forged, FireflyClient(emu.config(api_base=forged.url, ims_url=forged.ims_url)) as client:
        job = client.submit_generation(KITE)
        assert job.status_url.startswith("http://169.254.169.254/")
        with pytest.raises(errors.UnsafeURLError):
            client.job_status(job)
        with pytest.raises(errors.UnsafeURLError):
            client.cancel_job(job)
        assert client.job_status(job.job_id).job_id == job.job_id
        assert forged.state.count("status") == 1  # only the fallback poll arrived


def test_an_expired_output_url_is_output_expired(ff, emu):
    status = finished(ff, ff.submit_generation(KITE))
    emu.advance(3601)
    with pytest.raises(errors.OutputExpiredError) as caught:
        ff.download_output(status.outputs[0].url, io.BytesIO())
    assert caught.value.status == 403


def test_an_oversized_output_is_aborted(ff, emu):
    status = finished(ff, ff.submit_generation(KITE))
    emu.fault("oversize_output", "download", size_bytes=3 * 1024 * 1024)
    dest = io.BytesIO()
    with pytest.raises(errors.OutputTooLarge):
        ff.download_output(status.outputs[0].url, dest, max_bytes=1024 * 1024)
    assert dest.tell() <= 1024 * 1024


def test_a_truncated_output_is_invalid(ff, emu):
    status = finished(ff, ff.submit_generation(KITE))
    emu.fault("corrupt_output", "download", mode="truncate", times=1)
    with pytest.raises(errors.InvalidOutputError):
        ff.download_output(status.outputs[0].url, io.BytesIO())


def test_a_body_cut_short_is_a_connection_error(ff, emu):
    status = finished(ff, ff.submit_generation(KITE))
    emu.fault("corrupt_output", "download", mode="short_body", times=1)
    with pytest.raises(errors.FireflyConnectionError):
        ff.download_output(status.outputs[0].url, io.BytesIO())


def test_a_forged_output_url_is_never_fetched(ff):
    with pytest.raises(errors.UnsafeURLError):
        ff.download_output("http://169.254.169.254/latest/meta-data/", io.BytesIO())


def test_a_submitted_job_object_round_trips_through_storage(ff):
    job = ff.submit_generation(KITE)
    stored = (job.job_id, job.status_url, job.cancel_url)  # what the app keeps on its row
    assert ff.job_status(SubmittedJob(*stored)).job_id == job.job_id
