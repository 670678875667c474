import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generation.firefly import GenerateRequest, errors, facts
from generation.firefly.validation import (
    generate_request_errors,
    validate_generate_request,
    validate_locale,
    validate_prompt,
    validate_seeds,
    validate_size,
    validate_style_presets,
)

CUSTOM = "urn:aaid:sc:VA6C2:bc1f46cd-be98-4a7b-9ffe-1111111111"


def req(**kwargs) -> GenerateRequest:
    kwargs.setdefault("prompt", "a lighthouse at dawn")
    return GenerateRequest(**kwargs)


VALID = [
    {},
    {"prompt": "x" * 1024},
    {"negative_prompt": "n" * 1024},
    {"num_variations": 4, "seeds": [1, 2, 3, 2147483647]},
    {"seeds": [0]},
    {"model_version": "image3", "width": 1344, "height": 756},
    {"model_version": "image4_standard", "width": 1440, "height": 2560},
    {"model_version": "image4_ultra", "num_variations": 1},
    {"custom_model_id": CUSTOM, "model_version": "image3_custom"},
    {
        "custom_model_id": CUSTOM,
        "model_version": "image4_custom",
        "upsampler_type": "low_creativity",
    },
    {"content_class": "art", "visual_intensity": 2},
    {"visual_intensity": 10, "style_strength": 1, "structure_strength": 0},
    {"style_presets": ["bw", "3d", "trompe_loeil"], "style_strength": 100},
    {"style_reference_image_id": "0eb8584a-b850-4c4c-a234-185d6378ecb6"},
    {"structure_image_id": "0eb8584a-b850-4c4c-a234-185d6378ecb6", "structure_strength": 100},
    {"locale": "fr-FR"},
]


@pytest.mark.parametrize("kwargs", VALID)
def test_it_accepts_requests_within_the_api_limits(kwargs):
    validate_generate_request(req(**kwargs))


INVALID = [
    ({"prompt": ""}, "prompt", "Enter a prompt"),
    ({"prompt": "   "}, "prompt", "Enter a prompt"),
    ({"prompt": "x" * 1025}, "prompt", "at most 1024"),
    ({"negative_prompt": "n" * 1025}, "negative_prompt", "at most 1024"),
    (
        {"custom_model_id": CUSTOM, "model_version": "image3_custom", "negative_prompt": "blur"},
        "negative_prompt",
        "not supported",
    ),
    # Which version a custom model needs depends on its base model: never guessed.
    ({"custom_model_id": CUSTOM}, "model_version", "custom model needs one of"),
    ({"model_version": "image5"}, "model_version", "Unknown model version"),
    ({"model_version": "image3_custom"}, "custom_model_id", "Choose a custom model"),
    ({"model_version": "image3", "custom_model_id": CUSTOM}, "model_version", "custom model"),
    ({"num_variations": 0}, "num_variations", "between 1 and 4"),
    ({"num_variations": 5}, "num_variations", "between 1 and 4"),
    ({"num_variations": True}, "num_variations", "whole number"),
    ({"model_version": "image4_ultra", "num_variations": 2}, "num_variations", "one image"),
    ({"model_version": "image4_ultra", "seeds": [1, 2]}, "seeds", "at most 1"),
    ({"seeds": []}, "seeds", "between 1 and 4 seeds"),
    ({"seeds": [1, 2, 3, 4, 5]}, "seeds", "between 1 and 4 seeds"),
    ({"seeds": [7, 7]}, "seeds", "unique"),
    ({"seeds": [-1]}, "seeds", "between 0 and 2147483647"),
    ({"seeds": [2147483648]}, "seeds", "between 0 and 2147483647"),
    ({"seeds": [1.5]}, "seeds", "whole number"),
    ({"seeds": [1, 2], "num_variations": 3}, "seeds", "one seed per variation"),
    ({"width": 2048}, "width", "both width and height"),
    ({"width": 2048, "height": 2049}, "height", "not supported"),
    ({"model_version": "image4_standard", "width": 1024, "height": 1024}, "width", "not supported"),
    ({"model_version": "image3", "width": 1440, "height": 2560}, "width", "not supported"),
    ({"content_class": "painting"}, "content_class", "photo, art"),
    ({"visual_intensity": 1}, "visual_intensity", "between 2 and 10"),
    ({"visual_intensity": 11}, "visual_intensity", "between 2 and 10"),
    (
        {"custom_model_id": CUSTOM, "model_version": "image4_custom", "visual_intensity": 5},
        "visual_intensity",
        "not supported",
    ),
    ({"style_presets": ["long-time_exposure"]}, "style_presets", "Unknown style preset"),
    ({"style_presets": ["photo"]}, "style_presets", "Unknown style preset"),
    ({"style_presets": ["bw", "bw"]}, "style_presets", "only once"),
    ({"style_presets": [{}]}, "style_presets", "preset id (text)"),
    ({"style_presets": [["bw"]]}, "style_presets", "preset id (text)"),
    ({"style_presets": 3}, "style_presets", "list of preset ids"),
    ({"seeds": 7}, "seeds", "list of whole numbers"),
    ({"model_version": ["image3"]}, "model_version", "Unknown model version"),
    ({"model_version": "image3_custom", "custom_model_id": [CUSTOM]}, "custom_model_id", "text"),
    ({"style_strength": 0}, "style_strength", "between 1 and 100"),
    ({"style_strength": 101}, "style_strength", "between 1 and 100"),
    ({"structure_strength": -1}, "structure_strength", "between 0 and 100"),
    ({"structure_strength": 101}, "structure_strength", "between 0 and 100"),
    ({"style_reference_image_id": ""}, "style_reference_image_id", "upload id"),
    ({"locale": "en_US"}, "locale", "en-US"),
    ({"locale": "english"}, "locale", "en-US"),
    ({"upsampler_type": "default"}, "upsampler_type", "not supported"),
    (
        {"custom_model_id": CUSTOM, "model_version": "image4_custom", "upsampler_type": "max"},
        "upsampler_type",
        "default, low_creativity",
    ),
]


@pytest.mark.parametrize(("kwargs", "field", "fragment"), INVALID)
def test_it_names_the_field_that_breaks_an_api_limit(kwargs, field, fragment):
    with pytest.raises(errors.RequestValidationError) as caught:
        validate_generate_request(req(**kwargs))
    assert field in caught.value.field_errors, caught.value.field_errors
    assert any(fragment in m for m in caught.value.field_errors[field]), caught.value.field_errors


def test_it_collects_every_bad_field_in_one_error():
    bad = req(prompt="", num_variations=9, content_class="x", locale="nope")
    found = generate_request_errors(bad)
    assert set(found) == {"prompt", "num_variations", "content_class", "locale"}


def test_it_reports_a_size_problem_under_width_and_height():
    found = generate_request_errors(req(width=100, height=100))
    assert found["width"] == found["height"]


def test_it_uses_the_default_model_version_for_size_checks():
    image3_only = req(width=1024, height=1024)
    assert generate_request_errors(image3_only, default_model_version="image3") == {}
    assert "width" in generate_request_errors(image3_only, default_model_version="image4_standard")


def test_the_field_helpers_return_lists_for_django_forms():
    assert validate_prompt("ok") == []
    assert validate_prompt("") == ["Enter a prompt."]
    assert validate_size(2048, 2048, "image4_ultra") == []
    assert validate_size(None, None, "image3") == []
    assert validate_style_presets(["neon", "fabric"]) == []
    assert validate_seeds(None) == []
    assert validate_locale("ja-JP") == []


def test_a_validation_error_is_not_transient_and_speaks_to_the_user():
    with pytest.raises(errors.RequestValidationError) as caught:
        validate_generate_request(req(prompt=""))
    assert caught.value.transient is False
    assert caught.value.user_message == "Please check the request: Enter a prompt."


# --- properties ---------------------------------------------------------------------------

versions = st.sampled_from(facts.MODEL_VERSIONS)


@st.composite
def valid_requests(draw):
    version = draw(versions)
    custom = facts.is_custom_model_version(version)
    unsupported = facts.UNSUPPORTED_FIELDS[version]
    max_n = facts.max_variations(version)
    n = draw(st.none() | st.integers(1, max_n))
    seeds = None
    if draw(st.booleans()):
        count = n or draw(st.integers(1, max_n))
        seeds = draw(
            st.lists(st.integers(0, 2**31 - 1), min_size=count, max_size=count, unique=True)
        )
    size = draw(st.none() | st.sampled_from(facts.allowed_sizes(version)))

    def maybe(name, strategy):
        return None if name in unsupported else draw(st.none() | strategy)

    return GenerateRequest(
        prompt=draw(st.text(min_size=1, max_size=1024).filter(str.strip)),
        negative_prompt=maybe("negative_prompt", st.text(max_size=1024)),
        custom_model_id=CUSTOM if custom else None,
        model_version=version,
        num_variations=n,
        seeds=seeds,
        width=size.width if size else None,
        height=size.height if size else None,
        content_class=draw(st.none() | st.sampled_from(facts.CONTENT_CLASSES)),
        visual_intensity=maybe("visual_intensity", st.integers(2, 10)),
        style_presets=draw(
            st.lists(st.sampled_from(sorted(facts.PRESET_IDS)), max_size=4, unique=True)
        ),
        style_strength=draw(st.none() | st.integers(1, 100)),
        structure_strength=draw(st.none() | st.integers(0, 100)),
        locale=draw(st.none() | st.sampled_from(["en-US", "fr-FR", "ja-JP"])),
        upsampler_type=maybe("upsampler_type", st.sampled_from(facts.UPSAMPLER_TYPES)),
    )


@settings(max_examples=200, deadline=None)
@given(valid_requests())
def test_any_request_built_within_the_limits_validates_and_round_trips(request_):
    validate_generate_request(request_)
    body = request_.to_json()
    assert GenerateRequest.from_json(body, model_version=request_.model_version) == request_


@settings(deadline=None)
@given(st.text(min_size=1025, max_size=3000))
def test_a_prompt_over_1024_characters_is_always_refused(prompt):
    assert "prompt" in generate_request_errors(req(prompt=prompt))


@settings(deadline=None)
@given(st.integers(-(2**40), 2**40))
def test_visual_intensity_is_refused_exactly_outside_2_to_10(value):
    refused = "visual_intensity" in generate_request_errors(req(visual_intensity=value))
    assert refused == (not 2 <= value <= 10)


@settings(deadline=None)
@given(st.integers(1, 4), st.lists(st.integers(0, 1000), min_size=1, max_size=4, unique=True))
def test_seed_count_must_equal_num_variations(n, seeds):
    refused = "seeds" in generate_request_errors(req(num_variations=n, seeds=seeds))
    assert refused == (len(seeds) != n)


# --- any value in any field: a validation error naming that field, never a crash -----------

#: What a JSON body, a form or a careless caller can put in a field.
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
REQUEST_FIELDS = list(GenerateRequest.__dataclass_fields__)
#: Fields a problem with one field is also reported under (size is a pair; a custom model id
#: needs a custom model version).
ALSO_NAMED = {"width": {"height"}, "height": {"width"}, "custom_model_id": {"model_version"}}


@pytest.mark.parametrize("field", REQUEST_FIELDS)
@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(value=any_json)
def test_any_value_in_any_field_is_accepted_or_refused_naming_that_field(field, value):
    found = generate_request_errors(req(**{field: value}))  # never a TypeError or the like
    if found:
        assert field in found, found
        assert set(found) <= {field, *ALSO_NAMED.get(field, ())}, found
