"""Adobe's documented style presets and supported sizes, as the emulator enforces them.

Copied from the contract (facts.json: 152 presets, sizes per model) rather than imported from the
client package: an emulator that shares its rules with the client under test would agree with the
client's bugs. The groups are unofficial (Adobe publishes none); the emulator uses them only to
choose how a preset marks the picture.
"""

# Group name -> preset ids, space-separated, in the order of Adobe's table.
_GROUPED_IDS = {
    "Content type": "graphic wireframe vector_look",
    "Color and tone": (
        "bw cool_colors golden monochromatic muted_color pastel_color toned_image "
        "vibrant_colors warm_tone"
    ),
    "Composition": (
        "closeup knolling landscape_photography macrophotography photographed_through_window "
        "shallow_depth_of_field shot_from_above shot_from_below surface_detail wide_angle"
    ),
    "Themes": "beautiful bohemian chaotic dais divine eclectic futuristic kitschy nostalgic simple",
    "Effects": (
        "antique_photo bioluminescent bokeh color_explosion dark faded_image fisheye "
        "gomori_photography grainy_film iridescent isometric misty neon "
        "otherworldly_depiction ultraviolet underwater"
    ),
    "Lighting": (
        "backlighting dramatic_light golden_hour harsh_light long low_lighting multiexposure "
        "studio_light surreal_lighting"
    ),
    "Materials": (
        "3d_patterns charcoal claymation fabric fur guilloche_patterns layered_paper "
        "marble_sculpture made_of_metal origami paper_mache polka strange_patterns "
        "wood_carving yarn"
    ),
    "Movements": (
        "art_deco art_nouveau baroque bauhaus constructivism cubism cyberpunk fantasy fauvism "
        "film_noir glitch_art impressionism industrialism maximalism minimalism modern_art "
        "modernism neo pointillism psychedelic science_fiction steampunk surrealism "
        "synthetism synthwave vaporwave"
    ),
    "Techniques": (
        "acrylic_paint bold_lines chiaroscuro color_shift_art daguerreotype digital_fractal "
        "doodle_drawing double_exposure_portrait fresco geometric_pen halftone ink "
        "light_painting line_drawing linocut oil_paint paint_spattering painting "
        "palette_knife photo_manipulation scribble_texture sketch splattering "
        "stippling_drawing watercolor"
    ),
    "Concepts": (
        "3d anime cartoon cinematic comic_book concept_art cyber_matrix digital_art "
        "flat_design geometric glassmorphism glitch_graphic graffiti hyper_realistic "
        "interior_design line_gradient low_poly newspaper_collage optical_illusion "
        "pattern_pixel pixel_art pop_art product_photo psychedelic_background "
        "psychedelic_wonderland scandinavian splash_images stamp trompe_loeil"
    ),
}

#: preset id -> unofficial group name
PRESET_GROUP: dict[str, str] = {
    preset: group for group, ids in _GROUPED_IDS.items() for preset in ids.split()
}
STYLE_PRESETS: frozenset[str] = frozenset(PRESET_GROUP)

_IMAGE3_SIZES = (
    (2048, 2048),
    (1024, 1024),
    (2304, 1792),
    (1792, 2304),
    (2688, 1536),
    (2688, 1512),
    (1344, 768),
    (1344, 756),
    (1152, 896),
    (896, 1152),
)
_IMAGE4_SIZES = ((2048, 2048), (2304, 1792), (1792, 2304), (2688, 1536), (1440, 2560))

#: x-model-version values accepted by POST /v3/images/generate-async.
MODEL_VERSIONS: tuple[str, ...] = (
    "image3",
    "image3_custom",
    "image4_standard",
    "image4_ultra",
    "image4_custom",
)
DEFAULT_MODEL_VERSION = "image3"
CUSTOM_MODEL_VERSIONS = frozenset({"image3_custom", "image4_custom"})

#: Supported (width, height) pairs per model version; custom models follow their base family.
SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "image3": _IMAGE3_SIZES,
    "image3_custom": _IMAGE3_SIZES,
    "image4_standard": _IMAGE4_SIZES,
    "image4_ultra": _IMAGE4_SIZES,
    "image4_custom": _IMAGE4_SIZES,
}
DEFAULT_SIZE = (2048, 2048)
CONTENT_CLASSES = ("photo", "art")
UPSAMPLER_TYPES = ("default", "low_creativity")
