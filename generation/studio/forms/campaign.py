"""The campaign form: name, description, brand notes and the generation form's defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from generation import access
from generation.firefly import facts
from generation.labels import size_label
from generation.models import Campaign, CampaignMembership, CustomModel
from generation.studio.forms.choices import PresetField, parse_size, size_options

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "campaign")[:120].strip("-") or "campaign"
    taken = Campaign.objects.filter(slug__startswith=base)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


class CampaignForm(forms.ModelForm):
    default_style_presets = PresetField(label="Default style presets")
    default_size = forms.ChoiceField(label="Default size", required=False)

    class Meta:
        model = Campaign
        fields = [
            "name",
            "description",
            "brand_notes",
            "default_custom_model",
            "default_style_presets",
            "default_size",
            "requesters_cannot_approve",
            "archived",
        ]
        labels = {"default_custom_model": "Default model", "archived": "Archived"}
        help_texts = {
            "description": "What the campaign is for; shown at the top of its gallery.",
            "archived": "Archived campaigns leave the campaign list but keep every image.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "brand_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # `fields` is typed as holding any Field: these two are the model's choice fields.
        model_field = cast(forms.ModelChoiceField, self.fields["default_custom_model"])
        model_field.queryset = CustomModel.objects.usable()
        model_field.empty_label = "Firefly Image 4 (no custom model)"
        model_field.help_text = "Pre-selected on the new generation form."
        cast(forms.ChoiceField, self.fields["default_size"]).choices = [
            ("", "Model default (square)")
        ] + [(o["value"], o["label"]) for o in size_options()]
        self.fields["default_style_presets"].help_text = "Pre-selected on the new generation form."
        if self.instance.pk is None:
            del self.fields["archived"]
        elif not access.for_campaign(user, self.instance).can_manage:
            # Settings, review rules and archiving are the owners' (like roles): other members
            # see them read-only.
            for field in self.fields.values():
                field.disabled = True
        self.preset_groups = facts.preset_groups()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the campaign a name.")
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        model = cleaned.get("default_custom_model")
        size = cleaned.get("default_size")
        if model and size:
            pair = parse_size(size)
            if pair is None or pair not in facts.allowed_size_pairs(model.model_version):
                shown = size_label(*pair) if pair else size
                self.add_error(
                    "default_size", f"{shown} is not available for {model.display_name}."
                )
        return cleaned

    def save(self, commit: bool = True) -> Campaign:
        campaign = super().save(commit=False)
        campaign.default_style_presets = list(self.cleaned_data.get("default_style_presets") or [])
        campaign.default_size = self.cleaned_data.get("default_size") or ""
        creating = campaign.pk is None
        if creating:
            campaign.slug = unique_slug(campaign.name)
            campaign.created_by = self.user
        if commit:
            campaign.save()
            if creating and self.user is not None:
                CampaignMembership.objects.get_or_create(
                    campaign=campaign,
                    user=self.user,
                    defaults={"role": CampaignMembership.Role.OWNER},
                )
        return campaign
