"""The audit trail (read-only: no add, change or delete), share links and exports."""

from django.contrib import admin, messages

from generation.collab.sharing import share_link_revoke
from generation.models import AuditEvent, Export, ShareLink


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_name", "action", "campaign", "target", "summary")
    list_filter = ("action", "campaign")
    search_fields = ("actor_name", "summary", "target_id")
    date_hierarchy = "created_at"
    list_select_related = ("campaign",)
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Target")
    def target(self, obj):
        return f"{obj.target_type} {obj.target_id}".strip()


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "scope", "expires_at", "revoked_at", "view_count")
    list_filter = ("scope", "campaign")
    # Revoking is an act, audited by the sharing service: the action below, not a date field.
    readonly_fields = (
        "token_hash",
        "token_hint",
        "password",
        "view_count",
        "last_viewed_at",
        "revoked_at",
        "revoked_by",
    )
    exclude = ("images",)
    actions = ("revoke_links",)

    def has_add_permission(self, request):
        return False  # created by owners on the campaign's share page (the token is shown once)

    @admin.action(description="Revoke selected share links", permissions=["change"])
    def revoke_links(self, request, queryset):
        links = [link for link in queryset.select_related("campaign") if not link.is_revoked]
        for link in links:
            share_link_revoke(link=link, user=request.user)
        count = len(links)
        self.message_user(
            request, f"Revoked {count} share link{'s' if count != 1 else ''}.", messages.SUCCESS
        )


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "requested_by", "total", "bytes", "created_at")
    list_filter = ("status", "campaign")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
