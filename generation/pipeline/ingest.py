"""Save a finished job's outputs: download, check, resize, then store files and rows at once.

Every output is downloaded in the same run (pre-signed URLs expire after an hour) into a
temporary folder, streamed and size-capped by the client. Each is verified and resized by
`generation.pipeline.renditions`. Then, in one short transaction, the originals and renditions are
written under deterministic names, their rows created and the generation marked succeeded: a
generation is either complete or has no images at all. If anything fails the transaction rolls
back and the files written by this attempt are deleted, so a later attempt starts clean (and
would overwrite the same names anyway).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from generation.firefly import DownloadedOutput, FireflyClient, Output
from generation.models import Generation, Image, Rendition
from generation.pipeline.renditions import ImageRejected, ProcessedImage, process_image

logger = logging.getLogger(__name__)

Status = Generation.Status


class IngestSkipped(Exception):  # noqa: N818
    """The generation is no longer waiting for its images (cancelled or failed meanwhile)."""


@dataclass(frozen=True)
class PreparedOutput:
    index: int
    seed: int | None
    path: Path
    download: DownloadedOutput
    processed: ProcessedImage


def _storage() -> Storage:
    return Image._meta.get_field("original").storage


def _write(storage: Storage, name: str, content: File) -> None:
    """Store `content` under exactly `name`, replacing an earlier attempt's file."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:  # pragma: no cover (a storage that renames would break determinism)
        raise RuntimeError(f"Storage saved {name!r} as {saved!r}")


def download_outputs(
    client: FireflyClient, outputs: Sequence[Output], folder: Path
) -> list[tuple[Output, Path, DownloadedOutput]]:
    """Download every output into `folder`, first to last, before processing any."""
    downloaded: list[tuple[Output, Path, DownloadedOutput]] = []
    for index, output in enumerate(outputs):
        path = folder / f"output-{index}"
        with path.open("wb") as handle:
            info = client.download_output(
                output.url, handle, max_bytes=settings.FIREFLY_MAX_DOWNLOAD_BYTES
            )
        downloaded.append((output, path, info))
    return downloaded


def prepare_outputs(
    downloaded: Sequence[tuple[Output, Path, DownloadedOutput]],
) -> list[PreparedOutput]:
    prepared: list[PreparedOutput] = []
    for index, (output, path, info) in enumerate(downloaded):
        processed = process_image(path)
        if processed.source.content_type != info.content_type:
            raise ImageRejected(
                f"Output {index} was served as {info.content_type} but is "
                f"{processed.source.content_type}"
            )
        prepared.append(PreparedOutput(index, output.seed, path, info, processed))
    return prepared


def save_outputs(generation_id: int, prepared: Sequence[PreparedOutput]) -> list[Image]:
    """Write files and rows and mark the generation succeeded, all or nothing."""
    storage = _storage()
    written: list[str] = []
    kept: set[str] = set()  # names committed rows already point at (same checksum, same bytes)
    now = timezone.now()
    try:
        with transaction.atomic():
            generation = Generation.objects.select_for_update().get(pk=generation_id)
            if generation.status == Status.SUCCEEDED:
                return list(generation.images.order_by("index"))  # another run got there first
            if generation.status not in (Status.SUBMITTED, Status.RUNNING):
                raise IngestSkipped(f"generation {generation_id} is {generation.status}")
            images = []
            replaced: list[str] = []
            for item in prepared:
                source = item.processed.source
                # Upsert by (generation, index) and (image, spec): re-running is harmless.
                image = Image.objects.filter(generation=generation, index=item.index).first()
                image = image or Image(generation=generation, index=item.index)
                old_name = image.original.name
                image.campaign_id = generation.campaign_id
                image.seed = item.seed
                image.content_type = source.content_type
                image.width, image.height = source.width, source.height
                image.bytes = item.download.bytes_written
                image.checksum = item.download.sha256
                name = image.original_name()
                with item.path.open("rb") as handle:
                    _write(storage, name, File(handle))
                written.append(name)
                if old_name == name:
                    kept.add(name)
                elif old_name:
                    replaced.append(old_name)
                image.original.name = name
                image.save()
                for data in item.processed.renditions:
                    rendition = Rendition.objects.filter(image=image, spec=data.spec).first()
                    rendition = rendition or Rendition(image=image, spec=data.spec)
                    old_file = rendition.file.name
                    rendition.width, rendition.height = data.width, data.height
                    rendition.bytes = data.bytes
                    file_name = rendition.file_name()
                    _write(storage, file_name, ContentFile(data.content))
                    written.append(file_name)
                    if old_file == file_name:
                        kept.add(file_name)
                    elif old_file:
                        replaced.append(old_file)
                    rendition.file.name = file_name
                    rendition.save()
                images.append(image)
            transaction.on_commit(partial(_delete_files, storage, replaced))
            Generation.objects.filter(pk=generation_id).update(
                status=Status.SUCCEEDED,
                progress=100,
                error_code="",
                error_message="",
                next_poll_at=None,
                finished_at=now,
                updated_at=now,
            )
    except BaseException:
        # Rolled back: remove what this attempt wrote (names are ours alone: the row lock above
        # makes a concurrent attempt wait, then see the generation succeeded and write nothing).
        _delete_files(storage, [name for name in written if name not in kept])
        raise
    return images


def _delete_files(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("could not delete %s", name, exc_info=True)


def ingest_outputs(
    *, generation: Generation, outputs: Sequence[Output], client: FireflyClient
) -> list[Image]:
    """Download, verify, resize and save every output of a succeeded job.

    Raises the client's errors (e.g. `OutputExpiredError`), `ImageRejected`, `IngestSkipped`,
    or storage and database errors; in every case nothing is left behind.
    """
    if not outputs:
        raise ImageRejected("The job succeeded without any outputs")
    with tempfile.TemporaryDirectory(prefix=f"firefly-g{generation.pk}-") as folder:
        downloaded = download_outputs(client, outputs, Path(folder))
        prepared = prepare_outputs(downloaded)
        images = save_outputs(generation.pk, prepared)
    logger.info("generation %s: saved %d image(s)", generation.pk, len(images))
    return images
