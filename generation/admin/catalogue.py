"""Firefly custom models: synced from Firefly, curated (enabled, position, notes) by admins."""

import logging
from datetime import timedelta
from math import ceil

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from generation.admin.media import attach_recent_outputs, recent_grid_renditions, thumbnail_strip
from generation.firefly.errors import (
    FireflyConnectionError,
    FireflyError,
    FireflyTimeoutError,
    RateLimitedError,
)
from generation.models import CustomModel
from generation.models.catalogue import custom_model_version_choices
from generation.pipeline.catalogue import (
    SYNCED_FIELDS,
    base_model_is_known,
    custom_model_choose_version,
    custom_models_set_enabled,
    custom_models_sync,
    needs_model_version_message,
)

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
        result = custom_models_sync(actor=request.user)  # audited there, in their name
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
    text = f"Synced custom models from Firefly: {result.created} new, {result.updated} updated"
    text += f", {result.missing} no longer listed." if result.missing else "."
    messages.success(request, text)
    return True


class NotOfferedWidget(forms.Widget):
    """Stands in for the "Enabled" tick of a model the generation form can't offer: says why,
    rather than show a tick that promises nothing (the field is disabled, so it keeps its
    value)."""

    def __init__(self, reason: str, fix_url: str = ""):
        super().__init__()
        self.reason, self.fix_url = reason, fix_url

    def render(self, name, value, attrs=None, renderer=None):
        if self.fix_url:
            return format_html(
                '<span class="ff-not-offered">Not offered: <a href="{}">{}</a></span>',
                self.fix_url,
                self.reason,
            )
        return format_html('<span class="ff-not-offered">Not offered: {}</span>', self.reason)


class CustomModelRowForm(forms.ModelForm):
    """One row of the catalogue list. Its inputs are labelled with the model's name (a column
    header is no label for an input), and a model the form can't offer says why instead of
    showing an "Enabled" tick."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self.instance
        self.fields["position"].widget.attrs["aria-label"] = f"Position of {model.display_name}"
        reason = model.not_offered_because()
        if reason:
            fix_url = ""
            if not model.model_version:
                fix_url = reverse("admin:generation_custommodel_change", args=[model.pk])
                reason = "pick its model version"
            self.fields["enabled"].disabled = True
            self.fields["enabled"].widget = NotOfferedWidget(reason, fix_url)
        else:
            self.fields["enabled"].widget.attrs["aria-label"] = f"Enable {model.display_name}"


class CustomModelForm(forms.ModelForm):
    """The change form: the admin's fields, and the model version for an unknown base model."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "chosen_model_version" in self.fields:
            self.fields["chosen_model_version"].choices = [
                ("", "Not picked yet"),
                *custom_model_version_choices(),
            ]

    def clean(self):
        cleaned = super().clean()
        if "chosen_model_version" in self.fields:
            version = cleaned.get("chosen_model_version", "")
        else:
            version = self.instance.model_version
        if cleaned.get("enabled") and not version:
            self.add_error("enabled", needs_model_version_message(self.instance))
        return cleaned


class CustomModelChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # One query for the whole page's thumbnails (the page's rows are evaluated here and
        # the same instances are rendered, so the attribute is there when columns are drawn).
        attach_recent_outputs(self.result_list)


@admin.register(CustomModel)
class CustomModelAdmin(admin.ModelAdmin):
    # Few, narrow columns: with the navigation and the filters beside it the table has about
    # 790 px on a 1,440 px screen, and a column past that edge is cut off. So the training
    # mode sits under the name, when the catalogue was last synced is in the note above the
    # table, and "missing since" is in "At Firefly".
    list_display = (
        "name_column",
        "recent_outputs_column",
        "base_model",
        "firefly_state",
        "enabled",
        "position",
    )
    list_display_links = ("name_column",)
    list_editable = ("enabled", "position")
    list_filter = ("training_mode", "base_model_name", "published_state", "enabled")
    search_fields = ("display_name", "asset_id", "sample_prompt")
    readonly_fields = (*FIREFLY_FIELDS, *SYNC_FIELDS, "recent_outputs_column")
    form = CustomModelForm
    actions = ("sync_from_firefly", "enable_models", "disable_models")
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return CustomModelChangeList

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=CustomModelRowForm, **kwargs)

    def get_fieldsets(self, request, obj=None):
        studio = ["enabled", "position", "notes"]
        if obj is not None and not base_model_is_known(obj):
            studio.insert(0, "chosen_model_version")  # picked first, then enabled
        return (
            ("Studio settings", {"fields": studio}),
            ("Recent outputs", {"fields": ("recent_outputs_column",)}),
            ("From Firefly (read-only, updated by each sync)", {"fields": FIREFLY_FIELDS}),
            ("Sync", {"fields": SYNC_FIELDS}),
        )

    def save_model(self, request, obj, form, change):
        """Version and enabled go through the catalogue services (audited); the rest is saved
        as is. Only what the form changed is written."""
        changed = set(form.changed_data)
        if "chosen_model_version" in changed:
            custom_model_choose_version(
                obj, form.cleaned_data["chosen_model_version"], actor=request.user
            )
        if "enabled" in changed:
            custom_models_set_enabled([obj], enabled=obj.enabled, actor=request.user)
        rest = changed - {"chosen_model_version", "enabled"}
        if rest:
            obj.save(update_fields=sorted(rest))

    # --- permissions: models come from Firefly, and generations keep theirs ------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A model Firefly still lists would only come back, without its notes, at the next
        # sync: only one it no longer lists, and no generation used, can be deleted (from its
        # own page; there is no bulk delete).
        if obj is None or obj.missing_since is None or obj.generations.exists():
            return False
        return super().has_delete_permission(request, obj)

    # --- columns -----------------------------------------------------------------------------

    @admin.display(description="Custom model", ordering="display_name")
    def name_column(self, obj):
        if not obj.training_mode:
            return obj.display_name
        return format_html(
            '{}<br><span class="ff-muted">{}</span>',
            obj.display_name,
            obj.get_training_mode_display(),
        )

    @admin.display(description="Base model", ordering="base_model_name")
    def base_model(self, obj):
        if base_model_is_known(obj):
            return obj.firefly_base_model
        return format_html(
            '{}<br><span class="ff-muted">new to the studio</span>', obj.firefly_base_model
        )

    @admin.display(description="At Firefly", ordering="published_state")
    def firefly_state(self, obj):
        if obj.missing_since is not None:
            return format_html(
                'No longer shared<br><span class="ff-muted">since {}</span>',
                date_format(obj.missing_since, "j M Y"),
            )
        return obj.get_published_state_display()

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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["availability_note"] = availability_note(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
        result = custom_models_set_enabled(queryset, enabled=True, actor=request.user)
        changed = len(result.changed)
        self.message_user(
            request,
            f"Enabled {changed} custom model{'s' if changed != 1 else ''}.",
            messages.SUCCESS,
        )
        for model, why in result.refused:
            self.message_user(
                request, f"“{model.display_name}” was not enabled. {why}", messages.WARNING
            )
        waiting = [m for m in result.changed if m.not_offered_because()]
        if waiting:
            names = "; ".join(f"“{m.display_name}”: {m.not_offered_because()}" for m in waiting)
            self.message_user(
                request,
                f"Enabled, but not offered when generating until that changes at Firefly: {names}.",
                messages.WARNING,
            )

    @admin.action(description="Disable selected custom models", permissions=["change"])
    def disable_models(self, request, queryset):
        changed = len(
            custom_models_set_enabled(queryset, enabled=False, actor=request.user).changed
        )
        self.message_user(
            request,
            f"Disabled {changed} custom model{'s' if changed != 1 else ''}; "
            "they are no longer offered when generating.",
            messages.SUCCESS,
        )


def availability_note(model: CustomModel) -> str:
    """The change form's word on whether the generation form offers `model`, and if not why
    and what to do ("" when it is simply offered)."""
    if not model.model_version:
        return (
            f"Firefly's base model “{model.firefly_base_model}” is new to the studio, so it can't "
            "tell which model version this custom model is generated with, and does not guess. "
            "It stays disabled and is not offered when generating until you pick the model "
            "version below (ask the model's owner which Firefly Image model it was trained on) "
            "and enable it."
        )
    reason = model.not_offered_because()
    if reason:
        then = " “Enabled” applies again if that changes." if model.enabled else ""
        return f"Not offered when generating: {reason}.{then}"
    if not model.enabled:
        return "Disabled: not offered when generating."
    return ""
