"""Forms for campaigns, the generation request and the gallery's filter bar.

Limits and lists (sizes, presets, ranges) come from ``generation.firefly.facts`` and the messages
from ``generation.firefly.validation``, so the form refuses exactly what Firefly would refuse.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import normalize_newlines, slugify

from generation import access
from generation.firefly import facts
from generation.firefly.validation import (
    too_long_message,
    validate_locale,
    validate_negative_prompt,
    validate_num_variations,
    validate_prompt,
    validate_range,
    validate_seeds,
    validate_style_presets,
)
from generation.labels import base_model_label, size_label
from generation.models import Campaign, CampaignMembership, CustomModel, Generation, Image
from generation.studio.selectors import GalleryFilters

CUSTOM_PREFIX = "custom-"
DEFAULT_VARIATIONS = 4
DEFAULT_STYLE_STRENGTH = 50

# Prompt-biasing locales a marketing team is likely to need; any language-REGION code is valid.
LOCALES = [
    ("", "Automatic"),
    ("en-US", "English (United States)"),
    ("en-GB", "English (United Kingdom)"),
    ("en-AU", "English (Australia)"),
    ("en-IN", "English (India)"),
    ("de-DE", "German (Germany)"),
    ("fr-FR", "French (France)"),
    ("fr-CA", "French (Canada)"),
    ("es-ES", "Spanish (Spain)"),
    ("es-MX", "Spanish (Mexico)"),
    ("it-IT", "Italian (Italy)"),
    ("nl-NL", "Dutch (Netherlands)"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("pt-PT", "Portuguese (Portugal)"),
    ("sv-SE", "Swedish (Sweden)"),
    ("da-DK", "Danish (Denmark)"),
    ("nb-NO", "Norwegian (Norway)"),
    ("fi-FI", "Finnish (Finland)"),
    ("pl-PL", "Polish (Poland)"),
    ("tr-TR", "Turkish (Turkey)"),
    ("ja-JP", "Japanese (Japan)"),
    ("ko-KR", "Korean (South Korea)"),
    ("zh-CN", "Chinese (China)"),
    ("zh-TW", "Chinese (Taiwan)"),
    ("hi-IN", "Hindi (India)"),
    ("ar-AE", "Arabic (United Arab Emirates)"),
]

# Firefly's base models a generation may use without a custom model, best first.
BASE_MODELS = [
    v for v in ("image4_standard", "image4_ultra", "image3") if v in facts.MODEL_VERSIONS
]


def _size_value(width: int, height: int) -> str:
    return f"{width}x{height}"


def size_options() -> list[dict]:
    """Every size any model supports, once each, with the model versions that accept it."""
    options: dict[str, dict] = {}
    for version in facts.MODEL_VERSIONS:
        for size in facts.allowed_sizes(version):
            entry = options.setdefault(
                size.value,
                {
                    "value": size.value,
                    "name": size.name,
                    "label": size.label,
                    "ratio": size.aspect_ratio,
                    "width": size.width,
                    "height": size.height,
                    "versions": [],
                },
            )
            entry["versions"].append(version)

    # Square first, then landscape from widest, then portrait from tallest: by Adobe's ratio
    # label (so both "16:9" sizes sit together), larger first.
    def order(option: dict) -> tuple:
        w, h = (int(n) for n in option["ratio"].split(":"))
        shape = 0 if w == h else 1 if w > h else 2
        return (shape, -w / h if shape == 1 else w / h, -option["width"])

    ordered = sorted(options.values(), key=order)
    for entry in ordered:
        entry["versions_attr"] = " ".join(entry["versions"])
    return ordered


def parse_size(value: str) -> tuple[int, int] | None:
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except (AttributeError, ValueError):
        return None
    return width, height


def preset_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [(group, [(p.id, p.name) for p in presets]) for group, presets in facts.preset_groups()]


class PresetField(forms.MultipleChoiceField):
    """Grouped preset checkboxes; unknown ids get the client's message, not Django's."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", preset_choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        problems = validate_style_presets(value)
        if problems:
            raise ValidationError(problems)


# --- Campaigns ----------------------------------------------------------------------------------


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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        model_field = self.fields["default_custom_model"]
        model_field.queryset = CustomModel.objects.selectable()
        model_field.empty_label = "Firefly Image 4 (no custom model)"
        model_field.help_text = "Pre-selected on the new generation form."
        self.fields["default_size"].choices = [("", "Model default (square)")] + [
            (o["value"], o["label"]) for o in size_options()
        ]
        self.fields["default_style_presets"].help_text = "Pre-selected on the new generation form."
        if self.instance.pk is None:
            del self.fields["archived"]
        elif not access.can_manage(user, self.instance):
            # Review rules are the owners' to set, like roles: other members see them read-only.
            self.fields["requesters_cannot_approve"].disabled = True
        self.preset_groups = facts.preset_groups()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the campaign a name.")
        return name

    def clean(self):
        cleaned = super().clean()
        model = cleaned.get("default_custom_model")
        size = cleaned.get("default_size")
        if model and size:
            pair = parse_size(size)
            if pair not in facts.allowed_size_pairs(model.model_version):
                self.add_error(
                    "default_size",
                    f"{size_label(*pair)} is not available for {model.display_name}.",
                )
        return cleaned

    def save(self, commit=True):
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


# --- The generation request -------------------------------------------------------------------

# Service and client field names -> the form field that shows the error.
SERVICE_FIELDS = {
    "prompt": "prompt",
    "custom_model": "model",
    "custom_model_id": "model",
    "model_version": "model",
    "model": "model",
    "style_presets": "style_presets",
    "style_strength": "style_strength",
    "width": "size",
    "height": "size",
    "size": "size",
    "num_variations": "num_variations",
    "seeds": "seeds",
    "negative_prompt": "negative_prompt",
    "content_class": "content_class",
    "visual_intensity": "visual_intensity",
    "locale": "locale",
}


def limited_text_attrs(subject: str, limit: int) -> dict:
    """Attributes of a textarea with Firefly's length limit. Deliberately no `maxlength`: the
    browser would silently drop what is typed or pasted past it. generate.js counts instead, says
    what is wrong in the server's words and holds the submit; the form refuses it again."""
    return {"data-max-chars": limit, "data-too-long": too_long_message(subject, limit, "{count}")}


def model_value(custom_model: CustomModel | None, model_version: str) -> str:
    if custom_model is not None:
        return f"{CUSTOM_PREFIX}{custom_model.pk}"
    return model_version


class GenerationForm(forms.Form):
    prompt = forms.CharField(
        required=False,
        strip=True,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": "Describe the image: subject, setting, light, mood…",
                **limited_text_attrs("prompt", facts.LIMITS["prompt_max_chars"]),
            }
        ),
    )
    model = forms.ChoiceField(
        error_messages={
            "invalid_choice": "This model isn't available any more. Pick another one.",
            "required": "Pick a model.",
        }
    )
    style_presets = PresetField(label="Style presets")
    style_strength = forms.IntegerField(
        label="Style strength",
        required=False,
        initial=DEFAULT_STYLE_STRENGTH,
        widget=forms.NumberInput(attrs={"type": "range", "step": 1}),
    )
    size = forms.ChoiceField(label="Size", error_messages={"required": "Pick a size."})
    num_variations = forms.TypedChoiceField(
        label="Variations",
        coerce=int,
        initial=DEFAULT_VARIATIONS,
        widget=forms.RadioSelect,
    )
    seeds = forms.CharField(
        label="Seeds",
        required=False,
        help_text="Optional. Whole numbers separated by commas, one per variation, "
        "to reproduce a result.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    negative_prompt = forms.CharField(
        label="Negative prompt",
        required=False,
        help_text="What to keep out of the image. Firefly base models only: "
        "custom models don't accept it.",
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                **limited_text_attrs("negative prompt", facts.LIMITS["negative_prompt_max_chars"]),
            }
        ),
    )
    content_class = forms.ChoiceField(
        label="Content type",
        required=False,
        widget=forms.RadioSelect,
        choices=[("", "Auto")] + [(c, c.capitalize()) for c in facts.CONTENT_CLASSES],
    )
    visual_intensity = forms.TypedChoiceField(
        label="Visual intensity",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="How strong the photographic look is; not available with Image 4 custom models.",
    )
    locale = forms.ChoiceField(
        label="Prompt language and region",
        required=False,
        choices=LOCALES,
        help_text="Biases results towards a market, e.g. local architecture and people.",
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.custom_models = {m.pk: m for m in CustomModel.objects.selectable()}
        self.fields["model"].choices = [
            (model_value(m, m.model_version), m.display_name) for m in self.custom_models.values()
        ] + [(v, facts.MODEL_VERSION_LABELS[v]) for v in BASE_MODELS]
        self.size_options = size_options()
        self.fields["size"].choices = [(o["value"], o["label"]) for o in self.size_options]
        low, high = facts.LIMITS["num_variations"]
        self.fields["num_variations"].choices = [(n, str(n)) for n in range(low, high + 1)]
        vi_low, vi_high = facts.LIMITS["visual_intensity"]
        self.fields["visual_intensity"].choices = [("", "Auto")] + [
            (n, str(n)) for n in range(vi_low, vi_high + 1)
        ]
        strength = self.fields["style_strength"].widget.attrs
        strength["min"], strength["max"] = facts.LIMITS["style_strength"]
        self.preset_groups = facts.preset_groups()

    # Presentation helpers for the template -----------------------------------------------

    def model_options(self) -> list[dict]:
        selected = str(self["model"].value() or "")
        options = []
        for model in self.custom_models.values():
            value = model_value(model, model.model_version)
            options.append(
                {
                    "value": value,
                    "name": model.display_name,
                    "custom": True,
                    "version": model.model_version,
                    "base": base_model_label(model),
                    "training_mode": model.get_training_mode_display(),
                    "sample_prompt": model.sample_prompt,
                    "unsupported": " ".join(
                        sorted(facts.UNSUPPORTED_FIELDS.get(model.model_version, ()))
                    ),
                    "selected": value == selected,
                }
            )
        for version in BASE_MODELS:
            options.append(
                {
                    "value": version,
                    "name": facts.MODEL_VERSION_LABELS[version],
                    "custom": False,
                    "version": version,
                    "base": "Adobe Firefly",
                    "training_mode": "",
                    "sample_prompt": "",
                    "unsupported": " ".join(sorted(facts.UNSUPPORTED_FIELDS.get(version, ()))),
                    "max_variations": facts.max_variations(version),
                    "selected": version == selected,
                }
            )
        return options

    def selected_presets(self) -> list[str]:
        value = self["style_presets"].value() or []
        return [str(v) for v in value]

    # Cleaning ----------------------------------------------------------------------------

    def clean_prompt(self):
        # Browsers send a textarea's line breaks as CRLF but count (and Firefly reads) one
        # character per line break.
        prompt = normalize_newlines(self.cleaned_data.get("prompt", ""))
        problems = validate_prompt(prompt)
        if problems:
            raise ValidationError(problems)
        return prompt

    def clean_negative_prompt(self):
        text = normalize_newlines(self.cleaned_data.get("negative_prompt", ""))
        problems = validate_negative_prompt(text)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_model(self):
        value = self.cleaned_data["model"]
        if value.startswith(CUSTOM_PREFIX):
            model = self.custom_models.get(int(value.removeprefix(CUSTOM_PREFIX)))
            if model is None:  # unreachable: ChoiceField only accepts selectable models
                raise ValidationError("This custom model isn't available any more.")
            self.cleaned_data["custom_model"] = model
            self.cleaned_data["model_version"] = model.model_version
        else:
            self.cleaned_data["custom_model"] = None
            self.cleaned_data["model_version"] = value
        return value

    def clean_seeds(self):
        text = self.cleaned_data.get("seeds", "").strip()
        if not text:
            return ()
        parts = [p.strip() for p in text.replace(";", ",").replace(" ", ",").split(",")]
        try:
            return tuple(int(p) for p in parts if p)
        except ValueError:
            raise ValidationError(
                "Seeds must be whole numbers separated by commas, e.g. 1234, 5678."
            ) from None

    def clean_locale(self):
        locale = self.cleaned_data.get("locale") or ""
        problems = validate_locale(locale or None)
        if problems:
            raise ValidationError(problems)
        return locale

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("model_version")
        custom_model = cleaned.get("custom_model")
        model_name = (
            custom_model.display_name
            if custom_model
            else facts.MODEL_VERSION_LABELS.get(version or "", "this model")
        )
        if version is None:
            return cleaned
        unsupported = facts.UNSUPPORTED_FIELDS.get(version, frozenset())

        size = cleaned.get("size")
        if size:
            pair = parse_size(size)
            if pair not in facts.allowed_size_pairs(version):
                names = ", ".join(s.label for s in facts.allowed_sizes(version))
                self.add_error(
                    "size",
                    f"{size_label(*pair)} is not available for {model_name}. Pick one of: {names}.",
                )
            else:
                cleaned["width"], cleaned["height"] = pair

        variations = cleaned.get("num_variations")
        if variations is not None:
            for problem in validate_num_variations(variations, version):
                self.add_error("num_variations", problem)

        seeds = cleaned.get("seeds")
        if seeds and variations is not None:
            for problem in validate_seeds(list(seeds), variations):
                self.add_error("seeds", problem)

        if cleaned.get("negative_prompt") and "negative_prompt" in unsupported:
            self.add_error(
                "negative_prompt",
                f"{model_name} doesn't accept a negative prompt: custom models ignore it. "
                "Clear it, or pick a Firefly base model.",
            )
        intensity = cleaned.get("visual_intensity")
        if intensity is not None:
            if "visual_intensity" in unsupported:
                self.add_error(
                    "visual_intensity",
                    f"Visual intensity isn't available with {model_name}; set it to Auto.",
                )
            else:
                for problem in validate_range(
                    intensity, *facts.LIMITS["visual_intensity"], "Visual intensity"
                ):
                    self.add_error("visual_intensity", problem)

        presets = cleaned.get("style_presets") or []
        strength = cleaned.get("style_strength")
        if presets and strength is not None:
            for problem in validate_range(
                strength, *facts.LIMITS["style_strength"], "Style strength"
            ):
                self.add_error("style_strength", problem)
        return cleaned

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``generation_create`` from valid data."""
        data = self.cleaned_data
        presets = tuple(data.get("style_presets") or ())
        return {
            "prompt": data["prompt"],
            "custom_model": data["custom_model"],
            "model_version": data["model_version"],
            "style_presets": presets,
            "style_strength": data.get("style_strength") if presets else None,
            "negative_prompt": data.get("negative_prompt", ""),
            "content_class": data.get("content_class", ""),
            "visual_intensity": data.get("visual_intensity"),
            "width": data["width"],
            "height": data["height"],
            "num_variations": data["num_variations"],
            "seeds": tuple(data.get("seeds") or ()),
            "locale": data.get("locale", ""),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service ValidationError on the fields it names (the rest above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = SERVICE_FIELDS.get(name)
            for item in errors:
                messages = item.messages if isinstance(item, ValidationError) else [str(item)]
                for message in messages:
                    if field not in self.fields:
                        self.add_error(None, message)
                    elif message not in self.errors.get(field, []):
                        self.add_error(field, message)


def initial_from_campaign(campaign: Campaign) -> dict:
    initial: dict = {
        "num_variations": DEFAULT_VARIATIONS,
        "style_strength": DEFAULT_STYLE_STRENGTH,
        "model": facts.DEFAULT_MODEL_VERSION,
        "size": _size_value(*facts.DEFAULT_SIZE),
    }
    model = campaign.default_custom_model
    if (
        model is not None
        and model.enabled
        and model.published_state == model.PublishedState.PUBLISHED
    ):
        initial["model"] = model_value(model, model.model_version)
    if campaign.default_style_presets:
        initial["style_presets"] = [
            p for p in campaign.default_style_presets if p in facts.PRESET_IDS
        ]
    if campaign.default_size:
        initial["size"] = campaign.default_size
    return initial


def fresh_seed(avoid: Iterable[int] = ()) -> int:
    """A random seed Firefly accepts, none of `avoid`: "vary" must never pay for the same
    image twice."""
    low, high = facts.LIMITS["seed_value"]
    taken = set(avoid)
    while True:
        seed = low + secrets.randbelow(high - low + 1)
        if seed not in taken:
            return seed


def initial_from_generation(generation: Generation, seed: int | None = None) -> dict:
    """The settings of an earlier generation; with ``seed``, one variation with that seed."""
    initial = {
        "prompt": generation.prompt,
        "model": model_value(generation.custom_model, generation.model_version)
        if generation.custom_model_id
        else generation.model_version,
        "style_presets": list(generation.style_presets or []),
        "style_strength": generation.style_strength or DEFAULT_STYLE_STRENGTH,
        "size": _size_value(generation.width, generation.height),
        "num_variations": generation.num_variations,
        "negative_prompt": generation.negative_prompt,
        "content_class": generation.content_class,
        "visual_intensity": generation.visual_intensity,
        "locale": generation.locale,
    }
    if seed is not None:
        initial["num_variations"] = 1
        initial["seeds"] = str(seed)
    return initial


# --- Gallery filters ----------------------------------------------------------------------------


class GalleryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search prompts")
    model = forms.CharField(required=False, max_length=32, label="Model")
    preset = forms.CharField(required=False, max_length=64, label="Style preset")
    favourite = forms.BooleanField(required=False, label="Favourites only")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *list(Generation.Status.choices)]
    )
    requester = forms.IntegerField(required=False, min_value=1, label="Requested by")
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    review = forms.ChoiceField(
        required=False, choices=[("", "Any review state"), *Image.ReviewState.choices]
    )

    def clean_model(self) -> tuple[int | None, str]:
        """``(custom model id, "")`` or ``(None, Firefly model version)``; the value is the
        generation form's (`model_value`), and a bare id is a custom model (older links)."""
        value = self.cleaned_data.get("model") or ""
        number = value.removeprefix(CUSTOM_PREFIX)
        if number.isdigit() and 0 < int(number) < 2**31:
            return int(number), ""
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
    def model_groups(options, filters: GalleryFilters) -> list[tuple[str, list[dict]]]:
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
