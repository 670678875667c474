"""The choices the studio's forms share: sizes, style presets, prompt locales and models.

Limits and lists come from ``generation.firefly.facts`` and the messages from
``generation.firefly.validation``, so the forms refuse exactly what Firefly would refuse.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from generation.firefly import facts
from generation.firefly.validation import validate_style_presets
from generation.models import CustomModel

#: A custom model's value in the model pickers ("custom-12"); base models use their version.
CUSTOM_PREFIX = "custom-"

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


def size_value(width: int, height: int) -> str:
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

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", preset_choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        problems = validate_style_presets(value)
        if problems:
            raise ValidationError(problems)


def model_value(custom_model: CustomModel | None, model_version: str) -> str:
    if custom_model is not None:
        return f"{CUSTOM_PREFIX}{custom_model.pk}"
    return model_version
