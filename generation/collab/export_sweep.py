"""Exports are re-driven from the database, like generations: a build message lost on the way
(broker restart, a worker killed before it acknowledged) or a build whose worker died half-way
leaves a row that says so, and the sweeper (a beat task every minute) sends it again.

- queued, with no sign of life for `EXPORT_SWEEP_QUEUED_GRACE_SECONDS`: the message is sent
  again (the build's claim makes a duplicate harmless);
- running, with no progress for `EXPORT_SWEEP_RUNNING_SILENCE_SECONDS` (a build writes its
  progress every few images): back to queued and sent again, or failed with a message once
  `EXPORT_MAX_ATTEMPTS` builds have been interrupted.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generation.collab.exports import enqueue_build
from generation.models import Export

logger = logging.getLogger(__name__)

Status = Export.Status


def exports_sweep() -> dict[str, int]:
    now = timezone.now()
    silence = now - dt.timedelta(seconds=settings.EXPORT_SWEEP_RUNNING_SILENCE_SECONDS)
    grace = now - dt.timedelta(seconds=settings.EXPORT_SWEEP_QUEUED_GRACE_SECONDS)
    counts = {"requeued": 0, "failed": 0, "resent": 0}

    stalled = Export.objects.filter(status=Status.RUNNING, touched_at__lt=silence)
    counts["failed"] = stalled.filter(attempts__gte=settings.EXPORT_MAX_ATTEMPTS).update(
        status=Status.FAILED,
        error_message=(
            f"The export was interrupted {settings.EXPORT_MAX_ATTEMPTS} times; "
            "ask for it again, perhaps with fewer images."
        ),
        finished_at=now,
    )
    for export_id, touched in stalled.values_list("pk", "touched_at"):
        with transaction.atomic():
            # Conditional on what was read: a build that just wrote progress keeps its claim.
            moved = Export.objects.filter(
                pk=export_id, status=Status.RUNNING, touched_at=touched
            ).update(status=Status.QUEUED, touched_at=now)
            if moved:
                enqueue_build(export_id)
                counts["requeued"] += 1

    for export_id, touched in Export.objects.filter(
        status=Status.QUEUED, touched_at__lt=grace
    ).values_list("pk", "touched_at"):
        with transaction.atomic():
            if Export.objects.filter(pk=export_id, status=Status.QUEUED, touched_at=touched).update(
                touched_at=now
            ):
                enqueue_build(export_id)
                counts["resent"] += 1

    if any(counts.values()):
        logger.info("export sweep: %s", counts)
    return counts
