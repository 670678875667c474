"""The resized copies the studio keeps of every image, and how tall each one is.

`Rendition.Spec` is this enumeration; it lives apart from the models so that the pipeline's image
code (and its benchmark, which runs without Django set up) can read the heights without loading
the app. Heights, not widths, because the gallery lays tiles out in rows of equal height: a 16:9
image gets as sharp a tile as a square one.
"""

from django.db import models


class RenditionSpec(models.TextChoices):
    """Each spec is (value, height in pixels, label)."""

    height: int  # set on each member by __new__ (an annotation, not a member)

    #: Gallery rows are at most a grid rendition tall (`--row-height` in static/css/app.css), so
    #: it is sharp on ordinary screens.
    GRID = "grid", 256, "Grid thumbnail"
    #: Twice as tall: the tiles' 2× `srcset` source, and the image page's picture.
    PREVIEW = "preview", 512, "Preview"

    def __new__(cls, value: str, height: int):
        member = str.__new__(cls, value)
        member._value_ = value
        member.height = height
        return member
