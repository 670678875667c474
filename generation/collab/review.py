"""Review and approval of images: asking for review, the approvers' decisions, and deleting
(unapproved) images.

States: draft → in review → approved / changes requested / rejected. Members ask for review,
approvers decide (a comment is optional to approve, required to ask for changes or reject; see
`CampaignAccess.review_refusal` for who may decide). Approved images are locked: they can't be
deleted, and "use as a starting point" makes a new generation instead of changing them.
Comments live in `comments`, notifications in `notifications`, roles in `members`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generation.access import CampaignAccess, for_campaign, require
from generation.audit import audit_record
from generation.collab.comments import COMMENT_MAX, comment_add
from generation.collab.notifications import actor_name, notify
from generation.collab.selectors import approvers
from generation.labels import image_name
from generation.models import AuditEvent, Image, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

State = Image.ReviewState
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


def review_request(
    *,
    image: Image,
    user: User,
    note: str = "",
    origin: str = "",
    access: CampaignAccess | None = None,
) -> Image:
    """Ask the campaign's approvers to review `image` (from draft, changes requested or
    rejected). Raises ValidationError when it is already in review or approved. `access`: the
    user's, when the caller has it already."""
    access = for_campaign(user, image.campaign, known=access)
    require(access.can_request_review, "You are not a member of this campaign.")
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
            comment_add(
                image=image,
                user=user,
                body=note,
                notify_requester=False,
                origin=origin,
                access=access,
            )
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
            text=f"{actor_name(user)} asked you to review {image_name(image)} "
            f"in “{image.campaign.name}”",
            image=image,
            origin=origin,
        )
    return image


def review_decide(
    *,
    image: Image,
    user: User,
    decision: str,
    comment: str = "",
    origin: str = "",
    access: CampaignAccess | None = None,
) -> Image:
    """An approver's decision on an image in review: "approve", "changes" or "reject".
    PermissionDenied when `user` may not decide it (asked first, so a caller can tell someone
    who is no approver from a bad request); ValidationError, with nothing saved, for an unknown
    decision, a missing comment or an image no longer in review."""
    access = for_campaign(user, image.campaign, known=access)
    refusal = access.review_refusal(image)
    require(not refusal, refusal)
    if decision not in DECISIONS:
        raise ValidationError("Unknown decision.")
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
                access=access,
            )
        audit_record(
            action, actor=user, target=image, summary=f"{image_name(image)}: {State(state).label}"
        )
        text = f"{actor_name(user)} {verb} {image_name(image)} in “{image.campaign.name}”"
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


def image_delete(*, image: Image, user: User, access: CampaignAccess | None = None) -> None:
    """Delete an image and its files. Approved images are locked: ValidationError."""
    access = for_campaign(user, image.campaign, known=access)
    require(access.can_delete_images, "You are not a member of this campaign.")
    with transaction.atomic():
        locked = Image.objects.select_for_update().filter(pk=image.pk).first()
        if locked is None:
            return
        if locked.is_locked:
            raise ValidationError(
                "Approved images are locked and can't be deleted. Use it as a starting point "
                "for a new generation instead."
            )
        # A file field may be empty (no name): nothing to delete for it.
        stored = [locked.original.name, *(r.file.name for r in locked.renditions.all())]
        names = [name for name in stored if name]
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
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete %s from storage", name, exc_info=True)
