"""Campaigns and who works on them."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet

from generation.collab.members import membership_remove, membership_set_role
from generation.models import Campaign, CampaignMembership, Generation

OWNER = CampaignMembership.Role.OWNER


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


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        """The members page's rule, checked before anything is saved: a campaign that has an
        owner keeps one."""
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        has_owner = CampaignMembership.objects.filter(campaign=self.instance, role=OWNER)
        keeps_owner = any(
            row.cleaned_data.get("role") == OWNER
            for row in self.forms
            if row.cleaned_data and row not in self.deleted_forms
        )
        if has_owner.exists() and not keeps_owner:
            raise ValidationError("A campaign needs at least one owner.")

    def save_through_services(self, actor) -> None:
        """Set each changed row's role, owners first so no one is demoted before there is
        another owner, then remove members (a row that now names someone else removes the one
        it named). Leaves what changed where the admin's history message looks for it."""
        campaign, users = self.instance, get_user_model().objects
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        rows, removed = [], []
        for row in self.forms:
            if row in self.deleted_forms:
                if row.instance.pk:
                    removed.append(users.get(pk=row.initial["user"]))
                    self.deleted_objects.append(row.instance)
            elif row.has_changed() and row.cleaned_data:
                if row.instance.pk and "user" in row.changed_data:
                    removed.append(users.get(pk=row.initial["user"]))
                rows.append(row)
        rows.sort(key=lambda row: row.cleaned_data["role"] != OWNER)
        for row in rows:
            data = row.cleaned_data
            membership = membership_set_role(
                campaign=campaign, user=actor, member=data["user"], role=data["role"]
            )
            if row.instance.pk:
                self.changed_objects.append((membership, row.changed_data))
            else:
                self.new_objects.append(membership)
        for member in removed:
            membership_remove(campaign=campaign, user=actor, member=member)


class CampaignMembershipInline(admin.TabularInline):
    model = CampaignMembership
    formset = MembershipFormSet
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

    def save_formset(self, request, form, formset, change):
        """Members and roles go through the members page's services (audited)."""
        if not isinstance(formset, MembershipFormSet):
            return super().save_formset(request, form, formset, change)
        formset.save_through_services(request.user)
