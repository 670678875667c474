"""Comments on images (with @mentions) and in-app notifications."""

from django.conf import settings
from django.db import models


class Comment(models.Model):
    """A remark on an image; review decisions with a comment are stored here too."""

    image = models.ForeignKey("generation.Image", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    decision = models.CharField(
        max_length=20, blank=True, help_text="The review state this comment came with, if any."
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["image", "created_at"], name="comment_by_image")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on image {self.image_id}"


class Notification(models.Model):
    """Something a person should know about: shown under the bell in the header."""

    class Kind(models.TextChoices):
        REVIEW_REQUESTED = "review_requested", "Review requested"
        REVIEW_DECIDED = "review_decided", "Review decided"
        MENTION = "mention", "Mention"
        COMMENT = "comment", "Comment"
        GENERATION_FAILED = "generation_failed", "Generation failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    campaign = models.ForeignKey(
        "generation.Campaign", null=True, on_delete=models.CASCADE, related_name="+"
    )
    image = models.ForeignKey(
        "generation.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.text
