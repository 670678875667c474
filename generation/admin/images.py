"""Stored outputs and their renditions. Files are written by the pipeline, so read-only here."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from generation.admin.media import original_url, rendition_img, rendition_url
from generation.collab.review import image_delete
from generation.labels import image_name
from generation.models import Image, Rendition
from generation.pipeline.generations import image_set_favourite

REVIEW_FIELDS = (
    "review_state",
    "review_requested_by",
    "review_requested_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
)
LOCKED_MESSAGE = (
    "{name} is approved and therefore locked: it can't be deleted. "
    "Use it as a starting point for a new generation instead."
)
FILE_FIELDS = (
    "original_file",
    "content_type",
    "width",
    "height",
    "bytes",
    "checksum",
)


class RenditionInline(admin.TabularInline):
    model = Rendition
    fields = ("preview", "spec", "width", "height", "file_size", "file_name")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Preview")
    def preview(self, obj):
        return rendition_img(obj, css_class="ff-preview", max_side=320)

    @admin.display(description="Size on disk")
    def file_size(self, obj):
        return filesizeformat(obj.bytes)

    @admin.display(description="File")
    def file_name(self, obj):
        url = rendition_url(obj)
        if url is None:
            return obj.file.name
        return format_html('<a href="{}">{}</a>', url, obj.file.name)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "__str__",
        "campaign",
        "generation_link",
        "is_favourite",
        "size",
        "file_size",
        "created_at",
    )
    list_display_links = ("thumbnail", "__str__")
    list_filter = ("review_state", "is_favourite", "content_type", "campaign")
    list_select_related = ("campaign", "generation")
    search_fields = ("generation__prompt", "checksum")
    date_hierarchy = "created_at"
    readonly_fields = (
        "campaign",
        "generation",
        "index",
        "seed",
        *FILE_FIELDS,
        "created_at",
        *REVIEW_FIELDS,
    )
    fieldsets = (
        (None, {"fields": ("campaign", "generation", "index", "seed", "is_favourite")}),
        ("File (read-only)", {"fields": FILE_FIELDS}),
        ("Review (read-only)", {"fields": REVIEW_FIELDS}),
        ("History", {"fields": ("created_at",)}),
    )
    inlines = (RenditionInline,)
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).with_renditions()

    def has_add_permission(self, request):
        return False  # images come from Firefly through the pipeline

    def save_model(self, request, obj, form, change):
        # The favourite tick is the only field here; it goes through the studio's service.
        if "is_favourite" in form.changed_data:
            image_set_favourite(image=obj, favourite=obj.is_favourite)

    # Approved images are locked: deleting one is refused with a message, one by one or in bulk.

    def delete_view(self, request, object_id, extra_context=None):
        image = self.get_object(request, object_id)
        if image is not None and image.is_locked:
            self.message_user(
                request, LOCKED_MESSAGE.format(name=image_name(image)), messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:generation_image_change", args=[image.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        for image in queryset.select_related("campaign").order_by("pk"):
            self.delete_model(request, image)

    def delete_model(self, request, obj):
        """Through the studio's service: locked images refused, audited, and the original and
        renditions removed from storage once the deletion commits."""
        try:
            image_delete(image=obj, user=request.user)
        except ValidationError:
            self.message_user(request, LOCKED_MESSAGE.format(name=image_name(obj)), messages.ERROR)

    @admin.display(description="Thumbnail")
    def thumbnail(self, obj):
        rendition = obj.rendition(Rendition.Spec.GRID)
        if rendition is None:
            return format_html('<span class="ff-muted">{}</span>', "No thumbnail")
        return rendition_img(rendition)

    @admin.display(description="Generation", ordering="generation_id")
    def generation_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:generation_generation_change", args=[obj.generation_id]),
            f"Generation {obj.generation_id}",
        )

    @admin.display(description="Size", ordering="width")
    def size(self, obj):
        return f"{obj.width}×{obj.height}"

    @admin.display(description="File size", ordering="bytes")
    def file_size(self, obj):
        return filesizeformat(obj.bytes)

    @admin.display(description="Original")
    def original_file(self, obj):
        url = original_url(obj)
        if url is None:
            return obj.original.name
        return format_html('<a href="{}">{}</a>', url, obj.original.name)
