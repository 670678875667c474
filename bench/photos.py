"""Photo-like 2048×2048 test JPEGs, as in the performance notes §1.1 (Pillow only, seeded).

Flat colours compress to a few KB and decode in no time, which would flatter any pipeline. These
have what costs a JPEG decoder its time: multi-directional gradients, large soft shapes, sharp
lines, luminance and chroma noise and a mid-frequency texture, saved at quality 90 with 4:2:0
subsampling, baseline. They come out around 1.3–1.6 MB, like Firefly's photographic outputs.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SIZE = 2048


def _gradient(rng: random.Random) -> Image.Image:
    channels = []
    for _ in range(3):
        linear = Image.linear_gradient("L").rotate(rng.uniform(0, 360), Image.Resampling.BICUBIC)
        radial = Image.radial_gradient("L").transform(
            (256, 256),
            Image.Transform.AFFINE,
            (rng.uniform(0.5, 1.5), 0, rng.uniform(-64, 64), 0, rng.uniform(0.5, 1.5), 0),
        )
        mixed = Image.blend(linear, radial, rng.uniform(0.2, 0.8))
        low, high = sorted(rng.randint(0, 255) for _ in range(2))
        channels.append(mixed.point(lambda v, lo=low, hi=high: lo + (hi - lo) * v // 255))
    return Image.merge("RGB", channels).resize((SIZE, SIZE), Image.Resampling.BICUBIC)


def _colour(rng: random.Random, alpha: int | None = None) -> tuple[int, ...]:
    rgb = tuple(rng.randint(0, 255) for _ in range(3))
    return rgb if alpha is None else (*rgb, alpha)


def _noise(size: int, sigma: float) -> Image.Image:
    return Image.effect_noise((size, size), sigma)


def photo(seed: int) -> Image.Image:
    rng = random.Random(seed)
    im = _gradient(rng).convert("RGBA")
    shapes = Image.new("RGBA", im.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(40):
        x, y = rng.randint(-200, SIZE), rng.randint(-200, SIZE)
        w, h = rng.randint(60, 900), rng.randint(60, 900)
        kind = rng.choice(["ellipse", "rectangle", "polygon"])
        fill = _colour(rng, rng.randint(90, 230))
        if kind == "ellipse":
            draw.ellipse((x, y, x + w, y + h), fill=fill)
        elif kind == "rectangle":
            draw.rectangle((x, y, x + w, y + h), fill=fill)
        else:
            points = [(x + rng.randint(0, w), y + rng.randint(0, h)) for _ in range(5)]
            draw.polygon(points, fill=fill)
    im = Image.alpha_composite(im, shapes).convert("RGB")
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 4.0)))
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        points = [(rng.randint(0, SIZE), rng.randint(0, SIZE)) for _ in range(2)]
        draw.line(points, fill=_colour(rng), width=rng.randint(1, 4))
    # Luminance noise (same on every channel), chroma noise (per channel), then texture.
    sigma = 5 * rng.uniform(0.7, 1.4)
    luma = _noise(SIZE, sigma)
    im = ImageChops.add(im, Image.merge("RGB", [luma] * 3), scale=1.0, offset=-128)
    chroma = Image.merge("RGB", [_noise(SIZE, sigma / 3) for _ in range(3)])
    im = ImageChops.add(im, chroma, scale=1.0, offset=-128)
    texture = _noise(512, 64).resize((SIZE, SIZE), Image.Resampling.BICUBIC)
    texture = texture.point(lambda v: 128 + round((v - 128) * 0.25))
    return ImageChops.add(im, Image.merge("RGB", [texture] * 3), scale=1.0, offset=-128)


def jpeg_bytes(seed: int) -> bytes:
    buffer = io.BytesIO()
    photo(seed).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def ensure(folder: Path, count: int = 20) -> list[Path]:
    """`count` test photos in `folder` (made once, then reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        path = folder / f"photo-{seed:02d}.jpg"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(jpeg_bytes(seed))
            tmp.replace(path)
        paths.append(path)
    return paths
