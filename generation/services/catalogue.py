"""Keep `CustomModel` rows in step with the custom models Firefly shares with our credential."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from generation import ratelimit
from generation.firefly import CustomModel as FireflyCustomModel
from generation.firefly import errors
from generation.firefly_client import get_client
from generation.models import CustomModel

logger = logging.getLogger("generation.catalogue")

#: Base model name → the x-model-version to generate with. `clio_v2` is Image 3 (Adobe's
#: material); `firefly_image4` is the emulator's name for an Image 4 base (none published yet).
BASE_MODEL_VERSIONS = {"clio_v2": "image3_custom", "firefly_image4": "image4_custom"}
SYNCED_FIELDS = (
    "display_name",
    "asset_name",
    "training_mode",
    "base_model_name",
    "base_model_version",
    "model_version",
    "sample_prompt",
    "published_state",
    "version",
    "concept_id",
    "size_bytes",
    "etag",
    "firefly_created_at",
    "firefly_modified_at",
)


@dataclass(frozen=True)
class SyncResult:
    """How many rows the sync created, changed, and newly found missing at Firefly."""

    created: int
    updated: int
    missing: int


def model_version_for(base_model_name: str | None) -> str:
    """The x-model-version a custom model on `base_model_name` needs."""
    name = (base_model_name or "").lower()
    if name in BASE_MODEL_VERSIONS:
        return BASE_MODEL_VERSIONS[name]
    if "image4" in name or "image_4" in name:
        return "image4_custom"
    return "image3_custom"


def _text(value, limit: int) -> str:
    return str(value or "")[:limit]


def _fields(item: FireflyCustomModel) -> dict:
    states = CustomModel.PublishedState.values
    modes = CustomModel.TrainingMode.values
    return {
        "display_name": _text(item.display_name or item.asset_name or item.asset_id, 255),
        "asset_name": _text(item.asset_name, 255),
        "training_mode": item.training_mode if item.training_mode in modes else "",
        "base_model_name": _text(item.base_model_name, 64),
        "base_model_version": _text(item.base_model_version, 32),
        "model_version": model_version_for(item.base_model_name),
        "sample_prompt": item.sample_prompt or "",
        "published_state": item.published_state
        if item.published_state in states
        else CustomModel.PublishedState.NEVER,
        "version": _text(item.version, 32),
        "concept_id": _text(item.concept_id, 255),
        "size_bytes": item.size_bytes,
        "etag": _text(item.etag, 255),
        "firefly_created_at": item.created,
        "firefly_modified_at": item.modified,
    }


def custom_models_sync() -> SyncResult:
    """Upsert every custom model Firefly lists (any published state, all pages) by asset id.

    Admin fields (`enabled`, `notes`, `position`) are never touched. Models no longer listed
    get `missing_since` (they are not deleted: generations refer to them); a model listed again
    loses it. Raises the client's errors (e.g. `RateLimitedError` with `retry_after` while the
    shared rate limiter has no free slot yet); then nothing changes.
    """
    wait = ratelimit.reserve(ratelimit.CATALOGUE, "sync").wait_seconds()
    if wait > 0:
        raise errors.RateLimitedError(
            "Waiting for a free Firefly request slot", retry_after=round(wait, 3)
        )
    listed = get_client().list_custom_models(published_state="all")
    now = timezone.now()
    created = updated = 0
    seen: set[str] = set()
    with transaction.atomic():
        existing = {m.asset_id: m for m in CustomModel.objects.select_for_update()}
        for item in listed:
            if not item.asset_id or item.asset_id in seen:
                continue
            seen.add(item.asset_id)
            fields = _fields(item)
            row = existing.get(item.asset_id)
            if row is None:
                CustomModel.objects.create(
                    asset_id=item.asset_id, last_synced_at=now, missing_since=None, **fields
                )
                created += 1
                continue
            changed = [name for name, value in fields.items() if getattr(row, name) != value]
            if changed or row.missing_since is not None:
                updated += 1
            for name in changed:
                setattr(row, name, fields[name])
            row.last_synced_at = now
            row.missing_since = None
            row.save(update_fields=[*changed, "last_synced_at", "missing_since"])
        missing = (
            CustomModel.objects.exclude(asset_id__in=seen)
            .filter(missing_since__isnull=True)
            .update(missing_since=now)
        )
    logger.info("custom models synced: %d new, %d changed, %d missing", created, updated, missing)
    if created or updated or missing:  # a sync that changed nothing leaves no trace
        from generation.models import AuditEvent
        from generation.services.audit import audit_record

        audit_record(
            AuditEvent.Action.MODEL_SYNCED,
            summary=f"Custom models synced: {created} new, {updated} updated, {missing} missing",
            created=created,
            updated=updated,
            missing=missing,
        )
    return SyncResult(created=created, updated=updated, missing=missing)
