"""How much may be waiting at once: per person and per campaign for generations, per person and
for the whole studio for exports (settings `QUOTA_*`, 0 for no limit).

Checked inside the transaction that stores the new row, after locking the campaign's row
(`Campaign.objects.lock`), so two
requests from one campaign cannot both squeeze under a limit (SQLite's write transactions are
serial anyway). Refusals are `ValidationError`s that say what is waiting and what to do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import ngettext

from generation.models import Campaign, Export, Generation


def _generations(n: int) -> str:
    return ngettext("%(n)d generation", "%(n)d generations", n) % {"n": n}


def _exports(n: int) -> str:
    return ngettext("%(n)d export", "%(n)d exports", n) % {"n": n}


def check_generation_quota(*, campaign: Campaign, user: Any) -> None:
    active = Generation.objects.filter(status__in=Generation.ACTIVE_STATUSES)
    mine = settings.QUOTA_ACTIVE_GENERATIONS_PER_USER
    if mine and active.filter(requested_by=user).count() >= mine:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"You already have {_generations(mine)} waiting or running, the most one "
                    "person may have at once. Submit this one when some have finished."
                ]
            }
        )
    theirs = settings.QUOTA_ACTIVE_GENERATIONS_PER_CAMPAIGN
    if theirs and active.filter(campaign=campaign).count() >= theirs:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This campaign already has {_generations(theirs)} waiting or running, the "
                    "most a campaign may have at once. Submit this one when some have finished."
                ]
            }
        )


def check_export_quota(*, user: Any) -> None:
    active = Export.objects.filter(status__in=[Export.Status.QUEUED, Export.Status.RUNNING])
    mine = settings.QUOTA_ACTIVE_EXPORTS_PER_USER
    if mine and active.filter(requested_by=user).count() >= mine:
        raise ValidationError(
            f"You already have {_exports(mine)} being built, the most one person may have at "
            "once. Ask for this one when one is ready."
        )
    studio = settings.QUOTA_ACTIVE_EXPORTS
    if studio and active.count() >= studio:
        raise ValidationError(
            f"The studio is building {_exports(studio)} right now, the most at once. "
            "Ask for this one in a few minutes."
        )
