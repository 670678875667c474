"""When the pipeline's next step runs: enqueueing after commit, poll intervals, backoff.

Services name the step to run next (`SUBMIT`, `POLL`, `CANCEL`); the message goes to the Celery
task registered under that step's name (`TASK_NAMES`), looked up by name, so this module and the
services never import the tasks (the tasks import the services).

Only ids travel in messages. Every enqueue waits for the surrounding transaction to commit
(`transaction.on_commit`), so a worker never looks for a row that is not there yet, and a rolled
back change enqueues nothing. A broker that is down is logged, not raised: the database is the
source of truth and the sweeper re-drives whatever was not enqueued.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from celery import Signature, Task, current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

#: The pipeline's steps a service schedules (`Step.next_task`), by the Celery name of their task.
SUBMIT, POLL, CANCEL = "submit", "poll", "cancel"
TASK_NAMES = {
    SUBMIT: "generation.tasks.submit_generation",
    POLL: "generation.tasks.poll_generation",
    CANCEL: "generation.tasks.cancel_generation",
}
#: Countdowns stay far below Redis' visibility timeout (3600 s); longer waits are re-checked.
MAX_COUNTDOWN = 600.0
#: The slowest a running job is polled.
POLL_INTERVAL_CAP = 10.0
POLL_GROWTH = 1.5


@dataclass(frozen=True)
class Step:
    """What a pipeline service did and what it scheduled next (for tasks, logs and tests)."""

    outcome: str
    next_task: str | None = None
    countdown: float | None = None

    def __str__(self) -> str:
        if self.next_task is None:
            return self.outcome
        return f"{self.outcome} -> {self.next_task} in {self.countdown or 0:.2f}s"


def _task(name: str) -> Task | Signature:
    """The task for step `name`: the registered task when this process imported the tasks,
    else a signature by name (a web process publishes the same message without them)."""
    task_name = TASK_NAMES[name]
    return current_app.tasks.get(task_name) or current_app.signature(task_name)


def schedule(name: str, generation_id: int, countdown: float | None = None) -> Step:
    """Enqueue task `name` for `generation_id` once the current transaction commits."""
    countdown = None if countdown is None else min(max(0.0, countdown), MAX_COUNTDOWN)
    transaction.on_commit(partial(_send, name, generation_id, countdown))
    return Step("scheduled", name, countdown)


def _send(name: str, generation_id: int, countdown: float | None) -> None:
    """Publish, or log why not: a broker that is down must not fail the request or the task
    that committed the row (the sweeper re-drives it)."""
    try:
        _task(name).apply_async(args=(generation_id,), countdown=countdown)
    except Exception:
        logger.warning(
            "could not enqueue %s for generation %s (broker unavailable?); the sweeper will "
            "re-drive it",
            name,
            generation_id,
            exc_info=True,
        )


def poll_interval(poll_count: int) -> float:
    """Seconds before poll number `poll_count + 1`: short at first, growing to ~10 s."""
    base = settings.FIREFLY_POLL_INTERVAL_SECONDS
    cap = max(base, POLL_INTERVAL_CAP)
    return min(cap, base * POLL_GROWTH ** min(poll_count, 40))


#: The soonest a job whose progress predicts its end is polled again.
MIN_PREDICTED_WAIT = 0.25
#: Polled this long after the predicted end (Firefly reports whole percents).
PREDICTION_SLACK = 0.2
#: With a single progress reading, the predicted end may put the next poll at most this many
#: times the schedule's interval away (one reading overestimates what is left when the job
#: first waited as `pending`; 1.5 lets a job that ends just after the schedule be fetched with
#: one poll less, measured in `python -m bench polling` and `completion`).
ONE_READING_STRETCH = 1.5


def poll_wait(
    interval: float,
    *,
    progress: int | None,
    now: datetime,
    previous_progress: int | None = None,
    previous_at: datetime | None = None,
    submitted_at: datetime | None = None,
) -> float:
    """Seconds until the next status poll of a job Firefly says is still at work.

    `interval` is the growing schedule (`poll_interval`), used when progress tells nothing.
    Two progress readings give the job's pace, so the next poll goes just after the moment it
    should reach 100 % (at least MIN_PREDICTED_WAIT, at most POLL_INTERVAL_CAP): the images are
    fetched about when they are ready, with no polls in between. With one reading, the pace
    since submission (an overestimate of what is left: the job may have waited before it
    started) may shorten the wait, or stretch it to ONE_READING_STRETCH times the schedule
    (plus PREDICTION_SLACK, so a job predicted to end with the schedule is not polled a moment
    too early). A job whose progress did not move since the last reading goes
    back to the growing schedule, so a job stuck at 99 % is never polled in a tight loop.
    """
    if progress is None or progress <= 0:
        return interval
    progress = min(progress, 100)
    if previous_at is not None and previous_progress is not None:
        elapsed = (now - previous_at).total_seconds()
        if progress <= previous_progress or elapsed <= 0:
            return interval
        rate = (progress - previous_progress) / elapsed  # percent per second
        remaining = (100 - progress) / rate + PREDICTION_SLACK
        return min(max(remaining, _floor(interval)), max(interval, POLL_INTERVAL_CAP))
    if submitted_at is None:
        return interval
    elapsed = (now - submitted_at).total_seconds()
    if elapsed <= 0:
        return interval
    remaining = elapsed * (100 - progress) / progress
    return max(min(remaining, ONE_READING_STRETCH * interval) + PREDICTION_SLACK, _floor(interval))


def _floor(interval: float) -> float:
    return min(MIN_PREDICTED_WAIT, interval)


def claim_tolerance() -> float:
    """How early a poll may run: under half the shortest interval, so duplicates stay out."""
    return min(1.0, settings.FIREFLY_POLL_INTERVAL_SECONDS / 2)


def retry_countdown(
    attempt: int,
    retry_after: float | None = None,
    *,
    base: float = 2.0,
    cap: float = 120.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Wait before retry number `attempt + 1` (0-based): capped exponential backoff with half
    jitter, and never less than the server's `retry-after`."""
    ceiling = min(cap, base * 2 ** min(attempt, 30))
    wait = ceiling * (0.5 + rand() / 2)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return min(wait, MAX_COUNTDOWN)
