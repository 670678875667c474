"""The generation request form: one `GenerationParams` from what was asked for.

Limits and lists (sizes, presets, ranges) come from ``generation.firefly.facts`` and the messages
from ``generation.firefly.validation``, so the form refuses exactly what Firefly would refuse.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import normalize_newlines

from generation.firefly import facts
from generation.firefly.validation import (
    too_long_message,
    validate_locale,
    validate_negative_prompt,
    validate_num_variations,
    validate_prompt,
    validate_range,
    validate_seeds,
)
from generation.labels import base_model_label, size_label
from generation.models import Campaign, CustomModel
from generation.params import FIELD_NAMES, GenerationParams
from generation.studio.forms.choices import (
    BASE_MODELS,
    CUSTOM_PREFIX,
    LOCALES,
    PresetField,
    model_value,
    parse_size,
    size_options,
)

DEFAULT_VARIATIONS = 4
DEFAULT_STYLE_STRENGTH = 50

# Service and client field names -> the form field that shows the error: a parameter's own
# field, except those the model and size pickers stand for.
SERVICE_FIELDS = {
    **{name: name for name in FIELD_NAMES},
    "custom_model": "model",
    "custom_model_id": "model",
    "model_version": "model",
    "model": "model",
    "width": "size",
    "height": "size",
    "size": "size",
}


def limited_text_attrs(subject: str, limit: int) -> dict:
    """Attributes of a textarea with Firefly's length limit. Deliberately no `maxlength`: the
    browser would silently drop what is typed or pasted past it. generate.js counts instead, says
    what is wrong in the server's words and holds the submit; the form refuses it again."""
    return {"data-max-chars": limit, "data-too-long": too_long_message(subject, limit, "{count}")}


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

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.custom_models = {m.pk: m for m in CustomModel.objects.usable()}
        self._choice_field("model").choices = [
            (model_value(m, m.model_version), m.display_name) for m in self.custom_models.values()
        ] + [(v, facts.MODEL_VERSION_LABELS[v]) for v in BASE_MODELS]
        self.size_options = size_options()
        self._choice_field("size").choices = [(o["value"], o["label"]) for o in self.size_options]
        low, high = facts.LIMITS["num_variations"]
        self._choice_field("num_variations").choices = [(n, str(n)) for n in range(low, high + 1)]
        vi_low, vi_high = facts.LIMITS["visual_intensity"]
        self._choice_field("visual_intensity").choices = [("", "Auto")] + [
            (n, str(n)) for n in range(vi_low, vi_high + 1)
        ]
        strength = self.fields["style_strength"].widget.attrs
        strength["min"], strength["max"] = facts.LIMITS["style_strength"]
        self.preset_groups = facts.preset_groups()

    def _choice_field(self, name: str) -> forms.ChoiceField:
        # `fields` is typed as holding any Field: these, declared above, are choice fields.
        return cast(forms.ChoiceField, self.fields[name])

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

    def clean_prompt(self) -> str:
        # Browsers send a textarea's line breaks as CRLF but count (and Firefly reads) one
        # character per line break.
        prompt = normalize_newlines(self.cleaned_data.get("prompt", ""))
        problems = validate_prompt(prompt)
        if problems:
            raise ValidationError(problems)
        return prompt

    def clean_negative_prompt(self) -> str:
        text = normalize_newlines(self.cleaned_data.get("negative_prompt", ""))
        problems = validate_negative_prompt(text)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_model(self) -> str:
        value = self.cleaned_data["model"]
        if value.startswith(CUSTOM_PREFIX):
            model = self.custom_models.get(int(value.removeprefix(CUSTOM_PREFIX)))
            if model is None:  # unreachable: ChoiceField only accepts usable models
                raise ValidationError("This custom model isn't available any more.")
            self.cleaned_data["custom_model"] = model
            self.cleaned_data["model_version"] = model.model_version
        else:
            self.cleaned_data["custom_model"] = None
            self.cleaned_data["model_version"] = value
        return value

    def clean_seeds(self) -> tuple[int, ...]:
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

    def clean_locale(self) -> str:
        locale = self.cleaned_data.get("locale") or ""
        problems = validate_locale(locale or None)
        if problems:
            raise ValidationError(problems)
        return locale

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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
            if pair is None or pair not in facts.allowed_size_pairs(version):
                names = ", ".join(s.label for s in facts.allowed_sizes(version))
                shown = size_label(*pair) if pair else size
                self.add_error(
                    "size", f"{shown} is not available for {model_name}. Pick one of: {names}."
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
                low, high = facts.LIMITS["visual_intensity"]
                for problem in validate_range(intensity, low, high, "Visual intensity"):
                    self.add_error("visual_intensity", problem)

        presets = cleaned.get("style_presets") or []
        strength = cleaned.get("style_strength")
        if presets and strength is not None:
            low, high = facts.LIMITS["style_strength"]
            for problem in validate_range(strength, low, high, "Style strength"):
                self.add_error("style_strength", problem)
        return cleaned

    def params(self) -> GenerationParams:
        """What was asked for, from valid data (`clean` has resolved the model and size)."""
        data = self.cleaned_data
        # The strength slider is always on the form, but only means something with a preset.
        strength = data.get("style_strength") if data.get("style_presets") else None
        return GenerationParams.from_values({**data, "style_strength": strength})

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
