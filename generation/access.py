"""Who may do what in a campaign: one place for the role rules.

* members (any role) see the campaign, request review, comment, export;
* approvers decide reviews (approve, request changes, reject), except, where the campaign
  says requesters cannot approve their own images, reviews of images they made or sent;
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


def review_refusal(user, image) -> str:
    """Why `user` may not decide the review of `image`, or "" when they may. The one rule behind
    the decision buttons, the views and `review_decide`."""
    campaign = image.campaign
    if not can_review(user, campaign):
        return "Only the campaign's approvers can decide."
    if campaign.requesters_cannot_approve:
        rule = Campaign._meta.get_field("requesters_cannot_approve").verbose_name.lower()
        if image.review_requested_by_id == user.pk:
            return (
                f"You asked for this review, and in this campaign {rule}: another approver decides."
            )
        if image.generation.requested_by_id == user.pk:
            return f"You made this image, and in this campaign {rule}: another approver decides."
    return ""


def can_decide(user, image) -> bool:
    return not review_refusal(user, image)


def can_manage(user, campaign: Campaign) -> bool:
    """Owners and staff: members and roles, share links, the audit trail."""
    return bool(user is not None and user.is_authenticated and user.is_staff) or (
        role_of(user, campaign) == Role.OWNER
    )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
