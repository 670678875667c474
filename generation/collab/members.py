"""A campaign's members and their roles (owner, approver, member): owners and staff add,
change and remove them, and a campaign always keeps at least one owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from generation.access import CampaignAccess, for_campaign, require
from generation.audit import audit_record
from generation.models import AuditEvent, Campaign, CampaignMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = CampaignMembership.Role


def membership_set_role(
    *, campaign: Campaign, user: User, member: User, role: str, access: CampaignAccess | None = None
) -> CampaignMembership:
    """Add `member` to the campaign or change their role (owners and staff only). A campaign
    always keeps at least one owner."""
    access = for_campaign(user, campaign, known=access)
    require(access.can_manage, "Only the campaign's owners can change roles.")
    if role not in Role.values:
        raise ValidationError("Unknown role.")
    with transaction.atomic():
        _lock_team(campaign, user, "Only the campaign's owners can change roles.")
        membership, created = CampaignMembership.objects.select_for_update().get_or_create(
            campaign=campaign, user=member, defaults={"role": role}
        )
        old = None if created else membership.role
        if not created and old != role:
            if old == Role.OWNER and not _other_owner(campaign, member):
                raise ValidationError("A campaign needs at least one owner.")
            membership.role = role
            membership.save(update_fields=["role"])
        if old != role:
            audit_record(
                AuditEvent.Action.MEMBER_ROLE_CHANGED,
                actor=user,
                campaign=campaign,
                target=membership,
                summary=f"{member.get_username()}: {_role(old)} → {_role(role)}",
                member=member.get_username(),
                old=old,
                new=role,
            )
    return membership


def membership_remove(
    *, campaign: Campaign, user: User, member: User, access: CampaignAccess | None = None
) -> None:
    access = for_campaign(user, campaign, known=access)
    require(access.can_manage, "Only the campaign's owners can remove members.")
    with transaction.atomic():
        _lock_team(campaign, user, "Only the campaign's owners can remove members.")
        membership = (
            CampaignMembership.objects.select_for_update()
            .filter(campaign=campaign, user=member)
            .first()
        )
        if membership is None:
            return
        if membership.role == Role.OWNER and not _other_owner(campaign, member):
            raise ValidationError("A campaign needs at least one owner.")
        audit_record(
            AuditEvent.Action.MEMBER_ROLE_CHANGED,
            actor=user,
            campaign=campaign,
            target=membership,
            summary=f"{member.get_username()}: {_role(membership.role)} → removed",
            member=member.get_username(),
            old=membership.role,
            new=None,
        )
        membership.delete()


def _lock_team(campaign: Campaign, user: User, refusal: str) -> None:
    """Serialise changes to one campaign's team (a lock on the campaign row), then ask again
    whether `user` may make them: two owners demoting each other at once would otherwise each
    see the other still an owner, and leave the campaign with none."""
    Campaign.objects.lock(campaign)
    require(for_campaign(user, campaign).can_manage, refusal)


def _role(role: str | None) -> str:
    return Role(role).label if role else "not a member"


def _other_owner(campaign: Campaign, member: User) -> bool:
    return (
        CampaignMembership.objects.filter(campaign=campaign, role=Role.OWNER)
        .exclude(user=member)
        .exists()
    )
