"""Sweep: re-drive generations whose next step is overdue (its message was lost).

`next_poll_at` always says when a generation's next step is due. Rows left overdue are
re-driven (their step scheduled again), given up on when re-driven too often
(`Failure.STUCK`), or, for a submission a dead worker left in flight, failed as
`Failure.SUBMIT_UNCERTAIN` (never re-sent). Old rate-limit slots are pruned on the way.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from generation.models import Generation
from generation.pipeline import ratelimit
from generation.pipeline.outcomes import Failure, fail, finish, submit_uncertain_message
from generation.pipeline.scheduling import CANCEL, POLL, SUBMIT, schedule

logger = logging.getLogger(__name__)

Status = Generation.Status
POLLABLE = (Status.SUBMITTED, Status.RUNNING)


def _queued_grace() -> timedelta:
    """Queued rows this overdue are re-driven (their submit message was lost or never sent)."""
    return timedelta(seconds=settings.FIREFLY_SWEEP_QUEUED_GRACE_SECONDS)


def _active_grace() -> timedelta:
    """Submitted or running rows this far past `next_poll_at` are re-driven. Defaults to the
    task time limit + 30 s: a poll may legitimately run (status request + downloads) that long."""
    return timedelta(seconds=settings.FIREFLY_SWEEP_ACTIVE_GRACE_SECONDS)


def generation_sweep() -> dict[str, int]:
    """Re-drive generations whose next step is overdue (its message was lost), give up on
    those re-driven too often, and prune old rate-limit slots. Returns counts."""
    now = timezone.now()
    counts = {"resubmitted": 0, "repolled": 0, "recancelled": 0, "uncertain": 0, "stuck": 0}
    queued_cutoff = now - _queued_grace()
    active_cutoff = now - _active_grace()
    overdue = (
        Generation.objects.filter(
            Q(status=Status.QUEUED, next_poll_at__lt=queued_cutoff)
            | Q(status=Status.QUEUED, next_poll_at__isnull=True, updated_at__lt=queued_cutoff)
            | Q(status__in=POLLABLE, next_poll_at__lt=active_cutoff)
            | Q(status__in=POLLABLE, next_poll_at__isnull=True, updated_at__lt=active_cutoff)
        )
        .order_by("next_poll_at", "pk")
        .only("pk", "status", "next_poll_at", "firefly_job_id", "cancel_requested", "redrive_count")
    )
    for generation in overdue[:500]:
        pk = generation.pk
        if generation.status == Status.SUBMITTED and not generation.firefly_job_id:
            # The worker died while Firefly was being asked: it may or may not have a job.
            if finish(
                pk,
                Status.FAILED,
                Failure.SUBMIT_UNCERTAIN,
                submit_uncertain_message(None),
                from_statuses=(Status.SUBMITTED,),
            ):
                counts["uncertain"] += 1
            continue
        if generation.redrive_count >= settings.FIREFLY_MAX_ATTEMPTS:
            if fail(pk, Failure.STUCK):
                counts["stuck"] += 1
            continue
        queryset = Generation.objects.filter(pk=pk, status=generation.status)
        if generation.next_poll_at is None:
            queryset = queryset.filter(next_poll_at__isnull=True)
        else:
            queryset = queryset.filter(next_poll_at=generation.next_poll_at)
        if not queryset.update(
            redrive_count=F("redrive_count") + 1, next_poll_at=now, updated_at=now
        ):
            continue  # it moved on meanwhile
        if generation.status == Status.QUEUED:
            schedule(SUBMIT, pk)
            counts["resubmitted"] += 1
        elif generation.cancel_requested:
            # Both: the cancel may have been lost, and if the job finished first the poll
            # saves its images.
            schedule(CANCEL, pk)
            schedule(POLL, pk)
            counts["recancelled"] += 1
        else:
            schedule(POLL, pk)
            counts["repolled"] += 1
        logger.info("sweeper: re-drove generation %s (%s)", pk, generation.status)
    counts["pruned_slots"] = ratelimit.prune(now=now)
    return counts
