"""Notifications: the in-app ones (the header's bell) and their emails, read marks and the
cached unread count."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from generation.models import Image, Notification

logger = logging.getLogger(__name__)

#: How long a person's unread count is cached at most (it is forgotten whenever it changes).
UNREAD_TTL = 300


def actor_name(user) -> str:
    """How a notification names the person who acted."""
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def notify(
    recipients,
    *,
    actor,
    kind: str,
    text: str,
    image: Image | None = None,
    campaign=None,
    url: str = "",
    origin: str = "",
) -> list[Notification]:
    """In-app notifications for `recipients` (the actor is never notified of their own act),
    plus an email each through Django's email backend, after commit. They link to `image`,
    else to `url` (a path on this site); `origin` is the site's address as the actor reached it
    (see :func:`email_link`)."""
    people = {u.pk: u for u in recipients if u is not None and (actor is None or u.pk != actor.pk)}
    if not people:
        return []
    url = reverse("image_detail", kwargs={"pk": image.pk}) if image is not None else url
    campaign = campaign or (image.campaign if image is not None else None)
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            actor=actor,
            kind=kind,
            text=text[:300],
            url=url,
            campaign=campaign,
            image=image,
        )
        for user in people.values()
    )
    _forget_unread(people)
    emails = [u.email for u in people.values() if u.email]
    if emails and getattr(settings, "NOTIFICATION_EMAILS", True):
        link = email_link(url, origin) if url else ""
        transaction.on_commit(lambda: _send_emails(emails, text, link))
    return rows


def email_link(path: str, origin: str = "") -> str:
    """An absolute link for an email: under `STUDIO_BASE_URL` when it is set, else under the
    address (scheme, host and port) of the request that caused the email, so a studio served
    anywhere links back to itself. Without either (an email sent by a worker, say, for a failed
    generation), development links to where `make run` serves; production needs the setting
    (system check `generation.W003`)."""
    fallback = f"http://127.0.0.1:{settings.WEB_PORT}" if settings.DEBUG else ""
    base = (settings.STUDIO_BASE_URL or origin or fallback).rstrip("/")
    return f"{base}{path}"


def _send_emails(addresses: list[str], text: str, link: str) -> None:
    body = f"{text}\n\n{link}\n" if link else f"{text}\n"
    for address in addresses:
        try:
            send_mail(
                f"[Campaign Studio] {text[:120]}",
                body,
                None,
                [address],
                fail_silently=False,
            )
        except Exception:  # a mail server problem must never break the review itself
            logger.exception("could not email a notification to %s", address)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    changed = qs.update(read_at=timezone.now())
    _forget_unread([user.pk])
    return changed


# --- The unread count -------------------------------------------------------------------------


def unread_key(user_id: int) -> str:
    """Cache key of a person's unread count; cleared here whenever the count changes."""
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """A person's unread notifications: cached (cleared whenever it changes), so most pages,
    and the bell's polls, cost no query for it."""
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def bell_label(unread: int) -> str:
    """What the header bell says to screen readers (and announces when the count goes up)."""
    return f"Notifications, {unread} unread" if unread else "Notifications"


def _forget_unread(user_ids) -> None:
    keys = [unread_key(pk) for pk in user_ids]
    # Now, and again after commit: a page rendered meanwhile may have cached the old count.
    transaction.on_commit(lambda: cache.delete_many(keys))
    cache.delete_many(keys)
