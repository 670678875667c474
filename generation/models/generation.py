from django.conf import settings
from django.db import models
from django.urls import reverse


class Generation(models.Model):
    """One request to Firefly: the job, from the form to its last image.

    The row is the source of truth for the job; Celery messages only carry its id. Status moves
    forward with conditional updates (see `generation/pipeline/submit.py` and `poll.py`), so a
    redelivered task is a no-op.
    """

    class Status(models.TextChoices):
        # The labels are what people read everywhere (pills, filters, the admin, live updates).
        QUEUED = "queued", "Queued"
        SUBMITTED = "submitted", "Starting"
        RUNNING = "running", "Generating"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.SUBMITTED, Status.RUNNING)
    TERMINAL_STATUSES = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
    #: `error_code`s (`generation.pipeline.outcomes.Failure`) for which Firefly refused this very
    #: request: sent again unchanged, it is refused again, so Retry is not offered.
    REFUSED_AS_ASKED = frozenset({"content_policy", "invalid_request"})

    class ContentClass(models.TextChoices):
        PHOTO = "photo", "Photo"
        ART = "art", "Art"

    campaign = models.ForeignKey(
        "generation.Campaign", on_delete=models.CASCADE, related_name="generations"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="generations"
    )
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    # What was asked for
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    custom_model = models.ForeignKey(
        "generation.CustomModel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="generations",
    )
    model_version = models.CharField(max_length=32)
    style_presets = models.JSONField(default=list, blank=True)
    style_strength = models.PositiveSmallIntegerField(null=True, blank=True)
    content_class = models.CharField(max_length=8, choices=ContentClass.choices, blank=True)
    visual_intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    num_variations = models.PositiveSmallIntegerField(default=1)
    seeds = models.JSONField(default=list, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    # Where it is
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When Firefly last reported `progress`; two readings predict the job's end.",
    )
    firefly_job_id = models.CharField(max_length=255, blank=True)
    status_url = models.CharField(max_length=2048, blank=True)
    cancel_url = models.CharField(max_length=2048, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True, help_text="Shown to the user as is.")
    cancel_requested = models.BooleanField(default=False)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    poll_count = models.PositiveIntegerField(default=0)
    ingest_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How often saving the finished job's images was tried."
    )
    redrive_count = models.PositiveSmallIntegerField(
        default=0, help_text="How often the sweeper re-enqueued this job."
    )
    next_poll_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the next step (submit or status poll) is due; the sweeper re-drives "
        "generations left overdue.",
    )
    deadline_at = models.DateTimeField(null=True, blank=True)
    # When
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The form's one-time token: a second POST of the same form (a double click, ten tabs) hits
    # the unique constraint instead of paying for another generation, in every mode.
    form_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "form_token"],
                condition=~models.Q(form_token=""),
                name="one_generation_per_form",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "-id"], name="generation_campaign_recent"),
            models.Index(fields=["campaign", "status", "-id"], name="generation_campaign_status"),
            models.Index(fields=["status", "next_poll_at"], name="generation_due"),
            models.Index(fields=["requested_by", "-id"], name="generation_requester"),
            models.Index(fields=["firefly_job_id"], name="generation_job_id"),
        ]

    def __str__(self) -> str:
        return f"Generation {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("generation_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL_STATUSES

    @property
    def retry_can_help(self) -> bool:
        """Whether Retry (the same request, sent again as a new generation) can end better.

        Only after a failure or a cancel, and not when Firefly refused the request itself
        (content policy, invalid settings): then the prompt or settings must change first.
        """
        return (
            self.status in (self.Status.FAILED, self.Status.CANCELLED)
            and self.error_code not in self.REFUSED_AS_ASKED
        )


class GenerationPreset(models.Model):
    """One style preset used by a generation: a row each, so the gallery can filter by preset
    with an index on every database (SQLite has no JSON `contains`)."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="preset_rows")
    preset = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["generation", "preset"], name="one_row_per_preset")
        ]
        indexes = [models.Index(fields=["preset", "generation"], name="generationpreset_by_preset")]

    def __str__(self) -> str:
        return self.preset
