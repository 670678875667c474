"""An export never stays queued or building forever: the sweeper re-drives it from the database
when its message was lost or its worker died, like a generation (issue 16)."""

import datetime as dt

import pytest
from django.utils import timezone

from generation.collab import export_sweep, exports
from generation.models import Export, Image

pytestmark = pytest.mark.django_db
Status = Export.Status


def lost_message_export(campaign, user):
    """An export whose build message never reached a worker (created, nothing enqueued)."""
    return exports.export_create(campaign=campaign, user=user, images=Image.objects.all())


def age(export, seconds, **fields):
    Export.objects.filter(pk=export.pk).update(
        touched_at=timezone.now() - dt.timedelta(seconds=seconds), **fields
    )


def test_a_queued_export_whose_message_was_lost_is_sent_again_and_built(
    spring_launch, alice, images, django_capture_on_commit_callbacks, monkeypatch
):
    export = lost_message_export(spring_launch, alice)  # on_commit never ran: no message
    age(export, 30)
    assert export_sweep.exports_sweep() == {"requeued": 0, "failed": 0, "resent": 0}  # in grace

    sent = []
    monkeypatch.setattr(exports, "current_app", FakeApp(sent))
    age(export, 120)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_sweep.exports_sweep()["resent"] == 1
    assert sent == [(exports.BUILD_EXPORT_TASK, export.pk)]
    assert exports.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert export.status == Status.READY
    assert export.attempts == 1


def test_an_export_whose_worker_died_mid_build_goes_back_to_the_queue_then_is_built(
    spring_launch, alice, images, django_capture_on_commit_callbacks, monkeypatch
):
    export = lost_message_export(spring_launch, alice)
    age(export, 3600, status=Status.RUNNING, attempts=1, done=2)  # killed: no progress since
    sent = []
    monkeypatch.setattr(exports, "current_app", FakeApp(sent))
    with django_capture_on_commit_callbacks(execute=True):
        assert export_sweep.exports_sweep()["requeued"] == 1
    export.refresh_from_db()
    assert export.status == Status.QUEUED
    assert sent == [(exports.BUILD_EXPORT_TASK, export.pk)]
    assert exports.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert (export.status, export.attempts, export.done) == (Status.READY, 2, len(images))


def test_a_building_export_that_reports_progress_is_left_alone(spring_launch, alice, images):
    export = lost_message_export(spring_launch, alice)
    age(export, 5, status=Status.RUNNING, attempts=1)
    assert export_sweep.exports_sweep() == {"requeued": 0, "failed": 0, "resent": 0}
    assert Export.objects.get(pk=export.pk).status == Status.RUNNING


def test_an_export_interrupted_again_and_again_fails_with_a_message(
    spring_launch, alice, images, settings
):
    settings.EXPORT_MAX_ATTEMPTS = 3
    export = lost_message_export(spring_launch, alice)
    age(export, 3600, status=Status.RUNNING, attempts=3)
    assert export_sweep.exports_sweep()["failed"] == 1
    export.refresh_from_db()
    assert export.status == Status.FAILED
    assert "interrupted 3 times" in export.error_message
    assert export.finished_at is not None


def test_the_sweeper_runs_every_minute_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-exports"]
    assert entry["task"] == "generation.tasks.sweep_exports"
    from generation.collab import tasks

    assert tasks.sweep_exports.name == "generation.tasks.sweep_exports"


class FakeApp:
    """Records the messages the sweeper sends instead of publishing them."""

    def __init__(self, sent):
        self.sent = sent

    def signature(self, name):
        sent = self.sent

        class Signature:
            def delay(self, *args):
                sent.append((name, *args))

        return Signature()
