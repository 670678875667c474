"""What people do with generations: ask for one, cancel it, try it again, pick favourites.

These are called by the views and the admin. They validate, write rows in short transactions and
enqueue the pipeline's tasks after commit; they never call Firefly themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from generation.access import Person
from generation.audit import audit_record
from generation.caches import forget_gallery_filter_options
from generation.firefly import GenerateRequest, errors
from generation.firefly.validation import validate_generate_request
from generation.models import (
    AuditEvent,
    Campaign,
    Generation,
    GenerationPreset,
    Image,
)
from generation.params import GenerationParams
from generation.pipeline.outcomes import Failure
from generation.pipeline.scheduling import CANCEL, SUBMIT, schedule
from generation.quotas import check_generation_quota

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

Status = Generation.Status

#: GenerateRequest field names → the names generation_create (and the form) use.
_FIELD_NAMES = {"custom_model_id": "custom_model", "__all__": NON_FIELD_ERRORS}


def _check_access(user: Person | None, campaign: Campaign) -> None:
    if user is None or not Campaign.objects.visible_to(user).filter(pk=campaign.pk).exists():
        raise PermissionDenied("You are not a member of this campaign.")


def generation_request(generation: Generation) -> GenerateRequest:
    """The Firefly request stored on `generation`."""
    return GenerationParams.from_generation(generation).to_request()


def _field_errors(found: Mapping[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for name, messages in found.items():
        target = merged.setdefault(_FIELD_NAMES.get(name, name), [])
        target.extend(m for m in messages if m not in target)
    return merged


def generation_create(
    *,
    campaign: Campaign,
    user: User,
    params: GenerationParams | None = None,
    retry_of: Generation | None = None,
    form_token: str | None = None,
    **fields: Any,
) -> Generation:
    """Validate a request, store it and queue it for submission to Firefly.

    The request is `params`, or else `GenerationParams(**fields)` (`prompt`, `width` and
    `height` at least). Raises `ValidationError` with a dict of field errors (`prompt`,
    `custom_model`, `model_version`, `width`/`height`, `seeds`, ... and `__all__`) and
    `PermissionDenied` when `user` is not a member of `campaign`, and `AlreadySubmittedError` when
    `form_token` already made a generation for `user` (nothing new is stored or sent).
    """
    if params is None:
        params = GenerationParams(**fields)
    elif fields:
        raise TypeError("Pass either params or its fields, not both.")
    _check_access(user, campaign)
    problems: dict[str, list[str]] = {}
    if campaign.archived:
        problems[NON_FIELD_ERRORS] = ["This campaign is archived; unarchive it to generate."]
    model = params.custom_model
    if model is not None and not model.is_usable():
        problems["custom_model"] = [
            f"The custom model “{model.display_name}” is not available any more. "
            "Choose another model."
        ]
    try:
        validate_generate_request(params.to_request())
    except errors.RequestValidationError as exc:
        for name, messages in _field_errors(exc.field_errors).items():
            problems.setdefault(name, []).extend(messages)
    if problems:
        raise ValidationError(problems)

    try:
        with transaction.atomic():
            generation = _store(campaign, user, params, retry_of, form_token)
    except IntegrityError:
        earlier = Generation.objects.filter(requested_by=user, form_token=form_token).first()
        if form_token and earlier is not None:
            raise AlreadySubmittedError(earlier) from None
        raise
    # The gallery's filter bar may now offer a new model, preset or person.
    forget_gallery_filter_options(campaign.pk)
    logger.info("generation %s created for campaign %s", generation.pk, campaign.pk)
    return generation


class AlreadySubmittedError(Exception):
    """This form was submitted before; `generation` is what it started."""

    def __init__(self, generation: Generation) -> None:
        super().__init__(f"form already submitted as generation {generation.pk}")
        self.generation = generation


def _store(
    campaign: Campaign,
    user: User,
    params: GenerationParams,
    retry_of: Generation | None,
    form_token: str | None,
) -> Generation:
    Campaign.objects.lock(campaign)
    check_generation_quota(campaign=campaign, user=user)
    generation = Generation.objects.create(
        campaign=campaign,
        requested_by=user,
        retry_of=retry_of,
        form_token=form_token or "",
        **params.model_fields(),
        status=Status.QUEUED,
        next_poll_at=timezone.now(),
    )
    GenerationPreset.objects.bulk_create(
        GenerationPreset(generation=generation, preset=preset) for preset in params.style_presets
    )
    audit_record(
        AuditEvent.Action.GENERATION_RETRIED
        if retry_of is not None
        else AuditEvent.Action.GENERATION_REQUESTED,
        actor=user,
        campaign=campaign,
        target=generation,
        summary=f"Generation {generation.pk}"
        + (f" (retry of {retry_of.pk})" if retry_of is not None else "")
        + f": {params.prompt[:120]}",
    )
    schedule(SUBMIT, generation.pk)
    return generation


MSG_CANCELLED_BEFORE_SENDING = Failure.CANCELLED_BEFORE_SENDING.text()


def generation_cancel(*, generation: Generation, user: User) -> Generation:
    """Ask for `generation` to be stopped; returns it refreshed.

    A generation not yet sent to Firefly is cancelled at once; one whose submission is in flight
    is cancelled as soon as the submission returns; a running one is cancelled at Firefly by the
    `cancel_generation` task. Cancelling a finished generation changes nothing.
    """
    _check_access(user, generation.campaign)
    now = timezone.now()
    with transaction.atomic():
        flagged = Generation.objects.filter(
            pk=generation.pk, status__in=Generation.ACTIVE_STATUSES
        ).update(cancel_requested=True, updated_at=now)
        if flagged:
            cancelled_now = Generation.objects.filter(
                pk=generation.pk, status=Status.QUEUED
            ).update(
                status=Status.CANCELLED,
                error_code="cancelled",
                error_message=MSG_CANCELLED_BEFORE_SENDING,
                finished_at=now,
                next_poll_at=None,
                updated_at=now,
            )
            if not cancelled_now:
                job_id = (
                    Generation.objects.filter(pk=generation.pk)
                    .values_list("firefly_job_id", flat=True)
                    .first()
                )
                if job_id:  # else the submission in flight sees the flag when it returns
                    schedule(CANCEL, generation.pk)
            audit_record(
                AuditEvent.Action.GENERATION_CANCELLED,
                actor=user,
                campaign=generation.campaign,
                target=generation,
                summary=f"Generation {generation.pk} cancelled",
            )
    generation.refresh_from_db()
    return generation


#: Why Retry is refused for a finished generation whose `retry_can_help` is False.
RETRY_REFUSALS = {
    "content_policy": (
        "Retry would send the same prompt, and Adobe's content policy refused it. Change the "
        "prompt with “Generate again with these settings” instead."
    ),
    "invalid_request": (
        "Retry would send the same settings, and Adobe Firefly refused them as invalid. Change "
        "them with “Generate again with these settings” instead."
    ),
}
RETRY_NOT_NEEDED = (
    "This generation succeeded, so there is nothing to retry. Use “Generate again with these "
    "settings” for more images."
)


def generation_retry(*, generation: Generation, user: User) -> Generation:
    """A new generation with the same parameters (`retry_of` set); the old one stays as it is.

    Raises `ValidationError` when `generation` is still in progress, when retrying cannot help
    (`Generation.retry_can_help`: it succeeded, or Firefly refused the request itself), or when
    its parameters are no longer valid (e.g. the custom model was disabled).
    """
    _check_access(user, generation.campaign)
    if not generation.is_terminal:
        raise ValidationError("This generation is still in progress; cancel it first.")
    if not generation.retry_can_help:
        raise ValidationError(RETRY_REFUSALS.get(generation.error_code, RETRY_NOT_NEEDED))
    return generation_create(
        campaign=generation.campaign,
        user=user,
        retry_of=generation,
        params=GenerationParams.from_generation(generation),
    )


def image_set_favourite(*, image: Image, favourite: bool) -> Image:
    """Mark or unmark `image` as a favourite of its campaign."""
    Image.objects.filter(pk=image.pk).update(is_favourite=bool(favourite))
    image.is_favourite = bool(favourite)
    return image
