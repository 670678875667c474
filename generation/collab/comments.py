"""Comments on images, with @mentions of the campaign's members (who are notified)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from generation.access import CampaignAccess, for_campaign, require
from generation.collab.notifications import actor_name, notify
from generation.collab.selectors import campaign_people
from generation.labels import image_name
from generation.models import Campaign, Comment, Image, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# "@" + a username (letters, digits and . + - _), not inside an email address; the name ends
# with a letter, digit or underscore, so "Thanks @alice." mentions alice.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{0,149}\w)")
COMMENT_MAX = 4000
#: Session key of a refused comment (what was written, and why): the comment view stores it,
#: the review panel shows it again once.
COMMENT_DRAFT_KEY = "comment_draft"


def mention_names(body: str) -> list[str]:
    """The @names in `body`, as written, each once (first spelling wins), in order."""
    seen: dict[str, str] = {}
    for name in MENTION.findall(body):
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def mentioned_members(campaign: Campaign, body: str) -> list[User]:
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
    user: User,
    body: str,
    decision: str = "",
    notify_requester: bool = True,
    already_told: Iterable[User | None] = (),
    allow_unknown_mentions: bool = False,
    origin: str = "",
    access: CampaignAccess | None = None,
) -> Comment:
    """A comment on an image; @mentioned members and the review's requester are notified.
    An @name that is not a member is refused (ValidationError, code "unknown_mention") unless
    `allow_unknown_mentions` (the author chose to post it anyway, as plain text). `access`:
    the author's, when the caller has it already."""
    access = for_campaign(user, image.campaign, known=access)
    require(access.can_comment, "You are not a member of this campaign.")
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
            text=f"{actor_name(user)} mentioned you on {image_name(image)}: “{excerpt}”",
            image=image,
            origin=origin,
        )
        requester = image.review_requested_by
        if notify_requester and requester is not None and requester not in mentioned:
            notify(
                [requester],
                actor=user,
                kind=Notification.Kind.COMMENT,
                text=f"{actor_name(user)} commented on {image_name(image)}: “{excerpt}”",
                image=image,
                origin=origin,
            )
    return comment
