"""Read-side queries for collaboration: the review queue and comparisons, comments, the people
of a campaign, notifications, the audit trail, share links and exports.

Lookups that take a user go through the studio's `visible_campaigns`, so someone outside a
campaign gets the same 404 as for a row that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from generation.access import Person
from generation.models import (
    AuditEvent,
    Campaign,
    CampaignMembership,
    Comment,
    Export,
    Image,
    Notification,
    Rendition,
    ShareLink,
)
from generation.models.image import ImageQuerySet
from generation.studio.selectors import visible_campaigns

if TYPE_CHECKING:
    from django.contrib.auth.models import User

State = Image.ReviewState
QUEUE_LIMIT = 200
NOTIFICATIONS_PAGE = 100
AUDIT_PAGE = 200
AUDIT_ACTORS_MAX = 200
SHARED_IMAGES_MAX = 500

# --- People -----------------------------------------------------------------------------------


def campaign_people(campaign: Campaign) -> QuerySet[User]:
    return get_user_model().objects.filter(campaign_memberships__campaign=campaign)


def approvers(campaign: Campaign) -> QuerySet[User]:
    # One filter() call, so both conditions hold for the same membership row.
    return get_user_model().objects.filter(
        campaign_memberships__campaign=campaign,
        campaign_memberships__role=CampaignMembership.Role.APPROVER,
    )


def people_by_name(campaign: Campaign) -> list[User]:
    """The campaign's members by username (who can be @mentioned)."""
    return list(campaign_people(campaign).order_by("username").distinct())


def account_named(username: str) -> User | None:
    """The account called `username` (any case), or None."""
    return get_user_model().objects.filter(username__iexact=username).first()


# --- Review -----------------------------------------------------------------------------------


def _with_previews(qs: ImageQuerySet) -> ImageQuerySet:
    return qs.select_related(
        "generation", "generation__custom_model", "generation__requested_by"
    ).with_renditions()


def _share_campaign(images: list[Image], campaign: Campaign) -> list[Image]:
    """Point the images at the campaign already loaded, so asking each for its campaign (the
    decision rule, the templates) costs no query."""
    for image in images:
        image.campaign = campaign
    return images


def review_queue(campaign: Campaign, limit: int = QUEUE_LIMIT) -> list[Image]:
    """Images waiting for a decision, oldest request first."""
    queue = _with_previews(
        Image.objects.filter(campaign=campaign, review_state=State.IN_REVIEW)
        .select_related("review_requested_by")
        .order_by("review_requested_at", "id")
    )[:limit]
    return _share_campaign(list(queue), campaign)


def compared_images(campaign: Campaign, ids: list[int]) -> list[Image]:
    """The campaign's images among `ids`, in the order of `ids`."""
    found = {
        i.pk: i
        for i in _with_previews(Image.objects.filter(campaign=campaign, pk__in=ids)).select_related(
            "reviewed_by"
        )
    }
    return _share_campaign([found[i] for i in ids if i in found], campaign)


def image_comments(image: Image) -> list[Comment]:
    """An image's comments, oldest first, with their authors and mentions."""
    return list(
        Comment.objects.filter(image=image)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("created_at", "id")
    )


def campaign_images(campaign: Campaign, ids: list[int]) -> QuerySet[Image]:
    return Image.objects.filter(campaign=campaign, pk__in=ids)


# --- Notifications ----------------------------------------------------------------------------


def notification_list(user: User, limit: int = NOTIFICATIONS_PAGE) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("actor", "campaign")
        .order_by("-id")[:limit]
    )


def notification_for_user(user: User, pk: int) -> Notification | None:
    return Notification.objects.filter(recipient=user, pk=pk).first()


# --- Audit trail ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""  # an AuditEvent.Action value
    actor: str = ""  # a name as recorded, or "system" for events without an actor
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(campaign: Campaign | None, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """A campaign's events (every event for None), newest first."""
    qs = AuditEvent.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        qs = (
            qs.filter(actor=None)
            if filters.actor == "system"
            else qs.filter(actor_name__iexact=filters.actor)
        )
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return qs.order_by("-id")


def audit_page(events: QuerySet[AuditEvent], size: int = AUDIT_PAGE) -> list[AuditEvent]:
    return list(events.select_related("campaign")[:size])


def audit_actor_names(campaign: Campaign | None) -> list[str]:
    """The names of the people in a campaign's (or the whole) trail, for its filter."""
    events = AuditEvent.objects.filter(campaign=campaign) if campaign else AuditEvent.objects.all()
    names = events.order_by().values_list("actor_name", flat=True).distinct()
    return sorted({n for n in names[:AUDIT_ACTORS_MAX] if n})


# --- Share links and exports ------------------------------------------------------------------


def share_links(campaign: Campaign) -> list[ShareLink]:
    return list(
        ShareLink.objects.filter(campaign=campaign)
        .select_related("created_by", "revoked_by")
        .prefetch_related("images")
    )


def share_link_in(campaign: Campaign, pk: int) -> ShareLink:
    found = ShareLink.objects.filter(pk=pk, campaign=campaign).first()
    if found is None:
        raise Http404("No such link.")
    return found


def shared_gallery(images: ImageQuerySet, limit: int = SHARED_IMAGES_MAX) -> list[Image]:
    """What a share link's viewer sees (`images`: `sharing.share_link_images`), newest first."""
    return list(
        images.select_related("generation", "generation__custom_model")
        .with_renditions()
        .order_by("-id")[:limit]
    )


def shared_rendition(image: Image, spec: str) -> Rendition | None:
    return image.rendition(spec)


def export_for_user(user: Person, pk: int) -> Export:
    found = (
        Export.objects.filter(pk=pk, campaign__in=visible_campaigns(user))
        .select_related("campaign", "requested_by")
        .first()
    )
    if found is None:
        raise Http404("No such export.")
    return found
