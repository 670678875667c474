"""Cancel: carry out at Firefly a cancel the user asked for (`generation_cancel` set the flag).

A generation not yet sent is cancelled here without asking Firefly; one whose submission is in
flight is left to `generation_submit`, which cancels it when Firefly answers.
"""

from __future__ import annotations

from generation.firefly import errors
from generation.models import Generation
from generation.pipeline import ratelimit
from generation.pipeline.firefly_client import get_client, submitted_job
from generation.pipeline.outcomes import Failure, finish
from generation.pipeline.ratelimit import RequestKind
from generation.pipeline.scheduling import CANCEL, Step, schedule

Status = Generation.Status


def generation_cancel_at_firefly(*, generation_id: int) -> Step:
    """Carry out a cancel the user asked for (`generation_cancel` set the flag)."""
    generation = Generation.objects.filter(pk=generation_id).first()
    if generation is None or generation.is_terminal or not generation.cancel_requested:
        return Step("nothing_to_cancel")
    if generation.status == Status.QUEUED:
        finish(
            generation_id,
            Status.CANCELLED,
            Failure.CANCELLED_BEFORE_SENDING,
            from_statuses=(Status.QUEUED,),
        )
        return Step("cancelled")
    if not generation.firefly_job_id:
        return Step("submit_in_flight")  # generation_submit cancels it when Firefly answers

    wait = ratelimit.wait_for_slot(RequestKind.CANCEL, generation_id)
    if wait > 0:
        return schedule(CANCEL, generation_id, wait)
    try:
        get_client().cancel_job(submitted_job(generation))
    except errors.ConflictError as err:
        if err.error_code == "job_completed":
            # Finished first: the images exist (and are paid for); the poll saves them.
            return Step("already_finished")
    except (errors.NotFoundError, errors.GoneError):
        pass  # nothing left to stop at Firefly
    # Other errors propagate: the task retries transient ones and gives up on the rest.
    finish(generation_id, Status.CANCELLED, Failure.CANCELLED)
    return Step("cancelled")


def generation_mark_cancelled(*, generation_id: int) -> bool:
    """Cancel locally when Firefly could not be told (the job there may still finish)."""
    return finish(generation_id, Status.CANCELLED, Failure.CANCELLED)
