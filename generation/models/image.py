from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Prefetch

from generation.rendition_specs import RenditionSpec
from generation.routes import fast_reverse


def original_upload_to(instance: Image, filename: str) -> str:
    return instance.original_name()


def rendition_upload_to(instance: Rendition, filename: str) -> str:
    return instance.file_name()


EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


#: Where `with_renditions` leaves an image's renditions: a list, so a page of tiles asking for
#: them builds no queryset per lookup.
LOADED_RENDITIONS = "loaded_renditions"


class ImageQuerySet(models.QuerySet):
    def with_renditions(self) -> ImageQuerySet:
        """These images with their renditions, one query for all (see `Image.rendition`)."""
        return self.prefetch_related(
            Prefetch("renditions", queryset=Rendition.objects.all(), to_attr=LOADED_RENDITIONS)
        )


class Image(models.Model):
    """One output of a generation. Files are named from the row, never from user input."""

    class ReviewState(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    generation = models.ForeignKey(
        "generation.Generation", on_delete=models.CASCADE, related_name="images"
    )
    campaign = models.ForeignKey(
        "generation.Campaign", on_delete=models.CASCADE, related_name="images"
    )
    index = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField(null=True, blank=True)
    original = models.FileField(upload_to=original_upload_to, max_length=255)
    content_type = models.CharField(max_length=32, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the original file.")
    is_favourite = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Review and approval (see generation.collab.review); approved images are locked.
    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    review_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["generation", "index"], name="one_image_per_output")
        ]
        indexes = [
            models.Index(fields=["campaign", "-id"], name="image_campaign_recent"),
            models.Index(
                fields=["campaign", "is_favourite", "-id"], name="image_campaign_favourite"
            ),
            models.Index(fields=["campaign", "review_state", "-id"], name="image_campaign_review"),
        ]

    def __str__(self) -> str:
        # What an image is called on every page, message and email (`labels.image_name`).
        return f"Image {self.pk}"

    def get_absolute_url(self) -> str:
        return fast_reverse("image_detail", self.pk)  # a gallery page prints 60 of these

    def rendition(self, spec: str) -> Rendition | None:
        """The image's rendition for `spec` (a `Rendition.Spec`), or None while it has none.
        No query when loaded with `Image.objects.with_renditions()`; one otherwise."""
        loaded = self.__dict__.get(LOADED_RENDITIONS)
        for candidate in loaded if loaded is not None else self.renditions.all():
            if candidate.spec == spec:
                return candidate
        return None

    @property
    def is_locked(self) -> bool:
        """Approved images can't be deleted or changed (favourites may still be toggled)."""
        return self.review_state == self.ReviewState.APPROVED

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")

    def original_name(self) -> str:
        # Deterministic: re-ingesting the same output overwrites the same name.
        return (
            f"originals/c{self.campaign_id}/g{self.generation_id}/"
            f"{self.index}-{self.checksum[:12]}.{self.extension}"
        )

    def download_name(self) -> str:
        return f"{self.campaign.slug}-g{self.generation_id}-{self.index + 1}.{self.extension}"


class Rendition(models.Model):
    """A resized copy of an image for one spec ("grid", "preview"); one row per (image, spec)."""

    Spec = RenditionSpec  # each spec's height is on it: `Rendition.Spec.GRID.height`

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=16, choices=Spec.choices)
    file = models.FileField(upload_to=rendition_upload_to, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["image", "spec"], name="one_rendition_per_spec")
        ]

    def __str__(self) -> str:
        return f"{self.image} {self.spec}"

    def file_name(self) -> str:
        # The checksum in the name makes it immutable, so it can be cached for a year.
        image = self.image
        return (
            f"renditions/c{image.campaign_id}/g{image.generation_id}/"
            f"{image.index}-{image.checksum[:12]}-{self.spec}.jpg"
        )
