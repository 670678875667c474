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
from .checker import Checker, Loc
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


def validate_generate(
    body: Any,
    model_version_header: str | None,
    find_model: Callable[[str], CustomModel | None],
    upload_exists: Callable[[str], bool],
) -> GenerateRequest:
    """Return the normalised request or raise a 422 ``ApiError`` listing every problem."""
    check = Checker()
    model_version: str | None = model_version_header or DEFAULT_MODEL_VERSION
    if check.enum(("header", "x-model-version"), model_version, MODEL_VERSIONS) is None:
        model_version = None
    if check.object(("body",), body) is None:
        raise validation_error(check.errors)

    prompt: str | None = None
    if "prompt" not in body:
        check.add(("body", "prompt"), "field required", "value_error.missing")
    else:
        prompt = check.string(("body", "prompt"), body["prompt"], 1, 1024)
    fields = _read_optional_fields(check, body, upload_exists)
    _check_combinations(check, fields, model_version, find_model)
    if check.errors:
        raise validation_error(check.errors)

    # No errors: the prompt and the model version were both read.
    assert prompt is not None
    assert model_version is not None
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
    check: Checker, body: dict[str, Any], upload_exists: Callable[[str], bool]
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
    check: Checker, value: Any, found: dict[str, Any], upload_exists: Callable[[str], bool]
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
    check: Checker, parent: Loc, value: Any, upload_exists: Callable[[str], bool]
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
    check: Checker,
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


def _has_error(check: Checker, field: str) -> bool:
    """Whether ``field`` already has an error (so a rule does not report it twice)."""
    return any(e["loc"][:2] == ["body", field] for e in check.errors)
