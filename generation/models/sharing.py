"""Read-only share links and ZIP exports of a campaign's images."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ShareLink(models.Model):
    """A no-login, read-only view of a campaign gallery or a selection of its images.

    Only the SHA-256 of the token is stored; the link itself is shown once, at creation.
    """

    class Scope(models.TextChoices):
        APPROVED = "approved", "Approved images only"
        ALL = "all", "All images (unapproved ones marked as drafts)"

    class Covers(models.TextChoices):
        CAMPAIGN = "campaign", "Whole campaign"
        SELECTION = "selection", "Selected images"

    campaign = models.ForeignKey(
        "generation.Campaign", on_delete=models.CASCADE, related_name="share_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8, help_text="The token's first characters.")
    label = models.CharField(max_length=120, blank=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.APPROVED)
    # What the link covers is fixed when it is made: a selection whose images are all deleted
    # shows nothing, never the whole campaign.
    covers = models.CharField(max_length=16, choices=Covers.choices, default=Covers.CAMPAIGN)
    images = models.ManyToManyField(
        "generation.Image", blank=True, related_name="+", help_text="The selection it covers."
    )
    allow_download = models.BooleanField(default=False)
    password = models.CharField(max_length=128, blank=True, help_text="A Django password hash.")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    view_count = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["campaign", "-id"], name="sharelink_campaign")]

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def has_password(self) -> bool:
        return bool(self.password)


class Export(models.Model):
    """A ZIP of a campaign's images (originals + manifest.json + manifest.csv), built by a task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    campaign = models.ForeignKey(
        "generation.Campaign", on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    description = models.CharField(max_length=300, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    image_ids = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", max_length=255, blank=True)
    bytes = models.BigIntegerField(default=0)
    error_message = models.TextField(blank=True)
    download_count = models.PositiveIntegerField(default=0)
    # The sweeper re-drives an export that shows no sign of life (generation/collab/export_sweep.py)
    touched_at = models.DateTimeField(
        default=timezone.now, help_text="Last sign of life: queued, re-sent, claimed or progress."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Builds started; a worker killed mid-build makes another."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["campaign", "-id"], name="export_campaign"),
            models.Index(fields=["status", "expires_at"], name="export_expiry"),
            models.Index(fields=["status", "touched_at"], name="export_liveness"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def progress(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def download_name(self) -> str:
        return f"{self.campaign.slug}-export-{self.pk}.zip"
