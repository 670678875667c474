"""Saving a campaign's settings: the form's changes, stored and audited together."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from generation.audit import audit_record
from generation.models import AuditEvent, Campaign
from generation.studio.forms import CampaignForm


def campaign_save(form: CampaignForm, *, user: Any) -> Campaign:
    """Save a valid `form` (a new campaign or an owner's edit) with one audit row naming what
    changed (`name` and `archived` with their before and after)."""
    creating = form.instance.pk is None
    before = (
        {}
        if creating
        else {"name": form.initial.get("name"), "archived": form.initial.get("archived")}
    )
    changed = list(form.changed_data)
    with transaction.atomic():
        campaign = form.save()
        if creating:
            audit_record(
                AuditEvent.Action.CAMPAIGN_CREATED,
                actor=user,
                campaign=campaign,
                target=campaign,
                summary=f"Campaign “{campaign.name}” created",
            )
        elif changed:
            details = {
                key: {"from": before[key], "to": getattr(campaign, key)}
                for key in before
                if key in changed
            }
            audit_record(
                AuditEvent.Action.CAMPAIGN_UPDATED,
                actor=user,
                campaign=campaign,
                target=campaign,
                summary=f"Settings changed: {', '.join(changed)}",
                fields=changed,
                **details,
            )
    return campaign
