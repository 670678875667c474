"""Client-side validation with the same limits as the Firefly API (CONTRACT 2).

Checking before sending turns a paid round trip into an instant form error.
The per-field ``validate_*`` helpers return a list of problems (empty when
valid) so a Django form's ``clean_<field>`` can reuse them;
:func:`validate_generate_request` checks a whole request and raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from .errors import RequestValidationError
from .facts import (
    CONTENT_CLASSES,
    CUSTOM_MODEL_VERSIONS,
    DEFAULT_MODEL_VERSION,
    LIMITS,
    MODEL_VERSIONS,
    PRESET_IDS,
    PRESETS,
    UNSUPPORTED_FIELDS,
    UPLOAD_CONTENT_TYPES,
    UPSAMPLER_TYPES,
    allowed_size_pairs,
    allowed_sizes,
    is_custom_model_version,
    max_variations,
)
from .types import GenerateRequest

__all__ = [
    "PRESETS",
    "allowed_sizes",
    "generate_request_errors",
    "too_long_message",
    "validate_generate_request",
    "validate_locale",
    "validate_model_version",
    "validate_negative_prompt",
    "validate_num_variations",
    "validate_prompt",
    "validate_range",
    "validate_seeds",
    "validate_size",
    "validate_style_presets",
    "validate_upload",
]

_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
_FIELD_LABELS = {
    "negative_prompt": "A negative prompt",
    "visual_intensity": "Visual intensity",
    "upsampler_type": "The upsampler type",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def too_long_message(subject: str, limit: int, length: int | str) -> str:
    """The error for text over Firefly's limit; the generation form's counter shows the same
    words with `length="{count}"` filled in as the person types."""
    return f"The {subject} must be at most {limit} characters (it has {length})."


def _is_list(value: Any) -> TypeGuard[Iterable[Any]]:
    """A list of values (JSON's array), not text, an object or a single value."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)


def validate_prompt(prompt: Any) -> list[str]:
    """Prompt: 1..1024 characters, not blank."""
    if not isinstance(prompt, str) or not prompt.strip():
        return ["Enter a prompt."]
    limit = LIMITS["prompt_max_chars"]
    if len(prompt) > limit:
        return [too_long_message("prompt", limit, len(prompt))]
    return []


def validate_negative_prompt(text: Any) -> list[str]:
    """Negative prompt: a string of at most 1024 characters."""
    if text is None:
        return []
    if not isinstance(text, str):
        return ["The negative prompt must be text."]
    limit = LIMITS["negative_prompt_max_chars"]
    if len(text) > limit:
        return [too_long_message("negative prompt", limit, len(text))]
    return []


def validate_model_version(model_version: Any) -> list[str]:
    """One of the ``x-model-version`` values accepted by generate-async."""
    if model_version not in MODEL_VERSIONS:
        return [f"Unknown model version {model_version!r}; use one of {', '.join(MODEL_VERSIONS)}."]
    return []


def validate_range(value: Any, low: int, high: int, label: str) -> list[str]:
    """An integer within ``low..high`` inclusive (``None`` is valid: not sent)."""
    if value is None:
        return []
    if not _is_int(value):
        return [f"{label} must be a whole number."]
    if not low <= value <= high:
        return [f"{label} must be between {low} and {high}."]
    return []


def validate_num_variations(value: Any, model_version: str | None = None) -> list[str]:
    """1..4 images per request (1 for ``image4_ultra``)."""
    low, high = LIMITS["num_variations"]
    if model_version in MODEL_VERSIONS:
        high = max_variations(model_version)
    if high == 1 and _is_int(value) and value != 1:
        return [f"{model_version} makes one image per request; set variations to 1."]
    return validate_range(value, low, high, "The number of variations")


def validate_seeds(seeds: Iterable[Any] | None, num_variations: int | None = None) -> list[str]:
    """1..4 unique integer seeds in 0..2147483647, one per variation."""
    if seeds is None:
        return []
    if not _is_list(seeds):
        return ["Seeds must be a list of whole numbers."]
    seeds = list(seeds)
    problems = []
    low_n, high_n = LIMITS["seeds_items"]
    low, high = LIMITS["seed_value"]
    if not low_n <= len(seeds) <= high_n:
        problems.append(f"Give between {low_n} and {high_n} seeds.")
    if any(not _is_int(s) or not low <= s <= high for s in seeds):
        problems.append(f"Each seed must be a whole number between {low} and {high}.")
    elif len(set(seeds)) != len(seeds):
        problems.append("Seeds must be unique.")
    if _is_int(num_variations) and seeds and len(seeds) != num_variations:
        problems.append(
            f"Give one seed per variation ({num_variations} variations, {len(seeds)} seeds)."
        )
    return problems


def _within_limits(value: Any, name: str, label: str) -> list[str]:
    """`validate_range` with Firefly's limits for the field `name`."""
    low, high = LIMITS[name]
    return validate_range(value, low, high, label)


def validate_size(width: Any, height: Any, model_version: str | None) -> list[str]:
    """Width and height together, as one of the pairs the model supports."""
    if width is None and height is None:
        return []
    if not (_is_int(width) and _is_int(height)):
        return ["Give both width and height as whole numbers."]
    known = model_version if model_version in MODEL_VERSIONS else None
    pairs = allowed_size_pairs(known) if known else ()
    if known and pairs and (width, height) not in pairs:
        options = ", ".join(f"{s.width}x{s.height}" for s in allowed_sizes(known))
        return [f"{width}x{height} is not supported by {model_version}; use one of {options}."]
    return []


def validate_style_presets(presets: Iterable[Any]) -> list[str]:
    """Known, unique style preset ids."""
    if presets is None:
        return []
    if isinstance(presets, str | bytes):
        presets = [presets]
    if not _is_list(presets):
        return ["Style presets must be a list of preset ids."]
    presets = list(presets)
    problems = []
    if any(not isinstance(p, str) for p in presets):
        # A `{}` or `["bw"]` is no id (nor hashable, so not even looked up).
        problems.append("Each style preset must be a preset id (text).")
    unknown = [p for p in presets if isinstance(p, str) and p not in PRESET_IDS]
    if unknown:
        problems.append(f"Unknown style preset(s): {', '.join(map(str, unknown))}.")
    if len(set(map(str, presets))) != len(presets):
        problems.append("Each style preset may be chosen only once.")
    return problems


def validate_locale(locale: Any) -> list[str]:
    """A prompt-biasing locale such as ``en-US`` (language-REGION)."""
    if locale is None or (isinstance(locale, str) and _LOCALE.match(locale)):
        return []
    return ["The locale must look like en-US (language-REGION)."]


def validate_upload(data: bytes, content_type: str, max_bytes: int) -> str:
    """Check a reference image before upload; return its normalised content type.

    Raises :class:`RequestValidationError` with the problem under ``"image"``.
    """
    ctype = (content_type or "").split(";")[0].strip().lower()
    ctype = "image/jpeg" if ctype == "image/jpg" else ctype
    problem = None
    if ctype not in UPLOAD_CONTENT_TYPES:
        problem = "Upload a JPEG, PNG or WebP image."
    elif not data:
        problem = "The image is empty."
    elif len(data) > max_bytes:
        problem = f"The image must be at most {max_bytes // (1024 * 1024)} MB."
    if problem:
        raise RequestValidationError(problem, field_errors={"image": [problem]})
    return ctype


def _choice(value: Any, choices: Iterable[str], label: str) -> list[str]:
    choices = tuple(choices)
    if value is None or value in choices:
        return []
    return [f"{label} must be one of {', '.join(choices)}."]


def _upload_id(value: Any, label: str) -> list[str]:
    if value is None or (isinstance(value, str) and value.strip() and len(value) <= 2083):
        return []
    return [f"{label} must be an upload id from the image upload."]


def generate_request_errors(
    req: GenerateRequest, default_model_version: str = DEFAULT_MODEL_VERSION
) -> dict[str, list[str]]:
    """All problems with ``req`` by field name; empty when it may be sent."""
    version = req.resolved_model_version(default_model_version)
    found: dict[str, list[str]] = {}

    def add(name: str, problems: list[str]) -> None:
        if problems:
            found.setdefault(name, []).extend(problems)

    add("prompt", validate_prompt(req.prompt))
    add("negative_prompt", validate_negative_prompt(req.negative_prompt))
    if version is not None:  # None: a custom model without its version, refused just below
        add("model_version", validate_model_version(version))
    custom = is_custom_model_version(version)
    model_id = req.custom_model_id
    if model_id is not None and not isinstance(model_id, str):
        add("custom_model_id", ["The custom model id must be text (the model's assetId)."])
    elif custom and not model_id:
        add("custom_model_id", [f"Choose a custom model to use {version}."])
    elif model_id is not None and not custom:
        if not model_id.strip():
            add("custom_model_id", ["The custom model id must not be blank."])
        else:
            versions = ", ".join(CUSTOM_MODEL_VERSIONS)
            add("model_version", [f"A custom model needs one of {versions}."])
    # (a list is no version, nor a dictionary key)
    known_version = version if version in MODEL_VERSIONS else None
    for name in sorted(UNSUPPORTED_FIELDS.get(known_version, ()) if known_version else ()):
        if getattr(req, name) is not None:
            add(name, [f"{_FIELD_LABELS.get(name, name)} is not supported with {version}."])
    add("num_variations", validate_num_variations(req.num_variations, version))
    add("seeds", validate_seeds(req.seeds, req.num_variations))
    # numVariations defaults to len(seeds), so the seed count is the variation count.
    seeds = req.seeds
    implied = len(tuple(seeds)) if req.num_variations is None and _is_list(seeds) else 0
    if known_version and implied > max_variations(known_version):
        add("seeds", [f"{version} makes at most {max_variations(known_version)} image(s)."])
    for name in ("width", "height"):
        add(name, validate_size(req.width, req.height, version))
    add("content_class", _choice(req.content_class, CONTENT_CLASSES, "The content class"))
    add(
        "visual_intensity",
        _within_limits(req.visual_intensity, "visual_intensity", "Visual intensity"),
    )
    add("style_presets", validate_style_presets(req.style_presets))
    add(
        "style_strength",
        _within_limits(req.style_strength, "style_strength", "Style strength"),
    )
    add("style_reference_image_id", _upload_id(req.style_reference_image_id, "Style reference"))
    add("structure_image_id", _upload_id(req.structure_image_id, "Structure reference"))
    add(
        "structure_strength",
        _within_limits(req.structure_strength, "structure_strength", "Structure strength"),
    )
    add("locale", validate_locale(req.locale))
    add("upsampler_type", _choice(req.upsampler_type, UPSAMPLER_TYPES, "The upsampler type"))
    return found


def validate_generate_request(
    req: GenerateRequest, default_model_version: str = DEFAULT_MODEL_VERSION
) -> None:
    """Raise :class:`~generation.firefly.errors.RequestValidationError` naming each bad field.

    A size problem is reported under both ``width`` and ``height``.
    """
    found = generate_request_errors(req, default_model_version)
    if found:
        summary = "; ".join(f"{name}: {msgs[0]}" for name, msgs in found.items())
        raise RequestValidationError(f"Invalid generate request ({summary})", field_errors=found)
