"""The studio's words for things, in one place: what an image is called, counts, how long ago,
a generation's status, model and size, and how a finished generation is summed up. Templates
(through the `studio` tags), forms, the JSON the pages poll, notifications, emails, exports and
the audit trail all use these, so a person reads the same words everywhere. Status and
review-state names are the models' choices (`Generation.Status` is the one source of the status
pills' words)."""

from __future__ import annotations

import datetime as dt

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.translation import ngettext

from generation.firefly import facts
from generation.models import Generation

#: Closer to now than this, a time is "just now" (or "in under a minute"), not "0 minutes ago".
JUST_NOW = dt.timedelta(minutes=1)


def image_name(image) -> str:
    """What an image is called on every page, message and email: its number in the studio (the
    model's own name for itself, so the admin and logs say the same)."""
    return str(image)


def variation_label(image, generation) -> str:
    """Which of its generation's outputs an image is ("Variation 2 of 4")."""
    return f"Variation {image.index + 1} of {generation.num_variations}"


def image_count(count: int) -> str:
    return ngettext("%(count)d image", "%(count)d images", count) % {"count": count}


def time_ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """Like "just now", "3 minutes ago" or "2 days from now"; never "0 minutes ago"."""
    if value is None:
        return ""
    delta = (now or timezone.now()) - value
    if abs(delta) < JUST_NOW:
        return "just now" if delta >= dt.timedelta(0) else "in under a minute"
    return naturaltime(value)


# --- A generation's status, model and size -----------------------------------------------------


def status_label(status: str) -> str:
    """A generation status as people read it (pills, filters, live updates): its
    `Generation.Status` label ("Generating"); an unknown value as it is."""
    return Generation.Status(status).label if status in Generation.Status.values else status


def model_label(generation) -> str:
    """The model a generation used: the custom model's name, else Adobe's name for the model
    version ("Firefly Image 4")."""
    if generation.custom_model_id and generation.custom_model:
        return generation.custom_model.display_name
    return facts.MODEL_VERSION_LABELS.get(generation.model_version, generation.model_version)


# A custom model is generated with its base model's version; name the base as Adobe does.
_CUSTOM_BASES = {"image3_custom": "image3", "image4_custom": "image4_standard"}


def base_model_label(custom_model) -> str:
    """ "Firefly Image 3" for a custom model trained on Image 3 (not Adobe's internal name);
    Firefly's own name for a base model the studio doesn't know (`firefly_base_model`)."""
    base = _CUSTOM_BASES.get(custom_model.model_version)
    if base and base in facts.MODEL_VERSION_LABELS:
        return facts.MODEL_VERSION_LABELS[base]
    return custom_model.firefly_base_model


def size_label(width: int, height: int) -> str:
    """Adobe's name for an output size ("Square (1:1)"), else "2048 x 2048"."""
    for version in facts.MODEL_VERSIONS:
        for size in facts.allowed_sizes(version):
            if (size.width, size.height) == (width, height):
                return size.label
    return f"{width} x {height}"


# --- A generation's outcome -------------------------------------------------------------------

_OUTCOME_TITLES = {
    "failed": "This generation failed.",
    "cancelled": "This generation was cancelled.",
}


def outcome_title(status: str) -> str:
    """The headline over a failed or cancelled generation's explanation ("" otherwise)."""
    return _OUTCOME_TITLES.get(status, "")


def outcome_detail(generation) -> str:
    """The explanation under that headline: the generation's message, unless it only repeats
    the status (older rows say just "Cancelled.")."""
    message = (generation.error_message or "").strip()
    if message.rstrip(".").lower() == generation.get_status_display().lower():
        return ""
    return message


def announcement(generation, images: int) -> str:
    """What a screen reader hears when a generation's status changes on its page."""
    if generation.status == generation.Status.SUCCEEDED:
        return ngettext(
            "%(status)s: %(count)d image ready.", "%(status)s: %(count)d images ready.", images
        ) % {"status": status_label(generation.status), "count": images}
    title = outcome_title(generation.status)
    if title:
        return f"{title} {outcome_detail(generation)}".strip()
    return f"{generation.get_status_display()}…"
