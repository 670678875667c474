"""Read-side queries for the studio's pages: who may see what, and the gallery.

Every lookup that takes a user goes through :func:`visible_campaigns`, so a member of another
campaign gets the same 404 as for a row that does not exist. Query counts are bounded: lists
use ``select_related`` / ``Prefetch`` and never touch a relation per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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

GALLERY_PAGE_SIZE = 60
CAMPAIGN_THUMBNAILS = 4


# --- Visibility -------------------------------------------------------------------------------


def visible_campaigns(user) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user)


def campaign_for_user(user, slug: str) -> Campaign:
    campaign = visible_campaigns(user).select_related("default_custom_model").filter(slug=slug)
    found = campaign.first()
    if found is None:
        raise Http404("No such campaign.")
    return found


def can_edit_campaign(user, campaign: Campaign) -> bool:
    """Staff, and members of the campaign, may edit its settings."""
    if user.is_staff:
        return True
    return CampaignMembership.objects.filter(campaign=campaign, user=user).exists()


def generation_for_user(user, pk: int) -> Generation:
    found = (
        Generation.objects.filter(pk=pk, campaign__in=visible_campaigns(user))
        .select_related("campaign", "custom_model", "requested_by", "retry_of")
        .first()
    )
    if found is None:
        raise Http404("No such generation.")
    return found


def image_for_user(user, pk: int) -> Image:
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


def rendition_for_user(user, pk: int) -> Rendition:
    found = (
        Rendition.objects.filter(pk=pk, image__campaign__in=visible_campaigns(user))
        .select_related("image")
        .first()
    )
    if found is None:
        raise Http404("No such rendition.")
    return found


# --- Campaign list ----------------------------------------------------------------------------


def campaign_list(user, *, archived: bool = False) -> list[Campaign]:
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
    campaigns = list(
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
    """Full-text prompt search (`generation.search`): every word of `text`, or the start of a
    word, appears in the prompt, in any order. `prefix` "" for Generation, "generation__" for
    Image (then matched on `generation_id`, without a join)."""
    return search.prompt_matches(text, "generation_id" if prefix else "pk", campaign_id)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _date_q(filters: GalleryFilters) -> Q:
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
    qs = qs.filter(filters.generation_q("generation__", campaign.pk)).filter(_date_q(filters))
    return qs.select_related("generation", "generation__custom_model").with_renditions()


#: The columns a gallery tile shows (templates/generation/includes/tile.html and
#: `presenters.tile_data`): pages load only these, which saves a third of the time spent turning
#: 60 rows into objects. Reading any other field of these rows would cost one query per tile;
#: the bounded-query tests (tests/bench/test_gallery_queries.py) would catch that.
TILE_FIELDS = (
    "id",
    "generation_id",
    "campaign_id",
    "index",
    "width",
    "height",
    "is_favourite",
    "review_state",
    "content_type",
    "created_at",
    "generation__id",
    "generation__campaign_id",
    "generation__prompt",
    "generation__model_version",
    "generation__custom_model_id",
    "generation__custom_model__id",
    "generation__custom_model__display_name",
    "generation__custom_model__model_version",
)


@dataclass
class GalleryPage:
    images: list[Image]
    newer_than: int | None = None  # `after` for the "newer" link, when there are newer images
    older_than: int | None = None  # `before` for the "older" link, when there are older images
    is_first: bool = True
    extra: dict = field(default_factory=dict)
    # The stretch of time this page covers, so generations that ended without images appear
    # between the images made around them: from `window_from` (None: the beginning) up to the
    # creation of image `window_until_image` (None: now), that image being on a newer page.
    window_from: dt.datetime | None = None
    window_until_image: int | None = None


def gallery_page(
    campaign: Campaign,
    filters: GalleryFilters,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = GALLERY_PAGE_SIZE,
) -> GalleryPage:
    """One page of the gallery, newest first, by keyset on the image id (no OFFSET).

    ``before`` pages to older images, ``after`` back to newer ones. Two queries (images and
    their tile renditions) plus one ``exists`` when paging back.
    """
    qs = gallery_images(campaign, filters).only(*TILE_FIELDS)
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: size + 1])
        has_newer = len(rows) > size
        images = list(reversed(rows[:size]))
        has_older = bool(images) and qs.filter(id__lt=images[-1].pk).exists()
        return GalleryPage(
            images=images,
            newer_than=images[0].pk if has_newer and images else None,
            older_than=images[-1].pk if has_older else None,
            is_first=not has_newer,
            window_from=images[-1].created_at if has_older else None,
            window_until_image=rows[size].pk if has_newer else None,
        )
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: size + 1])
    images = rows[:size]
    has_older = len(rows) > size
    return GalleryPage(
        images=images,
        newer_than=images[0].pk if before is not None and images else None,
        older_than=images[-1].pk if has_older else None,
        is_first=before is None,
        window_from=images[-1].created_at if has_older else None,
        window_until_image=before,
    )


#: Generations that ended without images shown on one gallery page at most; the campaign's
#: generations list (`generation_list`) shows every one of them.
ENDED_TILES_PER_PAGE = GALLERY_PAGE_SIZE
ENDED_STATUSES = (Generation.Status.FAILED, Generation.Status.CANCELLED)


def ended_generations(
    campaign: Campaign,
    filters: GalleryFilters,
    page: GalleryPage,
    limit: int = ENDED_TILES_PER_PAGE,
) -> list[Generation]:
    """Failed and cancelled generations that belong on `page`, newest first, each with
    ``ended_at`` (when it failed or was cancelled): the ones that ended in the stretch of time
    the page's images cover. One query; at most `limit` + 1 rows, so a caller can tell that
    there were more."""
    statuses = [s for s in ENDED_STATUSES if not filters.status or s == filters.status]
    if not statuses or filters.favourite or filters.review:  # they have no favourite or review
        return []
    qs = (
        Generation.objects.filter(campaign=campaign, status__in=statuses)
        .filter(filters.generation_q(campaign_id=campaign.pk))
        .filter(_date_q(filters))
        .annotate(ended_at=Coalesce("finished_at", "created_at"))
    )
    if page.window_from is not None:
        qs = qs.filter(ended_at__gte=page.window_from)
    if page.window_until_image is not None:
        until = Image.objects.filter(pk=page.window_until_image).values("created_at")[:1]
        qs = qs.filter(ended_at__lt=Subquery(until))
    return list(
        qs.select_related("custom_model", "requested_by").order_by("-ended_at", "-id")[: limit + 1]
    )


def gallery_tiles(images: list[Image], ended: list[Generation]) -> list[tuple[str, object]]:
    """The page's tiles in time order: ``("image", image)`` and ``("ended", generation)``, each
    generation that ended without images placed among the images made around it."""
    tiles: list[tuple[str, object]] = []
    waiting = list(ended)
    for image in images:
        while waiting and waiting[0].ended_at > image.created_at:
            tiles.append(("ended", waiting.pop(0)))
        tiles.append(("image", image))
    tiles.extend(("ended", generation) for generation in waiting)
    return tiles


def active_generations(campaign: Campaign, filters: GalleryFilters | None = None):
    """Queued/running generations of a campaign with how many images they already have."""
    qs = Generation.objects.filter(campaign=campaign, status__in=Generation.ACTIVE_STATUSES)
    if filters is not None:
        if filters.favourite or filters.review:  # placeholders have no favourite or review
            return Generation.objects.none()
        qs = qs.filter(filters.generation_q(campaign_id=campaign.pk)).filter(_date_q(filters))
    return (
        qs.select_related("custom_model", "requested_by")
        .annotate(image_count=Count("images"))
        .order_by("-id")[:24]
    )


def recent_generations(campaign: Campaign, ids: list[int]):
    """Generations the live gallery is watching (some may have finished since)."""
    return (
        Generation.objects.filter(campaign=campaign, pk__in=ids[:48])
        .select_related("custom_model", "requested_by")
        .annotate(image_count=Count("images"))
    )


def images_since(
    campaign: Campaign, filters: GalleryFilters, since: int, limit: int = GALLERY_PAGE_SIZE
) -> list[Image]:
    """Images newer than ``since`` that match the filters, newest first."""
    images = gallery_images(campaign, filters).only(*TILE_FIELDS)
    return list(images.filter(id__gt=since).order_by("-id")[:limit])


@dataclass
class FilterOptions:
    custom_models: list[tuple[int, str]]  # (id, display name), by name
    presets: list[str]
    requesters: list
    base_models: list[str] = field(default_factory=list)  # Firefly model versions, by label


#: The filter bar's options are cached this long at most (a new member appears within it).
FILTER_OPTIONS_TTL = 60


def _filter_options_key(campaign_id: int) -> str:
    return f"gallery-filter-options:v2:{campaign_id}"  # v2: Firefly's own models too


def gallery_filter_options(campaign: Campaign) -> FilterOptions:
    """What the filter bar offers: only values this campaign has actually used.

    Three queries that read every generation of the campaign, so the result is cached for a
    minute, and forgotten as soon as a generation is added (`forget_gallery_filter_options`,
    called by `generation_create`). Measured by `python -m bench gallery` (part 5).
    """
    options = cache.get(_filter_options_key(campaign.pk))
    if options is None:
        options = _gallery_filter_options(campaign)
        cache.set(_filter_options_key(campaign.pk), options, FILTER_OPTIONS_TTL)
    return options


def forget_gallery_filter_options(campaign_id: int) -> None:
    cache.delete(_filter_options_key(campaign_id))


def _gallery_filter_options(campaign: Campaign) -> FilterOptions:
    # Custom models and Firefly's own models (generations without a custom model): one query.
    used_models = (
        Generation.objects.filter(campaign=campaign)
        .order_by()
        .values_list("custom_model_id", "custom_model__display_name", "model_version")
        .distinct()
    )
    custom_models, base_models = set(), set()
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


# --- The campaign's generations ---------------------------------------------------------------

GENERATION_LIST_PAGE_SIZE = 50
#: The generations list's status filter: a `Generation.Status` value, or every active one.
ACTIVE_FILTER = "active"


@dataclass
class GenerationListPage:
    generations: list[Generation]
    newer_than: int | None = None  # `after` for the "newer" link
    older_than: int | None = None  # `before` for the "older" link


def generation_list_page(
    campaign: Campaign,
    status: str = "",
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = GENERATION_LIST_PAGE_SIZE,
) -> GenerationListPage:
    """Every generation of a campaign, whatever became of it, newest first, by keyset on the
    id; each with ``image_count``. Two queries (one more when paging back to newer ones)."""
    qs = Generation.objects.filter(campaign=campaign)
    if status == ACTIVE_FILTER:
        qs = qs.filter(status__in=Generation.ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    rows_of = qs.select_related("custom_model", "requested_by").annotate(
        image_count=Count("images")
    )
    if after is not None:
        rows = list(rows_of.filter(id__gt=after).order_by("id")[: size + 1])
        generations = list(reversed(rows[:size]))
        has_older = bool(generations) and qs.filter(id__lt=generations[-1].pk).exists()
        return GenerationListPage(
            generations,
            newer_than=generations[0].pk if len(rows) > size else None,
            older_than=generations[-1].pk if has_older else None,
        )
    if before is not None:
        rows_of = rows_of.filter(id__lt=before)
    rows = list(rows_of.order_by("-id")[: size + 1])
    generations = rows[:size]
    return GenerationListPage(
        generations,
        newer_than=generations[0].pk if before is not None and generations else None,
        older_than=generations[-1].pk if len(rows) > size else None,
    )


def _count_by(rows, field: str, values) -> dict[str, int]:
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


def campaign_members(campaign: Campaign):
    return (
        CampaignMembership.objects.filter(campaign=campaign)
        .select_related("user")
        .order_by("role", "user__username")
    )


def review_counts(campaign: Campaign) -> dict[str, int]:
    """Images per review state (every state present, zeros included)."""
    rows = Image.objects.filter(campaign=campaign)
    return _count_by(rows, "review_state", Image.ReviewState.values)
