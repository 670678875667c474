"""What the collaboration room does when the pipeline announces something (connected in
`CollabConfig.ready`): the pipeline never imports this room."""

from __future__ import annotations

import logging

from django.db import transaction

from generation.collab.notifications import notify
from generation.models import Generation, Notification

logger = logging.getLogger(__name__)


def tell_requester_of_failure(sender: object, *, generation_id: int, **kwargs: object) -> None:
    """Notify the person who asked that their generation ended without images, unless they
    (or a teammate) cancelled it: they may not be looking at the gallery when it happens.
    Best effort: a notification problem never changes the generation's outcome."""
    try:
        with transaction.atomic():
            generation = (
                Generation.objects.select_related("campaign", "requested_by")
                .filter(pk=generation_id)
                .first()
            )
            if generation is None or generation.cancel_requested:
                return
            failed = generation.status == Generation.Status.FAILED
            outcome = "failed" if failed else "was cancelled"
            notify(
                [generation.requested_by],
                actor=None,
                kind=Notification.Kind.GENERATION_FAILED,
                text=f"Generation {generation.pk} in “{generation.campaign.name}” {outcome}: "
                f"{generation.error_message}",
                campaign=generation.campaign,
                url=generation.get_absolute_url(),
            )
    except Exception:
        logger.exception("generation %s: could not notify its requester", generation_id)
