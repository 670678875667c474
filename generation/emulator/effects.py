"""How each style preset marks the (small, pre-upscale) picture: colour, texture or layout.

Well-known presets get a hand-picked look (``bw`` is grey, ``halftone`` is dotted, ``pixel_art``
is blocky); the rest get their group's look with parameters drawn from the preset id, so every
preset changes the picture differently and always the same way.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections.abc import Callable
from random import Random
from typing import cast

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from .presets import PRESET_GROUP

RGB = tuple[int, int, int]
Effect = Callable[[Image.Image, Random], Image.Image]


def stable_random(*parts: object) -> Random:
    """A Random seeded from the parts' text (unlike ``hash()``, the same in every process)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return Random(int.from_bytes(digest[:8], "big"))


def hsv(hue: float, saturation: float, value: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


# --- building blocks (all cheap at 256 px) ----------------------------------------------------


def tint(color: RGB, amount: float) -> Effect:
    return lambda im, rng: Image.blend(im, Image.new("RGB", im.size, color), amount)


def colorize(dark: RGB, light: RGB) -> Effect:
    return lambda im, rng: ImageOps.colorize(ImageOps.grayscale(im), dark, light)


def enhance(kind: type, factor: float) -> Effect:
    return lambda im, rng: kind(im).enhance(factor)


def blur(radius: float) -> Effect:
    return lambda im, rng: im.filter(ImageFilter.GaussianBlur(radius))


def posterize(bits: int) -> Effect:
    return lambda im, rng: ImageOps.posterize(im, bits)


def pixelate(cells: int) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        small = im.resize((cells, max(1, cells * im.height // im.width)), Image.Resampling.BOX)
        return small.resize(im.size, Image.Resampling.NEAREST)

    return apply


def lines(invert: bool = True) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        edges = ImageOps.grayscale(im).filter(ImageFilter.FIND_EDGES)
        edges = ImageOps.autocontrast(edges)
        return ImageOps.invert(edges).convert("RGB") if invert else edges.convert("RGB")

    return apply


def noise(amount: float) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        grain = Image.frombytes("L", im.size, rng.randbytes(im.width * im.height))
        return Image.blend(im, grain.convert("RGB"), amount)

    return apply


def dots(spacing: int, color: RGB | None = None) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        out = im.copy()
        draw = ImageDraw.Draw(out)
        for y in range(spacing // 2, im.height, spacing):
            for x in range(spacing // 2, im.width, spacing):
                r = max(1, spacing // 3)
                pixel = cast(tuple[int, ...], im.getpixel((x, y)))
                fill = color or tuple(255 - c for c in pixel)
                draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        return out

    return apply


def stripes(spacing: int, width: int, color: RGB, vertical: bool = False) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        out = im.copy()
        draw = ImageDraw.Draw(out)
        extent = im.width if vertical else im.height
        for pos in range(0, extent, spacing):
            box = (pos, 0, pos + width, im.height) if vertical else (0, pos, im.width, pos + width)
            draw.rectangle(box, fill=color)
        return out

    return apply


def glitch(bands: int) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        out = im.copy()
        for _ in range(bands):
            top = rng.randrange(im.height)
            band = im.crop((0, top, im.width, min(im.height, top + rng.randint(2, 10))))
            out.paste(ImageChops.offset(band, rng.randint(-40, 40), 0), (0, top))
        red, green, blue = out.split()
        return Image.merge("RGB", (ImageChops.offset(red, 3, 0), green, blue))

    return apply


def glow(color: RGB, strength: float, inverted: bool = False) -> Effect:
    """A radial light (or, inverted, a vignette) of ``color``."""

    def apply(im: Image.Image, rng: Random) -> Image.Image:
        mask = Image.radial_gradient("L").resize(im.size)
        mask = mask if inverted else ImageOps.invert(mask)
        mask = mask.point(lambda v: int(v * strength))
        return Image.composite(Image.new("RGB", im.size, color), im, mask)

    return apply


def window_frame(color: RGB) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        out = im.copy()
        draw = ImageDraw.Draw(out)
        bar = max(3, im.width // 40)
        draw.rectangle((0, 0, im.width - 1, im.height - 1), outline=color, width=bar * 2)
        draw.rectangle(
            (im.width // 2 - bar // 2, 0, im.width // 2 + bar // 2, im.height), fill=color
        )
        draw.rectangle(
            (0, im.height // 2 - bar // 2, im.width, im.height // 2 + bar // 2), fill=color
        )
        return out

    return apply


def chain(*effects: Effect) -> Effect:
    def apply(im: Image.Image, rng: Random) -> Image.Image:
        for effect in effects:
            im = effect(im, rng)
        return im

    return apply


# --- the presets ------------------------------------------------------------------------------

_WHITE, _BLACK = (255, 255, 255), (0, 0, 0)
_SEPIA = colorize((45, 30, 15), (240, 220, 180))

LOOKS: dict[str, Effect] = {
    "bw": colorize(_BLACK, _WHITE),
    "cool_colors": tint((40, 110, 220), 0.35),
    "golden": tint((230, 170, 40), 0.4),
    "monochromatic": colorize((20, 40, 70), (170, 210, 250)),
    "muted_color": enhance(ImageEnhance.Color, 0.35),
    "pastel_color": chain(enhance(ImageEnhance.Color, 0.5), tint(_WHITE, 0.4)),
    "toned_image": _SEPIA,
    "vibrant_colors": chain(enhance(ImageEnhance.Color, 2.2), enhance(ImageEnhance.Contrast, 1.3)),
    "warm_tone": tint((240, 120, 40), 0.3),
    "antique_photo": chain(_SEPIA, noise(0.15), glow(_BLACK, 0.6, inverted=True)),
    "faded_image": chain(enhance(ImageEnhance.Contrast, 0.5), tint(_WHITE, 0.3)),
    "grainy_film": noise(0.3),
    "daguerreotype": chain(colorize((30, 30, 25), (220, 215, 200)), noise(0.2)),
    "dark": enhance(ImageEnhance.Brightness, 0.45),
    "low_lighting": chain(enhance(ImageEnhance.Brightness, 0.55), glow((255, 200, 120), 0.4)),
    "film_noir": chain(colorize(_BLACK, _WHITE), enhance(ImageEnhance.Contrast, 1.8)),
    "chiaroscuro": chain(enhance(ImageEnhance.Contrast, 2.0), glow(_BLACK, 0.8, inverted=True)),
    "misty": chain(blur(4), tint((225, 230, 235), 0.45)),
    "neon": chain(
        enhance(ImageEnhance.Brightness, 0.3), lines(invert=False), tint((255, 0, 200), 0.3)
    ),
    "ultraviolet": tint((120, 0, 220), 0.45),
    "underwater": chain(tint((0, 110, 160), 0.45), stripes(18, 2, (120, 220, 255))),
    "bokeh": chain(blur(6), dots(28)),
    "shallow_depth_of_field": blur(3),
    "macrophotography": blur(2),
    "backlighting": glow((255, 245, 220), 0.9),
    "golden_hour": chain(tint((250, 160, 60), 0.3), glow((255, 210, 120), 0.6)),
    "harsh_light": enhance(ImageEnhance.Contrast, 2.2),
    "studio_light": chain(glow(_WHITE, 0.5), enhance(ImageEnhance.Contrast, 1.2)),
    "photographed_through_window": window_frame((60, 50, 40)),
    "fisheye": glow(_BLACK, 0.9, inverted=True),
    "halftone": dots(8, _BLACK),
    "polka": dots(20, _WHITE),
    "pointillism": dots(6),
    "stippling_drawing": chain(colorize(_BLACK, _WHITE), dots(5, _BLACK)),
    "pixel_art": chain(pixelate(32), posterize(3)),
    "pattern_pixel": pixelate(24),
    "low_poly": pixelate(14),
    "line_drawing": lines(),
    "sketch": chain(lines(), noise(0.1)),
    "ink": chain(lines(), enhance(ImageEnhance.Contrast, 2.5)),
    "charcoal": chain(lines(), blur(1), noise(0.2)),
    "wireframe": chain(lines(invert=False), tint((0, 255, 120), 0.3)),
    "bold_lines": chain(posterize(2), lines()),
    "doodle_drawing": chain(lines(), tint((255, 250, 230), 0.2)),
    "scribble_texture": chain(stripes(6, 1, (40, 40, 40)), noise(0.1)),
    "watercolor": chain(blur(3), enhance(ImageEnhance.Color, 0.8), tint(_WHITE, 0.2)),
    "impressionism": chain(blur(2), noise(0.12)),
    "oil_paint": chain(posterize(4), blur(1)),
    "painting": chain(posterize(4), blur(1.5)),
    "pop_art": chain(posterize(2), enhance(ImageEnhance.Color, 2.5)),
    "comic_book": chain(posterize(2), dots(10, _BLACK)),
    "flat_design": posterize(2),
    "vector_look": posterize(3),
    "graphic": chain(posterize(2), enhance(ImageEnhance.Contrast, 1.5)),
    "glitch_art": glitch(14),
    "glitch_graphic": chain(posterize(3), glitch(10)),
    "cyberpunk": chain(tint((200, 0, 255), 0.3), glitch(6), stripes(4, 1, (0, 0, 0))),
    "synthwave": chain(tint((255, 40, 160), 0.3), stripes(16, 1, (0, 255, 255))),
    "vaporwave": chain(tint((255, 120, 220), 0.35), stripes(12, 1, (120, 255, 255), True)),
    "fabric": chain(stripes(4, 1, (0, 0, 0)), stripes(4, 1, (255, 255, 255), True), noise(0.1)),
    "yarn": chain(stripes(5, 2, (250, 240, 230), True), noise(0.15)),
    "fur": chain(noise(0.35), blur(1)),
    "geometric_pen": stripes(10, 1, (20, 20, 20)),
    "guilloche_patterns": chain(
        stripes(7, 1, (230, 200, 120)), stripes(9, 1, (230, 200, 120), True)
    ),
}

_GROUP_LOOKS: dict[str, Callable[[Random], Effect]] = {
    "Color and tone": lambda r: tint(hsv(r.random(), 0.7, 0.9), 0.35),
    "Composition": lambda r: glow(hsv(r.random(), 0.3, 1.0), 0.4),
    "Themes": lambda r: chain(tint(hsv(r.random(), 0.6, 0.9), 0.25), dots(r.randint(14, 30))),
    "Effects": lambda r: chain(tint(hsv(r.random(), 0.8, 0.9), 0.3), noise(0.15)),
    "Lighting": lambda r: glow(hsv(r.random(), 0.5, 1.0), 0.7),
    "Materials": lambda r: chain(
        stripes(r.randint(4, 12), 1, hsv(r.random(), 0.4, 0.5)), noise(0.2)
    ),
    "Movements": lambda r: chain(posterize(r.randint(2, 4)), tint(hsv(r.random(), 0.7, 0.8), 0.2)),
    "Techniques": lambda r: chain(blur(r.choice((1, 2))), posterize(r.randint(3, 5))),
    "Concepts": lambda r: chain(
        enhance(ImageEnhance.Color, r.uniform(1.2, 2.0)),
        stripes(r.randint(8, 24), 2, hsv(r.random(), 0.8, 0.9), r.random() < 0.5),
    ),
    "Content type": lambda r: posterize(3),
}


def look_for(preset: str) -> Effect:
    """The look of ``preset`` (hand-picked, or its group's with parameters from the id)."""
    if preset in LOOKS:
        return LOOKS[preset]
    return _GROUP_LOOKS[PRESET_GROUP[preset]](stable_random("look", preset))


#: Presets that change the layout rather than the surface.
LAYOUTS: dict[str, float | str] = {
    "closeup": 1.8,
    "macrophotography": 2.0,
    "wide_angle": 0.55,
    "landscape_photography": 0.6,
    "knolling": "grid",
    "shot_from_above": "grid",
    "isometric": "grid",
    "minimalism": 0.4,
    "maximalism": 1.3,
}
