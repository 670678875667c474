"""Check downloaded outputs with Pillow and make the gallery's resized copies.

Each output is decoded once, at reduced scale where the format allows it (JPEG DCT scaling via
`draft`), shrunk to the preview size (box filter by whole factors, then LANCZOS for the rest),
and the grid thumbnail is made from the preview with LANCZOS, not from the original: about
20 ms of CPU per 2048² JPEG for both sizes instead of 50 ms naively (docs/benchmarks.md,
part 4). Each spec's height is on the spec (`RenditionSpec`, which is `Rendition.Spec`).
Orientation from EXIF is applied; PNG, WebP, palette and transparent images are flattened onto
white after resizing. Both copies are
baseline JPEG q85.

Images whose header claims more than `MAX_PIXELS` are refused before any pixel is decoded
(decompression bombs): `Image.MAX_IMAGE_PIXELS` and a `DecompressionBombWarning`-as-error filter
are applied around `Image.open` only, under a lock, because both are process-wide in Python 3.11.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from generation.rendition_specs import RenditionSpec

#: Largest accepted output: four times Firefly's 2048² (its biggest size is 2688×1536).
MAX_PIXELS = 2048 * 2048 * 4
#: The specs made, largest first: each is made from the one before it.
SPECS_LARGEST_FIRST = sorted(RenditionSpec, key=lambda spec: -spec.height)
#: A rendition is at most this many times as wide as it is tall (panoramas are fitted by width).
MAX_WIDTH_PER_HEIGHT = 2
JPEG_QUALITY = 85
#: `reducing_gap` from the decoded image to the preview. 1.0 lets Pillow shrink by whole factors
#: with a box filter first (the JPEG decoder already gave 1024² by DCT scaling, so 2048² → 512 is
#: one 2× box step); 2.0 would run LANCZOS over the 1024² image. Measured on 20 photo-like
#: 2048² JPEGs (`python -m bench renditions`): 2.0 costs ~15 ms more CPU per image (34 → ~20
#: ms for both sizes) for a preview that, once encoded at q85, differs by ~0.2 dB PSNR.
FIRST_STEP_REDUCING_GAP = 1.0
#: The grid loads dozens at a time; re-encode at lower quality if one is ever bigger.
GRID_MAX_BYTES = 40 * 1024
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_BACKGROUND = (255, 255, 255)
_open_lock = threading.Lock()


class ImageRejected(Exception):  # noqa: N818 (reads better at the call site than ...Error)
    """The file is not an image we accept (format, size, decompression bomb, corrupt data)."""

    user_message = "Adobe Firefly returned an image we could not read, so we didn't save it."


@dataclass(frozen=True)
class SourceInfo:
    """What the original is, as Pillow sees it (width/height after EXIF orientation)."""

    format: str
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class RenditionData:
    spec: str
    content: bytes
    width: int
    height: int

    @property
    def bytes(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class ProcessedImage:
    source: SourceInfo
    renditions: tuple[RenditionData, ...]


def _open(src: str | Path | BinaryIO) -> Image.Image:
    """`Image.open` with the pixel limit in force and the bomb warning raised as an error."""
    with _open_lock:
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                im = Image.open(src)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageRejected(f"Image is too large: {exc}") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ImageRejected(f"Not a readable image ({type(exc).__name__})") from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    if im.format not in FORMATS:
        im.close()
        raise ImageRejected(f"Unsupported image format {im.format!r}")
    if im.width < 1 or im.height < 1 or im.width * im.height > MAX_PIXELS:
        im.close()
        raise ImageRejected(f"Image is {im.width}×{im.height} pixels, over the limit")
    return im


def _fit(width: int, height: int, spec_height: int) -> tuple[int, int]:
    """The size `spec_height` tall (at most twice as wide), keeping the aspect ratio; never
    upscales."""
    scale = min(1.0, spec_height / height, spec_height * MAX_WIDTH_PER_HEIGHT / width)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def _encode(im: Image.Image, icc_profile: bytes | None, max_bytes: int | None = None) -> bytes:
    for quality in (JPEG_QUALITY, 75, 65, 50):
        buffer = io.BytesIO()
        options: dict[str, int | bytes] = {"quality": quality}
        if icc_profile:
            options["icc_profile"] = icc_profile
        im.save(buffer, "JPEG", **options)
        if max_bytes is None or buffer.tell() <= max_bytes:
            break
    return buffer.getvalue()


def inspect_image(src: str | Path | BinaryIO) -> SourceInfo:
    """Check the header and structure of an image without decoding its pixels.

    Width and height are as stored, before EXIF orientation.
    """
    im = _open(src)
    image_format = im.format or ""  # one of FORMATS: `_open` checked it
    try:
        info = SourceInfo(image_format, FORMATS[image_format], im.width, im.height)
        try:
            im.verify()  # structure and checksums; must come straight after open
        except Exception as exc:  # Pillow raises assorted errors for corrupt data
            raise ImageRejected(f"Corrupt image ({type(exc).__name__})") from None
        return info
    finally:
        im.close()


def _oriented_size(im: Image.Image) -> tuple[int, int]:
    orientation = im.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation in (5, 6, 7, 8):  # rotated by 90° or 270°
        return im.height, im.width
    return im.width, im.height


def process_image(src: str | Path | BinaryIO) -> ProcessedImage:
    """Verify `src` and make a rendition of every `RenditionSpec`, largest first, from one
    decode."""
    if hasattr(src, "read"):
        data = src.read()  # Pillow may close a stream it verified; keep our own bytes
        checked, im = inspect_image(io.BytesIO(data)), _open(io.BytesIO(data))
    else:
        checked, im = inspect_image(Path(src)), _open(Path(src))
    try:
        source = SourceInfo(checked.format, checked.content_type, *_oriented_size(im))
        icc_profile = im.info.get("icc_profile")
        largest = max(_fit(source.width, source.height, SPECS_LARGEST_FIRST[0].height))
        if im.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale, but never below twice the largest rendition
            # (either way round: the stored image may still need turning by its EXIF).
            im.draft("RGB", (largest * 2, largest * 2))
        try:
            im.load()
        except Exception as exc:  # truncated or corrupt pixel data
            raise ImageRejected(f"Corrupt image data ({type(exc).__name__})") from None
        working = im
        if working.mode not in ("RGB", "RGBA", "L", "LA"):
            # Palette and exotic modes can't be resized with LANCZOS; alpha is kept for now.
            working = working.convert("RGBA" if "transparency" in working.info else "RGB")
        if im.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            # Only then: exif_transpose copies the whole decoded image even when upright.
            working = ImageOps.exif_transpose(working)
        renditions = []
        for step, spec in enumerate(SPECS_LARGEST_FIRST):
            size = _fit(source.width, source.height, spec.height)
            if working.size != size:
                # The first step (from the decoded image to the preview) reduces by whole
                # factors with a box filter and finishes with LANCZOS; later steps are LANCZOS.
                gap = FIRST_STEP_REDUCING_GAP if step == 0 else 2.0
                working = working.resize(size, Image.Resampling.LANCZOS, reducing_gap=gap)
            rgb = _to_rgb(working)
            limit = GRID_MAX_BYTES if spec == RenditionSpec.GRID else None
            content = _encode(rgb, icc_profile, limit)
            renditions.append(RenditionData(spec.value, content, *rgb.size))
        return ProcessedImage(source, tuple(renditions))
    finally:
        im.close()
