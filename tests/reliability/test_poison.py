"""A poison job cannot loop for ever: every kind of repeat is counted in the row."""

import pytest

from generation.models import Generation
from generation.pipeline.generations import generation_create
from generation.pipeline.outcomes import Failure
from generation.pipeline.submit import generation_submit
from tests.pipeline.support import poll_now

pytestmark = pytest.mark.django_db


def test_a_job_whose_saving_keeps_dying_unrecorded_is_failed_not_retried_for_ever(
    emulator, settings, spring_launch, alice
):
    """acks_late + reject_on_worker_lost redeliver a poll whose worker was OOM-killed while
    decoding the images; the broker keeps no count, the row does (`ingest_attempts`)."""
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    emulator.state.configure(pending_seconds=0, job_seconds=0)
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a lighthouse at dawn (poison)",
        model_version="image3",
        width=1024,
        height=1024,
    )
    generation_submit(generation_id=generation.pk)
    # Every earlier attempt died before it could record anything.
    Generation.objects.filter(pk=generation.pk).update(
        ingest_attempts=settings.FIREFLY_MAX_ATTEMPTS
    )
    downloads = emulator.state.count("download")

    step = poll_now(generation)

    assert str(step) == "download_failed"
    assert generation.status == Generation.Status.FAILED
    assert generation.error_message == Failure.DOWNLOAD_FAILED.message
    assert emulator.state.count("download") == downloads  # not even tried again
    assert generation.images.count() == 0


def test_files_left_by_a_killed_save_are_removed_when_the_generation_fails(
    emulator, settings, spring_launch, alice
):
    """A worker killed inside `save_outputs` (files written, transaction never committed) leaves
    files no row names; when the generation then ends without images they are deleted."""
    from django.core.files.base import ContentFile

    from generation.models import Image
    from tests.reliability.support import media_files, referenced_files

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    emulator.state.configure(pending_seconds=0, job_seconds=0)
    emulator.state.add_faults({"match": "download", "kind": "expired_url"})  # re-drives fail
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a lighthouse at dawn (stray files)",
        model_version="image3",
        width=1024,
        height=1024,
    )
    generation_submit(generation_id=generation.pk)
    storage = Image._meta.get_field("original").storage
    folder = f"c{spring_launch.pk}/g{generation.pk}"
    for name in (f"originals/{folder}/0-0123456789ab.jpg", f"renditions/{folder}/0-x-grid.jpg"):
        storage.save(name, ContentFile(b"half a save"))
    Generation.objects.filter(pk=generation.pk).update(ingest_attempts=1)  # the killed attempt
    other = f"originals/c{spring_launch.pk}/g{generation.pk + 1000}/0-keep.jpg"
    storage.save(other, ContentFile(b"another generation's file"))

    step = poll_now(generation)

    assert str(step) == "output_expired"
    assert generation.status == Generation.Status.FAILED
    assert media_files() - referenced_files() == {other}  # only the unrelated file is left
