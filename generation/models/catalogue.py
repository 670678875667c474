from django.db import models


class CustomModelQuerySet(models.QuerySet):
    def selectable(self):
        """What the generation form offers: enabled by an admin and published at Firefly."""
        return self.filter(enabled=True, published_state=CustomModel.PublishedState.PUBLISHED)


class CustomModel(models.Model):
    """A Firefly custom model as this organisation sees it, synced from `GET /v3/custom-models`."""

    class TrainingMode(models.TextChoices):
        STYLE = "style", "Style"
        SUBJECT = "subject", "Subject"

    class PublishedState(models.TextChoices):
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        NEVER = "never", "Never published"

    # Firefly's fields
    asset_id = models.CharField("asset id", max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    asset_name = models.CharField(max_length=255, blank=True)
    training_mode = models.CharField(max_length=16, choices=TrainingMode.choices, blank=True)
    base_model_name = models.CharField(max_length=64, blank=True)
    base_model_version = models.CharField(max_length=32, blank=True)
    model_version = models.CharField(
        max_length=32,
        default="image3_custom",
        help_text="The x-model-version it is generated with (image3_custom or image4_custom).",
    )
    sample_prompt = models.TextField(blank=True)
    published_state = models.CharField(
        max_length=16, choices=PublishedState.choices, default=PublishedState.PUBLISHED
    )
    version = models.CharField(max_length=32, blank=True)
    concept_id = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    etag = models.CharField(max_length=255, blank=True)
    firefly_created_at = models.DateTimeField(null=True, blank=True)
    firefly_modified_at = models.DateTimeField(null=True, blank=True)
    # The admin's own fields
    enabled = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=100, help_text="Lower comes first in pickers.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(
        null=True, blank=True, help_text="Set when the last sync no longer saw this model."
    )

    objects = CustomModelQuerySet.as_manager()

    class Meta:
        ordering = ["position", "display_name"]
        indexes = [
            models.Index(
                fields=["enabled", "published_state", "position"], name="custommodel_pick"
            ),
            models.Index(fields=["training_mode"], name="custommodel_mode"),
            models.Index(fields=["base_model_name"], name="custommodel_base"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def base_model_label(self) -> str:
        return " ".join(filter(None, [self.base_model_name, self.base_model_version])) or "—"
