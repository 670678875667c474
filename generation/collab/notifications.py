"""Notifications: the in-app ones (the header's bell) and their emails, read marks and the
cached unread count."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from generation.models import Campaign, Image, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SEND_EMAIL_TASK = "generation.tasks.send_notification_email"
#: How long a person's unread count is cached at most (it is forgotten whenever it changes).
UNREAD_TTL = 300


def actor_name(user: User | None) -> str:
    """How a notification names the person who acted."""
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def notify(
    recipients: Iterable[User | None],
    *,
    actor: User | None,
    kind: str,
    text: str,
    image: Image | None = None,
    campaign: Campaign | None = None,
    url: str = "",
    origin: str = "",
) -> list[Notification]:
    """In-app notifications for `recipients` (the actor is never notified of their own act),
    plus an email each, sent by a worker after commit. They link to `image`,
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
    if getattr(settings, "NOTIFICATION_EMAILS", True):
        link = email_link(url, origin) if url else ""
        for row in rows:
            if row.recipient.email:
                transaction.on_commit(partial(_queue_email, row.pk, link), robust=True)
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


def email_subject(text: str) -> str:
    """One line, whatever the notification says: a newline in a subject (a multi-line comment
    that mentions someone) makes Django refuse the whole message."""
    return f"[Campaign Studio] {' '.join(text.split())[:120]}"


def _queue_email(notification_id: int, link: str) -> None:
    # Mail leaves from a worker, never inside the request: a slow mail server must not hold up
    # (or time out) the review that caused it. A broker outage costs the email, not the review.
    try:
        current_app.signature(SEND_EMAIL_TASK).delay(notification_id, link)
    except Exception:
        logger.exception("could not queue the email of notification %s", notification_id)


def notification_email_send(*, notification_id: int, link: str) -> bool:
    """Send notification `notification_id` to its recipient by email (run by a Celery task,
    which retries on mail-server errors). False when there is nothing to send any more."""
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not note.recipient.email:
        return False
    body = f"{note.text}\n\n{link}\n" if link else f"{note.text}\n"
    send_mail(email_subject(note.text), body, None, [note.recipient.email], fail_silently=False)
    return True


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
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


def unread_count(user: User) -> int:
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


def _forget_unread(user_ids: Iterable[int]) -> None:
    keys = [unread_key(pk) for pk in user_ids]
    # Now, and again after commit: a page rendered meanwhile may have cached the old count.
    transaction.on_commit(lambda: cache.delete_many(keys))
    cache.delete_many(keys)
