"""Polling a submitted job, acting on its end, and saving its images all at once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image as PILImage

from generation.models import Generation, Image, Rendition
from generation.pipeline.poll import generation_poll
from generation.pipeline.scheduling import PREDICTION_SLACK
from generation.pipeline.submit import generation_submit
from tests.pipeline.support import create_generation, media_files, poll_now

pytestmark = pytest.mark.django_db

Status = Generation.Status


@pytest.fixture
def submitted(emulator, spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    generation.refresh_from_db()
    return generation


def finish_job(emulator):
    emulator.state.advance_time(5)


def test_a_running_job_updates_progress_and_schedules_the_next_poll(emulator, submitted):
    emulator.state.advance_time(0.3)  # past pending, part way through running

    step = poll_now(submitted)

    assert submitted.status == Status.RUNNING
    assert 0 < submitted.progress < 100
    assert submitted.started_at is not None
    assert submitted.poll_count == 1
    assert step.next_task == "poll"
    # The 0.2 s schedule, or sooner (plus a little slack) when progress says it ends sooner.
    assert step.countdown <= 0.2 + PREDICTION_SLACK
    assert emulator.state.count("status") == 1


def test_the_poll_interval_grows_to_about_ten_seconds(emulator, submitted, settings):
    # The job stays pending (no progress to predict from) however long the machine takes.
    emulator.state.freeze_time()
    settings.FIREFLY_POLL_INTERVAL_SECONDS = 2.0
    countdowns = []
    for _ in range(8):
        countdowns.append(poll_now(submitted).countdown)
    assert countdowns[0] == pytest.approx(2.0)
    assert countdowns == sorted(countdowns)
    assert countdowns[-1] == pytest.approx(10.0)


def test_a_poll_that_is_not_due_yet_does_nothing(emulator, submitted):
    Generation.objects.filter(pk=submitted.pk).update(
        next_poll_at=timezone.now() + timedelta(seconds=30)
    )

    step = generation_poll(generation_id=submitted.pk)

    assert step.outcome == "not_due"
    assert emulator.state.count("status") == 0


def test_a_duplicated_poll_message_does_not_double_the_polling_chain(emulator, submitted):
    Generation.objects.filter(pk=submitted.pk).update(next_poll_at=timezone.now())

    first = generation_poll(generation_id=submitted.pk)
    duplicate = generation_poll(generation_id=submitted.pk)

    assert first.next_task == "poll"
    assert duplicate.outcome == "not_due"
    assert emulator.state.count("status") == 1


def test_a_succeeded_job_saves_every_image_with_two_renditions(emulator, submitted):
    finish_job(emulator)

    step = poll_now(submitted)

    assert step.outcome == "succeeded"
    assert submitted.status == Status.SUCCEEDED
    assert submitted.progress == 100
    assert submitted.finished_at is not None
    images = list(Image.objects.filter(generation=submitted).order_by("index"))
    assert [image.index for image in images] == [0, 1]
    for image in images:
        assert image.campaign_id == submitted.campaign_id
        assert (image.width, image.height) == (1024, 1024)
        assert image.content_type == "image/jpeg"
        assert len(image.checksum) == 64
        assert image.original.name == image.original_name()
        assert image.original.size == image.bytes
        renditions = {r.spec: r for r in image.renditions.all()}
        assert set(renditions) == {"grid", "preview"}
        assert (renditions["preview"].width, renditions["preview"].height) == (512, 512)
        assert (renditions["grid"].width, renditions["grid"].height) == (256, 256)
        for rendition in renditions.values():
            assert rendition.file.name == rendition.file_name()
            assert rendition.file.size == rendition.bytes
            with rendition.file.open("rb") as handle, PILImage.open(handle) as picture:
                assert picture.size == (rendition.width, rendition.height)
                assert picture.format == "JPEG"
    assert len(media_files()) == 6
    assert emulator.state.count("download") == 2


def test_saving_again_after_a_crash_reuses_the_same_file_names(emulator, submitted):
    finish_job(emulator)
    poll_now(submitted)
    names = media_files()
    # As if the worker died after writing the files but before its rows were committed.
    Image.objects.filter(generation=submitted).delete()
    Generation.objects.filter(pk=submitted.pk).update(status=Status.RUNNING)

    poll_now(submitted)

    assert submitted.status == Status.SUCCEEDED
    assert Image.objects.filter(generation=submitted).count() == 2
    assert media_files() == names


def test_saving_the_images_twice_updates_the_rows_in_place(emulator, submitted):
    finish_job(emulator)
    poll_now(submitted)
    rows = sorted(Image.objects.values_list("pk", "original"))
    Generation.objects.filter(pk=submitted.pk).update(status=Status.RUNNING)

    poll_now(submitted)

    assert submitted.status == Status.SUCCEEDED
    assert sorted(Image.objects.values_list("pk", "original")) == rows
    assert Rendition.objects.count() == 4
    assert len(media_files()) == 6


def test_a_failure_while_saving_leaves_no_image_rows_and_no_files(emulator, submitted, monkeypatch):
    finish_job(emulator)
    real_save = Rendition.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self.spec)
        if len(calls) == 3:  # the first rendition of the second image
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Rendition, "save", failing_save)
    step = poll_now(submitted)

    assert step.next_task == "poll"  # tried again later
    assert submitted.status == Status.RUNNING
    assert submitted.ingest_attempts == 1
    assert Image.objects.filter(generation=submitted).count() == 0
    assert Rendition.objects.count() == 0
    assert media_files() == []

    monkeypatch.setattr(Rendition, "save", real_save)
    poll_now(submitted)
    assert submitted.status == Status.SUCCEEDED
    assert Image.objects.filter(generation=submitted).count() == 2
    assert len(media_files()) == 6


def test_an_expired_output_link_is_fetched_again_once(emulator, submitted):
    finish_job(emulator)
    emulator.state.add_faults({"match": "download", "kind": "expired_url", "times": 1})

    step = poll_now(submitted)

    assert step.next_task == "poll"
    assert step.countdown == 0
    assert submitted.status == Status.RUNNING
    poll_now(submitted)
    assert submitted.status == Status.SUCCEEDED
    assert emulator.state.count("status") == 2


def test_output_links_that_keep_expiring_fail_the_generation(emulator, submitted):
    finish_job(emulator)
    emulator.state.add_faults({"match": "download", "kind": "expired_url"})

    poll_now(submitted)
    poll_now(submitted)

    assert submitted.status == Status.FAILED
    assert submitted.error_code == "output_expired"
    assert "expired" in submitted.error_message
    assert media_files() == []


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "corrupt_output", "mode": "truncate"},
        {"kind": "oversize_output", "size_bytes": 40 * 1024 * 1024},
    ],
    ids=["truncated", "oversized"],
)
def test_an_unusable_output_fails_the_generation_and_saves_nothing(emulator, submitted, fault):
    finish_job(emulator)
    emulator.state.add_faults({"match": "download", **fault})

    poll_now(submitted)

    assert submitted.status == Status.FAILED
    assert submitted.error_code == "output_invalid"
    assert Image.objects.count() == 0
    assert media_files() == []


def test_a_download_that_keeps_failing_gives_up_after_the_maximum_attempts(
    emulator, submitted, settings
):
    settings.FIREFLY_MAX_ATTEMPTS = 2
    finish_job(emulator)
    emulator.state.add_faults({"match": "download", "kind": "error", "status": 503})

    first = poll_now(submitted)
    poll_now(submitted)

    assert first.next_task == "poll"
    assert submitted.status == Status.FAILED
    assert submitted.error_code == "download_failed"


@pytest.mark.parametrize(
    ("fault", "status", "code", "words"),
    [
        ("job_failed", Status.FAILED, "job_failed", "could not generate"),
        ("job_cancelled", Status.CANCELLED, "cancelled", "cancelled at Adobe Firefly"),
        ("job_timeout", Status.FAILED, "job_timeout", "took too long"),
    ],
)
def test_a_job_that_ends_badly_at_firefly_ends_the_generation_with_a_plain_message(
    emulator, spring_launch, alice, fault, status, code, words
):
    emulator.state.add_faults({"match": "generate", "kind": fault, "times": 1})
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    finish_job(emulator)

    step = poll_now(generation)

    assert step.next_task is None
    assert generation.status == status
    assert generation.error_code == code
    assert words in generation.error_message
    assert generation.finished_at is not None


def test_a_job_failed_by_the_content_policy_says_so(emulator, spring_launch, alice):
    emulator.state.configure(content_policy_mode="fail_job")
    generation = create_generation(spring_launch, alice, prompt="a forbidden-word billboard")
    generation_submit(generation_id=generation.pk)
    finish_job(emulator)

    poll_now(generation)

    assert generation.status == Status.FAILED
    assert generation.error_code == "content_policy"
    assert "refused by Adobe's content policy" in generation.error_message


def test_a_job_past_its_deadline_is_cancelled_at_firefly_and_fails(emulator, submitted):
    Generation.objects.filter(pk=submitted.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=1)
    )

    step = poll_now(submitted)

    assert step.outcome == "deadline_exceeded"
    assert submitted.status == Status.FAILED
    assert submitted.error_code == "deadline_exceeded"
    assert "took too long" in submitted.error_message
    assert emulator.state.count("cancel") == 1
    assert emulator.state.count("status") == 0


def test_a_rate_limited_status_check_is_retried_after_retry_after(emulator, submitted):
    emulator.state.add_faults(
        {"match": "status", "kind": "rate_limited", "retry_after": 20, "times": 5}
    )

    step = poll_now(submitted)

    assert step.next_task == "poll"
    assert step.countdown >= 20
    assert submitted.status == Status.SUBMITTED
    assert submitted.next_poll_at >= timezone.now() + timedelta(seconds=19)


def test_a_job_firefly_no_longer_knows_fails_the_generation(emulator, submitted):
    emulator.state.reset()  # forgets every job

    poll_now(submitted)

    assert submitted.status == Status.FAILED
    assert submitted.error_code == "job_lost"


def test_a_poll_whose_rate_limit_slot_is_later_moves_next_poll_at_there(
    emulator, submitted, settings
):
    from generation.pipeline import ratelimit

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    for n in range(2):
        ratelimit.reserve("submit", 100 + n)

    step = poll_now(submitted)

    assert step.next_task == "poll"
    # The current slot and the next are taken: the poll's slot starts within two slot widths.
    assert 0 < step.countdown <= 2 * ratelimit.slot_width()
    assert submitted.next_poll_at > timezone.now()
    assert emulator.state.count("status") == 0
    assert generation_poll(generation_id=submitted.pk).outcome == "not_due"


def test_polls_do_not_wait_for_slots_when_they_do_not_count(emulator, submitted, settings):
    from generation.pipeline import ratelimit

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    settings.FIREFLY_RATE_LIMIT_COUNTS_POLLS = False
    for n in range(2):
        ratelimit.reserve("submit", 100 + n)

    poll_now(submitted)

    assert emulator.state.count("status") == 1
