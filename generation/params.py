"""What a generation asks Firefly for, written once.

`GenerationParams` is carried from the form (`GenerationForm.params`) to the service
(`generation_create`), stored on the `Generation` row (`model_fields` / `from_generation`),
sent to Firefly (`to_request`), listed in an export's manifest (`manifest`) and shown in the
admin (`FIELD_NAMES`). Its field names are the `Generation` model's column names, so adding a
parameter means adding it here, on the model and on the form — nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from generation.firefly import GenerateRequest
from generation.firefly.facts import DEFAULT_MODEL_VERSION

if TYPE_CHECKING:
    from generation.models import CustomModel, Generation


@dataclass(frozen=True, kw_only=True)
class GenerationParams:
    """One generation's request, normalised: empty text is "", empty lists are (), the model
    version is always set (a custom model's own, else Firefly's default)."""

    prompt: str
    negative_prompt: str = ""
    custom_model: CustomModel | None = None
    model_version: str = ""
    style_presets: tuple[str, ...] = ()
    style_strength: int | None = None
    content_class: str = ""
    visual_intensity: int | None = None
    width: int
    height: int
    num_variations: int = 1
    seeds: tuple[int, ...] = ()
    locale: str = ""

    def __post_init__(self) -> None:
        # Callers pass what they have (None, lists, repeated presets); the object keeps one form.
        version = self.model_version or (
            self.custom_model.model_version if self.custom_model is not None else ""
        )
        normalised = {
            "negative_prompt": self.negative_prompt or "",
            "model_version": version or DEFAULT_MODEL_VERSION,
            "style_presets": tuple(dict.fromkeys(self.style_presets or ())),
            "content_class": self.content_class or "",
            "seeds": tuple(self.seeds or ()),
            "locale": self.locale or "",
        }
        for name, value in normalised.items():
            object.__setattr__(self, name, value)

    # --- In ---------------------------------------------------------------------------------

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> GenerationParams:
        """From a mapping keyed by field name (a form's cleaned data); other keys are ignored."""
        return cls(**{name: values[name] for name in FIELD_NAMES if name in values})

    @classmethod
    def from_generation(cls, generation: Generation) -> GenerationParams:
        """What `generation` asked for."""
        return cls(**{name: getattr(generation, name) for name in FIELD_NAMES})

    # --- Out --------------------------------------------------------------------------------

    def model_fields(self) -> dict[str, Any]:
        """Keyword arguments for `Generation(...)`: JSON columns take lists."""
        values = {name: getattr(self, name) for name in FIELD_NAMES}
        values["style_presets"] = list(self.style_presets)
        values["seeds"] = list(self.seeds)
        return values

    def to_request(self) -> GenerateRequest:
        """The Firefly request (empty strings and lists are not sent)."""
        return GenerateRequest(
            prompt=self.prompt,
            negative_prompt=self.negative_prompt or None,
            custom_model_id=self.custom_model.asset_id if self.custom_model is not None else None,
            model_version=self.model_version,
            num_variations=self.num_variations,
            seeds=self.seeds or None,
            width=self.width,
            height=self.height,
            content_class=self.content_class or None,
            visual_intensity=self.visual_intensity,
            style_presets=self.style_presets,
            style_strength=self.style_strength,
            locale=self.locale or None,
        )

    def manifest(self) -> dict[str, Any]:
        """The export manifest's columns for these parameters, in their order (`seeds` are the
        requested ones; each image's own seed is a column of the image)."""
        return {
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "model_asset_id": self.custom_model.asset_id if self.custom_model is not None else "",
            "model_version": self.model_version,
            "style_presets": list(self.style_presets),
            "style_strength": self.style_strength,
            "width": self.width,
            "height": self.height,
            "num_variations": self.num_variations,
            "seeds": list(self.seeds),
            "content_class": self.content_class,
            "visual_intensity": self.visual_intensity,
            "locale": self.locale,
        }


#: The parameters' names, which are also the `Generation` columns that store them.
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(GenerationParams))
#: The export manifest's columns for the parameters, in order (read off an empty request, so
#: `manifest` stays their only spelling).
MANIFEST_COLUMNS: tuple[str, ...] = tuple(GenerationParams(prompt="", width=0, height=0).manifest())
