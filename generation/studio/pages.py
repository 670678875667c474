"""Keyset pages of a campaign: the gallery's (its images, newest first, with the generations
still running above them and those that ended without images among them) and the list of the
campaign's generations. The filters, and which campaigns a person sees, are `selectors`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce

from generation.models import Campaign, Generation, Image
from generation.studio.selectors import (
    GALLERY_PAGE_SIZE,
    GalleryFilters,
    date_q,
    gallery_images,
)

if TYPE_CHECKING:
    from django.db.models.query import QuerySet
    from django_stubs_ext import WithAnnotations


class _EndedAt(TypedDict):
    ended_at: dt.datetime


class _ImageCount(TypedDict):
    image_count: int


#: A failed or cancelled generation with when it ended (see :func:`ended_generations`).
EndedGeneration: TypeAlias = "WithAnnotations[Generation, _EndedAt]"
#: A generation with how many images it has (``image_count``).
CountedGeneration: TypeAlias = "WithAnnotations[Generation, _ImageCount]"

# --- The gallery ------------------------------------------------------------------------------

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
) -> list[EndedGeneration]:
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
        .filter(date_q(filters))
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


def gallery_tiles(images: list[Image], ended: list[EndedGeneration]) -> list[tuple[str, object]]:
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


def active_generations(
    campaign: Campaign, filters: GalleryFilters | None = None
) -> QuerySet[CountedGeneration]:
    """Queued/running generations of a campaign with how many images they already have."""
    qs = Generation.objects.filter(campaign=campaign, status__in=Generation.ACTIVE_STATUSES)
    if filters is not None:
        if filters.favourite or filters.review:  # placeholders have no favourite or review
            qs = qs.none()
        else:
            qs = qs.filter(filters.generation_q(campaign_id=campaign.pk)).filter(date_q(filters))
    return (
        qs.select_related("custom_model", "requested_by")
        .annotate(image_count=Count("images"))
        .order_by("-id")[:24]
    )


def recent_generations(campaign: Campaign, ids: list[int]) -> QuerySet[CountedGeneration]:
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


# --- The campaign's generations ---------------------------------------------------------------

GENERATION_LIST_PAGE_SIZE = 50
#: The generations list's status filter: a `Generation.Status` value, or every active one.
ACTIVE_FILTER = "active"


@dataclass
class GenerationListPage:
    generations: list[CountedGeneration]
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
