"""What pages and JSON endpoints show about rows: URLs, labels and the live-status payload.

The JSON carries only our own URLs and fields a member may read: never Firefly job ids, status
or cancel URLs, nor anything from settings. ``StudioJSONEncoder`` also escapes ``<``, ``>`` and
``&`` so the body is inert even if someone pastes it into HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.urls import reverse

from generation import labels
from generation.firefly.facts import PRESETS_BY_ID
from generation.models import Generation, Image, Rendition
from generation.routes import fast_reverse
from generation.studio.files import file_token, stored_name


class StudioJSONEncoder(DjangoJSONEncoder):
    def encode(self, o):
        text = super().encode(o)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_response(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, encoder=StudioJSONEncoder)
    response["Cache-Control"] = "private, no-store"
    return response


def rendition_url(rendition: Rendition) -> str:
    return fast_reverse("rendition_file", rendition.pk, file_token(stored_name(rendition.file)))


def original_url(image: Image) -> str:
    return reverse(
        "image_original", kwargs={"pk": image.pk, "name": file_token(stored_name(image.original))}
    )


def download_url(image: Image) -> str:
    return reverse("image_download", kwargs={"pk": image.pk})


def preset_name(preset_id: str) -> str:
    preset = PRESETS_BY_ID.get(preset_id)
    return preset.name if preset else preset_id.replace("_", " ").capitalize()


def image_alt(image: Image) -> str:
    prompt = image.generation.prompt.strip()
    short = prompt if len(prompt) <= 140 else prompt[:139].rstrip() + "…"
    return f"{labels.image_name(image)}: {short}"


def tile_srcset(image: Image, url: Callable[[Rendition], str] = rendition_url) -> str:
    """A gallery tile's ``srcset``: the grid rendition at 1×, the preview at 2× (its height over
    the grid's; rows are at most a grid rendition tall, see generation.pipeline.renditions). ``url``
    gives a rendition's address (a share link serves them under its own)."""
    grid = image.rendition(Rendition.Spec.GRID)
    if grid is None:
        return ""
    sources = [f"{url(grid)} 1x"]
    preview = image.rendition(Rendition.Spec.PREVIEW)
    if preview is not None and preview.height > grid.height:
        sources.append(f"{url(preview)} {preview.height / grid.height:.3g}x")
    return ", ".join(sources)


def tile_data(image: Image) -> dict:
    """One gallery tile for the live JSON (the page's <template> turns it into markup)."""
    thumb = image.rendition(Rendition.Spec.GRID)
    return {
        "id": image.pk,
        "generation_id": image.generation_id,
        "url": image.get_absolute_url(),
        "alt": image_alt(image),
        "thumb": rendition_url(thumb) if thumb else None,
        "srcset": tile_srcset(image),
        "width": thumb.width if thumb else image.width,
        "height": thumb.height if thumb else image.height,
        "favourite": image.is_favourite,
        "prompt": image.generation.prompt,
        "caption": labels.model_label(image.generation),
    }


def generation_data(generation: Generation, images: list[Image] | None = None) -> dict:
    """A generation's live status; ``images`` (already loaded) adds their tiles."""
    data: dict[str, Any] = {
        "id": generation.pk,
        "url": generation.get_absolute_url(),
        "status": generation.status,
        "status_label": labels.status_label(generation.status),
        "is_active": generation.is_active,
        "retry_can_help": generation.retry_can_help,
        "progress": generation.progress,
        "error": labels.outcome_detail(generation),
        "error_title": labels.outcome_title(generation.status),
        "num_variations": generation.num_variations,
        "width": generation.width,  # the size asked for: placeholders take its shape
        "height": generation.height,
        "model": labels.model_label(generation),
        "prompt": generation.prompt,
        "retry_url": fast_reverse("generation_retry", generation.pk),
    }
    place = getattr(generation, "place_in_line", None)
    if place:
        data["place_in_line"] = place
        data["status_label"] = f"{data['status_label']} · {ordinal(place)} in line"
    if hasattr(generation, "image_count"):
        data["image_count"] = generation.image_count
    if images is not None:
        data["images"] = [tile_data(image) for image in images]
        data["image_count"] = len(images)
    data["announcement"] = labels.announcement(generation, data.get("image_count", 0))
    return data
