"""Load: 20 signed-in people submit 200 generations through the form at once, a real worker
process does the work against the emulator: zero errors, zero lost, zero duplicated."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from generation.models import CampaignMembership, Generation
from tests.conftest import _purge
from tests.personas import make_campaign, make_user
from tests.reliability.support import WorkerProcess, assert_nothing_lost_or_doubled, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

USERS, PER_USER = 20, 10


@pytest.fixture
def private_queue(_private_celery_queue):
    from fireflyweb.celery import app

    _purge(app, _private_celery_queue)
    return _private_celery_queue


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the form carries a one-time token"
    return match[1]


def test_20_users_submit_200_generations_with_no_error_loss_or_duplicate(
    emulator, settings, private_queue, tmp_path
):
    emulator.state.configure(pending_seconds=0.05, job_seconds=0.2)
    users = [make_user(f"load{i:02}") for i in range(USERS)]
    campaigns = [
        make_campaign(f"Load campaign {n}", *users[n * 5 : n * 5 + 5]) for n in range(USERS // 5)
    ]
    membership = {
        m.user_id: m.campaign for m in CampaignMembership.objects.select_related("campaign")
    }
    errors: list[str] = []
    start = threading.Barrier(USERS)

    def person(user) -> None:
        try:
            client = Client()
            client.force_login(user)
            url = reverse("generation_new", args=[membership[user.pk].slug])
            start.wait(30)
            for n in range(PER_USER):
                form = client.get(url)
                if form.status_code != 200:
                    errors.append(f"{user.username} GET {form.status_code}")
                    continue
                answer = client.post(
                    url,
                    {
                        "form_token": _token(form.content.decode()),
                        "prompt": f"a lighthouse at dawn for {user.username}, take {n}",
                        "model": "image3",
                        "size": "1024x1024",
                        "num_variations": "1",
                        "style_strength": "50",
                        "content_class": "",
                        "locale": "",
                    },
                )
                if answer.status_code != 302:
                    errors.append(f"{user.username} POST {answer.status_code}")
        except Exception as exc:
            errors.append(f"{user.username}: {exc!r}")
        finally:
            connections.close_all()

    worker = WorkerProcess(
        worker_env(emulator, queue=private_queue, FIREFLY_READ_TIMEOUT="10"),
        tmp_path / "worker.log",
        concurrency=4,
    ).start()
    try:
        threads = [threading.Thread(target=person, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors[:10]
        generations = list(Generation.objects.filter(campaign__in=campaigns))
        assert len(generations) == USERS * PER_USER

        deadline = time.monotonic() + 150
        active = Generation.objects.filter(status__in=Generation.ACTIVE_STATUSES)
        while active.exists():
            assert worker.alive(), (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() < deadline, f"{active.count()} still active"
            time.sleep(0.5)
    finally:
        worker.stop()

    outcomes = assert_nothing_lost_or_doubled(emulator, generations)
    assert outcomes == {"succeeded": USERS * PER_USER}
    assert emulator.state.count("generate") == USERS * PER_USER
    assert emulator.state.counters()["jobs_created"] == USERS * PER_USER
    assert all(g.submit_attempts == 1 for g in Generation.objects.all())
