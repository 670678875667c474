"""Every field of `GenerationParams` round-trips: form → Generation row → Firefly request →
export manifest. A new parameter fails here until each step carries it."""

import pytest

from generation.collab.exports import manifest_row
from generation.models import Generation
from generation.params import FIELD_NAMES, GenerationParams
from generation.pipeline.generations import generation_create, generation_request
from generation.studio.forms import GenerationForm
from tests.factories import make_image

pytestmark = pytest.mark.django_db

FORM_DATA = {
    "prompt": "a teal kettle\r\non a sunny kitchen table",
    "style_presets": ["golden_hour", "pastel_color"],
    "style_strength": "70",
    "size": "2304x1792",
    "num_variations": "2",
    "seeds": "11, 22",
    "content_class": "photo",
    "visual_intensity": "6",
    "locale": "de-DE",
}
EXPECTED = {
    "prompt": "a teal kettle\non a sunny kitchen table",
    "style_presets": ("golden_hour", "pastel_color"),
    "style_strength": 70,
    "width": 2304,
    "height": 1792,
    "num_variations": 2,
    "seeds": (11, 22),
    "content_class": "photo",
    "visual_intensity": 6,
    "locale": "de-DE",
}


def cases(custom_model) -> dict[str, tuple[dict, GenerationParams]]:
    """Form data and the parameters it stands for; between them the cases set every field (a
    custom model takes no negative prompt)."""
    base = {**FORM_DATA, "model": "image3", "negative_prompt": "no people"}
    custom = {**FORM_DATA, "model": f"custom-{custom_model.pk}", "negative_prompt": ""}
    return {
        "base model": (
            base,
            GenerationParams(**EXPECTED, model_version="image3", negative_prompt="no people"),
        ),
        "custom model": (custom, GenerationParams(**EXPECTED, custom_model=custom_model)),
    }


@pytest.fixture(params=["base model", "custom model"])
def asked(request, custom_model) -> tuple[dict, GenerationParams]:
    return cases(custom_model)[request.param]


def test_the_cases_set_every_field(custom_model):
    default = GenerationParams(prompt="", width=0, height=0)
    expected = [params for _, params in cases(custom_model).values()]
    for name in FIELD_NAMES:
        assert any(getattr(p, name) != getattr(default, name) for p in expected), name


def sent_to_firefly(generation: Generation) -> dict:
    """Each parameter as the request to Firefly carries it (body, or the x-model-version)."""
    request = generation_request(generation)
    body = request.to_json()
    style = body.get("style", {})
    return {
        "prompt": body["prompt"],
        "negative_prompt": body.get("negativePrompt", ""),
        "custom_model": body.get("customModelId"),
        "model_version": request.resolved_model_version("unused default"),
        "style_presets": tuple(style.get("presets", ())),
        "style_strength": style.get("strength"),
        "content_class": body.get("contentClass", ""),
        "visual_intensity": body.get("visualIntensity"),
        "width": body["size"]["width"],
        "height": body["size"]["height"],
        "num_variations": body["numVariations"],
        "seeds": tuple(body.get("seeds", ())),
        "locale": body.get("promptBiasingLocaleCode", ""),
    }


def listed_in_manifest(generation: Generation) -> dict:
    """Each parameter as an export's manifest lists it (the image keeps the asked size)."""
    row = manifest_row(make_image(generation, 0, seed=11), "images/one.jpg")
    return {
        "prompt": row["prompt"],
        "negative_prompt": row["negative_prompt"],
        "custom_model": row["model_asset_id"] or None,
        "model_version": row["model_version"],
        "style_presets": tuple(row["style_presets"]),
        "style_strength": row["style_strength"],
        "content_class": row["content_class"],
        "visual_intensity": row["visual_intensity"],
        "width": row["width"],
        "height": row["height"],
        "num_variations": row["num_variations"],
        "seeds": tuple(row["seeds"]),
        "locale": row["locale"],
    }


def test_every_field_round_trips_form_model_request_manifest(asked, spring_launch, alice):
    data, expected = asked
    form = GenerationForm(data, campaign=spring_launch)
    assert form.is_valid(), form.errors.as_data()
    params = form.params()
    assert params == expected

    created = generation_create(campaign=spring_launch, user=alice, params=params)
    stored = Generation.objects.select_related("custom_model").get(pk=created.pk)
    assert GenerationParams.from_generation(stored) == expected

    model = expected.custom_model
    wire = {name: getattr(expected, name) for name in FIELD_NAMES}
    wire["custom_model"] = model.asset_id if model is not None else None
    assert sent_to_firefly(stored) == wire
    assert listed_in_manifest(stored) == wire
