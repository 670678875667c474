"""Rows for tests, made directly (no Celery, no Firefly): custom models, generations with
preset rows, and images whose original and renditions are real little JPEGs made with Pillow.
The one factories module of the test suite."""

from __future__ import annotations

import hashlib
import io
import itertools

from django.core.files.base import ContentFile
from PIL import Image as PILImage

from generation.models import CustomModel, Generation, GenerationPreset, Image, Rendition

_counter = itertools.count(1)
_COLOURS = [(232, 93, 117), (80, 120, 220), (245, 180, 60), (60, 170, 140), (150, 90, 210)]


def jpeg_bytes(width: int, height: int, colour=(200, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def make_custom_model(name: str = "Brand Lifestyle", **extra) -> CustomModel:
    n = next(_counter)
    defaults = {
        "asset_id": f"urn:aaid:sc:VA6C2:model-{n}",
        "display_name": name,
        "training_mode": CustomModel.TrainingMode.STYLE,
        "base_model_name": "Firefly Image",
        "base_model_version": "3",
        "model_version": "image3_custom",
        "sample_prompt": "a sunlit kitchen with our signature teal kettle",
    }
    defaults.update(extra)
    return CustomModel.objects.create(**defaults)


def make_generation(
    campaign, user=None, *, presets=(), status=Generation.Status.SUCCEEDED, **extra
):
    defaults = {
        "prompt": "a bright spring picnic on a hill",
        "model_version": "image4_standard",
        "width": 2048,
        "height": 2048,
        "num_variations": 2,
        "style_presets": list(presets),
        "status": status,
        "progress": 100 if status == Generation.Status.SUCCEEDED else 0,
    }
    if extra.get("custom_model") is not None:
        defaults["model_version"] = extra["custom_model"].model_version
    defaults.update(extra)
    generation = Generation.objects.create(campaign=campaign, requested_by=user, **defaults)
    GenerationPreset.objects.bulk_create(
        GenerationPreset(generation=generation, preset=p) for p in presets
    )
    return generation


def make_image(
    generation,
    index: int = 0,
    *,
    seed: int | None = 1234,
    files: bool = True,
    renditions=("grid", "preview"),
    **extra,
):
    """An image of `generation` with the `renditions` named (real files when `files`)."""
    colour = _COLOURS[(generation.pk + index) % len(_COLOURS)]
    content = jpeg_bytes(64, 64, colour) if files else b""
    checksum = hashlib.sha256(content + f"{generation.pk}/{index}".encode()).hexdigest()
    fields = {
        "content_type": "image/jpeg",
        "width": generation.width,
        "height": generation.height,
        "bytes": len(content) or 1000,
        "checksum": checksum,
        **extra,
    }
    image = Image(
        generation=generation,
        campaign_id=generation.campaign_id,
        index=index,
        seed=seed,
        **fields,
    )
    if files:
        image.original.save("original.jpg", ContentFile(content), save=False)
    else:
        image.original.name = image.original_name()
    image.save()
    for spec, size in (("grid", 256), ("preview", 512)):
        if spec not in renditions:
            continue
        rendition = Rendition(image=image, spec=spec, width=size, height=size, bytes=1)
        if files:
            data = jpeg_bytes(16, 16, colour)
            rendition.bytes = len(data)
            rendition.file.save("r.jpg", ContentFile(data), save=False)
        else:
            rendition.file.name = rendition.file_name()
        rendition.save()
    return image


def make_images(generation, count: int, *, files: bool = False) -> list[Image]:
    return [make_image(generation, i, seed=1000 + i, files=files) for i in range(count)]
