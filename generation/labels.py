"""The studio's words for things, in one place: what an image is called, counts, how long ago,
and how a finished generation is summed up. Templates (through the `studio` tags), the JSON the
pages poll, notifications, emails and the audit trail all use these, so a person reads the same
words everywhere. Status and review-state names are the models' choices."""

from __future__ import annotations

import datetime as dt

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.translation import ngettext

#: Closer to now than this, a time is "just now" (or "in under a minute"), not "0 minutes ago".
JUST_NOW = dt.timedelta(minutes=1)


def image_name(image) -> str:
    """What an image is called on every page, message and email: its number in the studio."""
    return f"Image {image.pk}"


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
        return ngettext("Done: %(count)d image ready.", "Done: %(count)d images ready.", images) % {
            "count": images
        }
    title = outcome_title(generation.status)
    if title:
        return f"{title} {outcome_detail(generation)}".strip()
    return f"{generation.get_status_display()}…"
