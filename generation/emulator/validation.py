"""Validation of the generate request body, answered the way the contract decides.

Every problem becomes one pydantic-v1-style item ``{"loc", "msg", "type"[, "ctx"]}`` in a 422
``validation_error``; all problems are reported at once, field checks first, then the rules that
span fields (seeds vs numVariations, size per model, custom-model pairing). Unknown fields are
ignored, as pydantic does by default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .catalogue import CustomModel
from .errors import validation_error
from .presets import (
    CONTENT_CLASSES,
    CUSTOM_MODEL_VERSIONS,
    DEFAULT_MODEL_VERSION,
    DEFAULT_SIZE,
    MODEL_VERSIONS,
    SIZES,
    STYLE_PRESETS,
    UPSAMPLER_TYPES,
)

MAX_SEED = 2**31 - 1
URL_DOMAINS = ("amazonaws.com", "windows.net", "dropboxusercontent.com", "storage.googleapis.com")
_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class GenerateRequest:
    """A validated generate request, normalised (defaults applied)."""

    prompt: str
    model_version: str
    num_variations: int
    seeds: tuple[int, ...] | None
    size: tuple[int, int]
    content_class: str | None = None
    presets: tuple[str, ...] = ()
    style_strength: int | None = None
    visual_intensity: int | None = None
    negative_prompt: str | None = None
    custom_model_id: str | None = None
    locale: str | None = None


class _Checker:
    """Collects errors while reading fields; each reader returns None for a bad value."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, loc: Loc, msg: str, type_: str, ctx: dict[str, Any] | None = None) -> None:
        item: dict[str, Any] = {"loc": list(loc), "msg": msg, "type": type_}
        if ctx:
            item["ctx"] = ctx
        self.errors.append(item)

    def object(self, loc: Loc, value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(loc, "value is not a valid dict", "type_error.dict")
            return None
        return value

    def integer(
        self, loc: Loc, value: Any, low: int | None = None, high: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(loc, "value is not a valid integer", "type_error.integer")
            return None
        if low is not None and value < low:
            self.add(
                loc,
                f"ensure this value is greater than or equal to {low}",
                "value_error.number.not_ge",
                {"limit_value": low},
            )
            return None
        if high is not None and value > high:
            self.add(
                loc,
                f"ensure this value is less than or equal to {high}",
                "value_error.number.not_le",
                {"limit_value": high},
            )
            return None
        return value

    def string(
        self, loc: Loc, value: Any, min_length: int = 0, max_length: int | None = None
    ) -> str | None:
        if not isinstance(value, str):
            self.add(loc, "str type expected", "type_error.str")
            return None
        if len(value) < min_length:
            self.add(
                loc,
                f"ensure this value has at least {min_length} characters",
                "value_error.any_str.min_length",
                {"limit_value": min_length},
            )
            return None
        if max_length is not None and len(value) > max_length:
            self.add(
                loc,
                f"ensure this value has at most {max_length} characters",
                "value_error.any_str.max_length",
                {"limit_value": max_length},
            )
            return None
        return value

    def enum(self, loc: Loc, value: Any, allowed: tuple[str, ...]) -> str | None:
        if value not in allowed:
            permitted = ", ".join(f"'{item}'" for item in allowed)
            self.add(
                loc,
                f"value is not a valid enumeration member; permitted: {permitted}",
                "type_error.enum",
                {"enum_values": list(allowed)},
            )
            return None
        return value

    def array(self, loc: Loc, value: Any, min_items: int, max_items: int | None) -> list | None:
        if not isinstance(value, list):
            self.add(loc, "value is not a valid list", "type_error.list")
            return None
        if len(value) < min_items:
            self.add(
                loc,
                f"ensure this value has at least {min_items} items",
                "value_error.list.min_items",
                {"limit_value": min_items},
            )
            return None
        if max_items is not None and len(value) > max_items:
            self.add(
                loc,
                f"ensure this value has at most {max_items} items",
                "value_error.list.max_items",
                {"limit_value": max_items},
            )
            return None
        if len({repr(item) for item in value}) != len(value):
            self.add(loc, "the list has duplicated items", "value_error.list.unique_items")
            return None
        return value


def validate_generate(
    body: Any,
    model_version_header: str | None,
    find_model: Callable[[str], CustomModel | None],
    upload_exists: Callable[[str], bool],
) -> GenerateRequest:
    """Return the normalised request or raise a 422 ``ApiError`` listing every problem."""
    check = _Checker()
    model_version = model_version_header or DEFAULT_MODEL_VERSION
    if check.enum(("header", "x-model-version"), model_version, MODEL_VERSIONS) is None:
        model_version = None
    if check.object(("body",), body) is None:
        raise validation_error(check.errors)

    prompt = None
    if "prompt" not in body:
        check.add(("body", "prompt"), "field required", "value_error.missing")
    else:
        prompt = check.string(("body", "prompt"), body["prompt"], 1, 1024)
    fields = _read_optional_fields(check, body, upload_exists)
    _check_combinations(check, fields, model_version, find_model)
    if check.errors:
        raise validation_error(check.errors)

    seeds = fields.get("seeds")
    return GenerateRequest(
        prompt=prompt,
        model_version=model_version,
        num_variations=fields.get("numVariations") or (len(seeds) if seeds else 1),
        seeds=tuple(seeds) if seeds else None,
        size=fields.get("size", DEFAULT_SIZE),
        content_class=fields.get("contentClass"),
        presets=tuple(fields.get("presets", ())),
        style_strength=fields.get("styleStrength"),
        visual_intensity=fields.get("visualIntensity"),
        negative_prompt=fields.get("negativePrompt"),
        custom_model_id=fields.get("customModelId"),
        locale=fields.get("promptBiasingLocaleCode"),
    )


def _read_optional_fields(
    check: _Checker, body: dict[str, Any], upload_exists: Callable[[str], bool]
) -> dict[str, Any]:
    """Type and range checks of each optional field; returns the good values by name."""
    found: dict[str, Any] = {}

    def keep(name: str, value: Any) -> None:
        if value is not None:
            found[name] = value

    def loc(*parts: str | int) -> Loc:
        return ("body", *parts)

    if "negativePrompt" in body:
        keep("negativePrompt", check.string(loc("negativePrompt"), body["negativePrompt"], 0, 1024))
    if "numVariations" in body:
        keep("numVariations", check.integer(loc("numVariations"), body["numVariations"], 1, 4))
    if "seeds" in body:
        seeds = check.array(loc("seeds"), body["seeds"], 1, 4)
        if seeds is not None:
            good = [check.integer(loc("seeds", i), s, 0, MAX_SEED) for i, s in enumerate(seeds)]
            if None not in good:
                found["seeds"] = good
    if "size" in body:
        size = check.object(loc("size"), body["size"])
        if size is not None:
            dims = []
            for name in ("width", "height"):
                if name not in size:
                    check.add(loc("size", name), "field required", "value_error.missing")
                else:
                    dims.append(check.integer(loc("size", name), size[name], 1, 4096))
            if len(dims) == 2 and None not in dims:
                found["size"] = (dims[0], dims[1])
    if "contentClass" in body:
        keep("contentClass", check.enum(loc("contentClass"), body["contentClass"], CONTENT_CLASSES))
    if "visualIntensity" in body:
        value = check.integer(loc("visualIntensity"), body["visualIntensity"], 2, 10)
        keep("visualIntensity", value)
    if "promptBiasingLocaleCode" in body:
        locale = check.string(loc("promptBiasingLocaleCode"), body["promptBiasingLocaleCode"])
        if locale is not None and not _LOCALE.match(locale):
            check.add(
                loc("promptBiasingLocaleCode"),
                f'string does not match regex "{_LOCALE.pattern}"',
                "value_error.str.regex",
                {"pattern": _LOCALE.pattern},
            )
        elif locale is not None:
            found["promptBiasingLocaleCode"] = locale
    if "customModelId" in body:
        keep("customModelId", check.string(loc("customModelId"), body["customModelId"], 1))
    if "upsamplerType" in body:
        keep(
            "upsamplerType",
            check.enum(loc("upsamplerType"), body["upsamplerType"], UPSAMPLER_TYPES),
        )
    if "tileable" in body and not isinstance(body["tileable"], bool):
        check.add(loc("tileable"), "value could not be parsed to a boolean", "type_error.bool")
    if "style" in body:
        _read_style(check, body["style"], found, upload_exists)
    if "structure" in body:
        structure = check.object(loc("structure"), body["structure"])
        if structure is not None:
            if "strength" in structure:
                check.integer(loc("structure", "strength"), structure["strength"], 0, 100)
            if "imageReference" in structure:
                _read_reference(check, loc("structure"), structure["imageReference"], upload_exists)
    return found


def _read_style(
    check: _Checker, value: Any, found: dict[str, Any], upload_exists: Callable[[str], bool]
) -> None:
    style = check.object(("body", "style"), value)
    if style is None:
        return
    if "presets" in style:
        presets = check.array(("body", "style", "presets"), style["presets"], 0, None)
        if presets is not None:
            for index, preset in enumerate(presets):
                loc = ("body", "style", "presets", index)
                if not isinstance(preset, str):
                    check.add(loc, "str type expected", "type_error.str")
                elif preset not in STYLE_PRESETS:
                    check.add(
                        loc,
                        f"value is not a valid enumeration member; unknown style preset '{preset}'",
                        "type_error.enum",
                    )
            # Only strings can be preset ids (a `{}` is not even hashable).
            found["presets"] = [p for p in presets if isinstance(p, str) and p in STYLE_PRESETS]
    if "strength" in style:
        strength = check.integer(("body", "style", "strength"), style["strength"], 1, 100)
        if strength is not None:
            found["styleStrength"] = strength
    if "imageReference" in style:
        _read_reference(check, ("body", "style"), style["imageReference"], upload_exists)


def _read_reference(
    check: _Checker, parent: Loc, value: Any, upload_exists: Callable[[str], bool]
) -> None:
    reference = check.object((*parent, "imageReference"), value)
    if reference is None:
        return
    loc = (*parent, "imageReference", "source")
    if "source" not in reference:
        check.add(loc, "field required", "value_error.missing")
        return
    source = check.object(loc, reference["source"])
    if source is None:
        return
    if ("uploadId" in source) == ("url" in source):
        check.add(loc, "give exactly one of uploadId or url", "value_error")
    elif "uploadId" in source:
        upload_id = check.string((*loc, "uploadId"), source["uploadId"], 1)
        if upload_id is not None and not upload_exists(upload_id):
            check.add((*loc, "uploadId"), f"unknown uploadId '{upload_id}'", "value_error")
    else:
        url = check.string((*loc, "url"), source["url"], 1, 2083)
        if url is not None:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            allowed = any(host == d or host.endswith("." + d) for d in URL_DOMAINS)
            if parts.scheme != "https" or not allowed:
                check.add(
                    (*loc, "url"),
                    f"url must be https on one of: {', '.join(URL_DOMAINS)}",
                    "value_error.url.host",
                )


def _check_combinations(
    check: _Checker,
    found: dict[str, Any],
    model_version: str | None,
    find_model: Callable[[str], CustomModel | None],
) -> None:
    """Rules that span fields, checked only on values that passed their own checks."""
    seeds, count = found.get("seeds"), found.get("numVariations")
    if seeds is not None and count is not None and len(seeds) != count:
        check.add(
            ("body", "numVariations"),
            f"numVariations ({count}) must equal the number of seeds ({len(seeds)})",
            "value_error",
        )
    if model_version is None:
        return
    size = found.get("size")
    if size is not None and size not in SIZES[model_version]:
        supported = ", ".join(f"{w}x{h}" for w, h in SIZES[model_version])
        check.add(
            ("body", "size"),
            f"size {size[0]}x{size[1]} is not supported by {model_version}; use one of {supported}",
            "value_error",
        )
    is_custom = model_version in CUSTOM_MODEL_VERSIONS
    model_id = found.get("customModelId")
    if is_custom and model_id is None and not _has_error(check, "customModelId"):
        check.add(("body", "customModelId"), "field required", "value_error.missing")
    if not is_custom and model_id is not None:
        check.add(
            ("body", "customModelId"),
            f"customModelId needs x-model-version image3_custom or image4_custom, "
            f"not {model_version}",
            "value_error",
        )
    if is_custom and model_id is not None:
        model = find_model(model_id)
        if model is None or not model.usable:
            check.add(
                ("body", "customModelId"),
                f"custom model '{model_id}' does not exist or is not published",
                "value_error",
            )
        elif model.model_version != model_version:
            check.add(
                ("header", "x-model-version"),
                f"custom model '{model_id}' is trained on {model.base_model}; "
                f"use x-model-version {model.model_version}",
                "value_error",
            )
    if is_custom and "negativePrompt" in found:
        check.add(
            ("body", "negativePrompt"),
            f"negativePrompt is not supported with {model_version}",
            "value_error",
        )
    if model_version == "image4_custom" and "visualIntensity" in found:
        check.add(
            ("body", "visualIntensity"),
            "visualIntensity is not supported with image4_custom",
            "value_error",
        )
    if "upsamplerType" in found and model_version != "image4_custom":
        check.add(
            ("body", "upsamplerType"),
            "upsamplerType is only supported with image4_custom",
            "value_error",
        )


def _has_error(check: _Checker, field: str) -> bool:
    """Whether ``field`` already has an error (so a rule does not report it twice)."""
    return any(e["loc"][:2] == ["body", field] for e in check.errors)
