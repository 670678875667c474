"""Who may do what in a campaign: every rule written once, on :class:`CampaignAccess`.

* members (any role) see the campaign, generate, edit its settings, request review, comment,
  export and delete images that are not approved;
* approvers decide reviews (approve, request changes, reject), except, where the campaign
  says requesters cannot approve their own images, reviews of images they made or sent;
* owners manage members and roles, share links, the review rules and read the audit trail;
* staff with the studio-wide permission (`generation.act_in_every_campaign`; superusers have
  it) may do everything, and alone read the studio-wide audit trail; the staff flag alone
  gives no campaign powers.

Which campaigns a person sees at all is the same rule as `CampaignAccess.can_view`, written as a
query: `Campaign.objects.visible_to` (outsiders get a 404, as for a campaign that does not exist).

A view builds the person's access once per request (:func:`for_campaign`, one query; none when
the page has already loaded the campaign's memberships), passes it to the services it calls and
to its templates as ``access``; template tags read it from the context.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from generation.models import Campaign, CampaignMembership, Image
from generation.models.campaign import acts_in_every_campaign

Role = CampaignMembership.Role


@dataclass(frozen=True)
class CampaignAccess:
    """One person's rights in one campaign: their role there (None for a non-member) and
    whether they are staff."""

    user: Any
    campaign: Campaign
    role: str | None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if _signed_in(self.user) else None

    @property
    def is_staff(self) -> bool:
        return _is_staff(self.user)

    @property
    def is_member(self) -> bool:
        """Staff, or any role in the campaign."""
        return self.is_staff or self.role is not None

    # What every member may do.
    can_view = can_generate = can_edit = is_member
    can_request_review = can_comment = can_export = can_delete_images = is_member

    @property
    def can_review(self) -> bool:
        """Approvers and staff decide reviews (see :meth:`review_refusal` for one image)."""
        return self.is_staff or self.role == Role.APPROVER

    @property
    def can_manage(self) -> bool:
        """Owners and staff: members and roles, share links, review rules, the audit trail."""
        return self.is_staff or self.role == Role.OWNER

    def review_refusal(self, image: Image) -> str:
        """Why this person may not decide the review of `image`, or "" when they may. The one
        rule behind the decision buttons, the views and `review_decide`."""
        if not self.can_review:
            return "Only the campaign's approvers can decide."
        if self.campaign.requesters_cannot_approve:
            rule = Campaign._meta.get_field("requesters_cannot_approve").verbose_name.lower()
            if image.review_requested_by_id == self.user_id:
                return (
                    f"You asked for this review, and in this campaign {rule}: "
                    "another approver decides."
                )
            if image.generation.requested_by_id == self.user_id:
                return (
                    f"You made this image, and in this campaign {rule}: another approver decides."
                )
        return ""

    def can_decide(self, image: Image) -> bool:
        return not self.review_refusal(image)

    def is_for(self, user, campaign: Campaign) -> bool:
        """Whether this is `user`'s access to `campaign` (a service given one checks it)."""
        return campaign.pk == self.campaign.pk and (user.pk if _signed_in(user) else None) == (
            self.user_id
        )


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def _is_staff(user) -> bool:
    return acts_in_every_campaign(user)


def for_campaign(
    user,
    campaign: Campaign,
    *,
    memberships: Iterable[CampaignMembership] | None = None,
    known: CampaignAccess | None = None,
) -> CampaignAccess:
    """`user`'s access to `campaign`: `known` when it is that already, else the role read from
    `memberships` (the campaign's rows, already loaded: no query) or from the database (one
    query)."""
    if known is not None and known.is_for(user, campaign):
        return known
    if not _signed_in(user):
        return CampaignAccess(user, campaign, None)
    if memberships is not None:
        role = next((m.role for m in memberships if m.user_id == user.pk), None)
    else:
        role = (
            CampaignMembership.objects.filter(campaign=campaign, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return CampaignAccess(user, campaign, role)


def can_read_studio_audit(user) -> bool:
    """The audit trail of every campaign at once is for staff."""
    return _is_staff(user)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
