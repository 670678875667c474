"""Submitting a generation to Firefly: once, and never blindly again."""

import pytest

from generation.firefly import errors
from generation.models import FireflyRequestSlot, Generation
from generation.pipeline.outcomes import Failure, submit_uncertain_message
from generation.pipeline.submit import generation_submit
from tests.pipeline.support import create_generation

pytestmark = pytest.mark.django_db

Status = Generation.Status


@pytest.fixture
def queued(emulator, spring_launch, alice):
    return create_generation(spring_launch, alice)


def test_a_queued_generation_is_submitted_and_its_job_stored(emulator, queued):
    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.SUBMITTED
    assert queued.firefly_job_id.startswith("urn:ff:jobs:")
    assert queued.status_url.startswith(emulator.url)
    assert queued.cancel_url.startswith(emulator.url)
    assert queued.submit_attempts == 1
    assert queued.submitted_at is not None
    assert queued.deadline_at > queued.submitted_at
    assert step.next_task == "poll"
    assert step.countdown == pytest.approx(0.2)
    assert emulator.state.count("generate") == 1


def test_a_redelivered_submit_message_does_not_submit_twice(emulator, queued):
    generation_submit(generation_id=queued.pk)
    second = generation_submit(generation_id=queued.pk)

    assert second.outcome == "not_queued"
    assert emulator.state.count("generate") == 1
    assert emulator.state.counters()["jobs_created"] == 1


def test_a_rate_limited_submit_goes_back_to_the_queue_and_is_retried_after_retry_after(
    emulator, queued
):
    emulator.state.add_faults(
        {"match": "generate", "kind": "rate_limited", "retry_after": 7, "times": 1}
    )

    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.QUEUED
    assert queued.firefly_job_id == ""
    assert step.next_task == "submit"
    assert step.countdown >= 7
    assert emulator.state.count("generate") == 1

    generation_submit(generation_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == Status.SUBMITTED
    assert queued.firefly_job_id
    assert queued.submit_attempts == 2
    assert emulator.state.counters()["jobs_created"] == 1


def test_a_refused_connection_at_submit_is_retried_too(emulator, queued, settings):
    settings.FIREFLY_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port

    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.QUEUED
    assert step.next_task == "submit"


def test_a_submit_that_stays_rate_limited_gives_up_after_the_maximum_attempts(
    emulator, queued, settings
):
    settings.FIREFLY_MAX_ATTEMPTS = 2
    emulator.state.add_faults({"match": "generate", "kind": "rate_limited", "retry_after": 1})

    generation_submit(generation_id=queued.pk)
    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert step.outcome == "gave_up"
    assert queued.status == Status.FAILED
    assert queued.error_code == "firefly_busy"


def test_a_503_at_submit_goes_back_to_the_queue_with_backoff_and_is_sent_again(emulator, queued):
    emulator.state.add_faults({"match": "generate", "kind": "error", "status": 503, "times": 2})

    first = generation_submit(generation_id=queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.error_code, queued.error_message) == (Status.QUEUED, "", "")
    assert first.next_task == "submit"
    second = generation_submit(generation_id=queued.pk)
    assert second.next_task == "submit"
    assert second.countdown > first.countdown  # backing off
    generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.SUBMITTED
    assert queued.firefly_job_id
    assert queued.submit_attempts == 3
    assert emulator.state.count("generate") == 3
    assert emulator.state.counters()["jobs_created"] == 1


def test_a_submit_that_keeps_getting_503_fails_as_busy_not_as_uncertain(emulator, queued, settings):
    settings.FIREFLY_MAX_ATTEMPTS = 3
    emulator.state.add_faults({"match": "generate", "kind": "error", "status": 503})

    for _ in range(3):
        step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert step.outcome == "gave_up"
    assert (queued.status, queued.error_code) == (Status.FAILED, "firefly_busy")
    assert queued.error_message == Failure.FIREFLY_BUSY.message
    assert queued.retry_can_help
    assert emulator.state.counters()["jobs_created"] == 0


@pytest.mark.parametrize(
    ("fault", "what_happened"),
    [
        (
            {"kind": "error", "status": 500},
            "Adobe Firefly failed with a server error (HTTP 500) on this request",
        ),
        (
            {"kind": "error", "status": 502},
            "Adobe's gateway got no valid answer from Firefly (HTTP 502)",
        ),
        (
            {"kind": "error", "status": 504},
            "Adobe's gateway timed out waiting for Firefly (HTTP 504)",
        ),
        (
            {"kind": "reset"},
            "The connection to Adobe Firefly broke after this request was sent",
        ),
        (
            {"kind": "empty_reply"},
            "The connection to Adobe Firefly broke after this request was sent",
        ),
        (
            {"kind": "malformed_json"},
            "Firefly's answer to the submission was cut off or unreadable after it was sent",
        ),
    ],
    ids=["500", "502", "504", "connection-reset", "empty-reply", "garbled-202"],
)
def test_an_ambiguous_submit_failure_fails_as_uncertain_saying_what_happened(
    emulator, queued, fault, what_happened
):
    emulator.state.add_faults({"match": "generate", "times": 1, **fault})

    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert step.outcome == "submit_uncertain"
    assert queued.status == Status.FAILED
    assert queued.error_code == "submit_uncertain"
    assert queued.error_message.startswith(what_happened)
    assert "may or may not have started the job" in queued.error_message
    assert "Retry sends a new request, which Firefly bills as a new job" in queued.error_message
    assert "may still finish at Firefly" in queued.error_message
    assert queued.retry_can_help
    assert emulator.state.count("generate") == 1
    assert generation_submit(generation_id=queued.pk).outcome == "not_queued"
    assert emulator.state.count("generate") == 1


@pytest.mark.parametrize(
    ("err", "what_happened"),
    [
        (
            errors.FireflyTimeoutError(status=408, maybe_accepted=True),
            "Adobe's gateway timed out waiting for Firefly (HTTP 408) after this request was sent",
        ),
        (
            errors.InvalidResponseError(status=302, maybe_accepted=True),
            "Adobe Firefly answered this request with an unexpected redirect (HTTP 302)",
        ),
    ],
)
def test_rarer_uncertain_submissions_also_say_what_happened_and_what_retry_costs(
    err, what_happened
):
    message = submit_uncertain_message(err)
    assert message.startswith(what_happened + ", so Firefly may or may not have started the job.")
    assert "Retry sends a new request, which Firefly bills as a new job" in message


def test_a_read_timeout_at_submit_fails_as_uncertain_with_exactly_one_submission(
    emulator, queued, settings, wait_for
):
    settings.FIREFLY_READ_TIMEOUT = 0.3
    emulator.state.add_faults({"match": "generate", "kind": "delay", "seconds": 0.6, "times": 1})

    generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.FAILED
    assert queued.error_code == "submit_uncertain"
    assert queued.error_message.startswith(
        "Adobe Firefly did not answer within 0.3 seconds after this request was sent"
    )
    assert emulator.state.count("generate") == 1
    # Firefly did start that job after all: exactly why it must not be sent again.
    wait_for(lambda: emulator.state.counters()["jobs_created"] == 1, timeout=5)


def test_a_prompt_refused_by_the_content_policy_fails_with_a_message_a_marketer_understands(
    emulator, spring_launch, alice
):
    generation = create_generation(spring_launch, alice, prompt="a forbidden-word on a poster")

    generation_submit(generation_id=generation.pk)

    generation.refresh_from_db()
    assert generation.status == Status.FAILED
    assert generation.error_code == "content_policy"
    assert "refused by Adobe's content policy" in generation.error_message


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        ({"kind": "access_error", "reason": "quota_exhausted"}, "quota_exhausted", "quota"),
        ({"kind": "access_error", "reason": "user_non_entitled"}, "access_denied", "refused"),
        (
            {"kind": "error", "status": 422, "error_code": "validation_error"},
            "invalid_request",
            "check",
        ),
    ],
    ids=["quota", "not-entitled", "validation"],
)
def test_permanent_submit_failures_fail_with_the_errors_user_message(
    emulator, queued, fault, code, words
):
    emulator.state.add_faults({"match": "generate", "times": 1, **fault})

    generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.FAILED
    assert queued.error_code == code
    assert words in queued.error_message
    assert emulator.state.count("generate") == 1


def test_a_generation_cancelled_while_queued_is_never_sent(emulator, queued):
    Generation.objects.filter(pk=queued.pk).update(cancel_requested=True)

    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert step.outcome == "cancelled"
    assert queued.status == Status.CANCELLED
    assert emulator.state.count("generate") == 0


def test_a_submit_whose_rate_limit_slot_is_later_is_rescheduled_for_then_without_calling_firefly(
    emulator, queued, settings
):
    from generation.pipeline import ratelimit

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    for n in range(2):
        ratelimit.reserve("poll", n)  # someone else has the next windows

    step = generation_submit(generation_id=queued.pk)

    queued.refresh_from_db()
    assert step.next_task == "submit"
    # Two 15 s windows are taken ahead of it; where in the current window the test starts (and a
    # busy machine crossing a window boundary) moves the exact figure, never past three windows.
    assert 0 < step.countdown <= 45
    assert queued.status == Status.QUEUED
    assert queued.next_poll_at > queued.created_at
    assert emulator.state.count("generate") == 0
    # Coming back early finds the slot it reserved rather than queueing up again.
    mine = FireflyRequestSlot.objects.get(owner=f"submit:{queued.pk}")
    assert ratelimit.reserve("submit", queued.pk).slot == mine.slot
    assert FireflyRequestSlot.objects.filter(owner=f"submit:{queued.pk}").count() == 1
