"""Read-only share links: create, look up by token, unlock with a password, count views, revoke.

Tokens are `secrets.token_urlsafe(32)`; only their SHA-256 is stored, so a database leak does
not leak working links. Passwords are hashed with Django's hashers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from generation import caches
from generation.access import CampaignAccess, for_campaign, require
from generation.audit import audit_record
from generation.models import AuditEvent, Campaign, Image, ShareLink
from generation.models.image import ImageQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase

MAX_DAYS = 365
SESSION_KEY = "share_unlocked"
VIEWED_KEY = "share_viewed"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedLink:
    link: ShareLink
    token: str  # shown once; only its hash is stored


def share_link_create(
    *,
    campaign: Campaign,
    user: User,
    expires_at: dt.datetime,
    label: str = "",
    scope: str = ShareLink.Scope.APPROVED,
    allow_download: bool = False,
    password: str = "",
    image_ids: Iterable[int | str] = (),
    access: CampaignAccess | None = None,
) -> CreatedLink:
    access = for_campaign(user, campaign, known=access)
    require(access.can_manage, "Only the campaign's owners can share it.")
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": ["Pick an expiry date in the future."]})
    if expires_at > now + dt.timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_at": [f"Links last at most {MAX_DAYS} days."]})
    if scope not in ShareLink.Scope.values:
        raise ValidationError({"scope": ["Unknown scope."]})
    if password:
        try:
            # The same rules as account passwords: at least 8 characters, not a common one.
            password_validation.validate_password(password)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
    ids = sorted({int(i) for i in image_ids})
    images = list(Image.objects.filter(campaign=campaign, pk__in=ids)) if ids else []
    if ids and len(images) != len(ids):
        raise ValidationError({"images": ["Some of those images are not in this campaign."]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = ShareLink.objects.create(
            campaign=campaign,
            created_by=user,
            token_hash=token_hash(token),
            token_hint=token[:6],
            label=label.strip()[:120],
            scope=scope,
            covers=ShareLink.Covers.SELECTION if ids else ShareLink.Covers.CAMPAIGN,
            allow_download=allow_download,
            password=make_password(password) if password else "",
            expires_at=expires_at,
        )
        if images:
            link.images.set(images)
        audit_record(
            AuditEvent.Action.SHARE_CREATED,
            actor=user,
            campaign=campaign,
            target=link,
            summary=f"Share link “{link}” created ({len(images) or 'all'} images, "
            f"{scope}, expires {expires_at:%Y-%m-%d})",
            scope=scope,
            images=ids,
            allow_download=allow_download,
            password=bool(password),
        )
    return CreatedLink(link=link, token=token)


def share_link_revoke(
    *, link: ShareLink, user: User, access: CampaignAccess | None = None
) -> ShareLink:
    access = for_campaign(user, link.campaign, known=access)
    require(access.can_manage, "Only the campaign's owners can revoke links.")
    revoked = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if revoked:
        audit_record(
            AuditEvent.Action.SHARE_REVOKED,
            actor=user,
            campaign=link.campaign,
            target=link,
            summary=f"Share link “{link}” revoked",
        )
    link.refresh_from_db()
    return link


def share_link_lookup(token: str) -> ShareLink | None:
    """The link for a token (active or not), or None."""
    if not token or len(token) > 100:
        return None
    return ShareLink.objects.select_related("campaign").filter(token_hash=token_hash(token)).first()


def share_link_unlocked(session: SessionBase, link: ShareLink) -> bool:
    return not link.has_password or link.pk in session.get(SESSION_KEY, [])


@dataclass(frozen=True)
class Unlock:
    """What a password attempt got: in, or not; `retry_at` when guessing is paused."""

    ok: bool
    retry_at: dt.datetime | None = None

    def __bool__(self) -> bool:
        return self.ok


def share_link_unlock(
    session: SessionBase, link: ShareLink, password: str, *, address: str = ""
) -> Unlock:
    """Check the password and remember the unlock in the viewer's session.

    Guessing is braked per link and per client address (`SHARE_UNLOCK_FAILURES` wrong passwords
    per `SHARE_UNLOCK_WINDOW_SECONDS`); once braked, attempts are refused before any hashing, so
    anonymous guessers cannot spend the web workers' time on it."""
    if not link.has_password:
        return Unlock(True)
    keys = [f"share-unlock:link:{link.pk}", f"share-unlock:addr:{link.pk}:{address}"]
    window = settings.SHARE_UNLOCK_WINDOW_SECONDS
    counts = cache.get_many(keys)
    if any(counts.get(key, 0) >= settings.SHARE_UNLOCK_FAILURES for key in keys):
        started = max(cache.get(f"{key}:since") or timezone.now() for key in keys)
        return Unlock(False, retry_at=started + dt.timedelta(seconds=window))
    if not check_password(password or "", link.password):
        for key in keys:
            if caches.increment(key, window) == 1:
                cache.set(f"{key}:since", timezone.now(), window)
        return Unlock(False)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-49:], link.pk]
    return Unlock(True)


def share_link_record_view(session: SessionBase, link: ShareLink, *, address: str = "") -> None:
    """Count a page view; the audit trail gets one event per viewer session."""
    ShareLink.objects.filter(pk=link.pk).update(
        view_count=F("view_count") + 1, last_viewed_at=timezone.now()
    )
    seen = session.get(VIEWED_KEY, [])
    if link.pk not in seen:
        session[VIEWED_KEY] = [*seen[-49:], link.pk]
        audit_record(
            AuditEvent.Action.SHARE_VIEWED,
            campaign=link.campaign,
            target=link,
            summary=f"Share link “{link}” opened",
            address=address,
        )


def share_link_images(link: ShareLink) -> ImageQuerySet:
    """What the link shows: the whole campaign or its selection as made (what is left of it),
    approved only if so scoped."""
    qs = Image.objects.filter(campaign_id=link.campaign_id)
    if link.covers == ShareLink.Covers.SELECTION:
        qs = qs.filter(pk__in=link.images.values("pk"))
    if link.scope == ShareLink.Scope.APPROVED:
        qs = qs.filter(review_state=Image.ReviewState.APPROVED)
    return qs
