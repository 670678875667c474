"""The whole pipeline with a real Celery worker against the Firefly emulator.

Tasks travel through the configured broker (file system or Redis) as JSON; the worker runs in
threads of this process against the same database, so these tests commit for real.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from generation.models import FireflyRequestSlot, Generation, Image, Rendition
from generation.pipeline.generations import generation_cancel, generation_create
from generation.pipeline.sweep import generation_sweep
from generation.pipeline.tasks import submit_generation
from tests.pipeline.support import create_generation, media_files, warm_model

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = Generation.Status


def status_of(generation):
    return Generation.objects.values_list("status", flat=True).get(pk=generation.pk)


def finished(*generations):
    def check():
        return all(status_of(g) in Generation.TERMINAL_STATUSES for g in generations)

    return check


def test_generations_are_submitted_once_polled_and_saved_with_their_renditions(
    emulator, celery_worker, wait_for, spring_launch, alice
):
    plain = create_generation(spring_launch, alice, num_variations=2)
    custom = create_generation(
        spring_launch,
        alice,
        custom_model=warm_model(),
        model_version=None,
        num_variations=3,
        style_presets=(),
    )

    wait_for(finished(plain, custom), timeout=30)

    for generation, count in ((plain, 2), (custom, 3)):
        generation.refresh_from_db()
        assert generation.status == Status.SUCCEEDED, generation.error_message
        assert generation.submit_attempts == 1
        assert generation.poll_count >= 1
        images = Image.objects.filter(generation=generation)
        assert images.count() == count
        for image in images:
            # Through the storage API, so the same checks hold for S3 media.
            assert default_storage.exists(image.original.name)
            assert image.renditions.count() == 2
            for rendition in image.renditions.all():
                assert default_storage.size(rendition.file.name) == rendition.bytes
    assert Rendition.objects.count() == 2 * 5
    assert len(media_files()) == 5 * 3
    if not settings.AWS_STORAGE_BUCKET_NAME:
        assert all(Path(f).is_relative_to(Path(settings.MEDIA_ROOT)) for f in media_files())
    assert emulator.state.count("generate") == 2, emulator.state.requests("generate")
    assert emulator.state.counters()["jobs_created"] == 2
    assert celery_worker.connections_closed
    assert all(celery_worker.connections_closed)
    if connection.vendor == "postgresql":  # the worker's threads hold no connection between tasks
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            assert cursor.fetchone()[0] == 1  # this test's own


def test_a_duplicated_submit_message_still_submits_once(
    emulator, celery_worker, wait_for, spring_launch, alice
):
    generation = create_generation(spring_launch, alice, num_variations=1)
    submit_generation.apply_async(args=(generation.pk,))  # as if redelivered
    submit_generation.apply_async(args=(generation.pk,))

    wait_for(finished(generation), timeout=30)

    assert status_of(generation) == Status.SUCCEEDED
    assert emulator.state.count("generate") == 1
    assert Image.objects.filter(generation=generation).count() == 1


def test_a_running_generation_is_cancelled_at_firefly(
    emulator, celery_worker, wait_for, spring_launch, alice
):
    emulator.state.configure(job_seconds=30)
    generation = create_generation(spring_launch, alice, num_variations=1)
    wait_for(lambda: status_of(generation) == Status.RUNNING, timeout=20)

    generation_cancel(generation=Generation.objects.get(pk=generation.pk), user=alice)

    wait_for(finished(generation), timeout=20)
    generation.refresh_from_db()
    assert generation.status == Status.CANCELLED
    assert emulator.state.count("cancel") == 1
    assert Image.objects.filter(generation=generation).count() == 0


def test_a_generation_whose_message_was_lost_is_rescued_by_the_sweeper(
    emulator, celery_worker, wait_for, spring_launch, alice
):
    from datetime import timedelta

    from django.utils import timezone

    # Stored, but its submit message never reached the broker (e.g. a crash before on_commit).
    generation = Generation.objects.create(
        campaign=spring_launch,
        requested_by=alice,
        prompt="a lighthouse at dusk",
        model_version="image3",
        width=1024,
        height=1024,
        num_variations=1,
        next_poll_at=timezone.now() - timedelta(minutes=5),
    )

    counts = generation_sweep()

    assert counts["resubmitted"] == 1
    wait_for(finished(generation), timeout=30)
    generation.refresh_from_db()
    assert generation.status == Status.SUCCEEDED
    assert generation.redrive_count == 1
    assert emulator.state.count("generate") == 1


def test_a_busy_firefly_is_waited_out_and_every_request_paced(
    emulator, celery_worker, wait_for, spring_launch, alice, settings
):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 120  # a slot every 0.5 s
    emulator.state.add_faults(
        {"match": "generate", "kind": "rate_limited", "retry_after": 1, "times": 1}
    )
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a kite festival on the beach",
        model_version="image3",
        width=1024,
        height=1024,
    )

    wait_for(finished(generation), timeout=30)

    generation.refresh_from_db()
    assert generation.status == Status.SUCCEEDED, generation.error_message
    assert generation.submit_attempts == 2
    assert emulator.state.count("generate") == 2
    assert emulator.state.counters()["jobs_created"] == 1
    # Every request to Firefly went through the shared limiter: one slot each.
    sent = emulator.state.count("generate") + emulator.state.count("status")
    assert FireflyRequestSlot.objects.filter(used=True).count() == sent
