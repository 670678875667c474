"""Facts about the Firefly API, loaded once from the bundled ``facts.json``.

These are Adobe's documented limits (model versions, supported sizes, the 152
style presets, job statuses). Validation, the Django forms and the emulator
tests read them from here so that a change in Adobe's lists is one edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from math import gcd
from types import MappingProxyType
from typing import Any


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("facts.json").read_text(encoding="utf-8")
    return json.loads(text)


_FACTS = _load()

#: What Adobe uses when ``x-model-version`` is omitted; the client always sends the header.
API_DEFAULT_MODEL_VERSION: str = _FACTS["api_default_model_version"]
#: The product's default: Image 4 is GA and better at text and people than Image 3.
DEFAULT_MODEL_VERSION = "image4_standard"

MODEL_VERSIONS: tuple[str, ...] = tuple(_FACTS["model_versions"])
CUSTOM_MODEL_VERSIONS: tuple[str, ...] = tuple(
    v for v, info in _FACTS["model_versions"].items() if info["custom"]
)
BASE_MODEL_VERSIONS: tuple[str, ...] = tuple(
    v for v in MODEL_VERSIONS if v not in CUSTOM_MODEL_VERSIONS
)
MODEL_VERSION_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {v: info["label"] for v, info in _FACTS["model_versions"].items()}
)
#: GenerateRequest field names each model version refuses.
UNSUPPORTED_FIELDS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {v: frozenset(fields) for v, fields in _FACTS["unsupported_fields"].items()}
)

LIMITS: MappingProxyType[str, Any] = MappingProxyType(_FACTS["limits"])
CONTENT_CLASSES: tuple[str, ...] = tuple(_FACTS["content_classes"])
UPSAMPLER_TYPES: tuple[str, ...] = tuple(_FACTS["upsampler_types"])
UPLOAD_CONTENT_TYPES: frozenset[str] = frozenset(_FACTS["upload_content_types"])
OUTPUT_CONTENT_TYPES: frozenset[str] = frozenset(_FACTS["output_content_types"])
JOB_STATUSES: tuple[str, ...] = tuple(_FACTS["job_statuses"]["values"])
TERMINAL_JOB_STATUSES: frozenset[str] = frozenset(_FACTS["job_statuses"]["terminal"])
PUBLISHED_STATE_FILTERS: tuple[str, ...] = tuple(_FACTS["custom_models"]["published_state_filters"])
CUSTOM_MODEL_SORT_KEYS: tuple[str, ...] = tuple(_FACTS["custom_models"]["sort_by"])
CONTENT_POLICY_CODES: frozenset[str] = frozenset(_FACTS["error_codes"]["content_policy"])
ACCESS_ERRORS: tuple[str, ...] = tuple(_FACTS["error_codes"]["access_errors"])
DEFAULT_SIZE: tuple[int, int] = tuple(_FACTS["default_size"])


@dataclass(frozen=True, slots=True)
class SizeOption:
    """One supported output size, with names a picker can show."""

    width: int
    height: int
    aspect_ratio: str  # Adobe's label, e.g. "16:9"
    name: str  # e.g. "Widescreen (16:9)"

    @property
    def label(self) -> str:
        """Name plus pixels, unique within a model: "Square (1:1), 2048 x 2048"."""
        return f"{self.name}, {self.width} x {self.height}"

    @property
    def value(self) -> str:
        """A compact form value: "2048x2048"."""
        return f"{self.width}x{self.height}"


@dataclass(frozen=True, slots=True)
class StylePreset:
    """A style preset id with Adobe's display name and an (unofficial) group."""

    id: str
    name: str
    group: str


def _aspect_ratio(width: int, height: int) -> str:
    # Adobe labels some pairs loosely (2688x1536 is exactly 7:4 but sold as 16:9);
    # prefer Adobe's label so the UI matches their docs.
    known = _FACTS["aspect_ratio_labels"].get(f"{width}x{height}")
    if known:
        return known
    d = gcd(width, height)
    return f"{width // d}:{height // d}"


def _shape_name(width: int, height: int) -> str:
    ratio = width / height
    if ratio == 1:
        return "Square"
    if ratio >= 1.7:
        return "Widescreen"
    if ratio > 1:
        return "Landscape"
    if ratio <= 1 / 1.7:
        return "Vertical"
    return "Portrait"


def _size_option(width: int, height: int) -> SizeOption:
    ratio = _aspect_ratio(width, height)
    return SizeOption(width, height, ratio, f"{_shape_name(width, height)} ({ratio})")


_SIZES: dict[str, tuple[SizeOption, ...]] = {
    version: tuple(_size_option(w, h) for w, h in _FACTS["sizes"][info["size_family"]])
    for version, info in _FACTS["model_versions"].items()
}

STYLE_PRESETS: tuple[StylePreset, ...] = tuple(
    StylePreset(p["id"], p["name"], p["group"]) for p in _FACTS["style_presets"]
)
PRESETS = STYLE_PRESETS  # short alias for forms
PRESET_IDS: frozenset[str] = frozenset(p.id for p in STYLE_PRESETS)
PRESETS_BY_ID: MappingProxyType[str, StylePreset] = MappingProxyType(
    {p.id: p for p in STYLE_PRESETS}
)


def allowed_sizes(model_version: str) -> tuple[SizeOption, ...]:
    """Sizes Adobe supports for ``model_version``; empty for an unknown version.

    Custom models use their base model's list (Adobe documents no separate one).
    """
    return _SIZES.get(model_version, ())


def allowed_size_pairs(model_version: str) -> frozenset[tuple[int, int]]:
    """The ``(width, height)`` pairs supported by ``model_version``."""
    return frozenset((s.width, s.height) for s in allowed_sizes(model_version))


def preset_groups() -> list[tuple[str, list[StylePreset]]]:
    """Presets grouped for a picker, in Adobe's order: ``[(group, [preset, ...]), ...]``."""
    groups: dict[str, list[StylePreset]] = {}
    for preset in STYLE_PRESETS:
        groups.setdefault(preset.group, []).append(preset)
    return list(groups.items())


def is_custom_model_version(model_version: str | None) -> bool:
    """True for ``image3_custom`` / ``image4_custom``."""
    return model_version in CUSTOM_MODEL_VERSIONS


def max_variations(model_version: str) -> int:
    """How many images one request may ask for with ``model_version``."""
    info = _FACTS["model_versions"].get(model_version, {})
    return int(info.get("max_variations", LIMITS["num_variations"][1]))
