"""Job lifecycle: status in each state, cancel and its errors, manual progression."""

import time

import pytest
import requests

from generation.emulator import EmulatorConfig

# pending 0.5 s, then running 3 s (the defaults)


def test_a_job_goes_pending_running_succeeded_with_progress(emulator, api):
    emulator.state.freeze_time()  # only advance_time moves the job, however slow the machine
    job_id = api.submit()

    assert api.status(job_id) == {"status": "pending", "jobId": job_id}
    emulator.state.advance_time(0.5 + 1.5)
    running = api.status(job_id)
    assert running["status"] == "running"
    assert running["progress"] == 50
    emulator.state.advance_time(1.5)
    done = api.status(job_id)
    assert done["status"] == "succeeded"
    assert done["result"]["outputs"][0]["image"]["url"].startswith(emulator.url + "/images/")


def test_a_finished_job_keeps_returning_the_same_result(emulator, api):
    job_id = api.submit()
    first = api.finished(job_id)
    emulator.state.advance_time(600)

    assert api.status(job_id) == first


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(job_seconds=0.2, pending_seconds=0.1)])
def test_jobs_progress_in_real_time_too(api):
    job_id = api.submit()
    time.sleep(0.4)

    assert api.status(job_id)["status"] == "succeeded"


def test_configured_durations_apply_to_new_jobs_only(emulator, api):
    old = api.submit()
    emulator.state.configure(job_seconds=100)
    new = api.submit()
    emulator.state.advance_time(10)

    assert api.status(old)["status"] == "succeeded"
    assert api.status(new)["status"] == "running"


def test_status_of_an_unknown_job_is_404(api):
    response = api.get("/v3/status/urn:ff:jobs:emu851211:00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json() == {"error_code": "unknown_job_id", "message": "The job id is unknown."}


def test_a_malformed_job_id_is_422(api):
    response = api.get("/v3/status/not-a-job")

    assert response.status_code == 422
    assert response.json()["validation_errors"][0]["loc"] == ["parameters", "jobId"]


def test_a_bare_uuid_is_a_valid_job_id_format(api):
    response = api.get("/v3/status/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404


def test_cancel_moves_through_cancel_pending_to_cancelled(emulator, api):
    job_id = api.submit()

    response = api.put(f"/v3/cancel/{job_id}")

    assert response.status_code == 200
    assert response.json() == {}
    assert api.status(job_id)["status"] == "cancel_pending"
    emulator.state.advance_time(0.5)
    assert api.status(job_id) == {
        "status": "cancelled",
        "jobId": job_id,
        "message": "The job was cancelled on request.",
    }


def test_cancel_works_with_the_returned_cancel_url(api):
    cancel_url = api.generate().json()["cancelUrl"]

    assert api.put(cancel_url).status_code == 200


def test_cancelling_twice_is_409_already_cancelled(emulator, api):
    job_id = api.submit()
    api.put(f"/v3/cancel/{job_id}")

    again = api.put(f"/v3/cancel/{job_id}")
    emulator.state.advance_time(1)
    after = api.put(f"/v3/cancel/{job_id}")

    for response in (again, after):
        assert response.status_code == 409
        assert response.json()["error_code"] == "job_already_canceled"


def test_cancelling_a_finished_job_is_409_completed(api):
    job_id = api.submit()
    api.finished(job_id)

    response = api.put(f"/v3/cancel/{job_id}")

    assert response.status_code == 409
    assert response.json()["error_code"] == "job_completed"


def test_cancelling_a_timed_out_job_is_410(emulator, api):
    job_id = api.submit()
    emulator.state.timeout_job(job_id)

    response = api.put(f"/v3/cancel/{job_id}")

    assert response.status_code == 410
    assert response.json()["error_code"] == "job_timeout"


def test_cancelling_an_unknown_job_is_404(api):
    response = api.put("/v3/cancel/urn:ff:jobs:emu851211:00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json()["error_code"] == "unknown_job_id"


def test_cancel_must_be_a_put(api):
    response = api.post("/v3/cancel/urn:ff:jobs:emu851211:00000000-0000-4000-8000-000000000000")

    assert response.status_code == 405
    assert response.headers["Allow"] == "PUT"


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
def test_any_other_method_is_the_gateways_405_too_not_a_501(api, method):
    response = api.request(method, "/v3/status/urn:ff:jobs:emu851211:x")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(progression="manual")])
def test_manual_progression_waits_for_the_control_api(emulator, api):
    job_id = api.submit()
    control = f"{emulator.url}/_emulator/jobs/{job_id}"
    emulator.state.advance_time(3600)
    assert api.status(job_id)["status"] == "pending"

    requests.post(f"{control}/start", timeout=5)
    assert api.status(job_id) == {"status": "running", "jobId": job_id, "progress": 0}
    requests.post(f"{control}/progress", json={"progress": 70}, timeout=5)
    assert api.status(job_id)["progress"] == 70
    requests.post(f"{control}/complete", timeout=5)
    assert api.status(job_id)["status"] == "succeeded"


@pytest.mark.parametrize(
    ("action", "details", "expected"),
    [
        (
            "fail",
            {"error_code": "internal_error", "message": "GPU on fire"},
            {"status": "failed", "error_code": "internal_error", "message": "GPU on fire"},
        ),
        ("fail", {}, {"status": "failed", "error_code": "runtime_error"}),
        ("timeout", {}, {"status": "timeout", "error_code": "job_timeout"}),
        ("cancel", {}, {"status": "cancelled"}),
    ],
)
def test_a_job_can_be_ended_by_hand(emulator, api, action, details, expected):
    job_id = api.submit()

    response = requests.post(
        f"{emulator.url}/_emulator/jobs/{job_id}/{action}", json=details, timeout=5
    )

    assert response.status_code == 200
    body = api.status(job_id)
    assert body.items() >= expected.items()
    assert body["message"]


def test_driving_a_finished_job_is_409_and_unknown_ones_404(emulator, api):
    job_id = api.submit()
    api.finished(job_id)

    ended = requests.post(f"{emulator.url}/_emulator/jobs/{job_id}/fail", timeout=5)
    unknown = requests.post(f"{emulator.url}/_emulator/jobs/urn:ff:jobs:x:y/fail", timeout=5)
    bad_action = requests.post(f"{emulator.url}/_emulator/jobs/{api.submit()}/explode", timeout=5)

    assert ended.status_code == 409
    assert unknown.status_code == 404
    assert bad_action.status_code == 400


def test_the_jobs_listing_shows_state_and_polls(emulator, api):
    job_id = api.submit({"prompt": "a kite", "style": {"presets": ["bw"]}})
    api.status(job_id)
    api.status(job_id)

    jobs = requests.get(f"{emulator.url}/_emulator/jobs", timeout=5).json()["jobs"]
    one = requests.get(f"{emulator.url}/_emulator/jobs/{job_id}", timeout=5).json()

    assert [job["jobId"] for job in jobs] == [job_id]
    assert one["polls"] == 2
    assert one["status"] == "pending"
    assert one["presets"] == ["bw"]
    assert one["prompt"] == "a kite"
