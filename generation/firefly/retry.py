"""Backoff arithmetic and ``retry-after`` parsing, as pure functions.

Randomness and time are parameters so tests can pin them.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

#: HTTP statuses worth retrying on an idempotent call.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def backoff_ceiling(attempt: int, base: float = 0.5, cap: float = 8.0) -> float:
    """``min(cap, base * 2**attempt)``: the upper bound of the wait before retry ``attempt``.

    ``attempt`` counts from 0 (the wait after the first failure).
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    # Avoid float overflow for silly attempt numbers.
    exponent = min(attempt, 62)
    return min(cap, base * math.pow(2, exponent))


def full_jitter(
    attempt: int,
    base: float = 0.5,
    cap: float = 8.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """A uniformly random wait in ``[0, backoff_ceiling(attempt))`` ("full jitter").

    Spreads retries from many workers so they do not hit Adobe's per-org limit
    in lock-step.
    """
    return rand() * backoff_ceiling(attempt, base, cap)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``retry-after`` header.

    Accepts delta-seconds (``"7"``, ``"1.5"``) and HTTP dates
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``). Dates in the past give ``0.0``;
    anything unparseable gives ``None``. ``now`` is a Unix timestamp.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or math.isinf(seconds):
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None  # HTTP dates are GMT; a date without a zone is not one
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to retry one call.

    ``max_total_wait`` bounds the sleeping done inside one call; a
    ``retry-after`` longer than what is left is not slept through: the error is
    raised so a task queue can reschedule the work instead.
    """

    max_retries: int = 3
    base: float = 0.5
    cap: float = 8.0
    max_total_wait: float = 30.0

    def delay(
        self,
        attempt: int,
        retry_after: float | None,
        waited: float,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to sleep before retry ``attempt`` (0-based), or ``None`` to give up."""
        if attempt >= self.max_retries:
            return None
        if retry_after is not None:
            # Honour the server's hint; add a little jitter so workers don't stampede.
            wait = retry_after + rand() * min(1.0, self.base)
        else:
            wait = full_jitter(attempt, self.base, self.cap, rand)
        if waited + wait > self.max_total_wait:
            return None
        return wait


NO_RETRY = RetryPolicy(max_retries=0)
