"""ZIP exports: originals plus manifest.json and manifest.csv, built by a Celery task.

The archive is written to a temporary file on disk (never held in memory), each original
copied into it in chunks from the media storage; the finished file is then saved to the
media storage. Download links are signed (`TimestampSigner`) and expire after
`EXPORT_LINK_MAX_AGE_SECONDS`; the beat task removes exports older than
`EXPORT_RETENTION_HOURS`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from celery import current_app
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from generation.access import CampaignAccess, for_campaign, require
from generation.audit import audit_record
from generation.labels import image_count, model_label
from generation.models import AuditEvent, Campaign, Export, Image
from generation.params import MANIFEST_COLUMNS, GenerationParams
from generation.quotas import check_export_quota

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
PROGRESS_EVERY = 5
SIGNER_SALT = "generation.export-download"
MAX_IMAGES = 5000
#: The Celery task that builds an export (`generation.collab.tasks.build_export`), enqueued by
#: name: the tasks module imports this one.
BUILD_EXPORT_TASK = "generation.tasks.build_export"
MANIFEST_FIELDS = [
    "file",
    "image_id",
    "generation_id",
    "index",
    "model",
    *MANIFEST_COLUMNS,
    "seed",
    "firefly_job_id",
    "requested_by",
    "review_state",
    "approved_by",
    "reviewed_at",
    "generated_at",
    "image_created_at",
    "checksum_sha256",
]


def export_create(
    *,
    campaign: Campaign,
    user: User,
    images: QuerySet[Image],
    filters: dict[str, Any] | None = None,
    description: str = "",
    access: CampaignAccess | None = None,
) -> Export:
    """Snapshot the chosen images and queue the build (after commit)."""
    access = for_campaign(user, campaign, known=access)
    require(access.can_export, "You are not a member of this campaign.")
    ids = list(images.filter(campaign=campaign).order_by("id").values_list("id", flat=True))
    ids = ids[:MAX_IMAGES]
    with transaction.atomic():
        Campaign.objects.lock(campaign)
        check_export_quota(user=user)
        export = Export.objects.create(
            campaign=campaign,
            requested_by=user,
            filters=filters or {},
            image_ids=ids,
            total=len(ids),
            description=description[:300],
        )
        audit_record(
            AuditEvent.Action.EXPORT_CREATED,
            actor=user,
            campaign=campaign,
            target=export,
            summary=f"Export {export.pk} of {image_count(len(ids))}",
            filters=filters or {},
        )
        enqueue_build(export.pk)
    return export


def enqueue_build(export_id: int) -> None:
    """Queue the build once the current transaction commits. A lost message is not lost work:
    the row stays queued and the sweeper sends it again (`export_sweep`)."""
    transaction.on_commit(
        lambda: current_app.signature(BUILD_EXPORT_TASK).delay(export_id), robust=True
    )


def manifest_row(image: Image, name: str) -> dict:
    g = image.generation
    return {
        "file": name,
        "image_id": image.pk,
        "generation_id": g.pk,
        "index": image.index,
        "model": model_label(g),
        **GenerationParams.from_generation(g).manifest(),
        # The image as delivered: its own size and seed.
        "width": image.width,
        "height": image.height,
        "seed": image.seed,
        "firefly_job_id": g.firefly_job_id,
        "requested_by": g.requested_by.get_username() if g.requested_by else "",
        "review_state": image.review_state,
        "approved_by": image.reviewed_by.get_username()
        if image.reviewed_by and image.review_state == Image.ReviewState.APPROVED
        else "",
        "reviewed_at": image.reviewed_at.isoformat() if image.reviewed_at else "",
        "generated_at": g.created_at.isoformat(),
        "image_created_at": image.created_at.isoformat(),
        "checksum_sha256": image.checksum,
    }


def _csv_cell(value: object) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_build(*, export_id: int) -> str:
    """Build the ZIP for a queued export (a redelivered task finds it claimed and stops)."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, touched_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "not_queued"
    export = Export.objects.select_related("campaign").get(pk=export_id)
    images = (
        Image.objects.filter(pk__in=export.image_ids, campaign_id=export.campaign_id)
        .select_related(
            "generation", "generation__custom_model", "generation__requested_by", "reviewed_by"
        )
        .order_by("id")
    )
    rows = []
    try:
        with tempfile.TemporaryFile(dir=settings.EXPORT_TEMP_DIR or None) as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
                for done, image in enumerate(_in_batches(images), start=1):
                    name = f"images/{image.download_name()}"
                    with (
                        # The field's own storage (the default one); refuses a file-less image.
                        image.original.open("rb") as source,
                        archive.open(name, "w", force_zip64=True) as target,
                    ):
                        shutil.copyfileobj(source, target, CHUNK)
                    rows.append(manifest_row(image, name))
                    if done % PROGRESS_EVERY == 0:
                        Export.objects.filter(pk=export_id).update(
                            done=done, touched_at=timezone.now()
                        )
                manifest = {
                    "campaign": {"name": export.campaign.name, "slug": export.campaign.slug},
                    "export_id": export.pk,
                    "created_at": export.created_at.isoformat(),
                    "filters": export.filters,
                    "images": rows,
                }
                archive.writestr(
                    "manifest.json",
                    json.dumps(manifest, indent=2, ensure_ascii=False),
                    compress_type=zipfile.ZIP_DEFLATED,
                )
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=MANIFEST_FIELDS)
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: _csv_cell(v) for k, v in row.items()})
                archive.writestr(
                    "manifest.csv", text.getvalue(), compress_type=zipfile.ZIP_DEFLATED
                )
            size = handle.tell()
            handle.seek(0)
            token = secrets.token_hex(8)
            stored = default_storage.save(
                f"exports/c{export.campaign_id}/export-{export.pk}-{token}.zip", File(handle)
            )
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error_message="The export could not be built"
            + (": an image file is missing." if isinstance(exc, FileNotFoundError) else "."),
            finished_at=timezone.now(),
        )
        return "failed"
    now = timezone.now()
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.READY,
        file=stored,
        bytes=size,
        done=len(rows),
        total=len(rows),
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS),
    )
    logger.info("export %s ready: %d images, %d bytes", export_id, len(rows), size)
    return "ready"


def _in_batches(images: QuerySet[Image], size: int = 200) -> Iterator[Image]:
    """The images in id order, a batch per query with no cursor left open between them: on
    SQLite a progress write while a read is still open waits for a lock it can never get."""
    ids = list(images.values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield from images.filter(pk__in=ids[start : start + size])


def export_fail(*, export_id: int, message: str) -> None:
    Export.objects.filter(
        pk=export_id, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
    ).update(status=Export.Status.FAILED, error_message=message, finished_at=timezone.now())


# --- Download links -------------------------------------------------------------------------


def export_download_token(export: Export) -> str:
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(export.pk))


def export_check_token(export: Export, token: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=SIGNER_SALT).unsign(
            token, max_age=settings.EXPORT_LINK_MAX_AGE_SECONDS
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return False
    return value == str(export.pk)


def export_record_download(*, export: Export, user: User) -> None:
    Export.objects.filter(pk=export.pk).update(download_count=F("download_count") + 1)
    audit_record(
        AuditEvent.Action.EXPORT_DOWNLOADED,
        actor=user,
        campaign=export.campaign,
        target=export,
        summary=f"Export {export.pk} downloaded",
    )


# --- Clean-up ---------------------------------------------------------------------------------


def exports_cleanup(now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their expiry (and of failed or stuck ones after the
    same retention); the rows stay, marked expired, for the audit trail's links."""
    now = now or timezone.now()
    retention = dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    stale = Export.objects.filter(
        status__in=[Export.Status.READY, Export.Status.FAILED], expires_at__lte=now
    ) | Export.objects.filter(
        status__in=[Export.Status.QUEUED, Export.Status.RUNNING, Export.Status.FAILED],
        created_at__lte=now - retention,
    )
    cleaned = 0
    for export in stale.distinct():
        if name := export.file.name:  # an export that never got its file has none to delete
            try:
                default_storage.delete(name)
            except Exception:
                logger.warning("could not delete %s", name, exc_info=True)
                continue
        Export.objects.filter(pk=export.pk).update(status=Export.Status.EXPIRED, file="")
        cleaned += 1
    return cleaned
