"""Progress predicts when a running job ends, so it is polled then (scheduling.poll_wait)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from generation.models import Generation
from generation.pipeline.scheduling import (
    MIN_PREDICTED_WAIT,
    ONE_READING_STRETCH,
    POLL_INTERVAL_CAP,
    PREDICTION_SLACK,
    poll_wait,
)
from generation.pipeline.submit import generation_submit
from tests.pipeline.support import create_generation, poll_now

NOW = timezone.now()


def test_without_progress_the_growing_schedule_is_kept():
    assert poll_wait(3.0, progress=None, now=NOW) == 3.0
    assert poll_wait(3.0, progress=0, now=NOW, submitted_at=NOW - timedelta(seconds=2)) == 3.0


def test_two_readings_give_the_pace_and_the_poll_goes_just_after_the_end():
    # 30 % → 50 % in 2 s: 10 %/s, so 5 s to go.
    wait = poll_wait(
        2.0,
        progress=50,
        now=NOW,
        previous_progress=30,
        previous_at=NOW - timedelta(seconds=2),
        submitted_at=NOW - timedelta(seconds=10),
    )
    assert wait == pytest.approx(5.0 + PREDICTION_SLACK)


def test_a_predicted_wait_stays_between_the_floor_and_the_cap():
    almost_done = poll_wait(
        4.0, progress=99, now=NOW, previous_progress=9, previous_at=NOW - timedelta(seconds=9)
    )
    assert almost_done == pytest.approx(max(MIN_PREDICTED_WAIT, 0.1 + PREDICTION_SLACK))
    slow = poll_wait(
        4.0, progress=2, now=NOW, previous_progress=1, previous_at=NOW - timedelta(seconds=5)
    )
    assert slow == POLL_INTERVAL_CAP


def test_progress_that_did_not_move_falls_back_to_the_schedule():
    stuck = poll_wait(
        6.75, progress=99, now=NOW, previous_progress=99, previous_at=NOW - timedelta(seconds=1)
    )
    assert stuck == 6.75


def test_one_reading_may_only_shorten_the_wait():
    # 40 % two seconds after submission: about 3 s to go, sooner than the 4.5 s schedule...
    sooner = poll_wait(4.5, progress=40, now=NOW, submitted_at=NOW - timedelta(seconds=2))
    assert sooner == pytest.approx(3.0 + PREDICTION_SLACK)
    # ...or a little later when it should end just after the schedule...
    near = poll_wait(2.0, progress=40, now=NOW, submitted_at=NOW - timedelta(seconds=2))
    assert near == pytest.approx(3.0 + PREDICTION_SLACK)
    # ...but a slow start never pushes the poll far past the schedule.
    late = poll_wait(2.0, progress=5, now=NOW, submitted_at=NOW - timedelta(seconds=2))
    assert late == pytest.approx(2.0 * ONE_READING_STRETCH + PREDICTION_SLACK)


@pytest.mark.django_db
def test_a_running_poll_stores_the_reading_and_schedules_the_predicted_poll(
    emulator, spring_launch, alice, settings
):
    settings.FIREFLY_POLL_INTERVAL_SECONDS = 5.0
    emulator.state.configure(pending_seconds=0, job_seconds=1.0)
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    generation.refresh_from_db()
    time.sleep(0.3)
    first = poll_now(generation)  # ~30 % after ~0.3 s: ~0.7 s to go
    assert generation.progress_at is not None
    time.sleep(0.3)
    second = poll_now(generation)  # ~60 %, 30 % in 0.3 s: ~0.4 s to go
    assert first.countdown == pytest.approx(0.7 + PREDICTION_SLACK, abs=0.3)  # 0.7 < 1.5 x 5 s
    assert second.countdown == pytest.approx(0.4 + PREDICTION_SLACK, abs=0.3)
    generation.refresh_from_db()
    due_in = (generation.next_poll_at - timezone.now()).total_seconds()
    assert due_in == pytest.approx(second.countdown, abs=0.3)
    assert generation.status == Generation.Status.RUNNING
