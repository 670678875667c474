"""Read-side queries for the studio's pages: which campaigns a person sees, and the gallery.
Who may do what inside a campaign is `generation.access`; collaboration's queries (review
queue, comments, notifications, audit, share links, exports) are `generation.collab.selectors`.

Every lookup that takes a user goes through :func:`visible_campaigns`, so a member of another
campaign gets the same 404 as for a row that does not exist. Query counts are bounded: lists
use ``select_related`` / ``Prefetch`` and never touch a relation per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.http import Http404
from django.utils import timezone

from generation.access import Person
from generation.caches import gallery_filter_options_key
from generation.firefly.facts import MODEL_VERSION_LABELS
from generation.models import (
    Campaign,
    CampaignMembership,
    Generation,
    GenerationPreset,
    Image,
    Rendition,
)
from generation.studio import search

if TYPE_CHECKING:
    from django.contrib.auth.models import User

GALLERY_PAGE_SIZE = 60
CAMPAIGN_THUMBNAILS = 4


# --- Visibility -------------------------------------------------------------------------------


def visible_campaigns(user: Person) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user)


def campaign_for_user(user: Person, slug: str) -> Campaign:
    campaign = visible_campaigns(user).select_related("default_custom_model").filter(slug=slug)
    found = campaign.first()
    if found is None:
        raise Http404("No such campaign.")
    return found


def generation_for_user(user: Person, pk: int) -> Generation:
    found = (
        Generation.objects.filter(pk=pk, campaign__in=visible_campaigns(user))
        .select_related("campaign", "custom_model", "requested_by", "retry_of")
        .first()
    )
    if found is None:
        raise Http404("No such generation.")
    return found


def image_for_user(user: Person, pk: int) -> Image:
    found = (
        Image.objects.filter(pk=pk, campaign__in=visible_campaigns(user))
        .select_related("campaign", "generation", "generation__custom_model")
        .select_related("generation__requested_by")
        .with_renditions()
        .first()
    )
    if found is None:
        raise Http404("No such image.")
    return found


def rendition_for_user(user: Person, pk: int) -> Rendition:
    found = (
        Rendition.objects.filter(pk=pk, image__campaign__in=visible_campaigns(user))
        .select_related("image")
        .first()
    )
    if found is None:
        raise Http404("No such rendition.")
    return found


# --- Campaign list ----------------------------------------------------------------------------


def campaign_list(user: Person, *, archived: bool = False) -> list[Campaign]:
    """Visible campaigns, most recently active first, with ``image_count``, ``running_count``,
    ``last_activity`` (newest image or settings change) and ``latest_images``.

    Three queries whatever the number of campaigns: the campaigns with their counts, the
    newest few images of each (a window function), and those images' grid renditions.
    """
    image_count = (
        Image.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    running_count = (
        Generation.objects.filter(campaign=OuterRef("pk"), status__in=Generation.ACTIVE_STATUSES)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest_image_at = (
        Image.objects.filter(campaign=OuterRef("pk")).order_by("-id").values("created_at")[:1]
    )
    campaigns: list[Campaign] = list(
        visible_campaigns(user)
        .filter(archived=archived)
        .annotate(
            image_count=Coalesce(Subquery(image_count, output_field=IntegerField()), Value(0)),
            running_count=Coalesce(Subquery(running_count, output_field=IntegerField()), Value(0)),
            last_activity=Greatest(
                Coalesce(Subquery(latest_image_at), F("updated_at")), F("updated_at")
            ),
        )
        .order_by("-last_activity", "-pk")
    )
    if not campaigns:
        return campaigns
    latest = (
        Image.objects.filter(campaign__in=[c.pk for c in campaigns])
        .annotate(row=Window(RowNumber(), partition_by=[F("campaign_id")], order_by=F("id").desc()))
        .filter(row__lte=CAMPAIGN_THUMBNAILS)
        .select_related("generation")
        .with_renditions()
        .order_by("campaign_id", "-id")
    )
    by_campaign: dict[int, list[Image]] = {}
    for image in latest:
        by_campaign.setdefault(image.campaign_id, []).append(image)
    for campaign in campaigns:
        campaign.latest_images = by_campaign.get(campaign.pk, [])
    return campaigns


# --- Gallery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryFilters:
    """What the gallery's filter bar asks for; every field optional."""

    q: str = ""
    custom_model: int | None = None
    model_version: str = ""  # one of Firefly's own models (generations without a custom model)
    preset: str = ""
    favourite: bool = False
    status: str = ""
    requester: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    review: str = ""  # an Image.ReviewState value

    @property
    def active(self) -> bool:
        return any(
            [
                self.review,
                self.q,
                self.custom_model,
                self.model_version,
                self.preset,
                self.favourite,
                self.status,
                self.requester,
                self.date_from,
                self.date_to,
            ]
        )

    def generation_q(self, prefix: str = "", campaign_id: int | None = None) -> Q:
        """Conditions on the generation, for Generation (prefix "") or Image ("generation__");
        `campaign_id`, when the query is about one campaign, narrows the prompt search early."""
        cond = Q()
        if self.custom_model:
            cond &= Q(**{f"{prefix}custom_model_id": self.custom_model})
        if self.model_version:
            cond &= Q(
                **{
                    f"{prefix}custom_model__isnull": True,
                    f"{prefix}model_version": self.model_version,
                }
            )
        if self.status:
            cond &= Q(**{f"{prefix}status": self.status})
        if self.requester:
            cond &= Q(**{f"{prefix}requested_by_id": self.requester})
        if self.preset:
            outer = f"{prefix}pk" if prefix else "pk"
            cond &= Q(
                Exists(
                    GenerationPreset.objects.filter(
                        generation_id=OuterRef(outer), preset=self.preset
                    )
                )
            )
        if self.q:
            cond &= prompt_search(self.q, prefix, campaign_id)
        return cond


def prompt_search(text: str, prefix: str = "", campaign_id: int | None = None) -> Q:
    """Full-text prompt search (`generation.studio.search`): every word of `text`, or the start of a
    word, appears in the prompt, in any order. `prefix` "" for Generation, "generation__" for
    Image (then matched on `generation_id`, without a join)."""
    return search.prompt_matches(text, "generation_id" if prefix else "pk", campaign_id)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def date_q(filters: GalleryFilters) -> Q:
    """The filters' date range, on ``created_at`` (images and generations alike)."""
    cond = Q()
    if filters.date_from:
        cond &= Q(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        cond &= Q(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return cond


def gallery_images(campaign: Campaign, filters: GalleryFilters) -> QuerySet[Image]:
    qs = Image.objects.filter(campaign=campaign)
    if filters.favourite:
        qs = qs.filter(is_favourite=True)
    if filters.review:
        qs = qs.filter(review_state=filters.review)
    qs = qs.filter(filters.generation_q("generation__", campaign.pk)).filter(date_q(filters))
    return qs.select_related("generation", "generation__custom_model").with_renditions()


@dataclass
class FilterOptions:
    custom_models: list[tuple[int, str]]  # (id, display name), by name
    presets: list[str]
    requesters: list[User]
    base_models: list[str] = field(default_factory=list)  # Firefly model versions, by label


#: The filter bar's options are cached this long at most (a new member appears within it).
FILTER_OPTIONS_TTL = 60


def gallery_filter_options(campaign: Campaign) -> FilterOptions:
    """What the filter bar offers: only values this campaign has actually used.

    Three queries that read every generation of the campaign, so the result is cached for a
    minute, and forgotten as soon as a generation is added (`caches.forget_gallery_filter_options`,
    called by `generation_create`). Measured by `python -m bench gallery` (part 5).
    """
    options = cache.get(gallery_filter_options_key(campaign.pk))
    if options is None:
        options = _gallery_filter_options(campaign)
        cache.set(gallery_filter_options_key(campaign.pk), options, FILTER_OPTIONS_TTL)
    return options


def _gallery_filter_options(campaign: Campaign) -> FilterOptions:
    # Custom models and Firefly's own models (generations without a custom model): one query.
    used_models = (
        Generation.objects.filter(campaign=campaign)
        .order_by()
        .values_list("custom_model_id", "custom_model__display_name", "model_version")
        .distinct()
    )
    custom_models: set[tuple[int, str]] = set()
    base_models: set[str] = set()
    for custom_model_id, display_name, model_version in used_models:
        if custom_model_id is None:
            base_models.add(model_version)
        else:
            custom_models.add((custom_model_id, display_name))
    presets = list(
        GenerationPreset.objects.filter(generation__campaign=campaign)
        .order_by("preset")
        .values_list("preset", flat=True)
        .distinct()
    )
    members = CampaignMembership.objects.filter(campaign=campaign).values("user_id")
    requesters_used = Generation.objects.filter(campaign=campaign).values("requested_by_id")
    requesters = list(
        get_user_model()
        .objects.filter(Q(pk__in=members) | Q(pk__in=requesters_used))
        .order_by("username")
    )
    return FilterOptions(
        custom_models=sorted(custom_models, key=lambda model: (model[1].lower(), model[0])),
        presets=presets,
        requesters=requesters,
        base_models=sorted(base_models, key=lambda v: MODEL_VERSION_LABELS.get(v, v)),
    )


def _count_by(rows: QuerySet[Any], field: str, values: Iterable[str]) -> dict[str, int]:
    """Rows per value of `field` (every one of `values` present, zeros included): one grouped
    COUNT."""
    found = dict(rows.order_by().values_list(field).annotate(n=Count("pk")))
    return {value: found.get(value, 0) for value in values}


def generation_status_counts(campaign: Campaign) -> dict[str, int]:
    """Generations per status (every status present, zeros included)."""
    rows = Generation.objects.filter(campaign=campaign)
    return _count_by(rows, "status", Generation.Status.values)


# --- Image neighbours ---------------------------------------------------------------------


def image_neighbours(image: Image) -> tuple[int | None, int | None]:
    """``(newer, older)`` image ids in the same campaign, as the gallery orders them."""
    siblings = Image.objects.filter(campaign_id=image.campaign_id)
    newer = siblings.filter(id__gt=image.pk).order_by("id").values_list("id", flat=True).first()
    older = siblings.filter(id__lt=image.pk).order_by("-id").values_list("id", flat=True).first()
    return newer, older


def campaign_members(campaign: Campaign) -> QuerySet[CampaignMembership]:
    return (
        CampaignMembership.objects.filter(campaign=campaign)
        .select_related("user")
        .order_by("role", "user__username")
    )


def review_counts(campaign: Campaign) -> dict[str, int]:
    """Images per review state (every state present, zeros included)."""
    rows = Image.objects.filter(campaign=campaign)
    return _count_by(rows, "review_state", Image.ReviewState.values)


def generation_id_for_form(user: User, form_token: str) -> int | None:
    """The generation `user` started with the generation form carrying `form_token`."""
    return (
        Generation.objects.filter(requested_by=user, form_token=form_token)
        .values_list("pk", flat=True)
        .first()
    )
