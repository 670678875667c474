"""Review and approval of images, comments with @mentions, and notifications.

States: draft → in review → approved / changes requested / rejected. Members ask for review,
approvers decide (a comment is optional to approve, required to ask for changes or reject; see
`access.review_refusal` for who may decide). Approved images are locked: they can't be
deleted, and "use as a starting point" makes a new generation instead of changing them.
"""

from __future__ import annotations

import difflib
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from generation.access import can_manage, is_member, require, review_refusal
from generation.audit import audit_record
from generation.labels import image_name
from generation.models import (
    AuditEvent,
    Campaign,
    CampaignMembership,
    Comment,
    Image,
    Notification,
)

logger = logging.getLogger(__name__)

State = Image.ReviewState
Role = CampaignMembership.Role
REQUESTABLE = (State.DRAFT, State.CHANGES_REQUESTED, State.REJECTED)
#: decision → (new state, audit action, what the approver did: "Carol approved Image 6").
DECISIONS = {
    "approve": (State.APPROVED, AuditEvent.Action.REVIEW_APPROVED, "approved"),
    "changes": (
        State.CHANGES_REQUESTED,
        AuditEvent.Action.REVIEW_CHANGES_REQUESTED,
        "asked for changes to",
    ),
    "reject": (State.REJECTED, AuditEvent.Action.REVIEW_REJECTED, "rejected"),
}
# Decisions that send the image back need to say why; the message is shown as it is.
COMMENT_REQUIRED = {
    "changes": "Say what should change: asking for changes needs a comment.",
    "reject": "Say why: rejecting an image needs a comment.",
}
# "@" + a username (letters, digits and . + - _), not inside an email address; the name ends
# with a letter, digit or underscore, so "Thanks @alice." mentions alice.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{0,149}\w)")
COMMENT_MAX = 4000


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def _image_url(image: Image) -> str:
    return reverse("image_detail", kwargs={"pk": image.pk})


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
    url = _image_url(image) if image is not None else url
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


def _forget_unread(user_ids) -> None:
    from django.core.cache import cache

    from fireflyweb.context_processors import unread_key

    keys = [unread_key(pk) for pk in user_ids]
    transaction.on_commit(lambda: cache.delete_many(keys))
    cache.delete_many(keys)


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


def approvers(campaign: Campaign):
    return get_user_model().objects.filter(
        campaign_memberships__campaign=campaign,
        campaign_memberships__role=CampaignMembership.Role.APPROVER,
    )


def campaign_people(campaign: Campaign):
    return get_user_model().objects.filter(campaign_memberships__campaign=campaign)


# --- Review ---------------------------------------------------------------------------------


def review_request(*, image: Image, user, note: str = "", origin: str = "") -> Image:
    """Ask the campaign's approvers to review `image` (from draft, changes requested or
    rejected). Raises ValidationError when it is already in review or approved."""
    require(is_member(user, image.campaign), "You are not a member of this campaign.")
    now = timezone.now()
    with transaction.atomic():
        moved = Image.objects.filter(pk=image.pk, review_state__in=REQUESTABLE).update(
            review_state=State.IN_REVIEW,
            review_requested_by=user,
            review_requested_at=now,
            reviewed_by=None,
            reviewed_at=None,
            review_comment="",
        )
        if not moved:
            image.refresh_from_db(fields=["review_state"])
            raise ValidationError(
                f"This image is {image.get_review_state_display().lower()}; "
                "it can't be sent for review again."
            )
        image.refresh_from_db()
        if note.strip():
            comment_add(image=image, user=user, body=note, notify_requester=False, origin=origin)
        audit_record(
            AuditEvent.Action.REVIEW_REQUESTED,
            actor=user,
            target=image,
            summary=f"Review requested for {image_name(image)}",
        )
        notify(
            approvers(image.campaign),
            actor=user,
            kind=Notification.Kind.REVIEW_REQUESTED,
            text=f"{_name(user)} asked you to review {image_name(image)} "
            f"in “{image.campaign.name}”",
            image=image,
            origin=origin,
        )
    return image


def review_decide(
    *, image: Image, user, decision: str, comment: str = "", origin: str = ""
) -> Image:
    """An approver's decision on an image in review: "approve", "changes" or "reject".
    PermissionDenied when `user` may not decide it; ValidationError, with nothing saved, for a
    missing comment or an image no longer in review."""
    if decision not in DECISIONS:
        raise ValidationError("Unknown decision.")
    refusal = review_refusal(user, image)
    require(not refusal, refusal)
    state, action, verb = DECISIONS[decision]
    comment = (comment or "").strip()
    if not comment and decision in COMMENT_REQUIRED:
        raise ValidationError(COMMENT_REQUIRED[decision])
    if len(comment) > COMMENT_MAX:
        raise ValidationError(f"Comments are at most {COMMENT_MAX} characters.")
    now = timezone.now()
    with transaction.atomic():
        moved = Image.objects.filter(pk=image.pk, review_state=State.IN_REVIEW).update(
            review_state=state, reviewed_by=user, reviewed_at=now, review_comment=comment
        )
        if not moved:
            image.refresh_from_db(fields=["review_state"])
            raise ValidationError(
                f"This image is {image.get_review_state_display().lower()}, not in review."
            )
        image.refresh_from_db()
        if comment:
            # The requester hears about the decision (with the comment) just below.
            comment_add(
                image=image,
                user=user,
                body=comment,
                decision=state,
                notify_requester=False,
                already_told=[image.review_requested_by],
                origin=origin,
            )
        audit_record(
            action, actor=user, target=image, summary=f"{image_name(image)}: {State(state).label}"
        )
        text = f"{_name(user)} {verb} {image_name(image)} in “{image.campaign.name}”"
        if comment:
            text += f": “{comment[:120]}”"
        notify(
            [image.review_requested_by],
            actor=user,
            kind=Notification.Kind.REVIEW_DECIDED,
            text=text,
            image=image,
            origin=origin,
        )
    return image


def image_delete(*, image: Image, user) -> None:
    """Delete an image and its files. Approved images are locked: ValidationError."""
    require(is_member(user, image.campaign), "You are not a member of this campaign.")
    with transaction.atomic():
        locked = Image.objects.select_for_update().filter(pk=image.pk).first()
        if locked is None:
            return
        if locked.is_locked:
            raise ValidationError(
                "Approved images are locked and can't be deleted. Use it as a starting point "
                "for a new generation instead."
            )
        names = [locked.original.name, *(r.file.name for r in locked.renditions.all())]
        audit_record(
            AuditEvent.Action.IMAGE_DELETED,
            actor=user,
            campaign=locked.campaign,
            target=locked,
            summary=f"{image_name(locked)} (from generation {locked.generation_id}) deleted",
            review_state=locked.review_state,
        )
        locked.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            if name:
                default_storage.delete(name)
        except Exception:
            logger.warning("could not delete %s from storage", name, exc_info=True)


# --- Comments ---------------------------------------------------------------------------------


def mention_names(body: str) -> list[str]:
    """The @names in `body`, as written, each once (first spelling wins), in order."""
    seen: dict[str, str] = {}
    for name in MENTION.findall(body):
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def mentioned_members(campaign: Campaign, body: str):
    """Campaign members named as @username in `body`."""
    names = {m.lower() for m in mention_names(body)}
    if not names:
        return []
    people = campaign_people(campaign).distinct()
    return [u for u in people if u.get_username().lower() in names]


def unknown_mentions_error(campaign: Campaign, body: str) -> ValidationError | None:
    """A ValidationError (code "unknown_mention") naming every @name in `body` that is not a
    member of `campaign`, with the closest member's name where one is near; None when all are
    members. Says nothing about whether such an account exists elsewhere in the studio."""
    names = mention_names(body)
    if not names:
        return None
    members = [u.get_username() for u in campaign_people(campaign).distinct()]
    by_lower = {m.lower(): m for m in members}
    unknown = [name for name in names if name.lower() not in by_lower]
    if not unknown:
        return None
    described = []
    for name in unknown:
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
        hint = f" (did you mean @{by_lower[close[0]]}?)" if close else ""
        described.append(f"@{name}{hint}")
    listed = (
        described[0] if len(described) == 1 else ", ".join(described[:-1]) + " and " + described[-1]
    )
    verb = "isn't a member" if len(unknown) == 1 else "aren't members"
    return ValidationError(
        f"{listed} {verb} of this campaign, so they wouldn't be notified.",
        code="unknown_mention",
    )


def comment_add(
    *,
    image: Image,
    user,
    body: str,
    decision: str = "",
    notify_requester: bool = True,
    already_told=(),
    allow_unknown_mentions: bool = False,
    origin: str = "",
) -> Comment:
    """A comment on an image; @mentioned members and the review's requester are notified.
    An @name that is not a member is refused (ValidationError, code "unknown_mention") unless
    `allow_unknown_mentions` (the author chose to post it anyway, as plain text)."""
    require(is_member(user, image.campaign), "You are not a member of this campaign.")
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write something first.")
    if len(body) > COMMENT_MAX:
        raise ValidationError(f"Comments are at most {COMMENT_MAX} characters.")
    if not allow_unknown_mentions and (error := unknown_mentions_error(image.campaign, body)):
        raise error
    with transaction.atomic():
        comment = Comment.objects.create(image=image, author=user, body=body, decision=decision)
        mentioned = mentioned_members(image.campaign, body)
        if mentioned:
            comment.mentions.set(mentioned)
        excerpt = body if len(body) <= 120 else body[:119] + "…"
        told = {u.pk for u in already_told if u is not None}
        notify(
            [u for u in mentioned if u.pk not in told],
            actor=user,
            kind=Notification.Kind.MENTION,
            text=f"{_name(user)} mentioned you on {image_name(image)}: “{excerpt}”",
            image=image,
            origin=origin,
        )
        requester = image.review_requested_by
        if notify_requester and requester is not None and requester not in mentioned:
            notify(
                [requester],
                actor=user,
                kind=Notification.Kind.COMMENT,
                text=f"{_name(user)} commented on {image_name(image)}: “{excerpt}”",
                image=image,
                origin=origin,
            )
    return comment


# --- Notifications -------------------------------------------------------------------------


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    changed = qs.update(read_at=timezone.now())
    _forget_unread([user.pk])
    return changed


# --- Members ----------------------------------------------------------------------------------


def membership_set_role(*, campaign: Campaign, user, member, role: str) -> CampaignMembership:
    """Add `member` to the campaign or change their role (owners and staff only). A campaign
    always keeps at least one owner."""
    require(can_manage(user, campaign), "Only the campaign's owners can change roles.")
    if role not in CampaignMembership.Role.values:
        raise ValidationError("Unknown role.")
    with transaction.atomic():
        membership, created = CampaignMembership.objects.select_for_update().get_or_create(
            campaign=campaign, user=member, defaults={"role": role}
        )
        old = None if created else membership.role
        if not created and old != role:
            if old == CampaignMembership.Role.OWNER and not _other_owner(campaign, member):
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
    campaign.__dict__.pop("_roles", None)
    return membership


def membership_remove(*, campaign: Campaign, user, member) -> None:
    require(can_manage(user, campaign), "Only the campaign's owners can remove members.")
    with transaction.atomic():
        membership = (
            CampaignMembership.objects.select_for_update()
            .filter(campaign=campaign, user=member)
            .first()
        )
        if membership is None:
            return
        if membership.role == CampaignMembership.Role.OWNER and not _other_owner(campaign, member):
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
    campaign.__dict__.pop("_roles", None)


def _role(role: str | None) -> str:
    return Role(role).label if role else "not a member"


def _other_owner(campaign: Campaign, member) -> bool:
    return (
        CampaignMembership.objects.filter(campaign=campaign, role=CampaignMembership.Role.OWNER)
        .exclude(user=member)
        .exists()
    )
