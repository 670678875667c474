"""Who gets the next Firefly submission slot when submissions are paced: fair share by person.

With a rate limit every queued generation waits for a slot of the shared limiter. Slots used to
go in the order the generations were asked for, so one person queueing 30 made everyone else
wait behind all 30. Now a slot, when it comes, goes to whoever's turn it is:

1. the person with the fewest generations in flight at Firefly (submitted or running),
2. then the person whose latest generation in flight was submitted longest ago (round-robin),
3. then the oldest queued generation of that person.

The submit task that reserved the slot submits that generation, which may be another than its
own (`submit.generation_submit`): each queued generation has a submit task waiting for a slot,
so there are as many slots coming as generations waiting, and a task whose own generation was
already sent by another task's slot uses its slot for the next in line.

One query whatever the queue's length: the waiting and in-flight generations, four small
columns each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from generation.models import Generation
from generation.pipeline.ratelimit import RequestKind, counts

Status = Generation.Status
IN_FLIGHT = (Status.SUBMITTED, Status.RUNNING)
_NEVER = datetime.min.replace(tzinfo=UTC)


def waiting() -> QuerySet[Generation]:
    """Generations waiting for a submission slot."""
    return Generation.objects.filter(status=Status.QUEUED, cancel_requested=False)


def _people_in_order() -> list[tuple[int | None, list[int]]]:
    """(requester id, that person's queued generation ids oldest first), in turn order."""
    rows = (
        Generation.objects.filter(
            Q(status=Status.QUEUED, cancel_requested=False) | Q(status__in=IN_FLIGHT)
        )
        .order_by("id")
        .values_list("requested_by", "id", "status", "submitted_at")
    )
    queued: dict[int | None, list[int]] = {}
    busy: dict[int | None, int] = {}
    served: dict[int | None, datetime] = {}
    for person, pk, status, submitted_at in rows:
        if status == Status.QUEUED:
            queued.setdefault(person, []).append(pk)
        else:
            busy[person] = busy.get(person, 0) + 1
            if submitted_at is not None and submitted_at > served.get(person, _NEVER):
                served[person] = submitted_at

    def turn(person: int | None) -> tuple[int, datetime, int]:
        return (busy.get(person, 0), served.get(person, _NEVER), queued[person][0])

    return [(person, queued[person]) for person in sorted(queued, key=turn)]


def next_in_line(limit: int = 3) -> list[int]:
    """Ids of the generations that should get the next submission slots, best first: the
    oldest queued generation of each person, in turn order."""
    return [ids[0] for _, ids in _people_in_order()[:limit]]


def places_in_line(ids: Iterable[int]) -> dict[int, int]:
    """Place in the submission queue (1 = next) of each of `ids` that is waiting, assuming
    turns keep rotating between the people waiting now (an estimate: new requests and jobs
    finishing change it)."""
    wanted = set(ids)
    order = _people_in_order()
    places: dict[int, int] = {}
    place = 0
    depth = max((len(queue) for _, queue in order), default=0)
    for round_ in range(depth):
        for _, queue in order:
            if round_ < len(queue):
                place += 1
                if queue[round_] in wanted:
                    places[queue[round_]] = place
    return places


def someone_waiting() -> bool:
    return waiting().exists()


def annotate_places(generations: Sequence[Generation]) -> None:
    """Set `place_in_line` on each queued generation of `generations` (None on the others)
    when submissions are paced; without pacing nothing waits in line."""
    queued = [g.pk for g in generations if g.status == Status.QUEUED]
    places = places_in_line(queued) if queued and counts(RequestKind.SUBMIT) else {}
    for generation in generations:
        # An attribute for the presenters only (`presenters.generation_data`), not a field.
        generation.place_in_line = places.get(generation.pk)  # type: ignore[attr-defined]
