"""Generations: the pipeline's jobs, read-only here except for Retry and Cancel."""

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import format_html
from django.utils.text import Truncator

from generation.admin.media import rendition_img
from generation.collab.review import image_delete
from generation.firefly.errors import FireflyError
from generation.models import Generation, Image, Rendition
from generation.params import FIELD_NAMES as GENERATION_PARAMETERS
from generation.pipeline.generations import generation_cancel, generation_retry

logger = logging.getLogger(__name__)

REQUEST_FIELDS = ("campaign", "requested_by", "retry_of", *GENERATION_PARAMETERS)
PIPELINE_FIELDS = (
    "progress",
    "firefly_job_id",
    "status_url",
    "cancel_url",
    "error_code",
    "error_message",
    "cancel_requested",
    "submit_attempts",
    "poll_count",
    "ingest_attempts",
    "redrive_count",
    "next_poll_at",
    "deadline_at",
)
TIMING_FIELDS = ("created_at", "submitted_at", "started_at", "finished_at", "updated_at")


def _failure_text(exc: Exception) -> str | None:
    """What to tell the admin about an expected failure; None for an unexpected one."""
    if isinstance(exc, FireflyError):
        return exc.user_message
    if isinstance(exc, ValidationError | PermissionDenied):
        # The services' own sentences ("still in progress; cancel it first", field errors).
        return " ".join(str(m) for m in getattr(exc, "messages", None) or [exc]) or None
    return None


def status_badge(generation: Generation) -> str:
    return format_html(
        '<span class="ff-badge ff-badge-{}">{}</span>',
        generation.status,
        generation.get_status_display(),
    )


class ImageInline(admin.TabularInline):
    model = Image
    fields = ("thumbnail", "index", "size", "seed", "is_favourite", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).with_renditions()

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Thumbnail")
    def thumbnail(self, obj):
        rendition = obj.rendition(Rendition.Spec.GRID)
        if rendition is None:
            return format_html('<span class="ff-muted">{}</span>', "No thumbnail")
        return rendition_img(rendition)

    @admin.display(description="Size")
    def size(self, obj):
        return f"{obj.width}×{obj.height}"


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "prompt_excerpt",
        "status_column",
        "campaign",
        "requested_by",
        "custom_model",
        "created_at",
    )
    list_display_links = ("id", "prompt_excerpt")
    list_filter = ("status", "content_class", "custom_model", "campaign")
    list_select_related = ("campaign", "requested_by", "custom_model")
    search_fields = ("prompt", "firefly_job_id")
    date_hierarchy = "created_at"
    readonly_fields = (*REQUEST_FIELDS, "status_column", *PIPELINE_FIELDS, *TIMING_FIELDS)
    fieldsets = (
        ("Request", {"fields": REQUEST_FIELDS}),
        ("Pipeline (read-only)", {"fields": ("status_column", *PIPELINE_FIELDS)}),
        ("Timing", {"fields": TIMING_FIELDS}),
    )
    inlines = (ImageInline,)
    actions = ("retry_generations", "cancel_generations")
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # generations are requested from a campaign page

    def has_delete_permission(self, request, obj=None):
        # Deleting a generation deletes its images: not when one of them is approved (locked).
        if obj is not None and obj.images.filter(review_state=Image.ReviewState.APPROVED).exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        locked = queryset.filter(images__review_state=Image.ReviewState.APPROVED).distinct()
        for generation in locked:
            self.message_user(
                request,
                f"Generation {generation.pk} has approved (locked) images, so it was kept.",
                messages.ERROR,
            )
        for generation in queryset.exclude(pk__in=locked.values("pk")).order_by("pk"):
            self.delete_model(request, generation)

    def delete_model(self, request, obj):
        """Its images go through the studio's `image_delete` (audited, their files removed from
        storage once this commits), then the generation itself."""
        try:
            with transaction.atomic():
                for image in obj.images.select_related("campaign").order_by("index"):
                    image_delete(image=image, user=request.user)
                obj.delete()
        except ValidationError:  # an image was approved since the page was shown
            self.message_user(
                request,
                f"Generation {obj.pk} has approved (locked) images, so it was kept.",
                messages.ERROR,
            )

    def render_change_form(self, request, context, *args, **kwargs):
        # Every field is read-only; keep only the delete link among the submit buttons.
        context.update(show_save=False, show_save_and_continue=False)
        context.update(show_save_and_add_another=False)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(description="Prompt", ordering="prompt")
    def prompt_excerpt(self, obj):
        return Truncator(obj.prompt).chars(80)

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        return status_badge(obj)

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description="Retry selected generations", permissions=["change"])
    def retry_generations(self, request, queryset):
        for generation in queryset.select_related("campaign", "custom_model").order_by("pk"):
            try:
                retry = generation_retry(generation=generation, user=request.user)
            except Exception as exc:
                self._report_failure(request, generation, "retried", exc)
                continue
            self.log_change(
                request, generation, f"Retried from the admin as generation {retry.pk}."
            )
            self.message_user(
                request,
                f"Generation {generation.pk}: retried as generation {retry.pk}.",
                messages.SUCCESS,
            )

    @admin.action(description="Cancel selected generations", permissions=["change"])
    def cancel_generations(self, request, queryset):
        for generation in queryset.select_related("campaign").order_by("pk"):
            if generation.is_terminal:
                status = generation.get_status_display().lower()
                self.message_user(
                    request,
                    f"Generation {generation.pk}: already {status}, nothing to cancel.",
                    messages.WARNING,
                )
                continue
            try:
                generation = generation_cancel(generation=generation, user=request.user)
            except Exception as exc:
                self._report_failure(request, generation, "cancelled", exc)
                continue
            status = generation.get_status_display().lower()
            if generation.status == Generation.Status.CANCELLED:
                text, level = f"Generation {generation.pk}: cancelled.", messages.SUCCESS
            elif generation.is_terminal:  # it finished while the cancel was on its way
                text = f"Generation {generation.pk}: already {status}, nothing to cancel."
                self.message_user(request, text, messages.WARNING)
                continue
            else:
                text = (
                    f"Generation {generation.pk}: cancel requested; it stops as soon as "
                    "Firefly confirms."
                )
                level = messages.SUCCESS
            self.log_change(request, generation, "Cancel requested from the admin.")
            self.message_user(request, text, level)

    def _report_failure(self, request, generation, verb, exc):
        reason = _failure_text(exc)
        if reason is None:
            logger.exception("Generation %s could not be %s from the admin", generation.pk, verb)
            reason = "an unexpected error; the server log has the details."
        self.message_user(
            request, f"Generation {generation.pk} could not be {verb}: {reason}", messages.ERROR
        )
