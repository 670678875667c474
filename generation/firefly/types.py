"""Request and response data classes (plain, framework-free)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import errors
from .facts import CONTENT_POLICY_CODES, TERMINAL_JOB_STATUSES, is_custom_model_version


def _tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes):
        return (value,)  # a lone preset id, not its characters
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return tuple(value)
    return value  # type: ignore[return-value]  # not a list: kept so validation names it


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is a JSON object, else an empty one (Adobe's payloads vary)."""
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class GenerateRequest:
    """A text-to-image request for ``POST /v3/images/generate-async``.

    Field names are snake_case; :meth:`to_json` produces Adobe's camelCase body.
    ``model_version`` is sent as the ``x-model-version`` header, not in the body.
    With ``custom_model_id`` pass ``model_version="image3_custom"`` or
    ``"image4_custom"`` for the model's base: it is required, never guessed (Firefly refuses
    a custom model with the other base's version).
    """

    prompt: str
    negative_prompt: str | None = None
    custom_model_id: str | None = None
    model_version: str | None = None
    num_variations: int | None = None
    seeds: tuple[int, ...] | None = None
    width: int | None = None
    height: int | None = None
    content_class: str | None = None
    visual_intensity: int | None = None
    style_presets: tuple[str, ...] = ()
    style_strength: int | None = None
    style_reference_image_id: str | None = None
    structure_image_id: str | None = None
    structure_strength: int | None = None
    locale: str | None = None
    upsampler_type: str | None = None

    def __post_init__(self) -> None:
        # Accept lists from forms/JSON but stay immutable and hashable.
        object.__setattr__(self, "seeds", _tuple(self.seeds))
        presets = _tuple(self.style_presets)
        object.__setattr__(self, "style_presets", () if presets is None else presets)

    def resolved_model_version(self, default: str) -> str | None:
        """The ``x-model-version`` to send: explicit, else ``default`` without a custom model;
        ``None`` for a custom model without one (its base model decides; nothing is guessed)."""
        if self.model_version:
            return self.model_version
        if self.custom_model_id:
            return None
        return default

    def to_json(self) -> dict[str, Any]:
        """The JSON body (a dict) in Adobe's field names; unset fields are omitted."""
        body: dict[str, Any] = {"prompt": self.prompt}
        simple = {
            "negativePrompt": self.negative_prompt,
            "customModelId": self.custom_model_id,
            "numVariations": self.num_variations,
            "contentClass": self.content_class,
            "visualIntensity": self.visual_intensity,
            "promptBiasingLocaleCode": self.locale,
            "upsamplerType": self.upsampler_type,
        }
        body.update({k: v for k, v in simple.items() if v is not None})
        if self.seeds is not None:
            body["seeds"] = list(self.seeds)
        if self.width is not None or self.height is not None:
            body["size"] = {"width": self.width, "height": self.height}
        style: dict[str, Any] = {}
        if self.style_presets:
            style["presets"] = list(self.style_presets)
        if self.style_strength is not None:
            style["strength"] = self.style_strength
        if self.style_reference_image_id:
            style["imageReference"] = {"source": {"uploadId": self.style_reference_image_id}}
        if style:
            body["style"] = style
        structure: dict[str, Any] = {}
        if self.structure_strength is not None:
            structure["strength"] = self.structure_strength
        if self.structure_image_id:
            structure["imageReference"] = {"source": {"uploadId": self.structure_image_id}}
        if structure:
            body["structure"] = structure
        return body

    @classmethod
    def from_json(
        cls, body: Mapping[str, Any], model_version: str | None = None
    ) -> GenerateRequest:
        """Rebuild a request from :meth:`to_json` output (e.g. stored with a job)."""
        style = body.get("style") or {}
        structure = body.get("structure") or {}
        size = body.get("size") or {}
        return cls(
            prompt=body["prompt"],
            negative_prompt=body.get("negativePrompt"),
            custom_model_id=body.get("customModelId"),
            model_version=model_version,
            num_variations=body.get("numVariations"),
            seeds=body.get("seeds"),
            width=size.get("width"),
            height=size.get("height"),
            content_class=body.get("contentClass"),
            visual_intensity=body.get("visualIntensity"),
            style_presets=style.get("presets") or (),
            style_strength=style.get("strength"),
            style_reference_image_id=_upload_id(style),
            structure_image_id=_upload_id(structure),
            structure_strength=structure.get("strength"),
            locale=body.get("promptBiasingLocaleCode"),
            upsampler_type=body.get("upsamplerType"),
        )

    @property
    def is_custom(self) -> bool:
        return bool(self.custom_model_id) or is_custom_model_version(self.model_version)


def _upload_id(part: Mapping[str, Any]) -> str | None:
    source = (part.get("imageReference") or {}).get("source") or {}
    return source.get("uploadId")


@dataclass(frozen=True)
class SubmittedJob:
    """What ``POST /v3/images/generate-async`` returns (202). Store all three."""

    job_id: str
    status_url: str
    cancel_url: str


@dataclass(frozen=True)
class Output:
    """One generated image: its seed and pre-signed URL (valid for one hour)."""

    seed: int | None
    url: str


def normalise_status(value: Any) -> str:
    """Lower-case the status; ``canceled`` becomes ``cancelled``; unknowns pass through."""
    status = str(value or "").strip().lower()
    return "cancelled" if status == "canceled" else status


@dataclass(frozen=True)
class JobStatus:
    """One poll of ``GET /v3/status/{jobId}``.

    ``status`` is one of ``pending``, ``running``, ``cancel_pending``,
    ``succeeded``, ``failed``, ``cancelled``, ``timeout``, or an unknown value
    passed through lower-cased (treat it as still running until your deadline).
    """

    job_id: str
    status: str
    progress: int | None = None
    outputs: tuple[Output, ...] = ()
    error_code: str | None = None
    message: str | None = None
    size: tuple[int, int] | None = None
    content_class: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], job_id: str = "") -> JobStatus:
        """Parse a status body; tolerant of unknown fields (``altText`` etc.)."""
        result = _mapping(payload.get("result"))
        outputs = []
        for item in result.get("outputs") or ():
            if not isinstance(item, Mapping):
                continue
            image = _mapping(item.get("image"))
            url = image.get("url")
            if isinstance(url, str) and url:
                seed = item.get("seed")
                outputs.append(Output(seed if isinstance(seed, int) else None, url))
        size = _mapping(result.get("size"))
        width, height = size.get("width"), size.get("height")
        progress = payload.get("progress")
        return cls(
            job_id=str(payload.get("jobId") or job_id),
            status=normalise_status(payload.get("status")),
            progress=(
                int(progress)
                if isinstance(progress, int | float) and not isinstance(progress, bool)
                else None
            ),
            outputs=tuple(outputs),
            error_code=payload.get("error_code") or None,
            message=payload.get("message") or None,
            size=(width, height) if isinstance(width, int) and isinstance(height, int) else None,
            content_class=result.get("contentClass"),
            raw=dict(payload),
        )

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_JOB_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    def raise_for_status(self) -> JobStatus:
        """Raise the matching :class:`errors.JobError` for a failed, cancelled or
        timed-out job; return ``self`` otherwise (also while still running)."""
        kwargs = {"job_id": self.job_id, "error_code": self.error_code}
        if self.status == "failed":
            if self.error_code in CONTENT_POLICY_CODES:
                raise errors.JobContentPolicyError(self.message, **kwargs)
            raise errors.JobFailedError(self.message, **kwargs)
        if self.status == "cancelled":
            raise errors.JobCancelledError(self.message, **kwargs)
        if self.status == "timeout":
            raise errors.JobTimedOutError(self.message, **kwargs)
        if self.succeeded and not self.outputs:
            # The spec promises at least one output; polling again won't add one.
            raise errors.InvalidResponseError(
                f"Job {self.job_id} succeeded without any outputs", transient=False
            )
        return self


@dataclass(frozen=True)
class CustomModel:
    """A custom model visible to the credential (``GET /v3/custom-models`` item).

    Pass ``asset_id`` as ``GenerateRequest.custom_model_id`` (not ``repo:assetId``,
    the tutorials' bug).
    """

    asset_id: str
    display_name: str
    asset_name: str | None = None
    version: str | None = None
    training_mode: str | None = None  # "subject" | "style"
    published_state: str | None = None  # "never" | "published" | "unpublished"
    concept_id: str | None = None
    sample_prompt: str | None = None
    base_model_name: str | None = None
    base_model_version: str | None = None
    size_bytes: int | None = None
    etag: str | None = None
    media_type: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_payload(cls, item: Mapping[str, Any]) -> CustomModel:
        base = _mapping(item.get("baseModel"))
        size = item.get("size")
        return cls(
            asset_id=str(item.get("assetId") or ""),
            display_name=str(item.get("displayName") or item.get("assetName") or ""),
            asset_name=item.get("assetName"),
            version=None if item.get("version") is None else str(item.get("version")),
            training_mode=item.get("trainingMode"),
            published_state=item.get("publishedState"),
            concept_id=item.get("conceptId") or None,
            sample_prompt=item.get("samplePrompt") or None,
            base_model_name=base.get("name"),
            base_model_version=base.get("version"),
            size_bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
            etag=item.get("etag"),
            media_type=item.get("mediaType"),
            created=parse_timestamp(item.get("createdDate")),
            modified=parse_timestamp(item.get("modifiedDate")),
            raw=dict(item),
        )

    @property
    def model_version(self) -> str | None:
        """The ``x-model-version`` for this model when its base is known, else ``None``.

        Only ``clio_v2`` (Image 3) has been seen in Adobe's material; ``firefly_image4``
        is the local emulator's stand-in name for an Image 4 base.
        """
        return CUSTOM_MODEL_BASE_VERSIONS.get(self.base_model_name or "")


#: Base model name → the x-model-version its custom models are generated with. Any other base
#: is unknown: Firefly refuses a wrong version, so callers must not guess one.
CUSTOM_MODEL_BASE_VERSIONS = {"clio_v2": "image3_custom", "firefly_image4": "image4_custom"}


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch milliseconds (the tutorial) or an ISO date-time (the spec), as aware UTC."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if text.isdigit():
                return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


@dataclass(frozen=True)
class DownloadedOutput:
    """What :meth:`FireflyClient.download_output` wrote."""

    content_type: str
    bytes_written: int
    sha256: str
