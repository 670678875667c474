"""Jobs are never lost and never doubled, whatever dies.

A real `celery -A fireflyweb worker` subprocess shares this test's database (the file test
database on SQLite, the test database on PostgreSQL), broker queue, media folder and the
emulator. It is killed with SIGKILL (the whole process group) while 60 generations are in
flight, some of them in the middle of a submission and some in the middle of a download; then a
fresh worker and the sweeper (with short thresholds) must bring every one to a terminal state
the user can see, with each submitted to Firefly at most once and no duplicate or orphan files.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from generation.models import Generation
from generation.pipeline.generations import generation_create
from generation.pipeline.steps import generation_sweep
from tests.conftest import _purge
from tests.reliability.support import WorkerProcess, assert_nothing_lost_or_doubled, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = Generation.Status
IN_FLIGHT = 60


@pytest.fixture
def sweeper_settings(settings):
    """The sweeper (run by this test, not by beat) re-drives anything 2 s overdue."""
    settings.FIREFLY_SWEEP_QUEUED_GRACE_SECONDS = 2
    settings.FIREFLY_SWEEP_ACTIVE_GRACE_SECONDS = 2
    settings.FIREFLY_MAX_ATTEMPTS = 20  # eager re-drives must not fail live jobs as stuck
    return settings


@pytest.fixture
def private_queue(_private_celery_queue):
    from fireflyweb.celery import app

    _purge(app, _private_celery_queue)
    return _private_celery_queue


def _create(campaign, user, count: int, tag: str) -> list[Generation]:
    return [
        generation_create(
            campaign=campaign,
            user=user,
            prompt=f"a lighthouse at dawn, {tag} number {i}",
            model_version="image3",
            width=1024,
            height=1024,
            num_variations=1 + i % 2,
        )
        for i in range(count)
    ]


def _sweep_until_terminal(generations, worker, timeout: float) -> int:
    ids = [g.pk for g in generations]
    deadline = time.monotonic() + timeout
    sweeps = 0
    while Generation.objects.filter(pk__in=ids, status__in=Generation.ACTIVE_STATUSES).exists():
        assert worker.alive(), "the restarted worker died; see its log"
        if time.monotonic() > deadline:
            left = list(
                Generation.objects.filter(
                    pk__in=ids, status__in=Generation.ACTIVE_STATUSES
                ).values_list("pk", "status", "firefly_job_id", "next_poll_at")[:10]
            )
            raise AssertionError(f"not terminal after {timeout}s: {left}")
        generation_sweep()
        sweeps += 1
        time.sleep(1.0)
    return sweeps


def test_kill_9_of_a_worker_with_60_generations_in_flight_loses_and_doubles_nothing(
    emulator, sweeper_settings, private_queue, spring_launch, alice, tmp_path, wait_for
):
    emulator.state.configure(pending_seconds=0.1, job_seconds=0.3)
    # Make sure the kill lands mid-submit and mid-download: some answers take 2.5 s (under the
    # worker's 4 s read timeout, so Firefly does create those jobs).
    emulator.state.add_faults(
        {"match": "generate", "kind": "delay", "seconds": 2.5, "after": 8, "probability": 0.3},
        {"match": "download", "kind": "delay", "seconds": 2.5, "after": 2, "probability": 0.5},
    )
    generations = _create(spring_launch, alice, IN_FLIGHT, "kill test")
    env = worker_env(emulator, queue=private_queue)
    log = tmp_path / "worker.log"

    def in_flight(operation: str) -> int:
        counters = emulator.state.counters()
        answered = sum(counters["responses"].get(operation, {}).values())
        return counters["received"].get(operation, 0) - answered

    worker = WorkerProcess(env, log, concurrency=4).start()
    try:
        wait_for(
            lambda: in_flight("generate") >= 1 and in_flight("download") >= 1,
            timeout=60,
            interval=0.02,
            message=f"never mid-submit and mid-download; worker log:\n{log.read_text()[-3000:]}",
        )
        worker.kill()
    finally:
        worker.kill()
    emulator.state.clear_faults()

    at_kill = {
        status: Generation.objects.filter(pk__in=[g.pk for g in generations], status=status).count()
        for status in Status.values
    }
    in_flight_submits = Generation.objects.filter(
        pk__in=[g.pk for g in generations], status=Status.SUBMITTED, firefly_job_id=""
    ).count()
    assert at_kill[Status.QUEUED] + at_kill[Status.SUBMITTED] + at_kill[Status.RUNNING] > 0
    assert in_flight_submits >= 1, at_kill

    worker = WorkerProcess(env, log).start()
    try:
        _sweep_until_terminal(generations, worker, timeout=120)
    finally:
        worker.stop()

    outcomes = assert_nothing_lost_or_doubled(
        emulator, generations, allowed_failures=("submit_uncertain",)
    )
    # The submissions cut off by the kill end as uncertain, and say so; so may a submission
    # that timed out on a machine too loaded to answer in 4 s. Everything else succeeded.
    assert outcomes["failed:submit_uncertain"] >= in_flight_submits, (outcomes, at_kill)
    assert outcomes["succeeded"] + outcomes["failed:submit_uncertain"] == IN_FLIGHT
    for generation in Generation.objects.filter(error_code="submit_uncertain"):
        assert "may or may not have started" in generation.error_message
        assert "Retry" in generation.error_message


def test_a_broker_that_lost_every_message_is_recovered_by_the_sweeper(
    emulator, sweeper_settings, private_queue, spring_launch, alice, tmp_path
):
    """The broker restarted empty (Redis without persistence, or the file-system broker's
    folder wiped) after 12 generations were enqueued: nothing is lost, nothing doubled."""
    from fireflyweb.celery import app

    emulator.state.configure(pending_seconds=0.1, job_seconds=0.3)
    generations = _create(spring_launch, alice, 12, "broker loss")
    assert _purge(app, private_queue) >= 12  # every submit message gone
    Generation.objects.filter(pk__in=[g.pk for g in generations]).update(
        next_poll_at=timezone.now() - timedelta(seconds=5)
    )

    worker = WorkerProcess(worker_env(emulator, queue=private_queue), tmp_path / "w.log").start()
    try:
        _sweep_until_terminal(generations, worker, timeout=60)
    finally:
        worker.stop()

    outcomes = assert_nothing_lost_or_doubled(emulator, generations)
    assert outcomes == {"succeeded": 12}
    assert emulator.state.count("generate") == 12


def test_a_broker_that_is_down_when_the_web_enqueues_loses_nothing(
    sweeper_settings, spring_launch, alice, monkeypatch, caplog
):
    """The generation is stored and the page answers even though the enqueue failed (logged);
    the sweeper sends the submit message once the row is overdue."""
    from generation.pipeline import tasks

    sent = []

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.submit_generation, "apply_async", broker_down)
    generations = _create(spring_launch, alice, 3, "broker down")
    assert all(g.status == Status.QUEUED for g in generations)
    assert "could not enqueue submit" in caplog.text
    assert "broker unreachable" in caplog.text

    monkeypatch.setattr(tasks.submit_generation, "apply_async", lambda **kw: sent.append(kw))
    sweeper_settings.FIREFLY_SWEEP_QUEUED_GRACE_SECONDS = 0
    Generation.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
    counts = generation_sweep()

    assert counts["resubmitted"] == 3
    assert sorted(kw["args"][0] for kw in sent) == sorted(g.pk for g in generations)


def test_the_form_still_answers_when_the_broker_is_down(spring_launch, alice, monkeypatch):
    import re

    from django.test import Client
    from django.urls import reverse

    from generation.pipeline import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.submit_generation, "apply_async", broker_down)
    client = Client()
    client.force_login(alice)
    url = reverse("generation_new", args=[spring_launch.slug])
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())[1]
    data = {
        "form_token": token,
        "prompt": "a lighthouse at dawn, broker down",
        "model": "image3",
        "size": "1024x1024",
        "num_variations": "1",
        "style_strength": "50",
    }

    response = client.post(url, data)
    again = client.post(url, data)  # the double submit is still one generation

    assert response.status_code == 302
    assert again.status_code in (200, 302)
    assert Generation.objects.filter(prompt=data["prompt"], status=Status.QUEUED).count() == 1
