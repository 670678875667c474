"""The gallery's filter bar."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from generation.firefly import facts
from generation.models import Generation, Image
from generation.parsing import BoundedDateField, BoundedIntegerField, parse_int
from generation.studio.forms.choices import CUSTOM_PREFIX
from generation.studio.selectors import FilterOptions, GalleryFilters


class GalleryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search prompts")
    model = forms.CharField(required=False, max_length=32, label="Model")
    preset = forms.CharField(required=False, max_length=64, label="Style preset")
    favourite = forms.BooleanField(required=False, label="Favourites only")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *list(Generation.Status.choices)]
    )
    requester = BoundedIntegerField(required=False, min_value=1, label="Requested by")
    date_from = BoundedDateField(required=False, label="From")
    date_to = BoundedDateField(required=False, label="To")
    review = forms.ChoiceField(
        required=False, choices=[("", "Any review state"), *Image.ReviewState.choices]
    )

    def clean_model(self) -> tuple[int | None, str]:
        """``(custom model id, "")`` or ``(None, Firefly model version)``; the value is the
        generation form's (`model_value`), and a bare id is a custom model (older links)."""
        value = self.cleaned_data.get("model") or ""
        try:
            return parse_int(value.removeprefix(CUSTOM_PREFIX), minimum=1, maximum=2**31 - 1), ""
        except ValueError:
            pass
        if value in facts.MODEL_VERSIONS:
            return None, value
        if value:
            raise ValidationError("No such model.")
        return None, ""

    def filters(self) -> GalleryFilters:
        """What was asked for; a malformed value is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        custom_model, model_version = data.get("model") or (None, "")
        return GalleryFilters(
            q=(data.get("q") or "").strip(),
            custom_model=custom_model,
            model_version=model_version,
            preset=data.get("preset") or "",
            favourite=bool(data.get("favourite")),
            status=data.get("status") or "",
            requester=data.get("requester"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            review=data.get("review") or "",
        )

    @staticmethod
    def model_groups(
        options: FilterOptions, filters: GalleryFilters
    ) -> list[tuple[str, list[dict]]]:
        """The model filter's choices, grouped as on the generation form: Firefly's own models,
        then the organisation's custom models; only models this campaign has used."""

        def option(value: str, label: str) -> dict:
            return {"value": value, "label": label, "selected": value == current}

        current = (
            f"{CUSTOM_PREFIX}{filters.custom_model}"
            if filters.custom_model
            else filters.model_version
        )
        groups = [
            (
                "Adobe Firefly",
                [option(v, facts.MODEL_VERSION_LABELS.get(v, v)) for v in options.base_models],
            ),
            (
                "Custom models",
                [option(f"{CUSTOM_PREFIX}{pk}", name) for pk, name in options.custom_models],
            ),
        ]
        return [(label, choices) for label, choices in groups if choices]
