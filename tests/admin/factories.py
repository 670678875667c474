"""Rows for the admin tests, created directly (no pipeline), with tiny real image files."""

import hashlib
import io
import itertools

from django.core.files.base import ContentFile
from PIL import Image as PILImage

from generation.models import CustomModel, Generation, Image, Rendition

_asset_ids = itertools.count(1)


def jpeg_bytes(size=(8, 8), colour=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def make_custom_model(**fields) -> CustomModel:
    number = next(_asset_ids)
    defaults = {
        "asset_id": f"urn:aaid:sc:VA6C2:model-{number}",
        "display_name": f"Brand style {number}",
        "training_mode": CustomModel.TrainingMode.STYLE,
        "base_model_name": "clio_v2",
        "base_model_version": "2.0.0",
        "model_version": "image3_custom",
        "sample_prompt": "a sunny beach in brand colours",
    }
    return CustomModel.objects.create(**{**defaults, **fields})


def make_generation(campaign, **fields) -> Generation:
    defaults = {
        "prompt": "a lighthouse at dawn",
        "model_version": "image3_custom",
        "width": 2048,
        "height": 2048,
    }
    return Generation.objects.create(campaign=campaign, **{**defaults, **fields})


def make_image(generation, index=0, *, renditions=("grid", "preview")) -> Image:
    data = jpeg_bytes(colour=(index * 40 % 256, 90, 160))
    image = Image(
        generation=generation,
        campaign=generation.campaign,
        index=index,
        seed=1000 + index,
        content_type="image/jpeg",
        width=8,
        height=8,
        bytes=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
    )
    image.original.save("ignored.jpg", ContentFile(data), save=False)
    image.save()
    for spec in renditions:
        small = jpeg_bytes(size=(4, 4))
        rendition = Rendition(image=image, spec=spec, width=4, height=4, bytes=len(small))
        rendition.file.save("ignored.jpg", ContentFile(small), save=False)
        rendition.save()
    return image
