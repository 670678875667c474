"""The studio's forms: campaigns, the generation request and the gallery's filter bar.

Import from here (``from generation.studio.forms import GenerationForm``); the modules are
``choices`` (sizes, presets, locales, models), ``campaign``, ``generation``, ``prefill`` and
``filters``.
"""

from generation.labels import size_label
from generation.studio.forms.campaign import CampaignForm, unique_slug
from generation.studio.forms.choices import (
    BASE_MODELS,
    CUSTOM_PREFIX,
    LOCALES,
    PresetField,
    model_value,
    parse_size,
    preset_choices,
    size_options,
    size_value,
)
from generation.studio.forms.filters import GalleryFilterForm
from generation.studio.forms.generation import (
    DEFAULT_STYLE_STRENGTH,
    DEFAULT_VARIATIONS,
    SERVICE_FIELDS,
    GenerationForm,
    limited_text_attrs,
)
from generation.studio.forms.prefill import (
    fresh_seed,
    initial_from_campaign,
    initial_from_generation,
)

__all__ = [
    "BASE_MODELS",
    "CUSTOM_PREFIX",
    "DEFAULT_STYLE_STRENGTH",
    "DEFAULT_VARIATIONS",
    "LOCALES",
    "SERVICE_FIELDS",
    "CampaignForm",
    "GalleryFilterForm",
    "GenerationForm",
    "PresetField",
    "fresh_seed",
    "initial_from_campaign",
    "initial_from_generation",
    "limited_text_attrs",
    "model_value",
    "parse_size",
    "preset_choices",
    "size_label",
    "size_options",
    "size_value",
    "unique_slug",
]
