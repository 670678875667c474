"""One Firefly rate limiter for every worker process and machine, kept in the database.

Adobe allows an organisation 4 requests a minute by default, shared by everything that uses the
credential. Time is cut into windows ("slots") of `60 / FIREFLY_RATE_LIMIT_PER_MINUTE` seconds
(plus a 2 % headroom, `HEADROOM`) and each Firefly request needs a slot of its own: reserving one
is an INSERT into `FireflyRequestSlot`, whose unique slot number lets exactly one process win it;
the loser takes the next free one. The caller gets the time its slot starts. When that is in the
future it re-schedules its task with that countdown instead of calling Firefly (a worker never
sleeps); when the task comes back, `reserve` finds the slot reserved under the same `owner` and
lets it through.

What counts: job submissions, cancels and catalogue listings always; status polls when
`FIREFLY_RATE_LIMIT_COUNTS_POLLS` (Adobe does not say whether they count). Downloads from the
pre-signed storage URLs never count. `FIREFLY_RATE_LIMIT_PER_MINUTE = 0` turns pacing off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from generation.models import FireflyRequestSlot
from generation.pipeline.scheduling import MAX_COUNTDOWN


class RequestKind(StrEnum):
    """The kinds of Firefly request that may need a slot (the value starts a slot's owner)."""

    SUBMIT = "submit"
    POLL = "poll"
    CANCEL = "cancel"
    CATALOGUE = "catalogue"


#: A slot reserved earlier is still honoured when its owner comes back this late (or one window).
LATE_TOLERANCE = timedelta(seconds=2)
#: Slots are kept this long, then pruned.
KEEP = timedelta(hours=1)
_MAX_TRIES = 50


@dataclass(frozen=True)
class Reservation:
    """When the caller may send its request; `slot` is None when nothing was reserved."""

    starts_at: datetime
    slot: int | None = None

    def wait_seconds(self, now: datetime | None = None) -> float:
        """Seconds until the request may be sent (0 when it may be sent now)."""
        now = now or timezone.now()
        return max(0.0, (self.starts_at - now).total_seconds())


def counts(kind: str) -> bool:
    """Whether a request of `kind` (a `RequestKind`) needs a slot under the current settings."""
    try:
        kind = RequestKind(kind)
    except ValueError:
        raise ValueError(f"Unknown Firefly request kind {kind!r}") from None
    if settings.FIREFLY_RATE_LIMIT_PER_MINUTE <= 0:
        return False
    return kind != RequestKind.POLL or settings.FIREFLY_RATE_LIMIT_COUNTS_POLLS


#: Slots are this much longer than 60 / limit. Firefly counts requests in a sliding minute, and
#: a request goes out a little after its slot starts (a countdown firing late, a busy worker):
#: with slots of exactly 60 / limit, one early and one late request `limit` slots apart put
#: `limit + 1` requests in one minute and the last gets a 429 (3 of 603 at 120/min in
#: `python -m bench ratelimit`). 2 % absorbs lateness of up to 1.2 s per minute.
HEADROOM = 0.02


def slot_width() -> float:
    """Seconds per slot."""
    return 60.0 / settings.FIREFLY_RATE_LIMIT_PER_MINUTE * (1 + HEADROOM)


def _start(slot: int, width: float) -> datetime:
    return datetime.fromtimestamp(slot * width, tz=UTC)


def reserve(kind: str, key: str | int, *, now: datetime | None = None) -> Reservation:
    """Reserve the next free slot for one request of `kind` made for `key` (e.g. a generation id).

    Calling it again with the same `kind` and `key` before the request was let through returns
    the same slot, so a re-scheduled task does not queue up twice.
    """
    now = now or timezone.now()
    if not counts(kind):
        return Reservation(now)
    owner = f"{kind}:{key}"
    width = slot_width()
    width_ms = round(width * 1000)
    current = math.floor(now.timestamp() / width)

    mine = (
        FireflyRequestSlot.objects.filter(owner=owner, used=False, width_ms=width_ms)
        .order_by("slot")
        .first()
    )
    if mine is not None:
        starts_at = _start(mine.slot, width)
        if starts_at > now:
            return Reservation(starts_at, mine.slot)  # not yet: come back then
        late_by = now - starts_at
        if late_by < max(LATE_TOLERANCE, timedelta(seconds=2 * width)):
            claimed = FireflyRequestSlot.objects.filter(pk=mine.pk, used=False).update(used=True)
            if claimed:
                return Reservation(starts_at, mine.slot)
        else:
            mine.delete()  # its window has long passed; take a new one

    for _ in range(_MAX_TRIES):
        taken = FireflyRequestSlot.objects.filter(slot__gte=current).order_by("slot")
        candidate = current
        for slot in taken.values_list("slot", flat=True).iterator():
            if slot != candidate:
                break
            candidate += 1
        try:
            with transaction.atomic():
                FireflyRequestSlot.objects.create(
                    slot=candidate, width_ms=width_ms, owner=owner, used=candidate <= current
                )
        except IntegrityError:
            continue  # another process took it first: look again
        return Reservation(max(now, _start(candidate, width)), candidate)
    raise RuntimeError("Could not reserve a Firefly request slot (too much contention)")


def wait_for_slot(kind: str, key: str | int) -> float:
    """Seconds until the `kind` request made for `key` may be sent (0: now), reserving its slot;
    at most `MAX_COUNTDOWN` (a task re-scheduled for then reserves again and finds the slot)."""
    return min(reserve(kind, key).wait_seconds(), MAX_COUNTDOWN)


def last_reserved(kind: str) -> datetime | None:
    """When the last slot reserved for a `kind` request and not yet used starts (None: none)."""
    last = (
        FireflyRequestSlot.objects.filter(owner__startswith=f"{kind}:", used=False)
        .order_by("-slot")
        .values_list("slot", "width_ms")
        .first()
    )
    if last is None:
        return None
    slot, width_ms = last
    return _start(slot, width_ms / 1000)


def prune(*, now: datetime | None = None) -> int:
    """Delete slots reserved more than an hour ago; returns how many."""
    now = now or timezone.now()
    deleted, _ = FireflyRequestSlot.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted
