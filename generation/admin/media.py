"""Links and thumbnails for stored images, shared by the admin pages.

Media files are never linked by their storage URL: originals and renditions are served through
the app's authorising media views, so the admin links there (staff may see every campaign).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from generation.models import CustomModel, Image, Rendition
from generation.studio import presenters

RECENT_OUTPUTS_PER_MODEL = 3


def rendition_url(rendition: Rendition) -> str | None:
    """The rendition's URL on the authorising media view, or None while no view serves it."""
    try:
        return presenters.rendition_url(rendition)
    except NoReverseMatch:
        return None


def original_url(image: Image) -> str | None:
    """The original's URL on the authorising media view, or None while no view serves it."""
    try:
        return presenters.original_url(image)
    except NoReverseMatch:
        return None


def rendition_img(rendition: Rendition, *, css_class: str = "ff-thumb", max_side: int = 48) -> str:
    """An <img> of a rendition (at most `max_side` pixels a side, in proportion), or a quiet
    placeholder while no media view serves it."""
    url = rendition_url(rendition)
    if url is None:
        return format_html('<span class="ff-nothumb">{}</span>', rendition.get_spec_display())
    scale = min(1.0, max_side / max(rendition.width, rendition.height, 1))
    return format_html(
        '<img src="{}" class="{}" width="{}" height="{}" alt="{}" loading="lazy">',
        url,
        css_class,
        max(1, round(rendition.width * scale)),
        max(1, round(rendition.height * scale)),
        f"Image {rendition.image_id} ({rendition.get_spec_display().lower()})",
    )


def thumbnail_strip(renditions: Iterable[Rendition]) -> str:
    """Renditions side by side, each linking to its image's admin page."""
    renditions = list(renditions)
    if not renditions:
        return format_html('<span class="ff-muted">{}</span>', "No outputs yet")
    return format_html(
        '<span class="ff-thumbs">{}</span>',
        format_html_join(
            "",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:generation_image_change", args=[r.image_id]), rendition_img(r))
                for r in renditions
            ),
        ),
    )


def recent_grid_renditions(model_ids: Iterable[int]) -> dict[int, list[Rendition]]:
    """The latest grid renditions of each custom model's outputs, in one query for all models."""
    model_ids = list(model_ids)
    found: dict[int, list[Rendition]] = defaultdict(list)
    if not model_ids:
        return found
    model_field = F("image__generation__custom_model_id")
    rows = (
        Rendition.objects.filter(
            spec=Rendition.Spec.GRID, image__generation__custom_model_id__in=model_ids
        )
        .annotate(
            for_model=model_field,
            rank=Window(RowNumber(), partition_by=[model_field], order_by=[F("image_id").desc()]),
        )
        .filter(rank__lte=RECENT_OUTPUTS_PER_MODEL)
        .order_by("for_model", "rank")
    )
    for rendition in rows:
        found[rendition.for_model].append(rendition)
    return found


def attach_recent_outputs(custom_models: Iterable[CustomModel]) -> None:
    """Set `recent_outputs` on each model (a list of grid renditions), in one query."""
    custom_models = list(custom_models)
    by_model = recent_grid_renditions(model.pk for model in custom_models)
    for model in custom_models:
        model.recent_outputs = by_model.get(model.pk, [])
