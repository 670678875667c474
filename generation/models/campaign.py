from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse

if TYPE_CHECKING:
    from generation.models.image import Image

#: The permission that gives a staff account every campaign's powers (superusers have it).
STUDIO_WIDE_PERMISSION = "generation.act_in_every_campaign"


def acts_in_every_campaign(user) -> bool:
    """Studio-wide powers follow an explicit permission, not the staff flag alone (a staffer
    who may only look after the catalogue in the admin is not every team's owner)."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_staff
        and user.has_perm(STUDIO_WIDE_PERMISSION)
    )


class CampaignQuerySet(models.QuerySet):
    def lock(self, campaign) -> None:
        """Lock `campaign`'s row until the transaction ends: changes that must see each other
        (team changes, quota checks) are serialised per campaign. (SQLite's write transactions
        are serial already.)"""
        list(self.select_for_update().filter(pk=campaign.pk).values_list("pk", flat=True))

    def visible_to(self, user):
        """Studio-wide staff see every campaign; everyone else the campaigns they belong to."""
        if not user.is_authenticated:
            return self.none()
        if acts_in_every_campaign(user):
            return self
        return self.filter(memberships__user=user)


class Campaign(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    # Every page of the campaign carries these: bounded, so one paste cannot weigh on them all.
    description = models.TextField(blank=True, max_length=2000)
    brand_notes = models.TextField(
        blank=True,
        max_length=4000,
        help_text="Tone, palette and do's and don'ts the team should keep in mind.",
    )
    default_custom_model = models.ForeignKey(
        "generation.CustomModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_style_presets = models.JSONField(default=list, blank=True)
    default_size = models.CharField(max_length=16, blank=True, help_text="e.g. 2048x2048")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CampaignMembership", related_name="campaigns"
    )
    # Four-eyes review: whoever made an image or asked for its review doesn't decide it.
    requesters_cannot_approve = models.BooleanField(
        "Requesters cannot approve their own images",
        default=True,
        help_text=(
            "Whoever generated an image or asked for its review can't approve, reject or ask for "
            "changes to it: another approver decides."
        ),
    )
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    #: Not a field: the newest few images, set on the campaigns `studio.selectors.campaign_list`
    #: returns (for the campaign list's thumbnails).
    latest_images: list[Image]

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["archived", "-updated_at"], name="campaign_active_recent")]
        permissions = [
            ("act_in_every_campaign", "Can see and act in every campaign as its owner"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign_gallery", kwargs={"slug": self.slug})


class CampaignMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        APPROVER = "approver", "Approver"
        MEMBER = "member", "Member"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="one_membership_per_user")
        ]
        indexes = [models.Index(fields=["user", "campaign"], name="membership_by_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.campaign} ({self.get_role_display()})"
