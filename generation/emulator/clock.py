"""The emulator's notion of "now": wall-clock time that tests may move forward."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Epoch seconds, plus an offset that ``advance`` grows.

    Everything time-based in the emulator (job progression, token and URL expiry, the rate-limit
    window) reads this clock, so a test can jump an hour ahead instead of sleeping. Real waits
    (latency, delay faults) use real time.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        base = self._frozen_at if self._frozen_at is not None else time.time()
        return base + self._offset

    def freeze(self) -> None:
        """Stop real time: from now on only ``advance`` moves the clock. A test that asserts
        what a job reports at a given moment freezes it, so a slow or loaded machine (real
        seconds passing between two calls) cannot move the job on behind its back."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None


def iso(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds, like ``2026-05-27T10:11:12.345Z``."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
