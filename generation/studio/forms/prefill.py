"""What the generation form starts with: the campaign's defaults or an earlier generation's
settings."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from generation.firefly import facts
from generation.models import Campaign, Generation
from generation.params import GenerationParams
from generation.studio.forms.choices import model_value, size_value
from generation.studio.forms.generation import DEFAULT_STYLE_STRENGTH, DEFAULT_VARIATIONS


def initial_from_campaign(campaign: Campaign) -> dict:
    initial: dict = {
        "num_variations": DEFAULT_VARIATIONS,
        "style_strength": DEFAULT_STYLE_STRENGTH,
        "model": facts.DEFAULT_MODEL_VERSION,
        "size": size_value(*facts.DEFAULT_SIZE),
    }
    model = campaign.default_custom_model
    if model is not None and model.is_usable():
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
    params = GenerationParams.from_generation(generation)
    initial = {
        "prompt": params.prompt,
        "model": model_value(params.custom_model, params.model_version),
        "style_presets": list(params.style_presets),
        "style_strength": params.style_strength or DEFAULT_STYLE_STRENGTH,
        "size": size_value(params.width, params.height),
        "num_variations": params.num_variations,
        "negative_prompt": params.negative_prompt,
        "content_class": params.content_class,
        "visual_intensity": params.visual_intensity,
        "locale": params.locale,
    }
    if seed is not None:
        initial["num_variations"] = 1
        initial["seeds"] = str(seed)
    return initial
