"""Keep `CustomModel` rows in step with the custom models Firefly shares with our credential,
and the admin's curation of them (enabling, disabling, picking a model version), audited."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generation.audit import audit_record
from generation.firefly import CustomModel as FireflyCustomModel
from generation.firefly import errors
from generation.firefly.facts import CUSTOM_MODEL_VERSIONS, MODEL_VERSION_LABELS
from generation.firefly.types import CUSTOM_MODEL_BASE_VERSIONS
from generation.models import AuditEvent, CustomModel

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from generation.pipeline import ratelimit
from generation.pipeline.firefly_client import get_client

logger = logging.getLogger(__name__)

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


def model_version_for(base_model_name: str | None) -> str | None:
    """The x-model-version a custom model on `base_model_name` needs; None when the base model
    is unknown to the studio (an admin then picks it: `custom_model_choose_version`)."""
    return CUSTOM_MODEL_BASE_VERSIONS.get(base_model_name or "")


def base_model_is_known(model: CustomModel) -> bool:
    return model_version_for(model.base_model_name) is not None


def needs_model_version_message(model: CustomModel) -> str:
    """What an admin is told when a model can't be enabled because its version is unknown."""
    return (
        f"Pick the model version first: Firefly's base model “{model.firefly_base_model}” is new "
        "to the studio, so it can't tell which model version to generate with."
    )


def _text(value: object, limit: int) -> str:
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
        "model_version": model_version_for(item.base_model_name) or "",
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


def custom_models_sync(*, actor: User | None = None) -> SyncResult:
    """Upsert every custom model Firefly lists (any published state, all pages) by asset id.

    Admin fields (`enabled`, `notes`, `position`, `chosen_model_version`) are kept, with one
    exception: a model whose base model is unknown gets the admin's chosen model version, and
    is disabled (never guessed) while there is none. Models no longer listed get
    `missing_since` (they are not deleted: generations refer to them); a model listed again
    loses it. Raises the client's errors (e.g. `RateLimitedError` with `retry_after` while the
    shared rate limiter has no free slot yet); then nothing changes.

    One audit row per sync: a scheduled sync (no `actor`) only when it changed something, one
    a person asked for (`actor`, from the admin) always, in their name.
    """
    wait = ratelimit.reserve(ratelimit.RequestKind.CATALOGUE, "sync").wait_seconds()
    if wait > 0:
        raise errors.RateLimitedError(
            "Waiting for a free Firefly request slot", retry_after=round(wait, 3)
        )
    listed = get_client().list_custom_models(published_state="all")
    now = timezone.now()
    created = updated = 0
    seen: set[str] = set()
    unknown_bases: list[CustomModel] = []  # new, or newly without a model version
    with transaction.atomic():
        existing = {m.asset_id: m for m in CustomModel.objects.select_for_update()}
        for item in listed:
            if not item.asset_id or item.asset_id in seen:
                continue
            seen.add(item.asset_id)
            fields = _fields(item)
            row = existing.get(item.asset_id)
            if not fields["model_version"] and row is not None:
                fields["model_version"] = row.chosen_model_version
            if row is None:
                row = CustomModel.objects.create(
                    asset_id=item.asset_id,
                    last_synced_at=now,
                    missing_since=None,
                    enabled=bool(fields["model_version"]),
                    **fields,
                )
                created += 1
                if not row.model_version:
                    unknown_bases.append(row)
            else:
                changed = [name for name, value in fields.items() if getattr(row, name) != value]
                if changed or row.missing_since is not None:
                    updated += 1
                for name in changed:
                    setattr(row, name, fields[name])
                row.last_synced_at = now
                row.missing_since = None
                row.save(update_fields=[*changed, "last_synced_at", "missing_since"])
                if not row.model_version and row.enabled:
                    unknown_bases.append(row)  # enabled while its version was guessed
        missing = (
            CustomModel.objects.exclude(asset_id__in=seen)
            .filter(missing_since__isnull=True)
            .update(missing_since=now)
        )
        for row in unknown_bases:
            logger.warning(
                "custom model %s has base model %r, unknown to the studio: disabled until an "
                "admin picks its model version",
                row.asset_id,
                row.firefly_base_model,
            )
            if row.enabled:
                _set_enabled(row, False, actor=None, reason="its base model is unknown")
    logger.info("custom models synced: %d new, %d changed, %d missing", created, updated, missing)
    if created or updated or missing or actor is not None:
        audit_record(
            AuditEvent.Action.MODEL_SYNCED,
            actor=actor,
            summary=f"Custom models synced: {created} new, {updated} updated, {missing} missing",
            created=created,
            updated=updated,
            missing=missing,
        )
    return SyncResult(created=created, updated=updated, missing=missing)


# --- The admin's curation ----------------------------------------------------------------------


@dataclass
class EnableResult:
    """What `custom_models_set_enabled` changed, and the models it refused to enable (with why)."""

    changed: list[CustomModel] = field(default_factory=list)
    refused: list[tuple[CustomModel, str]] = field(default_factory=list)


def _set_enabled(
    model: CustomModel, enabled: bool, *, actor: User | None, reason: str = ""
) -> bool:
    """Switch one model with a conditional update and audit it; False if it already was."""
    rows = CustomModel.objects.filter(pk=model.pk, enabled=not enabled)
    if enabled:
        rows = rows.exclude(model_version="")  # checked again here: a sync may have run since
    if not rows.update(enabled=enabled):
        return False
    model.enabled = enabled
    verb = "enabled" if enabled else "disabled"
    audit_record(
        AuditEvent.Action.MODEL_ENABLED if enabled else AuditEvent.Action.MODEL_DISABLED,
        actor=actor,
        target=model,
        summary=f"Custom model “{model.display_name}” {verb}" + (f": {reason}" if reason else ""),
        asset_id=model.asset_id,
    )
    return True


def custom_models_set_enabled(
    models: Iterable[CustomModel], *, enabled: bool, actor: User | None
) -> EnableResult:
    """Enable or disable `models` for the generation form, one audit row per change. A model
    without a model version (an unknown base model not yet given one) is never enabled."""
    result = EnableResult()
    for model in models:
        if enabled and not model.model_version:
            result.refused.append((model, needs_model_version_message(model)))
        elif _set_enabled(model, enabled, actor=actor):
            result.changed.append(model)
    return result


def custom_model_choose_version(model: CustomModel, version: str, *, actor: User | None) -> None:
    """Record the admin's pick of the x-model-version for a model whose base model is unknown
    (`""` takes the pick back, which disables the model). Audited; ValidationError for a known
    base model (its version is not a choice) or a value that isn't a custom-model version."""
    if base_model_is_known(model):
        raise ValidationError(
            {
                "chosen_model_version": [
                    f"Firefly's base model “{model.firefly_base_model}” decides the model version "
                    f"({model.model_version}); it can't be changed here."
                ]
            }
        )
    if version and version not in CUSTOM_MODEL_VERSIONS:
        raise ValidationError(
            {
                "chosen_model_version": [
                    f"“{version}” is not a custom-model version; use one of "
                    f"{', '.join(CUSTOM_MODEL_VERSIONS)}."
                ]
            }
        )
    with transaction.atomic():
        CustomModel.objects.filter(pk=model.pk).update(
            chosen_model_version=version, model_version=version
        )
        model.chosen_model_version = model.model_version = version
        label = MODEL_VERSION_LABELS.get(version, "none")
        audit_record(
            AuditEvent.Action.MODEL_VERSION_CHOSEN,
            actor=actor,
            target=model,
            summary=f"Custom model “{model.display_name}” (base model {model.firefly_base_model}) "
            f"set to generate as {label}",
            asset_id=model.asset_id,
            model_version=version,
        )
        if not version:
            _set_enabled(model, False, actor=actor, reason="its model version was taken back")
