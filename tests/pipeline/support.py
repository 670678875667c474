"""Helpers shared by the service and pipeline tests (no fixtures here)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from generation.models import CustomModel, Generation
from generation.pipeline.generations import generation_create
from generation.pipeline.poll import generation_poll

#: The emulator's seeded "Warm Custom Model" (base clio_v2 → image3_custom).
WARM_MODEL_ID = "urn:aaid:sc:VA6C2:bc1f46cd-be98-4a7b-9ffe-3c2a1e7d5b10"
#: The emulator's seeded "Brand Pastel Illustration" (base firefly_image4 → image4_custom).
PASTEL_MODEL_ID = "urn:aaid:sc:VA6C2:9d3c1a52-7e8f-4b06-b2d4-6a1f0e9c3b77"


def warm_model(**fields) -> CustomModel:
    defaults = {
        "display_name": "Warm Custom Model",
        "training_mode": CustomModel.TrainingMode.STYLE,
        "base_model_name": "clio_v2",
        "model_version": "image3_custom",
    }
    model, _ = CustomModel.objects.update_or_create(
        asset_id=WARM_MODEL_ID, defaults={**defaults, **fields}
    )
    return model


def create_generation(campaign, user, **overrides) -> Generation:
    """A small, valid request through `generation_create` (1024², two images, Image 3)."""
    params = {
        "prompt": "a lighthouse at dawn, spring colours",
        "model_version": "image3",
        "width": 1024,
        "height": 1024,
        "num_variations": 2,
        "style_presets": ("golden", "closeup"),
    }
    params.update(overrides)
    return generation_create(campaign=campaign, user=user, **params)


def poll_now(generation: Generation):
    """Run the poll service as if its countdown had just run out."""
    Generation.objects.filter(pk=generation.pk).update(next_poll_at=timezone.now())
    step = generation_poll(generation_id=generation.pk)
    generation.refresh_from_db()
    return step


def media_files() -> list[Path] | list[str]:
    """Every stored media file: paths under MEDIA_ROOT, or names in the bucket with S3 media."""
    if settings.AWS_STORAGE_BUCKET_NAME:
        return sorted(stored_names())
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored_names(folder: str = "") -> list[str]:
    """Every name in the media storage under `folder`, through the storage API."""
    from django.core.files.storage import default_storage

    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    prefix = f"{folder}/" if folder else ""
    names = [prefix + name for name in files]
    for sub in folders:
        names += stored_names(prefix + sub)
    return names
