"""`audit_record(...)`: one call wherever something worth remembering happens."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from typing import Any

from django.db.models import Model, QuerySet

from generation.access import Person, signed_in
from generation.models import AuditEvent, Campaign

logger = logging.getLogger(__name__)

Action = AuditEvent.Action


def _actor_name(user: Person | None) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_username()


def audit_record(
    action: str,
    *,
    actor: Person | None = None,
    campaign: Campaign | None = None,
    target: Model | None = None,
    summary: str = "",
    **details: Any,
) -> AuditEvent:
    """Append one `AuditEvent`. `target` is any model instance (its type and pk are kept);
    `details` must be JSON-serialisable. Anonymous actors (share-link viewers) are recorded
    as no one, with what is known about them in `details`."""
    # Share-link viewers are anonymous: recorded as no one.
    actor = actor if signed_in(actor) else None
    if campaign is None and target is not None:
        campaign = getattr(target, "campaign", None)
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=_actor_name(actor),
        campaign=campaign,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        details=details,
    )
    logger.info("audit: %s by %s on %s", action, event.actor_name or "system", event.target_id)
    return event


# --- Reading ------------------------------------------------------------------------------------

#: `action` is the stable code for scripts; `what` is the same in words, as the page shows it.
CSV_HEADER = ["time", "actor", "action", "campaign", "target_type", "target_id", "summary", "what"]


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """CSV lines for `events` (a queryset, iterated in chunks: never all in memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events.select_related("campaign").iterator(chunk_size=500):
        yield writer.writerow(
            [
                event.created_at.isoformat(),
                event.actor_name or "system",
                event.action,
                event.campaign.slug if event.campaign else "",
                event.target_type,
                event.target_id,
                _csv_safe(event.summary),
                event.get_action_display(),
            ]
        )


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
