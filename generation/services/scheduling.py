"""When the pipeline's next step runs: enqueueing after commit, poll intervals, backoff.

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
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("generation.pipeline")

SUBMIT, POLL, CANCEL = "submit", "poll", "cancel"
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


def _task(name: str):
    from generation import tasks  # the tasks module imports the services

    return {
        SUBMIT: tasks.submit_generation,
        POLL: tasks.poll_generation,
        CANCEL: tasks.cancel_generation,
    }[name]


def schedule(name: str, generation_id: int, countdown: float | None = None) -> Step:
    """Enqueue task `name` for `generation_id` once the current transaction commits."""
    countdown = None if countdown is None else min(max(0.0, countdown), MAX_COUNTDOWN)
    task = _task(name)
    send = partial(task.apply_async, args=(generation_id,), countdown=countdown)
    transaction.on_commit(send, robust=True)
    return Step("scheduled", name, countdown)


def poll_interval(poll_count: int) -> float:
    """Seconds before poll number `poll_count + 1`: short at first, growing to ~10 s."""
    base = settings.FIREFLY_POLL_INTERVAL_SECONDS
    cap = max(base, POLL_INTERVAL_CAP)
    return min(cap, base * POLL_GROWTH ** min(poll_count, 40))


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
