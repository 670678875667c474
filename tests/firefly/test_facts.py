import pytest

from generation.firefly import facts


def test_it_ships_adobes_152_presets_with_names_and_groups():
    assert len(facts.STYLE_PRESETS) == len(facts.PRESET_IDS) == 152
    assert facts.PRESETS_BY_ID["bw"].name == "Black and white"
    assert facts.PRESETS_BY_ID["trompe_loeil"].group == "Concepts"
    assert all(p.name and p.group for p in facts.STYLE_PRESETS)


def test_presets_are_grouped_in_adobes_order_for_a_picker():
    groups = facts.preset_groups()
    assert groups[0][0] == "Content type"
    assert [p.id for p in groups[0][1]] == ["graphic", "wireframe", "vector_look"]
    assert sum(len(presets) for _, presets in groups) == 152


@pytest.mark.parametrize(
    ("version", "count", "first"),
    [
        ("image3", 10, "Square (1:1)"),
        ("image3_custom", 10, "Square (1:1)"),
        ("image4_standard", 5, "Square (1:1)"),
        ("image4_ultra", 5, "Square (1:1)"),
        ("image4_custom", 5, "Square (1:1)"),
        ("image5", 0, None),
    ],
)
def test_each_model_version_has_its_size_list(version, count, first):
    sizes = facts.allowed_sizes(version)
    assert len(sizes) == count
    if sizes:
        assert sizes[0].name == first


@pytest.mark.parametrize(
    ("width", "height", "name"),
    [
        (2048, 2048, "Square (1:1)"),
        (2304, 1792, "Landscape (4:3)"),
        (1792, 2304, "Portrait (3:4)"),
        (2688, 1536, "Widescreen (16:9)"),
        (1440, 2560, "Vertical (9:16)"),
        (1344, 768, "Widescreen (7:4)"),
        (1152, 896, "Landscape (9:7)"),
        (896, 1152, "Portrait (7:9)"),
    ],
)
def test_sizes_get_human_names_from_their_aspect_ratio(width, height, name):
    option = next(
        s
        for s in facts.allowed_sizes("image3_custom") + facts.allowed_sizes("image4_standard")
        if (s.width, s.height) == (width, height)
    )
    assert option.name == name
    assert option.label == f"{name}, {width} x {height}"
    assert option.value == f"{width}x{height}"


def test_the_default_model_version_is_a_supported_base_model():
    assert facts.DEFAULT_MODEL_VERSION in facts.BASE_MODEL_VERSIONS
    assert facts.API_DEFAULT_MODEL_VERSION == "image3"
    assert facts.CUSTOM_MODEL_VERSIONS == ("image3_custom", "image4_custom")
    assert facts.max_variations("image4_ultra") == 1
    assert facts.max_variations("image3") == 4
