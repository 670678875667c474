"""Campaigns and who works on them."""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from generation.models import Campaign, CampaignMembership, Generation


def _count_per_campaign(model):
    """A correlated COUNT(*) of `model` rows for the outer campaign (no join fan-out)."""
    counts = (
        model.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


class CampaignMembershipInline(admin.TabularInline):
    model = CampaignMembership
    fields = ("user", "role", "added_at")
    readonly_fields = ("added_at",)
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = "member"
    verbose_name_plural = "members"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "member_count", "generation_count", "archived", "updated_at")
    list_filter = ("archived",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("default_custom_model",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "archived", "description", "brand_notes")}),
        (
            "Defaults for new generations",
            {"fields": ("default_custom_model", "default_style_presets", "default_size")},
        ),
        ("Review", {"fields": ("requesters_cannot_approve",)}),
        ("History", {"fields": ("created_by", "created_at", "updated_at")}),
    )
    inlines = (CampaignMembershipInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=_count_per_campaign(CampaignMembership),
                generation_total=_count_per_campaign(Generation),
            )
        )

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description="Generations", ordering="generation_total")
    def generation_count(self, obj):
        return obj.generation_total

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
