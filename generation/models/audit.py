"""An append-only record of who did what and when."""

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing someone (or the system, `actor` empty) did. Rows are never changed or deleted
    by the app: `save()` refuses an existing row, `delete()` always refuses."""

    class Action(models.TextChoices):
        GENERATION_REQUESTED = "generation.requested", "Generation requested"
        GENERATION_CANCELLED = "generation.cancelled", "Generation cancelled"
        GENERATION_RETRIED = "generation.retried", "Generation retried"
        REVIEW_REQUESTED = "review.requested", "Review requested"
        REVIEW_APPROVED = "review.approved", "Image approved"
        REVIEW_CHANGES_REQUESTED = "review.changes_requested", "Changes requested"
        REVIEW_REJECTED = "review.rejected", "Image rejected"
        IMAGE_DELETED = "image.deleted", "Image deleted"
        MEMBER_ROLE_CHANGED = "member.role_changed", "Member role changed"
        CAMPAIGN_CREATED = "campaign.created", "Campaign created"
        CAMPAIGN_UPDATED = "campaign.updated", "Campaign settings changed"
        SHARE_CREATED = "share.created", "Share link created"
        SHARE_VIEWED = "share.viewed", "Share link viewed"
        SHARE_REVOKED = "share.revoked", "Share link revoked"
        EXPORT_CREATED = "export.created", "Export created"
        EXPORT_DOWNLOADED = "export.downloaded", "Export downloaded"
        MODEL_ENABLED = "custom_model.enabled", "Custom model enabled"
        MODEL_DISABLED = "custom_model.disabled", "Custom model disabled"
        MODEL_VERSION_CHOSEN = "custom_model.version_chosen", "Custom model version chosen"
        MODEL_SYNCED = "custom_model.synced", "Custom models synced"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text="Kept when the account is deleted."
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    campaign = models.ForeignKey(
        "generation.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["campaign", "-id"], name="audit_campaign_recent"),
            models.Index(fields=["action", "-id"], name="audit_action_recent"),
            models.Index(fields=["actor", "-id"], name="audit_actor_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")
