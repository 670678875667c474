"""The sweeper re-drives generations whose next step is overdue: messages do get lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from generation.models import FireflyRequestSlot, Generation
from generation.pipeline.submit import generation_submit
from generation.pipeline.sweep import generation_sweep
from tests.pipeline.support import create_generation, poll_now

pytestmark = pytest.mark.django_db

Status = Generation.Status


def overdue(generation, minutes=10, **fields):
    Generation.objects.filter(pk=generation.pk).update(
        next_poll_at=timezone.now() - timedelta(minutes=minutes), **fields
    )


def scheduled(callbacks):
    """The tasks the sweeper enqueued (on commit), as (task name, args)."""
    from generation.pipeline.scheduling import _task

    sent = []
    for callback in callbacks:  # partial(_send, step name, generation id, countdown)
        name, generation_id, _countdown = callback.args
        sent.append((_task(name).name, (generation_id,)))
    return sent


def test_a_queued_generation_whose_submit_message_was_lost_is_submitted_again(
    spring_launch, alice, django_capture_on_commit_callbacks
):
    generation = create_generation(spring_launch, alice)
    overdue(generation)

    with django_capture_on_commit_callbacks() as callbacks:
        counts = generation_sweep()

    generation.refresh_from_db()
    assert counts["resubmitted"] == 1
    assert generation.redrive_count == 1
    assert scheduled(callbacks) == [("generation.tasks.submit_generation", (generation.pk,))]


def test_a_running_generation_whose_poll_message_was_lost_is_polled_again(
    emulator, spring_launch, alice, django_capture_on_commit_callbacks
):
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    overdue(generation, status=Status.RUNNING)

    with django_capture_on_commit_callbacks() as callbacks:
        counts = generation_sweep()

    generation.refresh_from_db()
    assert counts["repolled"] == 1
    assert scheduled(callbacks) == [("generation.tasks.poll_generation", (generation.pk,))]
    assert poll_now(generation).next_task == "poll"  # the re-driven poll is due and claims


def test_a_generation_on_time_is_left_alone(emulator, spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)

    counts = generation_sweep()

    generation.refresh_from_db()
    assert not any(counts[k] for k in ("resubmitted", "repolled", "uncertain", "stuck"))
    assert generation.redrive_count == 0


def test_a_submission_whose_worker_died_in_flight_fails_as_uncertain(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    overdue(generation, status=Status.SUBMITTED)

    counts = generation_sweep()

    generation.refresh_from_db()
    assert counts["uncertain"] == 1
    assert generation.status == Status.FAILED
    assert generation.error_code == "submit_uncertain"
    assert generation.error_message.startswith(
        "Our worker stopped while it was sending this request to Adobe Firefly"
    )
    assert "Retry sends a new request, which Firefly bills as a new job" in generation.error_message


def test_a_generation_redriven_too_often_fails_as_stuck(spring_launch, alice, settings):
    settings.FIREFLY_MAX_ATTEMPTS = 3
    generation = create_generation(spring_launch, alice)
    overdue(generation, redrive_count=3)

    counts = generation_sweep()

    generation.refresh_from_db()
    assert counts["stuck"] == 1
    assert generation.status == Status.FAILED
    assert generation.error_code == "stuck"
    assert "stuck" in generation.error_message


def test_a_generation_with_a_pending_cancel_gets_its_cancel_and_poll_again(
    emulator, spring_launch, alice, django_capture_on_commit_callbacks
):
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    overdue(generation, cancel_requested=True)

    with django_capture_on_commit_callbacks() as callbacks:
        generation_sweep()

    assert sorted(name for name, _ in scheduled(callbacks)) == [
        "generation.tasks.cancel_generation",
        "generation.tasks.poll_generation",
    ]


def test_a_second_sweep_right_after_the_first_does_not_redrive_again(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    overdue(generation)

    first = generation_sweep()
    second = generation_sweep()

    assert first["resubmitted"] == 1
    assert second["resubmitted"] == 0  # next_poll_at was moved to now by the first


def test_the_sweeper_prunes_old_rate_limit_slots():
    old = FireflyRequestSlot.objects.create(slot=1, width_ms=100, owner="poll:1", used=True)
    FireflyRequestSlot.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    FireflyRequestSlot.objects.create(slot=2, width_ms=100, owner="poll:2", used=True)

    counts = generation_sweep()

    assert counts["pruned_slots"] == 1
    assert list(FireflyRequestSlot.objects.values_list("slot", flat=True)) == [2]
