from django.db import models

from generation.firefly.facts import CUSTOM_MODEL_VERSIONS, MODEL_VERSION_LABELS


def custom_model_version_choices() -> list[tuple[str, str]]:
    """The x-model-version values a custom model can be generated with, labelled."""
    return [(version, MODEL_VERSION_LABELS[version]) for version in CUSTOM_MODEL_VERSIONS]


class CustomModelQuerySet(models.QuerySet):
    def offerable(self):
        """Models the generation form could offer if enabled: published and still shared at
        Firefly, with a known model version (`CustomModel.not_offered_because`, in Python)."""
        return self.filter(
            published_state=CustomModel.PublishedState.PUBLISHED, missing_since__isnull=True
        ).exclude(model_version="")

    def usable(self):
        """The custom models a generation may use: offerable, and enabled by an admin. The one
        rule for the generation form's choices, the campaign's default, "generate again" and
        `generation_create`."""
        return self.offerable().filter(enabled=True)

    # The name before issue 11, kept so callers written against it still read the same rule.
    selectable = usable


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
        blank=True,
        choices=custom_model_version_choices,
        help_text="The x-model-version it is generated with: set from its base model, or by "
        "an admin for a base model the studio does not know. Empty: not known yet.",
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
    chosen_model_version = models.CharField(
        "model version",
        max_length=32,
        blank=True,
        choices=custom_model_version_choices,
        help_text="Firefly's base model for this custom model is new to the studio: pick the "
        "version Firefly generates it with. Until then it can't be enabled.",
    )
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

    def is_usable(self) -> bool:
        """Whether a generation may use this model now: `CustomModelQuerySet.usable`, asked of
        the database so the rule is written once."""
        return CustomModel.objects.usable().filter(pk=self.pk).exists()

    def not_offered_because(self) -> str:
        """Why the generation form can't offer this model whatever `enabled` says ("" when it
        can). The same rule as `CustomModelQuerySet.offerable`."""
        if self.missing_since is not None:
            return "no longer shared with this app at Firefly"
        if self.published_state == self.PublishedState.UNPUBLISHED:
            return "unpublished at Firefly"
        if self.published_state != self.PublishedState.PUBLISHED:
            return "not published at Firefly yet"
        if not self.model_version:
            return "its model version has not been picked"
        return ""

    @property
    def firefly_base_model(self) -> str:
        """Firefly's name and version of the base model ("clio_v2 2.0.0"); people read
        `labels.base_model_label` instead."""
        return " ".join(filter(None, [self.base_model_name, self.base_model_version])) or "—"
