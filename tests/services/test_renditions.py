"""Checking outputs with Pillow and making the grid and preview copies."""

import io
import random
import warnings

import pytest
from PIL import Image, ImageDraw

from generation.pipeline.renditions import (
    GRID_MAX_BYTES,
    MAX_PIXELS,
    ImageRejected,
    inspect_image,
    process_image,
)


def photo(width, height, mode="RGB", fmt="JPEG", **options) -> bytes:
    """A noisy, photo-like picture (flat colours would make the JPEG sizes meaningless)."""
    rng = random.Random(width * height)
    picture = Image.effect_noise((width, height), 40).convert("RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x0, x1 = sorted(rng.randrange(width) for _ in range(2))
        y0, y1 = sorted(rng.randrange(height) for _ in range(2))
        draw.ellipse([x0, y0, x1, y1], fill=tuple(rng.randrange(256) for _ in range(3)))
    if mode != "RGB":
        picture = picture.convert(mode)
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def sizes(result):
    return {r.spec: (r.width, r.height) for r in result.renditions}


def test_a_square_jpeg_gets_a_512_preview_and_a_256_grid_thumbnail_as_small_jpegs():
    result = process_image(io.BytesIO(photo(2048, 2048, quality=90)))

    assert result.source.content_type == "image/jpeg"
    assert (result.source.width, result.source.height) == (2048, 2048)
    assert sizes(result) == {"preview": (512, 512), "grid": (256, 256)}
    by_spec = {r.spec: r for r in result.renditions}
    assert by_spec["grid"].bytes <= GRID_MAX_BYTES
    assert by_spec["preview"].bytes < 120 * 1024
    for rendition in result.renditions:
        with Image.open(io.BytesIO(rendition.content)) as picture:
            assert picture.format == "JPEG"
            assert picture.mode == "RGB"
            assert picture.size == (rendition.width, rendition.height)


def test_a_jpeg_is_decoded_once_at_reduced_scale_and_the_grid_made_from_the_preview(
    monkeypatch,
):
    from PIL import JpegImagePlugin

    drafts, resizes = [], []
    real_draft, real_resize = JpegImagePlugin.JpegImageFile.draft, Image.Image.resize

    def spy_draft(self, mode, size):
        drafts.append((mode, size))
        return real_draft(self, mode, size)

    def spy_resize(self, size, *args, **kwargs):
        resizes.append((self.size, size))
        return real_resize(self, size, *args, **kwargs)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy_draft)
    monkeypatch.setattr(Image.Image, "resize", spy_resize)

    process_image(io.BytesIO(photo(2048, 2048)))

    assert drafts == [("RGB", (1024, 1024))]  # ~27 ms for both sizes (performance notes §1)
    assert resizes == [((1024, 1024), (512, 512)), ((512, 512), (256, 256))]


@pytest.mark.parametrize(
    ("width", "height", "preview", "grid"),
    [
        (2688, 1512, (910, 512), (455, 256)),
        (1792, 2304, (398, 512), (199, 256)),
        (4000, 1000, (1024, 256), (512, 128)),
    ],
    ids=["landscape", "portrait", "panorama"],
)
def test_renditions_are_as_tall_as_their_spec_whatever_the_aspect_ratio(
    width, height, preview, grid
):
    """Gallery rows have one height: a 16:9 tile must be as sharp as a square one. Only a
    panorama, more than twice as wide as tall, is fitted by its width."""
    result = process_image(io.BytesIO(photo(width, height)))
    assert sizes(result) == {"preview": preview, "grid": grid}


def test_a_small_image_is_never_enlarged():
    result = process_image(io.BytesIO(photo(300, 200)))
    assert sizes(result) == {"preview": (300, 200), "grid": (300, 200)}


@pytest.mark.parametrize(
    ("mode", "fmt", "content_type"),
    [
        ("RGBA", "PNG", "image/png"),
        ("P", "PNG", "image/png"),
        ("RGB", "WEBP", "image/webp"),
        ("RGBA", "WEBP", "image/webp"),
        ("L", "JPEG", "image/jpeg"),
    ],
)
def test_png_webp_transparent_palette_and_grey_images_become_rgb_jpegs(mode, fmt, content_type):
    result = process_image(io.BytesIO(photo(1024, 1024, mode=mode, fmt=fmt)))

    assert result.source.content_type == content_type
    for rendition in result.renditions:
        with Image.open(io.BytesIO(rendition.content)) as picture:
            assert (picture.format, picture.mode) == ("JPEG", "RGB")


def test_transparent_areas_become_white_not_black():
    picture = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")

    result = process_image(io.BytesIO(buffer.getvalue()))

    with Image.open(io.BytesIO(result.renditions[0].content)) as thumb:
        assert min(thumb.getpixel((10, 10))) > 245


def test_exif_orientation_is_applied():
    picture = Image.new("RGB", (400, 200), "red")
    exif = picture.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)

    result = process_image(io.BytesIO(buffer.getvalue()))

    assert (result.source.width, result.source.height) == (200, 400)
    assert sizes(result) == {"preview": (200, 400), "grid": (128, 256)}


def test_a_path_works_as_well_as_a_stream(tmp_path):
    path = tmp_path / "output"
    path.write_bytes(photo(800, 600))
    assert sizes(process_image(path)) == {"preview": (683, 512), "grid": (341, 256)}
    assert inspect_image(path).content_type == "image/jpeg"


def bomb(width, height) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")  # a few KB on disk
    return buffer.getvalue()


@pytest.mark.parametrize(
    "size",
    [(5000, 5000), (9000, 9000)],
    ids=["warning-range", "error-range"],
)
def test_a_decompression_bomb_is_refused_before_decoding(size):
    assert size[0] * size[1] > MAX_PIXELS
    with pytest.raises(ImageRejected, match=r"too large|over the limit"):
        process_image(io.BytesIO(bomb(*size)))


def test_the_pixel_limit_and_warning_filter_do_not_leak_out_of_the_check():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageRejected):
        process_image(io.BytesIO(bomb(5000, 5000)))
    assert before == Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("still a warning", Image.DecompressionBombWarning, stacklevel=1)
    assert len(caught) == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\x00" * 100, b"GIF89a" + b"\x00" * 50],
    ids=["empty", "text", "broken-jpeg-header", "gif"],
)
def test_anything_that_is_not_a_jpeg_png_or_webp_image_is_refused(data):
    with pytest.raises(ImageRejected):
        process_image(io.BytesIO(data))


def test_a_truncated_jpeg_is_refused():
    data = photo(1024, 1024)
    with pytest.raises(ImageRejected):
        process_image(io.BytesIO(data[: len(data) // 2]))


def test_a_png_with_a_broken_checksum_is_refused():
    data = bytearray(photo(256, 256, fmt="PNG"))
    data[60] ^= 0xFF  # inside the first IDAT chunk
    with pytest.raises(ImageRejected):
        process_image(io.BytesIO(bytes(data)))
