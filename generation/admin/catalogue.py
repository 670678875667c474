"""Firefly custom models: synced from Firefly, curated (enabled, position, notes) by admins."""

import logging
from datetime import timedelta
from math import ceil

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from generation.admin.media import attach_recent_outputs, recent_grid_renditions, thumbnail_strip
from generation.firefly.errors import (
    FireflyConnectionError,
    FireflyError,
    FireflyTimeoutError,
    RateLimitedError,
)
from generation.models import AuditEvent, CustomModel
from generation.services import custom_models_sync
from generation.services.audit import audit_record
from generation.services.catalogue import SYNCED_FIELDS

logger = logging.getLogger(__name__)

SYNC_SCHEDULE_KEY = "sync-custom-models"

# Everything the sync writes is read-only here: Firefly is its source.
FIREFLY_FIELDS = ("asset_id", *SYNCED_FIELDS)
SYNC_FIELDS = ("last_synced_at", "missing_since")


def sync_interval_label() -> str | None:
    """How often beat syncs the catalogue ("15 minutes"), from settings.CELERY_BEAT_SCHEDULE."""
    entry = getattr(settings, "CELERY_BEAT_SCHEDULE", {}).get(SYNC_SCHEDULE_KEY)
    if not entry:
        return None
    schedule = entry.get("schedule")
    if isinstance(schedule, timedelta):
        seconds = schedule.total_seconds()
    elif isinstance(schedule, int | float):
        seconds = float(schedule)
    else:
        return None  # a crontab: no single interval to name
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = round(seconds)
    return f"{count} second{'s' if count != 1 else ''}"


def run_sync(request) -> bool:
    """Sync the catalogue now and tell the admin what happened. True on success."""
    try:
        result = custom_models_sync()
    except RateLimitedError as exc:
        # The shared request budget (FIREFLY_RATE_LIMIT_PER_MINUTE) has no free slot yet.
        seconds = ceil(exc.retry_after or 0)
        wait = f" in about {seconds} second{'s' if seconds != 1 else ''}" if seconds else " shortly"
        messages.warning(
            request,
            "Sync from Firefly did not run: this app is at its Firefly request limit right now. "
            f"Try again{wait}.",
        )
        return False
    except FireflyError as exc:
        logger.warning("Custom model sync from the admin failed: %s", exc)
        details = ", ".join(
            part
            for part in (
                f"HTTP {exc.status}" if exc.status else "",
                f"error code {exc.error_code}" if exc.error_code else "",
                f"request id {exc.request_id}" if exc.request_id else "",
                f"endpoint: {settings.FIREFLY_ENDPOINT}"
                if isinstance(exc, FireflyConnectionError | FireflyTimeoutError)
                else "",
            )
            if part
        )
        messages.error(
            request,
            f"Sync from Firefly failed: {exc.user_message}" + (f" ({details})" if details else ""),
        )
        return False
    except Exception:
        logger.exception("Custom model sync from the admin failed")
        messages.error(
            request,
            "Sync from Firefly failed with an unexpected error; the server log has the details.",
        )
        return False
    audit_record(
        AuditEvent.Action.MODEL_SYNCED,
        actor=request.user,
        summary=f"Custom models synced from the admin: {result.created} new, "
        f"{result.updated} updated, {result.missing} missing",
    )
    text = f"Synced custom models from Firefly: {result.created} new, {result.updated} updated"
    text += f", {result.missing} no longer listed." if result.missing else "."
    messages.success(request, text)
    return True


class CustomModelChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # One query for the whole page's thumbnails (the page's rows are evaluated here and
        # the same instances are rendered, so the attribute is there when columns are drawn).
        attach_recent_outputs(self.result_list)


@admin.register(CustomModel)
class CustomModelAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "recent_outputs_column",
        "base_model",
        "training_mode",
        "published_state",
        "enabled",
        "position",
        "last_synced_at",
        "missing_since",
    )
    list_display_links = ("display_name",)
    list_editable = ("enabled", "position")
    list_filter = ("training_mode", "base_model_name", "published_state", "enabled")
    search_fields = ("display_name", "asset_id", "sample_prompt")
    readonly_fields = (*FIREFLY_FIELDS, *SYNC_FIELDS, "recent_outputs_column")
    fieldsets = (
        ("Studio settings", {"fields": ("enabled", "position", "notes")}),
        ("Recent outputs", {"fields": ("recent_outputs_column",)}),
        ("From Firefly (read-only, updated by each sync)", {"fields": FIREFLY_FIELDS}),
        ("Sync", {"fields": SYNC_FIELDS}),
    )
    actions = ("sync_from_firefly", "enable_models", "disable_models")
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return CustomModelChangeList

    # --- permissions: models come from Firefly, and generations keep theirs ------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.generations.exists():
            return False
        return super().has_delete_permission(request, obj)

    # --- columns -----------------------------------------------------------------------------

    @admin.display(description="Base model", ordering="base_model_name")
    def base_model(self, obj):
        return obj.base_model_label

    @admin.display(description="Recent outputs")
    def recent_outputs_column(self, obj):
        renditions = getattr(obj, "recent_outputs", None)
        if renditions is None:  # the change page: one model, one query
            renditions = recent_grid_renditions([obj.pk]).get(obj.pk, [])
        return thumbnail_strip(renditions)

    # --- the sharing note and the sync button ------------------------------------------------

    def _catalogue_context(self):
        last = CustomModel.objects.aggregate(last=Max("last_synced_at"))["last"]
        return {"sync_interval": sync_interval_label(), "last_synced_at": last}

    def changelist_view(self, request, extra_context=None):
        context = {**self._catalogue_context(), **(extra_context or {})}
        if self.has_change_permission(request):
            context["sync_url"] = reverse("admin:generation_custommodel_sync")
        return super().changelist_view(request, extra_context=context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = {**self._catalogue_context(), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context=context)

    def get_urls(self):
        sync = path(
            "sync/",
            self.admin_site.admin_view(self.sync_view),
            name="generation_custommodel_sync",
        )
        return [sync, *super().get_urls()]

    @method_decorator(require_POST)
    def sync_view(self, request):
        """POST admin/generation/custommodel/sync/: the changelist's "Sync from Firefly" button."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        run_sync(request)
        return HttpResponseRedirect(reverse("admin:generation_custommodel_changelist"))

    # --- actions -------------------------------------------------------------------------------

    @admin.action(description="Sync from Firefly (the whole catalogue)", permissions=["change"])
    def sync_from_firefly(self, request, queryset):
        run_sync(request)

    @admin.action(description="Enable selected custom models", permissions=["change"])
    def enable_models(self, request, queryset):
        targets = list(queryset.filter(enabled=False))
        changed = queryset.filter(enabled=False).update(enabled=True)
        for model in targets:
            audit_record(
                AuditEvent.Action.MODEL_ENABLED,
                actor=request.user,
                target=model,
                summary=f"Custom model “{model.display_name}” enabled",
                asset_id=model.asset_id,
            )
        self.message_user(
            request,
            f"Enabled {changed} custom model{'s' if changed != 1 else ''}.",
            messages.SUCCESS,
        )

    @admin.action(description="Disable selected custom models", permissions=["change"])
    def disable_models(self, request, queryset):
        targets = list(queryset.filter(enabled=True))
        changed = queryset.filter(enabled=True).update(enabled=False)
        for model in targets:
            audit_record(
                AuditEvent.Action.MODEL_DISABLED,
                actor=request.user,
                target=model,
                summary=f"Custom model “{model.display_name}” disabled",
                asset_id=model.asset_id,
            )
        self.message_user(
            request,
            f"Disabled {changed} custom model{'s' if changed != 1 else ''}; "
            "they are no longer offered when generating.",
            messages.SUCCESS,
        )
