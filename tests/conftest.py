"""Shared fixtures: media in a temporary folder, personas, a real Celery worker, the emulator,
and Chromium driven by Playwright."""

import contextlib
import os
import shutil
import threading
import time
import uuid

import pytest

from tests.personas import *  # noqa: F403  (persona fixtures: alice, bob, staff_user, …)


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return
    if request.node.get_closest_marker("local_media"):
        settings.AWS_STORAGE_BUCKET_NAME = ""
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        return
    # S3 media (CI's services mode): each test writes under a prefix of its own in the bucket,
    # as each test has a media folder of its own on disk.
    media = settings.STORAGES["default"]
    options = {**media["OPTIONS"], "location": f"tests/{uuid.uuid4().hex}"}
    settings.STORAGES = {**settings.STORAGES, "default": {**media, "OPTIONS": options}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas log in with real passwords; hashing them a million times each is not the test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache (tokens, rate-limit state)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def running_processes(db):
    """Fresh heartbeats of one Celery worker and beat, as a running deployment has them (readiness
    at /healthz answers 503 without). Returns the `ProcessHeartbeat` rows (worker, beat)."""
    from django.utils import timezone

    from generation.models import ProcessHeartbeat

    now = timezone.now()
    rows = [
        ProcessHeartbeat.objects.create(
            name=name, kind=kind, host="tests", pid=os.getpid(), started_at=now, seen_at=now
        )
        for name, kind in (("celery@tests", "worker"), ("beat@tests", "beat"))
    ]
    return tuple(rows)


# --- Celery: a private queue per test session, and a real worker ------------------------------


@pytest.fixture(scope="session", autouse=True)
def _private_celery_queue(tmp_path_factory):
    """Every test session publishes to a queue of its own, so tests never feed a `make run`
    worker or another test session (nor eat their messages). On the file-system broker the
    queue also lives in a fresh temporary folder. Yields the queue name."""
    from fireflyweb.celery import app

    queue = f"tests-{uuid.uuid4().hex[:12]}"
    app.conf.task_default_queue = queue
    if app.conf.broker_url.startswith("filesystem://"):
        root = tmp_path_factory.mktemp("broker")
        app.conf.broker_transport_options = {
            **(app.conf.broker_transport_options or {}),
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "control_folder": str(root / "control"),
            "processed_folder": str(root / "processed"),
            "store_processed": False,
        }
        for name in ("queue", "control", "processed"):
            (root / name).mkdir()
    yield queue
    with contextlib.suppress(Exception):
        _purge(app, queue, delete=True)


def _purge(app, queue: str, *, delete: bool = False) -> int:
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        purged = channel.queue_purge(queue) or 0
        if delete:
            channel.queue_delete(queue)
        return purged


@pytest.fixture
def celery_worker(transactional_db, _private_celery_queue):
    """A real Celery worker (thread pool, concurrency 2) in this process, consuming the test
    session's queue on the configured broker (file system or Redis), started with an empty
    queue. Not eager mode: tasks travel through the broker as JSON, as in production.

    Needs `@pytest.mark.django_db(transaction=True)` (it requests `transactional_db`) so the
    worker's threads see committed rows. After every task the worker thread's database
    connections are closed; `worker.connections_closed` records that, one bool per task.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from fireflyweb.celery import app

    _purge(app, _private_celery_queue)
    closed: list[bool] = []

    def close_connections(**kwargs):
        # Celery's Django fixup closes them too; this makes sure of it on every database.
        connections.close_all()
        closed.append(all(c.connection is None for c in connections.all(initialized_only=True)))

    task_postrun.connect(close_connections, weak=False, dispatch_uid="tests-close-connections")
    nudger = _ShutdownNudger(app)
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            shutdown_timeout=30.0,
            loglevel="WARNING",
        ) as worker:
            worker.connections_closed = closed
            yield worker
            nudger.start()  # leaving start_worker stops the worker (warm: running tasks finish)
    finally:
        nudger.stop()
        task_postrun.disconnect(dispatch_uid="tests-close-connections")
        connections.close_all()


class _ShutdownNudger:
    """Stops the embedded worker at once rather than after its 2-second broker wait: flags the
    shutdown and keeps sending already-expired messages (discarded unrun) until stopped."""

    def __init__(self, app) -> None:
        self.app = app
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from celery.worker import state

        state.should_terminate = 0
        self._thread = threading.Thread(target=self._nudge, name="tests-nudge", daemon=True)
        self._thread.start()

    def _nudge(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):
                # Expired on arrival (after 1 ms), so the worker discards it without running it.
                self.app.send_task("generation.tasks.sweep_generations", expires=0.001)
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


def _wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = ""):
    """Poll `predicate` until it returns something truthy (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"Timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


@pytest.fixture
def wait_for():
    """`wait_for(predicate, timeout=20)`: wait (in the test, never in a worker) until
    `predicate()` is truthy and return its value; AssertionError on timeout."""
    return _wait_for


# --- The Firefly emulator ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def _emulator_server():
    from generation.emulator import EmulatorConfig, EmulatorServer

    server = EmulatorServer(
        EmulatorConfig(pending_seconds=0.1, job_seconds=0.5, cancel_seconds=0.1)
    ).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(_emulator_server, settings):
    """The Firefly emulator (one server per session on an ephemeral port), reset for this test:
    no jobs, faults, counters or config changes. Settings point the app at it, and the pipeline
    runs fast and paced as for the emulator (600 requests a minute): jobs take ~0.6 s, polls start
    every 0.2 s. Yields the `EmulatorServer`:
    `emulator.state.add_faults(...)`, `.configure(...)`, `.count("generate")`, `.counters()`."""
    state = _emulator_server.state
    state.reset()
    config = _emulator_server.config
    settings.FIREFLY_API_BASE = _emulator_server.url
    settings.FIREFLY_IMS_URL = _emulator_server.ims_url
    settings.FIREFLY_CLIENT_ID = config.client_id
    settings.FIREFLY_CLIENT_SECRET = config.client_secret
    settings.FIREFLY_ENDPOINT = "emulator"
    settings.FIREFLY_POLL_INTERVAL_SECONDS = 0.2
    settings.FIREFLY_CONNECT_TIMEOUT = 2.0
    settings.FIREFLY_READ_TIMEOUT = 5.0
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 600  # the emulator's default pace, whatever the env
    settings.FIREFLY_RATE_LIMIT_COUNTS_POLLS = True
    settings.FIREFLY_JOB_DEADLINE_SECONDS = 900
    settings.FIREFLY_MAX_ATTEMPTS = 8
    yield _emulator_server
    state.reset()


@pytest.fixture
def emails_delivered(monkeypatch):
    """Notification emails leave from a Celery worker after commit; here the task runs in place
    of queueing it (its retries included), so `mail.outbox` shows what the worker would send."""
    from generation.collab import notifications, tasks

    def run_now(notification_id, link):
        tasks.send_notification_email.apply(args=(notification_id, link))

    monkeypatch.setattr(notifications, "_queue_email", run_now)
