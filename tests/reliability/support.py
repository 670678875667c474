"""Helpers for the reliability tests: a real `celery worker` subprocess sharing this test's
database, broker queue, media folder and emulator; and invariants checked after every run."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, Q

from generation.models import Generation, Image, Rendition

CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    """DATABASE_URL of the database this test runs against (the test database, not the dev one)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_env(emulator, *, queue: str, **extra: str) -> dict[str, str]:
    """Environment for a worker process that shares everything with this test."""
    from fireflyweb.celery import app

    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": app.conf.broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            # The test's media: blank (local disk) unless S3 is configured, then the test's own
            # folder in the bucket (tests/conftest.py).
            "AWS_STORAGE_BUCKET_NAME": settings.AWS_STORAGE_BUCKET_NAME,
            "AWS_LOCATION": settings.STORAGES["default"].get("OPTIONS", {}).get("location", ""),
            "FIREFLY_API_BASE": emulator.url,
            "FIREFLY_IMS_URL": emulator.ims_url,
            "FIREFLY_CLIENT_ID": emulator.config.client_id,
            "FIREFLY_CLIENT_SECRET": emulator.config.client_secret,
            "FIREFLY_CONNECT_TIMEOUT": "1",
            "FIREFLY_READ_TIMEOUT": "4",
            "FIREFLY_POLL_INTERVAL_SECONDS": "0.2",
            "FIREFLY_RATE_LIMIT_PER_MINUTE": "0",
            "FIREFLY_MAX_ATTEMPTS": "8",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if app.conf.broker_url.startswith("filesystem://"):
        # The test session's private broker folder (see tests/conftest.py).
        folder = Path(app.conf.broker_transport_options["data_folder_in"]).parent
        env["CELERY_BROKER_FOLDER"] = str(folder)
    env.update(extra)
    return env


class WorkerProcess:
    """`celery -A fireflyweb worker` (prefork) in its own process group, so `kill()` is a
    `kill -9` of the main process and its children at once, as when a machine dies."""

    def __init__(self, env: dict[str, str], log: Path, *, concurrency: int = 2) -> None:
        self.env, self.log, self.concurrency = env, log, concurrency
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        queue = self.env["CELERY_TASK_DEFAULT_QUEUE"]
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "fireflyweb",
                "worker",
                "-Q",
                queue,
                "-c",
                str(self.concurrency),
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"reliability-{os.getpid()}-{time.monotonic_ns()}@%h",
                "-l",
                "WARNING",
            ],
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        return self

    def kill(self) -> None:
        """SIGKILL to the whole process group: nothing gets to clean up or re-queue."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it takes too long."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Children of a warm-stopped prefork pool are gone with it; make sure of it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def media_files() -> set[str]:
    """Every stored media name (through the storage API: the same on disk and in a bucket)."""
    from tests.pipeline.support import stored_names

    return set(stored_names())


def referenced_files() -> set[str]:
    names = set(Image.objects.values_list("original", flat=True))
    names |= set(Rendition.objects.values_list("file", flat=True))
    return names


def assert_nothing_lost_or_doubled(emulator, generations, *, allowed_failures=()) -> Counter:
    """The invariants every reliability test ends with. Returns a Counter of outcomes
    ("succeeded", "failed:<code>", "cancelled:<code>")."""
    ids = [g.pk for g in generations]
    rows = list(Generation.objects.filter(pk__in=ids).annotate(n_images=Count("images")))
    assert len(rows) == len(ids), "a generation row disappeared"
    outcomes = Counter()
    for row in rows:
        assert row.is_terminal, f"generation {row.pk} is still {row.status}"
        assert row.next_poll_at is None, f"generation {row.pk} still has a step due"
        if row.status == Generation.Status.SUCCEEDED:
            assert row.n_images == row.num_variations, (row.pk, row.n_images, row.num_variations)
            assert not row.error_message
            outcomes["succeeded"] += 1
        else:
            assert row.n_images == 0, f"failed generation {row.pk} kept {row.n_images} images"
            assert row.error_message, f"generation {row.pk} failed without a message"
            assert row.error_code in allowed_failures, (row.pk, row.error_code, row.error_message)
            outcomes[f"{row.status}:{row.error_code}"] += 1

    # Submitted at most once: one Firefly job per prompt (prompts are unique per generation),
    # and every POST that reached Firefly created a job (no blind re-sends).
    prompts = {row.prompt for row in rows}
    jobs = [job for job in emulator.state.jobs() if job["prompt"] in prompts]
    per_prompt = Counter(job["prompt"] for job in jobs)
    doubled = {prompt: n for prompt, n in per_prompt.items() if n > 1}
    assert not doubled, f"submitted more than once: {doubled}"
    for row in rows:
        if row.firefly_job_id:
            assert per_prompt[row.prompt] == 1

    # Images: one row per output, renditions complete, files exactly those the rows name.
    assert (
        not Image.objects.filter(generation_id__in=ids)
        .values("generation", "index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert (
        not Image.objects.filter(generation_id__in=ids)
        .annotate(n=Count("renditions"))
        .filter(~Q(n=2))
    )
    files, referenced = media_files(), referenced_files()
    assert files == referenced, {
        "orphan files": sorted(files - referenced)[:10],
        "missing files": sorted(referenced - files)[:10],
    }
    return outcomes
