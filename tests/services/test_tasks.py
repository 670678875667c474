"""The tasks are thin: one service each, with database hiccups retried and surprises recorded."""

import pytest
from django.db import OperationalError

from generation.collab import tasks as collab_tasks
from generation.firefly import errors
from generation.models import Generation
from generation.pipeline import cancel, catalogue, poll, submit, sweep, tasks
from generation.pipeline.outcomes import Failure
from generation.pipeline.scheduling import Step
from tests.pipeline.support import create_generation

pytestmark = pytest.mark.django_db

Status = Generation.Status


def test_task_names_match_the_beat_schedule(settings):
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        tasks.sweep_generations.name,
        tasks.sync_custom_models.name,
        collab_tasks.cleanup_exports.name,
        collab_tasks.sweep_exports.name,
    }
    assert tasks.submit_generation.name == "generation.tasks.submit_generation"
    assert tasks.poll_generation.name == "generation.tasks.poll_generation"
    assert tasks.cancel_generation.name == "generation.tasks.cancel_generation"


def test_a_database_error_is_retried_with_backoff(monkeypatch, spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    calls = []

    def flaky(*, generation_id):
        calls.append(generation_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return Step("submitted")

    monkeypatch.setattr(submit, "generation_submit", flaky)
    result = tasks.submit_generation.apply(args=(generation.pk,))  # retries run eagerly here

    assert calls == [generation.pk, generation.pk]
    assert result.get() == "submitted"


def test_a_poll_retry_waits_past_the_interval_it_may_have_claimed(monkeypatch):
    seen = {}

    def fake_retry(*, exc, countdown):
        seen["countdown"] = countdown
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.poll_generation, "retry", fake_retry)
    monkeypatch.setattr(
        poll, "generation_poll", lambda **kw: (_ for _ in ()).throw(OperationalError("x"))
    )

    with pytest.raises(RuntimeError, match="retry"):
        tasks.poll_generation.run(1)
    assert seen["countdown"] > 10


def test_an_unexpected_error_fails_the_generation_with_a_plain_message(
    monkeypatch, spring_launch, alice
):
    generation = create_generation(spring_launch, alice)

    def broken(**kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(submit, "generation_submit", broken)
    assert tasks.submit_generation.apply(args=(generation.pk,)).get() == "internal_error"

    generation.refresh_from_db()
    assert generation.status == Status.FAILED
    assert generation.error_code == "internal_error"
    assert generation.error_message == Failure.INTERNAL_ERROR.message


def test_a_cancel_firefly_refuses_still_cancels_the_generation_here(
    monkeypatch, spring_launch, alice
):
    generation = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=generation.pk).update(
        status=Status.RUNNING, cancel_requested=True, firefly_job_id="urn:ff:jobs:x:1"
    )

    def refused(**kwargs):
        raise errors.AuthenticationError("bad credentials")

    monkeypatch.setattr(cancel, "generation_cancel_at_firefly", refused)
    assert tasks.cancel_generation.apply(args=(generation.pk,)).get() == "cancelled_locally"

    generation.refresh_from_db()
    assert generation.status == Status.CANCELLED


def test_a_cancel_that_cannot_reach_firefly_is_retried_then_done_here(
    monkeypatch, spring_launch, alice
):
    generation = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=generation.pk).update(
        status=Status.RUNNING, cancel_requested=True, firefly_job_id="urn:ff:jobs:x:1"
    )
    calls = []

    def unreachable(**kwargs):
        calls.append(1)
        raise errors.FireflyConnectionError("down")

    monkeypatch.setattr(cancel, "generation_cancel_at_firefly", unreachable)
    monkeypatch.setattr(tasks, "retry_countdown", lambda *a, **k: 0)
    result = tasks.cancel_generation.apply(args=(generation.pk,))

    assert result.get() == "cancelled_locally"
    assert len(calls) == tasks.MAX_RETRIES + 1
    generation.refresh_from_db()
    assert generation.status == Status.CANCELLED


def test_the_catalogue_sync_task_reports_counts(monkeypatch):
    monkeypatch.setattr(
        catalogue,
        "custom_models_sync",
        lambda: catalogue.SyncResult(created=2, updated=1, missing=0),
    )
    assert tasks.sync_custom_models.apply().get() == {"created": 2, "updated": 1, "missing": 0}


def test_the_catalogue_sync_task_gives_up_quietly_on_a_permanent_error(monkeypatch):
    def denied():
        raise errors.PermissionDeniedError("no", error_code="access_error")

    monkeypatch.setattr(catalogue, "custom_models_sync", denied)
    assert tasks.sync_custom_models.apply().get() == {"error": "access_error"}


def test_the_sweep_task_returns_the_sweepers_counts(monkeypatch):
    monkeypatch.setattr(sweep, "generation_sweep", lambda: {"resubmitted": 1})
    assert tasks.sweep_generations.apply().get() == {"resubmitted": 1}
