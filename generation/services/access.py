"""Who may do what in a campaign: one place for the role rules.

* members (any role) see the campaign, request review, comment, export;
* approvers decide reviews (approve, request changes, reject);
* owners manage members and roles, share links and read the audit trail;
* staff may do everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from generation.models import Campaign, CampaignMembership

Role = CampaignMembership.Role


def role_of(user, campaign: Campaign) -> str | None:
    """The user's role in the campaign, or None. Cached on the campaign object per user."""
    if user is None or not user.is_authenticated:
        return None
    cache = campaign.__dict__.setdefault("_roles", {})
    if user.pk not in cache:
        cache[user.pk] = (
            CampaignMembership.objects.filter(campaign=campaign, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[user.pk]


def is_member(user, campaign: Campaign) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff) or (
        role_of(user, campaign) is not None
    )


def can_review(user, campaign: Campaign) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff) or (
        role_of(user, campaign) == Role.APPROVER
    )


def can_manage(user, campaign: Campaign) -> bool:
    """Owners and staff: members and roles, share links, the audit trail."""
    return bool(user is not None and user.is_authenticated and user.is_staff) or (
        role_of(user, campaign) == Role.OWNER
    )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
