"""The seeded custom-model catalogue and ``GET /v3/custom-models`` paging, sorting and filtering.

Which ``x-model-version`` a custom model needs is decided by its base model: ``clio_v2`` (the only
base name Adobe's material shows, on Image 3) means ``image3_custom``; ``firefly_image4`` (a name
the emulator invents, none has been published) means ``image4_custom``. ``clio_v3`` (also
invented) needs ``image4_custom`` too, but the studio has never heard of it: it stands for the
next base model Adobe ships, which a client must not guess a version for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

BASE_MODEL_VERSIONS = {
    "clio_v2": "image3_custom",
    "firefly_image4": "image4_custom",
    "clio_v3": "image4_custom",
}
_BASE_VERSIONS = {"clio_v2": "2.0.0", "firefly_image4": "4.0.0", "clio_v3": "3.0.0"}

SORT_KEYS = ("assetName", "createdDate", "modifiedDate")
PUBLISHED_STATE_FILTERS = (
    "all",
    "ready",
    "published",
    "unpublished",
    "queued",
    "training",
    "failed",
    "cancelled",
)
MAX_LIMIT = 50
_TRAINING_STATES = ("ready", "queued", "training", "failed", "cancelled")
PATH = "/v3/custom-models"


@dataclass(frozen=True)
class CustomModel:
    """One catalogue entry; ``training_state`` is internal (it only drives the list filter)."""

    asset_id: str
    display_name: str
    training_mode: str
    base_model: str
    published_state: str
    created: str
    modified: str
    sample_prompt: str
    concept_id: str = ""
    size: int = 16_513_991_265
    etag_hex: str = "e7ee78220f4d46ceb766758e0e300a51"
    version: str = "1"
    training_state: str = "ready"

    def __post_init__(self) -> None:
        if self.base_model not in BASE_MODEL_VERSIONS:
            raise ValueError(f"base_model must be one of {sorted(BASE_MODEL_VERSIONS)}")
        if self.training_mode not in ("style", "subject"):
            raise ValueError("training_mode must be 'style' or 'subject'")
        if self.published_state not in ("never", "published", "unpublished"):
            raise ValueError("published_state must be never, published or unpublished")
        if self.training_state not in _TRAINING_STATES:
            raise ValueError(f"training_state must be one of {_TRAINING_STATES}")

    @property
    def model_version(self) -> str:
        """The ``x-model-version`` this model must be used with."""
        return BASE_MODEL_VERSIONS[self.base_model]

    @property
    def usable(self) -> bool:
        """Whether generation accepts it as ``customModelId``."""
        return self.published_state == "published" and self.training_state == "ready"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "assetName": f"{self.display_name}.ffcustommodel",
            "size": self.size,
            "etag": f'"{self.etag_hex}"',
            "trainingMode": self.training_mode,
            "assetId": self.asset_id,
            "mediaType": "application/vnd.adobe.ffmodel+dcx",
            "createdDate": self.created,
            "modifiedDate": self.modified,
            "publishedState": self.published_state,
            "baseModel": {"name": self.base_model, "version": _BASE_VERSIONS[self.base_model]},
            "samplePrompt": self.sample_prompt,
            "displayName": self.display_name,
            "conceptId": self.concept_id,
        }


SEED_MODELS: tuple[CustomModel, ...] = (
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:bc1f46cd-be98-4a7b-9ffe-3c2a1e7d5b10",
        display_name="Warm Custom Model",
        training_mode="style",
        base_model="clio_v2",
        published_state="published",
        created="2025-12-11T14:44:48.871Z",
        modified="2025-12-11T14:44:54.741Z",
        sample_prompt="A bean generated in a warm setting with brown colours",
    ),
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:5f0e2b7a-31c4-4d8e-9a61-0b7d4c2e8f13",
        display_name="Aurora Perfume Bottle",
        training_mode="subject",
        base_model="clio_v2",
        published_state="published",
        created="2026-01-20T09:02:11.402Z",
        modified="2026-02-03T16:25:40.118Z",
        sample_prompt="aurora-bottle on a marble counter, soft morning light",
        concept_id="aurora-bottle",
        size=9_874_120_332,
        etag_hex="0c9a4f1e6b2d4d7fa8e1c3b5d7f90a12",
        version="2",
    ),
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:9d3c1a52-7e8f-4b06-b2d4-6a1f0e9c3b77",
        display_name="Brand Pastel Illustration",
        training_mode="style",
        base_model="firefly_image4",
        published_state="published",
        created="2026-03-02T11:30:05.000Z",
        modified="2026-03-05T08:12:44.530Z",
        sample_prompt="A city park in spring, flat pastel illustration with soft grain",
        size=21_004_551_870,
        etag_hex="7b1d2e3f4a5b4c6d8e9f0a1b2c3d4e5f",
    ),
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:e41b8c07-2d5a-4f93-8c1e-7a6b5d4c3f21",
        display_name="Fenn the Fox Mascot",
        training_mode="subject",
        base_model="firefly_image4",
        published_state="published",
        created="2026-04-14T17:48:29.663Z",
        modified="2026-04-15T10:01:02.004Z",
        sample_prompt="fenn-fox waving from a hot air balloon, bright daylight",
        concept_id="fenn-fox",
        size=18_220_004_117,
        etag_hex="a3c5e7f9b1d34f6a8c0e2a4c6e8f0b2d",
    ),
    CustomModel(  # on a base model the studio does not know (see the module docstring)
        asset_id="urn:aaid:sc:VA6C2:7c4e1b90-3f2d-4a6e-b8c1-d05e9f2a6b34",
        display_name="Nordic Knitwear Look",
        training_mode="style",
        base_model="clio_v3",
        published_state="published",
        created="2026-04-28T10:15:00.000Z",
        modified="2026-05-02T09:40:12.310Z",
        sample_prompt="Chunky wool sweaters on a snowy porch, soft overcast light",
        size=14_220_118_004,
        etag_hex="9f8e7d6c5b4a4938a7b6c5d4e3f2a1b0",
    ),
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:2a7f9e31-b6c0-4e58-a4d2-91c3e5f7a8b6",
        display_name="Holiday 2025 Look",
        training_mode="style",
        base_model="clio_v2",
        published_state="unpublished",
        created="2025-10-01T08:00:00.000Z",
        modified="2026-01-07T12:30:00.000Z",
        sample_prompt="Snowy shop window with red ribbons and warm bokeh lights",
        size=12_006_331_904,
        etag_hex="5e6f7a8b9c0d4e1fa2b3c4d5e6f7a8b9",
    ),
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:c8e2d4f6-0a1b-4c3d-9e5f-7a8b9c0d1e2f",
        display_name="Maple Mug Draft",
        training_mode="subject",
        base_model="firefly_image4",
        published_state="never",
        created="2026-05-18T13:20:41.220Z",
        modified="2026-05-18T15:02:09.918Z",
        sample_prompt="maple-mug steaming on a wooden table in autumn",
        concept_id="maple-mug",
        size=7_415_992_210,
        etag_hex="d1e2f3a4b5c64d7e8f9a0b1c2d3e4f5a",
    ),
    CustomModel(
        asset_id="urn:aaid:sc:VA6C2:f0e1d2c3-b4a5-4968-8776-65a4b3c2d1e0",
        display_name="Spring Lookbook",
        training_mode="style",
        base_model="firefly_image4",
        published_state="never",
        created="2026-05-26T07:45:00.000Z",
        modified="2026-05-26T07:45:00.000Z",
        sample_prompt="Linen outfits in a sunlit greenhouse",
        size=0,
        etag_hex="00112233445566778899aabbccddeeff",
        training_state="training",
    ),
)


def _matches(model: CustomModel, published_state: str) -> bool:
    if published_state == "all":
        return True
    if published_state in ("published", "unpublished"):
        return model.training_state == "ready" and model.published_state == published_state
    return model.training_state == published_state


def _int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    values = query.get(name)
    raw = values[0] if values else None
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"Invalid value for '{name}': {raw!r} is not a number.") from None
    if not low <= value <= high:
        raise ValueError(f"Invalid value for '{name}': must be between {low} and {high}.")
    return value


def list_page(models: list[CustomModel], query: dict[str, list[str]]) -> dict[str, Any]:
    """The ``CustomModelsFF3pInfo`` body for ``query``; ValueError explains a bad parameter."""
    start = _int_param(query, "start", 0, 0, 2**31 - 1)
    limit = _int_param(query, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    sort_by = (query.get("sortBy") or ["modifiedDate"])[0]
    published_state = (query.get("publishedState") or ["published"])[0]
    key = sort_by.removeprefix("-")
    if key not in SORT_KEYS:
        raise ValueError(f"Invalid value for 'sortBy': {sort_by!r}; use {', '.join(SORT_KEYS)}.")
    if published_state not in PUBLISHED_STATE_FILTERS:
        raise ValueError(f"Invalid value for 'publishedState': {published_state!r}.")

    selected = [model.to_json() for model in models if _matches(model, published_state)]
    selected.sort(key=lambda item: (item[key], item["assetId"]), reverse=sort_by.startswith("-"))
    page = selected[start : start + limit]
    links: dict[str, Any] = {
        "page": {"href": PATH + "?start={start}&limit={limit}", "rel": "page", "templated": True}
    }
    if start + len(page) < len(selected):
        params = {
            "start": start + len(page),
            "limit": limit,
            "sortBy": sort_by,
            "publishedState": published_state,
        }
        links["next"] = {"href": f"{PATH}?{urlencode(params)}", "rel": "next", "templated": False}
    return {"custom_models": page, "_links": links, "total_count": len(selected)}
